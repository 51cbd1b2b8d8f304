"""Who spent the CPU of a load window, per request served: the server's own process group,
PostgreSQL (every process of the cluster, backends that exited during the window included) and
the whole host (everything, the load generator too). Read from /proc, so PostgreSQL must run
on this machine; on a shared host the PostgreSQL and host figures include others' work.

    python3 bench/cpu_window.py start PGID                  # prints a snapshot (JSON)
    python3 bench/cpu_window.py end PGID SNAPSHOT REQUESTS  # prints ms per request (JSON)
"""

import json
import os
import sys
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stats() -> list[tuple[int, str, int, int, int]]:
    """(pid, command, ppid, pgrp, own ticks) of every process, and for PostgreSQL's
    postmaster also its reaped children's ticks (see postgres_seconds)."""
    rows = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # gone meanwhile
            continue
        head, _, tail = text.rpartition(")")
        command = head.split("(", 1)[1]
        fields = tail.split()
        # After the command: state ppid pgrp ... utime(11) stime(12) cutime(13) cstime(14)
        rows.append(
            (
                int(head.split()[0]),
                command,
                int(fields[1]),
                int(fields[2]),
                int(fields[11]) + int(fields[12]),
                int(fields[13]) + int(fields[14]),
            )
        )
    return rows


def group_seconds(rows, pgid: int) -> float:
    return sum(row[4] for row in rows if row[3] == pgid) / TICKS


def postgres_seconds(rows) -> float:
    """The cluster's CPU: its live processes' own, plus what the postmaster's exited children
    used (the kernel adds a reaped child's CPU to its parent's cutime/cstime), so backends
    that came and went during the window are counted."""
    postgres = {row[0]: row for row in rows if row[1] == "postgres"}
    total = sum(row[4] for row in postgres.values())
    total += sum(row[5] for row in postgres.values() if row[2] not in postgres)  # postmaster
    return total / TICKS


def host_seconds() -> float:
    """Busy CPU time of the whole host since boot (all but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / TICKS


def snapshot(pgid: int) -> dict:
    rows = _stats()
    return {
        "server": group_seconds(rows, pgid),
        "postgres": postgres_seconds(rows),
        "host": host_seconds(),
    }


def main(argv: list[str]) -> None:
    if argv[0] == "start":
        print(json.dumps(snapshot(int(argv[1]))))
        return
    pgid, before, requests = int(argv[1]), json.loads(argv[2]), int(argv[3])
    after = snapshot(pgid)
    print(
        json.dumps(
            {
                f"{key}_cpu_ms_per_request": round((after[key] - before[key]) * 1000 / requests, 2)
                for key in after
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
