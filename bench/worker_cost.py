"""What deciding a queued ticket costs the Celery worker (issue 19): CPU and statements per
ticket, in one process, without Celery's message handling (the task's function is called as
the worker calls it, one call per queued ticket, in the order they were queued).

Stores --tickets tickets as the API would with a broker (their tasks are collected, not sent),
then runs `resolve_ticket` for each: the first takes a batch of waiting tickets, the others
find theirs decided. The answer's e-mails and webhooks are queued on the broker as in
production. Needs a migrated database with a trained model (e.g. the ours_wsbs that
bench/worker_side_by_side.sh leaves) and Redis:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ours_wsbs \\
      nice -n 10 .venv/bin/python bench/worker_cost.py --tickets 200 [--profile 25]
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
os.environ.update(
    {
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "x" * 50),
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        # Redis databases of the side-by-side script (flushed there before each round).
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/5"),
        "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/6"),
        "LOG_LEVEL": "WARNING",
    }
)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from resolution import tasks  # noqa: E402
from resolution.warmup import warm_up  # noqa: E402
from tickets.services import ticket_create  # noqa: E402

TEXTS = [
    ("Card charged twice", "I was charged twice for my order, please refund one payment"),
    ("", "Where is my parcel? It has not arrived yet."),
    ("Password", "I forgot my password, how do I reset it?"),
    ("", "Can I change the delivery address of my order?"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--profile", type=int, default=0, help="cProfile rows to print")
    args = parser.parse_args()

    customer, _ = User.objects.get_or_create(
        email="worker-cost@example.com", defaults={"role": Role.CUSTOMER}
    )
    warm_up()
    queued: list[int] = []
    tasks.resolve_ticket.delay = queued.append  # as with a broker: creating only queues
    for n in range(args.tickets):
        subject, message = TEXTS[n % len(TEXTS)]
        ticket_create(customer=customer, subject=subject, message=f"{message} ({n})")

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    profiler = cProfile.Profile() if args.profile else None
    per_task, outcomes = [], {}
    with connection.execute_wrapper(count):
        started, wall_started = time.process_time(), time.perf_counter()
        for pk in queued:
            task_started = time.process_time()
            if profiler:
                profiler.enable()
            outcome = tasks.resolve_ticket(pk)
            if profiler:
                profiler.disable()
            per_task.append((time.process_time() - task_started) * 1000)
            kind = "already-decided" if outcome == "already-decided" else "decided a batch"
            outcomes[kind] = outcomes.get(kind, 0) + 1
        cpu, wall = time.process_time() - started, time.perf_counter() - wall_started
    print(
        json.dumps(
            {
                "tickets": len(queued),
                "cpu_ms_per_ticket": round(cpu * 1000 / len(queued), 2),
                "wall_ms_per_ticket": round(wall * 1000 / len(queued), 2),
                "statements_per_ticket": round(statements / len(queued), 2),
                "task_cpu_ms_p50": round(statistics.median(per_task), 2),
                "tasks": outcomes,
                "database": connection.vendor,
            }
        )
    )
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(os.environ.get("SORT", "cumulative")).print_stats(args.profile)
        print(out.getvalue())


if __name__ == "__main__":
    main()
