"""What deciding a queued ticket costs the Celery worker (issue 19): CPU per decided ticket.

Two ways (both need a migrated database with a trained model, e.g. the ours_wsbs that
bench/worker_side_by_side.sh leaves, and Redis):

- In this process (the default): statements and CPU per ticket without Celery's message
  handling. Stores --tickets tickets as the API would with a broker (the resolution tasks they
  queue are collected, not sent), then calls each collected task as the worker would, in the
  order queued (tasks queued meanwhile too). Other tasks (the answer's e-mail, webhooks) are
  queued on the broker as in production and not counted. --profile N prints cProfile's rows.
- `--celery N`: a real Celery worker (N processes) on the broker, everything counted: started
  and warmed up first, then the tickets are stored as the API stores them (each queues what it
  queues), and the worker's CPU (its process group, from /proc) is read once every ticket is
  decided and every answer's e-mail sent. Use Redis databases no one else uses (the worker
  takes every task of its queue):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ours_wsbs \\
      nice -n 10 .venv/bin/python bench/worker_cost.py --tickets 200 [--profile 25]
    CELERY_BROKER_URL=redis://127.0.0.1:6379/13 CACHE_URL=redis://127.0.0.1:6379/14 \\
      DATABASE_URL=... .venv/bin/python bench/worker_cost.py --tickets 300 --celery 1
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import signal
import statistics
import subprocess
import sys
import time

import bench_django  # noqa: E402 - bench/ is sys.path[0] until setup() removes it

ROOT = bench_django.ROOT
bench_django.setup(
    SECURE_SSL_REDIRECT="false",
    # Redis databases of the side-by-side script (flushed there before each round).
    CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/5"),
    CACHE_URL=os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/6"),
    # Rendered and "sent" into memory, as in worker_side_by_side.sh (the console backend
    # would print every answer).
    EMAIL_BACKEND=os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"),
)

import redis  # noqa: E402
from celery.app.task import Task  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from resolution.warmup import warm_up  # noqa: E402
from tickets.services import ticket_create  # noqa: E402

TEXTS = [
    ("Card charged twice", "I was charged twice for my order, please refund one payment"),
    ("", "Where is my parcel? It has not arrived yet."),
    ("Password", "I forgot my password, how do I reset it?"),
    ("", "Can I change the delivery address of my order?"),
]


def _collect_resolution_tasks() -> list:
    """As with a broker, creating a ticket only queues: the resolution tasks queued from now on
    are collected here (task, args) instead of sent; every other task is sent as usual."""
    queued: list = []
    send = Task.delay

    def delay(task, *args, **kwargs):
        if task.name.startswith("resolution.tasks.resolve"):
            queued.append((task, args))
            return None
        return send(task, *args, **kwargs)

    Task.delay = delay
    return queued


def in_process(customer, args) -> None:
    queued = _collect_resolution_tasks()
    for n in range(args.tickets):
        subject, message = TEXTS[n % len(TEXTS)]
        ticket_create(customer=customer, subject=subject, message=f"{message} ({n})")

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    profiler = cProfile.Profile(time.process_time) if args.profile else None
    per_task, outcomes = [], {}
    with connection.execute_wrapper(count):
        started, wall_started = time.process_time(), time.perf_counter()
        while queued:  # in the order queued; a task may queue another
            task, task_args = queued.pop(0)
            task_started = time.process_time()
            if profiler:
                profiler.enable()
            outcome = task(*task_args)
            if profiler:
                profiler.disable()
            per_task.append((time.process_time() - task_started) * 1000)
            kind = "already-decided" if outcome == "already-decided" else "decided a batch"
            outcomes[kind] = outcomes.get(kind, 0) + 1
        cpu, wall = time.process_time() - started, time.perf_counter() - wall_started
    print(
        json.dumps(
            {
                "tickets": args.tickets,
                "cpu_ms_per_ticket": round(cpu * 1000 / args.tickets, 2),
                "wall_ms_per_ticket": round(wall * 1000 / args.tickets, 2),
                "statements_per_ticket": round(statements / args.tickets, 2),
                "task_cpu_ms_p50": round(statistics.median(per_task), 2),
                "tasks": outcomes,
                "database": connection.vendor,
            }
        )
    )
    if profiler:
        if os.environ.get("PROFILE_OUT"):  # for pstats' callers and callees
            profiler.dump_stats(os.environ["PROFILE_OUT"])
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(os.environ.get("SORT", "cumulative")).print_stats(args.profile)
        print(out.getvalue())


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def with_celery(customer, args) -> None:
    from bench.proc_cpu import group_cpu_seconds
    from channels.models import OutboundEmail
    from resolution.models import Decision
    from tickets.models import AuthorKind, Message, Ticket, TicketStatus

    broker, cache_url = os.environ["CELERY_BROKER_URL"], os.environ["CACHE_URL"]
    for url in (broker, cache_url):  # what an earlier run left (a queue, claims)
        redis.Redis.from_url(url).flushdb()
    celery = str(ROOT / ".venv" / "bin" / "celery")
    worker = subprocess.Popen(
        [celery, "-A", "supportdesk", "worker", "-l", "warning", "--concurrency",
         str(args.celery), "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        ping = [celery, "-A", "supportdesk", "inspect", "ping", "-t", "1"]
        ready = lambda: subprocess.run(ping, cwd=ROOT, capture_output=True).returncode == 0  # noqa: E731
        if not _wait(ready, 120):
            sys.exit("the worker did not answer a ping")
        time.sleep(2)  # its processes have loaded the model by the ping; let them settle
        before = group_cpu_seconds(worker.pid)
        first = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        wall_started = time.perf_counter()
        for n in range(args.tickets):
            subject, message = TEXTS[n % len(TEXTS)]
            ticket_create(customer=customer, subject=subject, message=f"{message} ({n})")
        ours = Ticket.objects.filter(pk__gt=first)
        answers = Message.objects.filter(ticket__in=ours, author_kind=AuthorKind.ASSISTANT)
        sent = OutboundEmail.objects.filter(ticket__in=ours, sent_at__isnull=False)
        decided = _wait(lambda: not ours.filter(status=TicketStatus.OPEN).exists(), 600)
        mailed = _wait(lambda: sent.count() >= answers.count(), 120)
        wall = time.perf_counter() - wall_started
        cpu = group_cpu_seconds(worker.pid) - before
        decisions = Decision.objects.filter(ticket__in=ours)
        twice = decisions.values("ticket_id").annotate(n=Count("id")).filter(n__gt=1).count()
        print(
            json.dumps(
                {
                    "tickets": args.tickets,
                    "worker_processes": args.celery,
                    "worker_cpu_ms_per_decided": round(cpu * 1000 / max(decisions.count(), 1), 2),
                    "wall_s": round(wall, 1),
                    "decided": decisions.count(),
                    "undecided": ours.filter(status=TicketStatus.OPEN).count(),
                    "decided_twice": twice,
                    "answers": answers.count(),
                    "answer_emails_sent": sent.count(),
                    "all_decided_and_mailed": decided and mailed,
                    "database": connection.vendor,
                }
            )
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--profile", type=int, default=0, help="cProfile rows to print")
    parser.add_argument(
        "--celery", type=int, default=0, metavar="N", help="a real worker with N processes"
    )
    args = parser.parse_args()

    customer, _ = User.objects.get_or_create(
        email="worker-cost@example.com", defaults={"role": Role.CUSTOMER}
    )
    if args.celery:
        with_celery(customer, args)
    else:
        warm_up()
        in_process(customer, args)


if __name__ == "__main__":
    main()
