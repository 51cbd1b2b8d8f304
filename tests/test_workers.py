"""A real Celery worker, on the local Redis and PostgreSQL, decides tickets made through the API,
and a worker killed mid-task loses no ticket and answers none twice.

Runs only on PostgreSQL (the worker process must share the test database) with Redis reachable;
otherwise it is skipped with the reason.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from resolution.models import Decision, ModelVersion
from resolution.services.training import promote
from tests.api_helpers import api
from tests.conftest import celery_conf
from tickets.models import AuthorKind, Message, Ticket, TicketStatus

pytestmark = pytest.mark.integration

REDIS = ("127.0.0.1", 6379)
ROOT = Path(__file__).resolve().parent.parent


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def postgres_and_redis():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://... (the worker shares the DB)")
    if not _redis_up():
        pytest.skip(f"needs Redis at {REDIS[0]}:{REDIS[1]}")


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def broker(postgres_and_redis):
    """Point this process's Celery app at Redis, on a queue and Redis DB of its own."""
    url = f"redis://{REDIS[0]}:{REDIS[1]}/{uuid.uuid4().int % 15 + 1}"
    queue = f"test-workers-{uuid.uuid4().hex[:10]}"
    with celery_conf(broker_url=url, task_always_eager=False, task_default_queue=queue):
        yield {"url": url, "queue": queue}
    import redis

    redis.Redis.from_url(url).delete(queue, "unacked", "unacked_index")


class Worker:
    def __init__(self, broker: dict, name: str):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": broker["url"],
            "CELERY_TASK_DEFAULT_QUEUE": broker["queue"],
            "CONN_MAX_AGE": "0",
            "MODEL_RELOAD_SECONDS": "1",
            "LOG_LEVEL": "WARNING",
            **broker.get("env", {}),
        }
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "supportdesk", "worker"),
                *("--pool=solo", "--loglevel=warning", "-Q", broker["queue"]),
                *("-n", f"{name}-{uuid.uuid4().hex[:6]}@%h"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(params=["a task per ticket", "a task per batch"])
def tasks_mode(request, broker, settings):
    """Both ways of queueing the resolution (settings.RESOLVE_ONE_TASK_PER_BATCH). A task per
    batch needs a cache the web and worker processes share: the broker's Redis database, under
    a key prefix of this test's own (deleted after)."""
    if request.param == "a task per ticket":
        settings.RESOLVE_ONE_TASK_PER_BATCH = False
        broker["env"] = {"RESOLVE_ONE_TASK_PER_BATCH": "false"}
        yield request.param
        return
    prefix = f"test-workers-{uuid.uuid4().hex[:10]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "common.redis_cache.RedisCache",
            "LOCATION": broker["url"],
            "KEY_PREFIX": prefix,
        }
    }
    settings.RESOLVE_ONE_TASK_PER_BATCH = True
    broker["env"] = {
        "CACHE_URL": broker["url"],
        "TEST_CACHE_KEY_PREFIX": prefix,  # tests/worker_settings.py
        "RESOLVE_ONE_TASK_PER_BATCH": "true",
    }
    yield request.param
    import redis

    client = redis.Redis.from_url(broker["url"])
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def start_worker(broker, tasks_mode):
    started: list[Worker] = []

    def start(name: str) -> Worker:
        worker = Worker(broker, name)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_until(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def create_ticket(user, message: str) -> int:
    response = api(user).post("/api/tickets", {"message": message})
    assert response.status_code == 201, response.content
    return response.json()["id"]


def decided(*ids: int) -> bool:
    return not Ticket.objects.filter(pk__in=ids, status=TicketStatus.OPEN).exists()


def assert_answered_once(*ids: int) -> None:
    for pk in ids:
        assert Decision.objects.filter(ticket_id=pk).count() == 1, f"ticket {pk}"
        answers = Message.objects.filter(ticket_id=pk, author_kind=AuthorKind.ASSISTANT).count()
        assert answers <= 1, f"ticket {pk} answered {answers} times"


def test_a_worker_decides_tickets_and_a_killed_worker_loses_none(
    transactional_db, trained_model, alice, charlie, start_worker
):
    started = time.monotonic()
    first = start_worker("first")
    ids = [
        create_ticket(alice, "Where is my parcel? The tracking has not moved for a week."),
        create_ticket(alice, "How do I reset my password? I am locked out."),
        create_ticket(alice, "I want to speak to a real person about my bill."),
    ]
    # The web process only queued them: nothing ran in-process.
    assert Ticket.objects.filter(pk__in=ids, status=TicketStatus.OPEN).count() == 3
    wait_until(lambda: decided(*ids), timeout=30, what="the worker to decide 3 tickets")
    assert_answered_once(*ids)
    assert Ticket.objects.get(pk=ids[2]).escalation_reason == "customer_requested_human"

    # Hold a lock the pipeline needs to record (no INSERT into the decisions while we hold the
    # table in SHARE mode), so the worker is certainly mid-task, the ticket locked, when killed.
    db = settings.DATABASES["default"]
    url = _database_url().replace("postgres://", "postgresql://")
    blocker = psycopg.connect(url)
    # pg_stat_activity is a snapshot per transaction: watch from a connection of its own.
    watcher = psycopg.connect(url, autocommit=True)
    try:
        blocker.execute("LOCK TABLE resolution_decision IN SHARE MODE")
        stuck = create_ticket(charlie, "My refund has not arrived, where is my money?")

        def worker_waits_on_lock() -> bool:
            row = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND wait_event_type = 'Lock'",
                [db["NAME"]],
            ).fetchone()
            return row[0] > 0

        wait_until(worker_waits_on_lock, timeout=20, what="the worker to block on the ticket")
        first.kill()
    finally:
        blocker.rollback()
        blocker.close()
        watcher.close()
    assert Ticket.objects.get(pk=stuck).status == TicketStatus.OPEN

    start_worker("second")
    wait_until(lambda: decided(stuck), timeout=30, what="the second worker to take the ticket over")
    assert_answered_once(*ids, stuck)

    # A newly promoted model is served by the running worker without a restart.
    newer = ModelVersion.objects.create(version=2, artifact=trained_model.artifact)
    promote(newer)
    time.sleep(1.5)  # the worker's MODEL_RELOAD_SECONDS is 1
    later = create_ticket(alice, "Where is my parcel? The tracking has not moved for a week.")
    wait_until(lambda: decided(later), timeout=20, what="the worker to decide with the new model")
    assert Decision.objects.get(ticket_id=later).model_version == newer
    assert time.monotonic() - started < 60
