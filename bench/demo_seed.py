"""How long `make run`'s set-up takes with the month of demo history (issue 18).

Runs, on a fresh SQLite file in a temporary folder, exactly what `make run` does before serving:
`manage.py migrate` then `manage.py seed_demo` (DEBUG on), and prints each step's wall-clock and
CPU time, and what the demo desk holds afterwards.

    nice -n 10 .venv/bin/python bench/demo_seed.py [--history-tickets 300]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COUNT = """
import json
from django.db.models import Count
from django.db.models.functions import TruncDate
from tickets.models import Ticket
from resolution.metrics import summary
s = summary()
print(json.dumps({
    "tickets": s["tickets"]["total"],
    "by_status": s["tickets"]["by_status"],
    "days_with_tickets": (
        Ticket.objects.annotate(d=TruncDate("created_at")).values("d").distinct().count()
    ),
    "sla_first_response": s["sla"]["first_response"],
    "sla_resolution": s["sla"]["resolution"],
    "ratings": s["feedback"]["count"],
}))
"""


def timed(args: list[str], env: dict) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history-tickets", type=int, default=300)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "MEDIA_ROOT": f"{folder}/media",
            "DEMO_HISTORY_TICKETS": str(options.history_tickets),
        }
        env.pop("CELERY_BROKER_URL", None)
        manage = [sys.executable, "manage.py"]
        results = {}
        for name, args in (("migrate", ["migrate", "--noinput"]), ("seed_demo", ["seed_demo"])):
            wall, cpu, _ = timed(manage + args, env)
            results[name] = {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1)}
            print(f"{name:<10} wall {wall:6.1f} s   cpu {cpu:6.1f} s", flush=True)
        _, _, out = timed(manage + ["shell", "-c", COUNT], env)
        results["desk"] = json.loads(out.strip().splitlines()[-1])
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
