"""Load and fault: N tickets through the API while the Celery worker is killed and restarted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/load_and_fault.py --count 10000 --clients 16

What it does, all on 127.0.0.1 (it refuses any other address):
1. creates a fresh database `sd_bench_fault` next to DATABASE_URL's, migrates it, loads the
   starter taxonomy and knowledge, trains the model, and makes `--customers` customers;
2. starts gunicorn and one Celery worker (Redis broker, database 14: nobody else's queue);
3. submits `--count` tickets from `--clients` threads, each with its own Idempotency-Key and
   retrying on connection errors and 5xx (as a careful client would);
4. meanwhile kills the worker with SIGKILL every `--kill-every` seconds and starts a new one;
5. waits (at most `--timeout` seconds in all) until no ticket is open, nudging the stale-ticket
   sweep as beat would;
6. checks the database: lost (keys with no ticket), duplicated (keys with two tickets, or two
   customer messages), undecided (open), decided twice (two Decisions); and the 5xx answers
   the clients met (server_errors: a worker's death must never reach the API). Exit status 1
   unless all five are 0.
Bounded: `--count` at most 20,000, `--timeout` at most 1,800 s.
"""

import argparse
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402

HOST = h.HOST
BENCH_DB = "sd_bench_fault"
BROKER = "redis://127.0.0.1:6379/14"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--kill-every", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    if not 1 <= args.count <= 20_000 or not 1 <= args.clients <= 64:
        parser.error("--count must be 1-20000 and --clients 1-64")
    args.timeout = min(args.timeout, 1_800.0)
    return args


def environment() -> dict[str, str]:
    return h.environment(BENCH_DB, broker=BROKER)


def prepare(env: dict[str, str], customers: int) -> None:
    h.flush_broker(BROKER)
    h.prepare_desk(env, BENCH_DB, customers)


start_worker = h.start_worker
kill = h.kill


class Worker:
    """One Celery worker at a time, SIGKILLed and replaced every `every` seconds."""

    def __init__(self, env: dict[str, str], every: float) -> None:
        self.env, self.every, self.kills = env, every, 0
        self.process = start_worker(env)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(self.every):
            kill(self.process)
            self.kills += 1
            self.process = start_worker(self.env)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


def submit_all(base: str, tokens: list[str], count: int, clients: int, run: str) -> dict:
    retries = 0
    server_errors = 0  # 5xx answers: the worker's death must never reach the API
    failed: list[int] = []
    lock = threading.Lock()
    local = threading.local()

    def submit(n: int) -> None:
        nonlocal retries, server_errors
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        headers = {
            "Authorization": f"Bearer {tokens[n % len(tokens)]}",
            "Idempotency-Key": f"{run}-{n}",
        }
        body = {"message": f"Where is my order number {n}? It has not arrived yet."}
        for attempt in range(8):
            try:
                response = session.post(
                    f"{base}/api/tickets", json=body, headers=headers, timeout=30
                )
                if response.status_code in (200, 201):
                    return
                if response.status_code >= 500:
                    with lock:
                        server_errors += 1
            except requests.RequestException:
                pass
            with lock:
                retries += 1
            time.sleep(0.2 * (attempt + 1))
        with lock:
            failed.append(n)

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(submit, range(count)))
    return {"retries": retries, "server_errors": server_errors, "client_gave_up": len(failed)}


def check(env: dict[str, str], run: str, count: int) -> dict:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:

        def one(sql: str, *params) -> int:
            return conn.execute(sql, params).fetchone()[0]

        stored = one(
            "SELECT count(*) FROM tickets_ticket WHERE idempotency_key LIKE %s", f"{run}-%"
        )
        distinct = one(
            "SELECT count(DISTINCT idempotency_key) FROM tickets_ticket"
            " WHERE idempotency_key LIKE %s",
            f"{run}-%",
        )
        doubled_messages = one(
            "SELECT count(*) FROM (SELECT ticket_id FROM tickets_message"
            " WHERE author_kind='customer' GROUP BY ticket_id HAVING count(*) > 1) t"
        )
        undecided = one("SELECT count(*) FROM tickets_ticket WHERE status = 'open'")
        decided_twice = one(
            "SELECT count(*) FROM (SELECT ticket_id FROM resolution_decision"
            " GROUP BY ticket_id HAVING count(*) > 1) t"
        )
        statuses = dict(
            conn.execute("SELECT status, count(*) FROM tickets_ticket GROUP BY status").fetchall()
        )
    return {
        "stored": stored,
        "lost": count - distinct,
        "duplicated": stored - distinct + doubled_messages,
        "undecided": undecided,
        "decided_twice": decided_twice,
        "statuses": statuses,
    }


def open_tickets(env: dict[str, str]) -> int:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        return conn.execute("SELECT count(*) FROM tickets_ticket WHERE status='open'").fetchone()[0]


def nudge_sweep(env: dict[str, str]) -> None:
    """What beat does every 60 s: queue the stale-ticket sweep."""
    subprocess.run(
        [h.PYTHON, "-m", "celery", "-A", "supportdesk", "call"]
        + ["resolution.tasks.resolve_stale_open_tickets", "--kwargs", '{"older_than_seconds": 20}'],
        cwd=h.ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def main() -> int:
    args = parse_args()
    env = environment()
    started = time.monotonic()
    prepare(env, args.customers)
    base = f"http://{HOST}:{args.port}"
    h.say("database ready; starting gunicorn")
    tokens = h.access_tokens(env)
    # The fault run keeps its historical shape: 4 workers x 4 threads.
    web = h.start_gunicorn(env, args.port, workers=4, threads=4)
    worker = None
    try:
        h.say("starting the worker and the load")
        worker = Worker(env, args.kill_every)
        run = f"bench{int(time.time())}"
        load_started = time.monotonic()
        client = submit_all(base, tokens, args.count, args.clients, run)
        submit_seconds = time.monotonic() - load_started
        worker.close()  # no more kills: let the last worker drain the queue
        h.say(f"submitted in {submit_seconds:.0f} s; waiting for every ticket to be decided")
        deadline = started + args.timeout
        while open_tickets(env) and time.monotonic() < deadline:
            nudge_sweep(env)
            time.sleep(10)
        result = {
            "count": args.count,
            "clients": args.clients,
            "worker_kills": worker.kills,
            "submit_seconds": round(submit_seconds, 1),
            "submitted_per_second": round(args.count / submit_seconds, 1),
            "all_decided_seconds": round(time.monotonic() - load_started, 1),
            **client,
            **check(env, run, args.count),
        }
    finally:
        if worker is not None:
            worker.stop.set()
            kill(worker.process)
        h.stop(web)
    print(json.dumps(result, indent=2))
    bad = (
        result["lost"]
        or result["duplicated"]
        or result["undecided"]
        or result["decided_twice"]
        or result["server_errors"]
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
