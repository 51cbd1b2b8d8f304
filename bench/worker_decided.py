"""What the Celery worker decided in one round of bench/worker_side_by_side.sh (issue 19).

Waits until every ticket created since `--since` has left "open" (or --drain-timeout passes),
then counts from the database, with the timestamps the processes wrote:
- decided_per_s: decisions / (last decision - first ticket created), the worker's throughput
  over the whole round, its catching up after the posts stopped included;
- decided_in_window_per_s: decisions made within wrk's window / the window's length;
- undecided (still open at the end) and decided_twice (tickets with more than one Decision).
Prints wrk's JSON line (--wrk) with these added, as one JSON line.
"""

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count, Max, Min  # noqa: E402

from bench.proc_cpu import group_cpu_seconds  # noqa: E402
from resolution.models import Decision  # noqa: E402
from tickets.models import Ticket, TicketStatus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--since", required=True, help="ISO time just before the first post")
    parser.add_argument("--window", nargs=2, type=float, required=True, metavar=("START", "END"))
    parser.add_argument("--wrk", required=True, help="wrk's JSON line for the round")
    parser.add_argument("--drain-timeout", type=float, default=180)
    parser.add_argument(
        "--worker-cpu",
        nargs=2,
        type=float,
        metavar=("PGID", "BEFORE"),
        help="the Celery worker's process group and its CPU seconds at the start",
    )
    parser.add_argument(
        "--web-cpu",
        nargs=2,
        type=float,
        metavar=("PGID", "BEFORE"),
        help="gunicorn's process group and its CPU seconds at the start",
    )
    args = parser.parse_args()
    since = datetime.fromisoformat(args.since)
    tickets = Ticket.objects.filter(created_at__gte=since)
    deadline = time.monotonic() + args.drain_timeout
    while tickets.filter(status=TicketStatus.OPEN).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    decisions = Decision.objects.filter(ticket__created_at__gte=since)
    span = tickets.aggregate(first=Min("created_at"))
    last = decisions.aggregate(last=Max("created_at"))["last"]
    window_start, window_end = (datetime.fromtimestamp(t, tz=UTC) for t in args.window)
    decided = decisions.count()
    in_window = decisions.filter(created_at__lte=window_end).count()
    seconds = (last - span["first"]).total_seconds() if last and span["first"] else 0
    after = round((last - window_end).total_seconds(), 1) if last else None
    row = json.loads(args.wrk)
    row.update(
        created=tickets.count(),
        decided=decided,
        decided_per_s=round(decided / seconds, 1) if seconds else 0.0,
        decided_in_window_per_s=round(in_window / (window_end - window_start).total_seconds(), 1),
        last_decision_after_window_s=after,
        undecided=tickets.filter(status=TicketStatus.OPEN).count(),
        decided_twice=decisions.values("ticket_id").annotate(n=Count("id")).filter(n__gt=1).count(),
    )
    # CPU per ticket of each side, start-up excluded: the work, whatever else the host did.
    if args.worker_cpu:
        used = group_cpu_seconds(int(args.worker_cpu[0])) - args.worker_cpu[1]
        row["worker_cpu_ms_per_decided"] = round(used * 1000 / max(decided, 1), 1)
    if args.web_cpu:
        used = group_cpu_seconds(int(args.web_cpu[0])) - args.web_cpu[1]
        row["web_cpu_ms_per_created"] = round(used * 1000 / max(row["created"], 1), 1)
    print(json.dumps(row))


if __name__ == "__main__":
    main()
