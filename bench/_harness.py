"""What the server benches share: a throw-away PostgreSQL database, production settings,
gunicorn and Celery on 127.0.0.1, API accounts, and a small keep-alive HTTP client.

Loopback only: `environment()` refuses a DATABASE_URL that is not on 127.0.0.1, and every
server started here binds 127.0.0.1.
"""

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
PASSWORD = "bench-password-not-secret-1"  # noqa: S105  (throw-away bench accounts)
SECRET_KEY = "bench-only-secret-key-0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a"  # noqa: S105


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def admin_url() -> str:
    """DATABASE_URL, checked: a PostgreSQL server on this machine (its maintenance database)."""
    source = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    url = urlparse(source)
    if url.scheme not in ("postgres", "postgresql") or url.hostname not in (HOST, "localhost"):
        sys.exit("DATABASE_URL must name a PostgreSQL server on 127.0.0.1")
    return source


def environment(database: str, *, broker: str = "", **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off, secrets from the environment) on database `database`.

    No `broker`: Celery tasks run eagerly, inside the request.
    """
    source = admin_url()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        "DATABASE_URL": urlparse(source)._replace(path=f"/{database}").geturl(),
        "ADMIN_DATABASE_URL": source,
        "CELERY_BROKER_URL": broker,
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "false",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        # Answer notifications would flood the console: keep them in memory.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "MODEL_RELOAD_SECONDS": "60",
        "JWT_ACCESS_MINUTES": "240",  # tokens outlive the longest run
        # Load runs send hundreds of tickets per customer: the per-customer limits (a customer
        # protection, docs/OPERATIONS.md) would measure themselves instead of the desk.
        "CUSTOMER_TICKET_RATE": "",
        "CUSTOMER_REPLY_RATE": "",
        "CUSTOMER_FEEDBACK_RATE": "",
        **extra,
    }
    if not broker:
        env.pop("CELERY_BROKER_URL")
    return env


def create_database(env: dict[str, str], name: str) -> None:
    import psycopg

    with psycopg.connect(env["ADMIN_DATABASE_URL"], autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def drop_database(env: dict[str, str], name: str) -> None:
    import psycopg

    with psycopg.connect(env["ADMIN_DATABASE_URL"], autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def flush_broker(broker: str) -> None:
    import redis

    redis.Redis.from_url(broker).flushdb()


def manage(env: dict[str, str], *args: str, quiet: bool = False) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        # Our stdout is the bench's report (a table or JSON): children talk on stderr.
        stdout=subprocess.DEVNULL if quiet else sys.stderr,
    )


def prepare_desk(env: dict[str, str], database: str, customers: int, agents: int = 0) -> None:
    """A fresh database: migrated, the starter taxonomy, knowledge and model, API accounts."""
    create_database(env, database)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo", quiet=True)  # DEBUG off: taxonomy, knowledge, the first model
    make_users(env, customers, agents)


def make_users(env: dict[str, str], customers: int, agents: int = 0) -> None:
    """bench{n}@example.com customers and benchagent{n}@example.com agents, one password."""
    script = f"""
from accounts.models import User
users = [User(email=f"bench{{n}}@example.com", role="customer") for n in range({customers})]
users += [User(email=f"benchagent{{n}}@example.com", role="agent") for n in range({agents})]
hashed = User(email="x@example.com"); hashed.set_password({PASSWORD!r})
for user in users:
    user.password = hashed.password
User.objects.bulk_create(users)
"""
    manage(env, "shell", "-c", script)


def access_tokens(env: dict[str, str], prefix: str = "bench") -> list[str]:
    """JWT access tokens for the accounts whose e-mail starts with `prefix`, as login issues
    them (minted in one process: a bcrypt login per account would take minutes)."""
    script = f"""
import json
from rest_framework_simplejwt.tokens import RefreshToken
from accounts.models import User
users = User.objects.filter(email__startswith={prefix!r}).order_by("id")
print(json.dumps([str(RefreshToken.for_user(u).access_token) for u in users]))
"""
    output = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_for_http(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn exited while starting")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return
        time.sleep(0.2)
    process.kill()
    sys.exit("gunicorn did not start")


def start_gunicorn(
    env: dict[str, str], port: int, *, workers: int | None = None, threads: int | None = None
) -> subprocess.Popen:
    """gunicorn with the project's gunicorn.conf.py; `workers`/`threads` override it."""
    command = [PYTHON, "-m", "gunicorn", "supportdesk.wsgi", "-b", f"{HOST}:{port}"]
    command += ["-c", str(ROOT / "gunicorn.conf.py"), "--log-level", "warning"]
    if workers:
        command += ["-w", str(workers)]
    if threads:
        command += ["--threads", str(threads)]
    web = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=sys.stderr)
    wait_for_http(port, web)
    return web


def start_worker(env: dict[str, str], concurrency: int = 4) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "supportdesk", "worker", "-c", str(concurrency)]
        + ["-l", "warning"],
        cwd=ROOT,
        env=env,
        stdout=sys.stderr,
        start_new_session=True,  # SIGKILL reaches the pool children through the group
    )


def kill(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def stop(process: subprocess.Popen) -> None:
    """A graceful stop (SIGTERM to the main process: it stops its own children), SIGKILL of
    the whole group after 20 s."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        kill(process)


def login(port: int, email: str) -> str:
    credentials = {"email": email, "password": PASSWORD}
    status, body = asyncio.run(_one_request(port, "POST", "/api/auth/login", None, credentials))
    if status != 200:
        sys.exit(f"login of {email} failed: {status} {body[:200]!r}")
    return json.loads(body)["access_token"]


async def _one_request(port: int, method: str, path: str, token: str | None, body) -> tuple:
    connection = await Connection.open(port)
    try:
        return await connection.request(method, path, token=token, body=body)
    finally:
        connection.close()


class Connection:
    """One keep-alive HTTP/1.1 connection: just enough client for our JSON API, cheap on CPU
    (the load generator shares the machine's two cores with the server)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.closed = False  # the server said `Connection: close`: open a new one

    @classmethod
    async def open(cls, port: int) -> "Connection":
        reader, writer = await asyncio.open_connection(HOST, port)
        return cls(reader, writer)

    def close(self) -> None:
        self.closed = True
        self.writer.close()

    async def request(
        self, method: str, path: str, *, token: str | None = None, body=None, headers=None
    ) -> tuple[int, bytes]:
        payload = json.dumps(body).encode() if body is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}", "Connection: keep-alive"]
        if token:
            lines.append(f"Authorization: Bearer {token}")
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        length, closing = 0, False
        for line in header_lines:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                closing = True
        data = await self.reader.readexactly(length) if length else b""
        if closing:
            self.close()
        return status, data


def session_cpu_seconds(session: int) -> float:
    """CPU time (user + system) of the live processes of one session (a server started with
    start_new_session=True: its pid is the session id). On a shared host this is the figure
    that other people's load does not inflate."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # after the name: state, ppid, pgrp, session, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def print_table(rows: list[tuple[str, object]], title: str = "") -> None:
    if title:
        print(title)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name.ljust(width)}  {value}")
