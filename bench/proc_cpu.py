"""CPU seconds (user + system) of the live processes in one process group, from /proc.

python3 bench/proc_cpu.py PGID      # prints the seconds
"""

import os
import sys
from pathlib import Path


def group_cpu_seconds(pgid: int) -> float:
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # After the command's closing parenthesis: state ppid pgrp ... utime stime
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == pgid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


if __name__ == "__main__":
    print(round(group_cpu_seconds(int(sys.argv[1])), 2))
