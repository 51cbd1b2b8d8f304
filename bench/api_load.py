"""API under load: POST /api/tickets and GET /api/tickets/{id} through gunicorn, for a fixed time.

    .venv/bin/python bench/api_load.py                      # both modes, 30 s each, a table
    .venv/bin/python bench/api_load.py --mode eager --seconds 60 --json

DATABASE_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
everything runs on 127.0.0.1. For each mode the bench:
1. creates a fresh database `sd_bench_api_<mode>`, migrates it, loads the starter taxonomy,
   knowledge and model (`seed_demo` with DEBUG off) and `--customers` API customers;
2. starts gunicorn with production settings (DEBUG off, secrets from the environment, the
   project's gunicorn.conf.py) and, in `async` mode, one Celery worker on Redis (database 7);
3. runs `--clients` concurrent clients, each on one keep-alive connection with its own JWT:
   POST a ticket (with an Idempotency-Key), then GET it; `--warmup` seconds first, not counted;
4. reports throughput, p50/p95/p99 per endpoint and errors (any non-2xx or broken connection;
   a POST is then retried with the same key, as a careful client would);
5. waits until every ticket is decided (async mode: that is the decision throughput) and checks
   the database: every key that got a 2xx has exactly one ticket (0 lost, 0 duplicated), every
   ticket is decided, once.

Modes: `async` is the production shape (the web stores and queues, the worker decides);
`eager` runs the whole pipeline inside the request (no broker: Celery tasks run in-process).
The load generator is asyncio in this one process: it shares the machine's cores with the server.
"""

import argparse
import asyncio
import itertools
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402

BROKER = "redis://127.0.0.1:6379/7"
MESSAGES = [
    "Where is my order number {n}? It has not arrived yet.",
    "I forgot my password and cannot log in (attempt {n}).",
    "Please send me the invoice for order {n}.",
    "I want to cancel order {n}, I ordered the wrong size.",
    "My card was charged twice for order {n}.",
    "How do I change the delivery address for order {n}?",
    "I would like a refund for order {n}, it arrived broken.",
    "Can I speak to a real person about order {n}?",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=["async", "eager", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured time per mode")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: its config)")
    parser.add_argument("--threads", type=int, help="gunicorn threads per worker")
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--drain-timeout", type=float, default=600.0)
    parser.add_argument("--no-get", action="store_true", help="POST only")
    parser.add_argument("--keep-db", action="store_true", help="leave the database behind")
    parser.add_argument("--json", action="store_true", help="JSON instead of a table")
    args = parser.parse_args()
    if not 1 <= args.clients <= 256 or not 1 <= args.seconds <= 600:
        parser.error("--clients must be 1-256 and --seconds 1-600")
    return args


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = {"POST": [], "GET": []}
        self.errors: dict[str, int] = {}
        self.retries = 0
        self.accepted: set[str] = set()  # Idempotency-Keys that got a 2xx
        self.measuring = False

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def client(
    number: int, port: int, token: str, run: str, stop_at: float, stats: Stats, get: bool
) -> None:
    connection = await h.Connection.open(port)
    for n in itertools.count():
        if time.monotonic() >= stop_at:
            break
        key = f"{run}-{number}-{n}"
        body = {"message": MESSAGES[(number + n) % len(MESSAGES)].format(n=n)}
        ticket_id = None
        for _attempt in range(5):
            if connection.closed:
                connection = await h.Connection.open(port)
            measured = stats.measuring
            started = time.perf_counter()
            try:
                status, data = await connection.request(
                    "POST", "/api/tickets", token=token, body=body, headers={"Idempotency-Key": key}
                )
            except (OSError, asyncio.IncompleteReadError):
                stats.error("POST connection")
                connection.close()
                continue
            if measured:
                stats.latency["POST"].append(time.perf_counter() - started)
            if status in (200, 201):
                stats.accepted.add(key)
                ticket_id = json.loads(data)["id"]
                break
            stats.error(f"POST {status}")
            stats.retries += 1
            await asyncio.sleep(0.1)
        if ticket_id is None or not get:
            continue
        if connection.closed:
            connection = await h.Connection.open(port)
        measured = stats.measuring
        started = time.perf_counter()
        try:
            status, data = await connection.request("GET", f"/api/tickets/{ticket_id}", token=token)
        except (OSError, asyncio.IncompleteReadError):
            stats.error("GET connection")
            connection.close()
            continue
        if measured:
            stats.latency["GET"].append(time.perf_counter() - started)
        if status != 200:
            stats.error(f"GET {status}")
    connection.close()


async def drive(port: int, tokens: list[str], args: argparse.Namespace, run: str) -> dict:
    stats = Stats()
    begin = time.monotonic()
    stop_at = begin + args.warmup + args.seconds
    tasks = [
        asyncio.create_task(
            client(n, port, tokens[n % len(tokens)], run, stop_at, stats, not args.no_get)
        )
        for n in range(args.clients)
    ]
    await asyncio.sleep(args.warmup)
    warm_errors = dict(stats.errors)
    stats.errors.clear()
    stats.measuring = True
    measured_from = time.monotonic()
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - measured_from
    stats.measuring = False
    return {"stats": stats, "elapsed": elapsed, "warmup_errors": warm_errors}


def summarize(latencies: list[float], elapsed: float) -> dict:
    ms = [value * 1000 for value in latencies]
    return {
        "count": len(ms),
        "per_second": round(len(ms) / elapsed, 1),
        "p50_ms": round(h.percentile(ms, 0.50) or 0, 1),
        "p95_ms": round(h.percentile(ms, 0.95) or 0, 1),
        "p99_ms": round(h.percentile(ms, 0.99) or 0, 1),
        "max_ms": round(max(ms, default=0), 1),
    }


def check(env: dict[str, str], run: str, accepted: set[str]) -> dict:
    """Every accepted key: one ticket, decided once. Plus when the last decision was made."""
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        rows = conn.execute(
            "SELECT idempotency_key, status FROM tickets_ticket WHERE idempotency_key LIKE %s",
            (f"{run}-%",),
        ).fetchall()
        keys = [key for key, _ in rows]
        decided_twice = conn.execute(
            "SELECT count(*) FROM (SELECT ticket_id FROM resolution_decision"
            " GROUP BY ticket_id HAVING count(*) > 1) t"
        ).fetchone()[0]
        undecided_without_decision = conn.execute(
            "SELECT count(*) FROM tickets_ticket t WHERE idempotency_key LIKE %s AND NOT EXISTS"
            " (SELECT 1 FROM resolution_decision d WHERE d.ticket_id = t.id)",
            (f"{run}-%",),
        ).fetchone()[0]
        span = conn.execute(
            "SELECT EXTRACT(EPOCH FROM max(d.created_at) - min(t.created_at)) FROM tickets_ticket t"
            " JOIN resolution_decision d ON d.ticket_id = t.id WHERE t.idempotency_key LIKE %s",
            (f"{run}-%",),
        ).fetchone()[0]
    statuses: dict[str, int] = {}
    for _, status in rows:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "accepted": len(accepted),
        "stored": len(rows),
        "lost": len(accepted - set(keys)),
        "duplicated": len(keys) - len(set(keys)),
        "undecided": statuses.get("open", 0),
        "without_decision": undecided_without_decision,
        "decided_twice": decided_twice,
        "statuses": statuses,
        "first_created_to_last_decided_s": round(float(span or 0), 1),
    }


def open_count(env: dict[str, str], run: str) -> int:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        return conn.execute(
            "SELECT count(*) FROM tickets_ticket WHERE status = 'open' AND idempotency_key LIKE %s",
            (f"{run}-%",),
        ).fetchone()[0]


def cpu_now(web, worker) -> list[float]:
    return [
        h.session_cpu_seconds(web.pid),
        h.session_cpu_seconds(worker.pid) if worker is not None else 0.0,
    ]


def since(before: list[float], web, worker) -> list[float]:
    return [now - then for now, then in zip(cpu_now(web, worker), before, strict=True)]


def run_mode(mode: str, args: argparse.Namespace) -> dict:
    database = f"sd_bench_api_{mode}"
    broker = BROKER if mode == "async" else ""
    env = h.environment(database, broker=broker)
    h.say(f"[{mode}] preparing {database}")
    h.prepare_desk(env, database, args.customers)
    tokens = h.access_tokens(env)
    if broker:
        h.flush_broker(broker)
    port = h.free_port()
    web = h.start_gunicorn(env, port, workers=args.workers, threads=args.threads)
    worker = h.start_worker(env, args.celery_concurrency) if broker else None
    run = f"load{int(time.time())}"
    try:
        h.say(f"[{mode}] {args.clients} clients for {args.warmup:.0f} + {args.seconds:.0f} s")
        started = time.monotonic()
        cpu_before = cpu_now(web, worker)
        driven = asyncio.run(drive(port, tokens, args, run))
        load_end = time.monotonic()
        cpu_load = since(cpu_before, web, worker)
        stats = driven["stats"]
        deadline = load_end + args.drain_timeout
        while (remaining := open_count(env, run)) and time.monotonic() < deadline:
            h.say(f"[{mode}] {remaining} tickets still open")
            time.sleep(2)
        drained = time.monotonic()
        cpu_all = since(cpu_before, web, worker)
        outcome = check(env, run, stats.accepted)
    finally:
        if worker is not None:
            h.stop(worker)
        h.stop(web)
        if not args.keep_db:
            h.drop_database(env, database)
    post = summarize(stats.latency["POST"], driven["elapsed"])
    total_tickets = outcome["stored"]
    result = {
        "mode": mode,
        "clients": args.clients,
        "seconds": round(driven["elapsed"], 1),
        "post": post,
        "get": summarize(stats.latency["GET"], driven["elapsed"]),
        "errors": sum(stats.errors.values()),
        "error_kinds": stats.errors,
        "warmup_errors": driven["warmup_errors"],
        "retries": stats.retries,
        "drain_after_load_s": round(drained - load_end, 1),
        "decided_per_second": round(
            total_tickets / max(outcome["first_created_to_last_decided_s"], 1e-9), 1
        ),
        "load_total_s": round(load_end - started, 1),
        **outcome,
    }
    # CPU per ticket (warm-up included: every ticket of the run), web and worker processes.
    tickets = max(outcome["stored"], 1)
    result["web_cpu_ms_per_ticket"] = round(cpu_load[0] * 1000 / tickets, 2)
    result["worker_cpu_ms_per_ticket"] = round(cpu_all[1] * 1000 / tickets, 2)
    result["load_average"] = os.getloadavg()
    return result


def table(results: list[dict]) -> None:
    rows = [
        ("mode", lambda r: r["mode"]),
        ("clients", lambda r: r["clients"]),
        ("measured s", lambda r: r["seconds"]),
        ("POST /api/tickets per s", lambda r: r["post"]["per_second"]),
        ("POST p50 / p95 / p99 ms", lambda r: _ms(r["post"])),
        ("GET /api/tickets/{id} per s", lambda r: r["get"]["per_second"]),
        ("GET p50 / p95 / p99 ms", lambda r: _ms(r["get"])),
        ("errors (measured / warm-up)", lambda r: f"{r['errors']} / {_warm(r)}"),
        ("tickets stored", lambda r: r["stored"]),
        ("decided per s (first created → last decided)", lambda r: r["decided_per_second"]),
        ("still open when load ended: drained in s", lambda r: r["drain_after_load_s"]),
        ("lost / duplicated / undecided / decided twice", lambda r: _faults(r)),
        ("web CPU ms per ticket (POST + GET)", lambda r: r["web_cpu_ms_per_ticket"]),
        ("worker CPU ms per ticket", lambda r: r["worker_cpu_ms_per_ticket"]),
        ("load average at the end", lambda r: " ".join(f"{x:.1f}" for x in r["load_average"])),
        ("statuses", lambda r: ", ".join(f"{k} {v}" for k, v in sorted(r["statuses"].items()))),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name.ljust(width)}  " + "  ".join(f"{value(r)!s:>24}" for r in results))


def _warm(r: dict) -> int:
    return sum(r["warmup_errors"].values())


def _ms(summary: dict) -> str:
    return f"{summary['p50_ms']} / {summary['p95_ms']} / {summary['p99_ms']}"


def _faults(r: dict) -> str:
    return f"{r['lost']} / {r['duplicated']} / {r['undecided']} / {r['decided_twice']}"


def main() -> int:
    args = parse_args()
    modes = ["async", "eager"] if args.mode == "both" else [args.mode]
    results = [run_mode(mode, args) for mode in modes]
    meta = {"cpu_count": os.cpu_count(), "load_average": os.getloadavg()}
    if args.json:
        print(json.dumps({"machine": meta, "results": results}, indent=2))
    else:
        table(results)
    bad = any(r["lost"] or r["duplicated"] or r["undecided"] or r["decided_twice"] for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
