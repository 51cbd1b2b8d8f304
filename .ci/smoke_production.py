#!/usr/bin/env python3
"""Production smoke test: the desk as the Dockerfile and compose run it, from the runtime lock.

1. A fresh virtualenv with ONLY requirements.lock installed (`pip install --require-hashes`): a
   module that only the test tools happened to bring in (issue 15: `packaging`, which kombu's
   Redis transport imports) fails here, not in production.
2. DEBUG off, a fresh PostgreSQL database, Redis as broker and cache: `check --deploy` must be
   clean, then migrate, collectstatic, seed_demo (taxonomy and first model, no demo users).
3. gunicorn serves a page and the API (a customer logs in, POSTs a ticket with the JWT); a Celery
   worker on Redis and beat start; the worker decides the ticket (the API is polled until the
   ticket is no longer open).

Exits non-zero on any failure, printing the logs of the processes; always stops them and drops
the database and the Redis databases it used. Stdlib only: run it with any Python 3.11.

    python3 .ci/smoke_production.py            # PostgreSQL and Redis on 127.0.0.1 (see --help)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CUSTOMER = ("smoke-customer@example.com", "smoke-pass-" + secrets.token_hex(8))
# A question the starter taxonomy knows; whatever the model decides, it must decide.
QUESTION = "I forgot my password, how do I reset it?"


class SmokeError(Exception):
    pass


def log(message: str) -> None:
    print(f"smoke: {message}", flush=True)


def run(cmd: list[str], *, env: dict[str, str], timeout: float, what: str) -> str:
    result = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise SmokeError(f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


class Processes:
    """Long-running processes, each in its own session so the whole group can be stopped."""

    def __init__(self, logdir: Path) -> None:
        self.logdir = logdir
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, name: str, cmd: list[str], env: dict[str, str]) -> Path:
        path = self.logdir / f"{name}.log"
        with path.open("wb") as out:
            self.started[name] = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return path

    def check_alive(self) -> None:
        for name, proc in self.started.items():
            if proc.poll() is not None:
                raise SmokeError(f"{name} exited with {proc.returncode}")

    def stop(self) -> None:
        for proc in self.started.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.started.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def dump_logs(self) -> None:
        for name in self.started:
            text = (self.logdir / f"{name}.log").read_text(errors="replace")
            print(f"----- {name} (last 60 lines) -----\n" + "\n".join(text.splitlines()[-60:]))


def wait_for(predicate, *, timeout: float, what: str, procs: Processes, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        procs.check_alive()
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise SmokeError(f"timed out after {timeout:.0f} s waiting for {what}")


class Client:
    """HTTP as the TLS proxy in front of gunicorn would forward it (HTTPS, the public host)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.headers = {"X-Forwarded-Proto": "https"}

    def request(self, method: str, path: str, body=None, token: str | None = None):
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def json(self, method: str, path: str, body=None, token: str | None = None, expect=200):
        status, raw = self.request(method, path, body, token)
        if status != expect:
            raise SmokeError(f"{method} {path}: {status}, expected {expect}: {raw[:500]!r}")
        return json.loads(raw)


def make_venv(venv: Path, env: dict[str, str]) -> None:
    log(f"fresh virtualenv {venv}, requirements.lock only (pip --require-hashes)")
    run([sys.executable, "-m", "venv", str(venv)], env=env, timeout=120, what="venv")
    pip = [str(venv / "bin" / "pip"), "install", "--quiet", "--require-hashes"]
    run([*pip, "-r", "requirements.lock"], env=env, timeout=900, what="pip install")


def psql(sql: str, pg: dict[str, str], env: dict[str, str]) -> None:
    cmd = ["psql", "-q", "-h", pg["host"], "-p", pg["port"], "-U", pg["user"], "-c", sql]
    run([*cmd, "postgres"], env=env, timeout=60, what=f"psql {sql!r}")


def smoke(args: argparse.Namespace, workdir: Path, procs: Processes) -> None:
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    venv = Path(args.venv) if args.venv else workdir / "venv"
    if not (venv / "bin" / "python").exists():
        make_venv(venv, base_env)
    bin_ = venv / "bin"
    # The web, worker and beat environment: production settings as README documents them.
    env = {
        **base_env,
        "PATH": f"{bin_}:{base_env.get('PATH', '')}",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": f"{args.redis}/{args.redis_db}",
        "CACHE_URL": f"{args.redis}/{args.redis_db + 1}",
        "GUNICORN_BIND": "127.0.0.1:0",
        "GUNICORN_WORKERS": "2",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    py = str(bin_ / "python")
    # check --deploy first: the settings this smoke test runs are the documented production ones.
    run(
        [py, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        timeout=120,
        what="check --deploy",
    )
    log("check --deploy: no issues")
    run([py, "manage.py", "migrate", "--noinput"], env=env, timeout=600, what="migrate")
    log("migrate: done")
    # As the Dockerfile does: whitenoise serves the collected, hashed files (DEBUG off).
    run([py, "manage.py", "collectstatic", "--noinput"], env=env, timeout=300, what="collectstatic")
    run([py, "manage.py", "seed_demo"], env=env, timeout=600, what="seed_demo")
    log("seed_demo: taxonomy and first model")
    email, password = CUSTOMER
    run(
        [
            py,
            "manage.py",
            "shell",
            "-c",
            "from accounts.models import Role, User; "
            f"User.objects.create_user(email={email!r}, password={password!r}, role=Role.CUSTOMER)",
        ],
        env=env,
        timeout=120,
        what="create the customer",
    )

    web_log = procs.start("gunicorn", [str(bin_ / "gunicorn"), "supportdesk.wsgi:application"], env)
    procs.start(
        "worker",
        [
            str(bin_ / "celery"),
            "-A",
            "supportdesk",
            "worker",
            "-l",
            "info",
            "--concurrency",
            "1",
            "-n",
            f"smoke-{os.getpid()}@%h",
        ],
        env,
    )
    beat_log = procs.start(
        "beat",
        [
            str(bin_ / "celery"),
            "-A",
            "supportdesk",
            "beat",
            "-l",
            "info",
            "-s",
            str(workdir / "celerybeat-schedule"),
        ],
        env,
    )

    def listening() -> str | None:
        match = re.search(r"Listening at: (http://\S+)", web_log.read_text(errors="replace"))
        return match.group(1) if match else None

    client = Client(wait_for(listening, timeout=180, what="gunicorn to listen", procs=procs))

    def page_served() -> bool:
        try:
            status, body = client.request("GET", "/accounts/login/")
        except OSError:
            return False
        return status == 200 and b"<form" in body

    wait_for(page_served, timeout=180, what="GET /accounts/login/ to serve the page", procs=procs)
    log(f"gunicorn at {client.base}: GET /accounts/login/ 200")
    status, _ = client.request("GET", "/static/css/app.css")
    if status != 200:
        raise SmokeError(f"GET /static/css/app.css: {status} (whitenoise should serve it)")
    log("GET /static/css/app.css: 200 (whitenoise)")

    tokens = client.json("POST", "/api/auth/login", {"email": email, "password": password})
    token = tokens["access_token"]
    ticket = client.json(
        "POST", "/api/tickets", {"subject": "Smoke", "message": QUESTION}, token=token, expect=201
    )
    log(f"POST /api/tickets: 201, ticket {ticket['id']} {ticket['status']} (queued for the worker)")

    def decided() -> dict | None:
        body = client.json("GET", f"/api/tickets/{ticket['id']}", token=token)
        return body if body["status"] != "open" else None

    final = wait_for(
        decided,
        timeout=args.timeout,
        what="the worker to decide the ticket",
        procs=procs,
        every=1.0,
    )
    log(
        f"the worker decided ticket {final['id']}: {final['status']} "
        f"(intent {final.get('intent')}, confidence {final.get('confidence')})"
    )
    wait_for(
        lambda: "beat: Starting" in beat_log.read_text(errors="replace"),
        timeout=120,
        what="beat to start",
        procs=procs,
    )
    time.sleep(2)  # beat connects to the broker right after "Starting": let a failure show
    procs.check_alive()
    log("beat: started and running")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pg",
        default="postgres://postgres@127.0.0.1:5432",
        help="PostgreSQL server (user with CREATE DATABASE), no database name",
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--redis-db", type=int, default=12, help="broker db; the cache uses +1")
    parser.add_argument(
        "--venv", help="reuse this virtualenv (default: a fresh one, removed after)"
    )
    parser.add_argument("--timeout", type=float, default=300, help="seconds for the decision")
    args = parser.parse_args()
    match = re.fullmatch(r"postgres://(?P<user>[^@:/]+)@(?P<host>[^:/]+):(?P<port>\d+)", args.pg)
    if not match:
        parser.error("--pg must look like postgres://USER@HOST:PORT")
    pg = match.groupdict()
    dbname = f"sd_smoke_{os.getpid()}"
    args.database_url = f"{args.pg}/{dbname}"
    env = dict(os.environ)
    workdir = Path(tempfile.mkdtemp(prefix="sd-smoke-"))
    procs = Processes(workdir)
    started = time.monotonic()
    try:
        psql(f"CREATE DATABASE {dbname}", pg, env)
        smoke(args, workdir, procs)
    except (SmokeError, subprocess.TimeoutExpired, OSError, KeyError, ValueError) as exc:
        print(f"smoke: FAILED: {exc}", file=sys.stderr, flush=True)
        procs.stop()
        procs.dump_logs()
        return 1
    finally:
        procs.stop()
        try:
            psql(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)", pg, env)
        except SmokeError as exc:
            print(f"smoke: could not drop {dbname}: {exc}", file=sys.stderr)
        flush_redis(args)
        shutil.rmtree(workdir, ignore_errors=True)
    log(f"passed in {time.monotonic() - started:.0f} s")
    return 0


def flush_redis(args: argparse.Namespace) -> None:
    """Leave no queue or cached count behind in the two Redis databases the run used."""
    host_port = args.redis.removeprefix("redis://")
    host, _, port = host_port.partition(":")
    for db in (args.redis_db, args.redis_db + 1):
        subprocess.run(
            ["redis-cli", "-h", host, "-p", port or "6379", "-n", str(db), "FLUSHDB"],
            capture_output=True,
            timeout=30,
            check=False,
        )


if __name__ == "__main__":
    sys.exit(main())
