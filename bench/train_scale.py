"""`manage.py train` at size: N training examples in PostgreSQL, timed end to end.

    .venv/bin/python bench/train_scale.py                    # 100,000 examples, a table
    .venv/bin/python bench/train_scale.py --examples 20000 --json

DATABASE_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres).
The bench creates `sd_bench_train`, migrates it, loads the starter taxonomy (`seed_demo`, which
also trains the first model on the 2,000 starter examples), then adds imported examples up to
`--examples` in all: the Bitext shop utterances from ../shared/data when they are there (the
same 27 intents), else the starter examples, padded with word-dropout copies (seeded). Then it
times, in separate processes:
- loading: reading every example the way training does (`training_examples()`);
- `manage.py train --force`: the whole command, wall clock (load, the trial model on the
  training split, scoring the held-out split, the shipped model on everything, saving).
"""

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402

DATABASE = "sd_bench_train"
BITEXT = h.ROOT.parent / "shared" / "data" / "bitext_cs_intents_20k"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not 2_000 <= args.examples <= 1_000_000:
        parser.error("--examples must be 2,000-1,000,000")
    return args


def source_texts() -> tuple[list[tuple[str, str]], str]:
    """(text, intent slug) pairs to pad from, and where they came from."""
    files = sorted(BITEXT.glob("*.csv")) if BITEXT.is_dir() else []
    if files:
        with files[0].open(newline="", encoding="utf-8") as handle:
            rows = [(r["utterance"].strip(), r["intent"].strip()) for r in csv.DictReader(handle)]
        rows = [(t, "check_invoice" if i == "check_invoices" else i) for t, i in rows if t]
        return rows, f"Bitext ({files[0].name})"
    rows = []
    for path in sorted((h.ROOT / "resolution" / "data" / "examples").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        rows += [(line.strip(), path.stem) for line in lines if line.strip()]
    return rows, "starter examples"


def load_examples(env: dict[str, str], wanted: int) -> tuple[int, str]:
    import psycopg

    base, origin = source_texts()
    rng = random.Random(0)
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        have = conn.execute("SELECT count(*) FROM resolution_trainingexample").fetchone()[0]
        intents = dict(conn.execute("SELECT slug, id FROM resolution_intent").fetchall())
        base = [(text, intents[slug]) for text, slug in base if slug in intents]
        with conn.cursor().copy(
            "COPY resolution_trainingexample (text, intent_id, source, created_at) FROM STDIN"
        ) as copy:
            for n in range(max(0, wanted - have)):
                text, intent_id = base[n] if n < len(base) else rng.choice(base)
                words = text.split()
                if n >= len(base) and len(words) > 3:
                    del words[rng.randrange(len(words))]
                copy.write_row((" ".join(words), intent_id, "import", "2026-01-01T00:00:00Z"))
        total = conn.execute("SELECT count(*) FROM resolution_trainingexample").fetchone()[0]
    return total, origin


LOAD_SCRIPT = """
import time
from resolution.services.training import training_examples
started = time.perf_counter()
examples = training_examples()
print(len(examples), round(time.perf_counter() - started, 2))
"""


def main() -> int:
    args = parse_args()
    env = h.environment(DATABASE)
    h.say(f"preparing {DATABASE}")
    h.create_database(env, DATABASE)
    h.manage(env, "migrate", "--noinput", "-v", "0")
    h.manage(env, "seed_demo", quiet=True)
    started = time.monotonic()
    total, origin = load_examples(env, args.examples)
    copy_seconds = time.monotonic() - started
    h.say(f"{total} examples ({origin}) in {copy_seconds:.1f} s; timing the load")
    run = subprocess.run(
        [h.PYTHON, "manage.py", "shell", "-c", LOAD_SCRIPT],
        cwd=h.ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    loaded, load_seconds = run.stdout.split()[-2:]
    h.say("timing manage.py train --force")
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    train = subprocess.run(
        [h.PYTHON, "manage.py", "train", "--force"],
        cwd=h.ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    train_seconds = time.monotonic() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # User + system time of the command (all its threads): what a busy host does not inflate.
    train_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    if not args.keep_db:
        h.drop_database(env, DATABASE)
    result = {
        "examples": total,
        "source": origin,
        "bulk_insert_seconds": round(copy_seconds, 1),
        "load_examples": int(loaded),
        "load_seconds": float(load_seconds),
        "train_command_seconds": round(train_seconds, 1),
        "train_command_cpu_seconds": round(train_cpu, 1),
        "load_average": os.getloadavg(),
        "train_output": train.stdout.strip().splitlines()[-2:],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        h.print_table(
            [
                ("examples", f"{total:,} ({origin}, padded)"),
                ("bulk insert (COPY)", f"{copy_seconds:.1f} s"),
                ("training_examples() load", f"{load_seconds} s"),
                ("manage.py train --force, wall", f"{train_seconds:.1f} s"),
                ("manage.py train --force, CPU", f"{train_cpu:.1f} s"),
                ("load average at the end", " ".join(f"{x:.1f}" for x in os.getloadavg())),
                ("output", " / ".join(result["train_output"])),
            ],
            title="train at size",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
