"""The shared knowledge index snapshot at 1M entries (issue 19): build once, then what a
fresh process pays to answer with it.

1. Build (once; reused while the snapshot in --work-dir has the same size and seed): a
   knowledge base of N entries from the public datasets in ../shared/data (bench/pipeline.py's
   corpus: their texts, then deterministic perturbed copies), the TF-IDF index as the registry
   builds it, written as a snapshot (resolution.engine.snapshot). The builder's own figures
   are what every process paid before snapshots: build time and the memory the index held.
2. Fresh processes (``--processes``, started together): each imports the engine, loads the
   snapshot, loads the classifier (from bytes, as the registry does), answers one search, then
   runs classify + search + decide (bench/pipeline.py's loop) for the held-out queries, then
   measures recall@k of its search against an exact search of the same index.

Reported per process: seconds from start to the first answer; memory after the queries as
RSS, split into the process's own (RssAnon: heap, private) and the mapped snapshot pages it
touched (RssFile: the page cache, one copy shared by every process), and PSS (shared pages
divided among the processes mapping them); pipeline p50/p95 (ms);
recall@k (tie-aware, and same ids); the wall p50 also of the second half of the queries (the
snapshot's pages then mostly mapped), the CPU p50 (less sensitive to a loaded host) and the
load average. Run from the repository root:

    nice -n 10 .venv/bin/python bench/knowledge_index.py --entries 1000000
    nice -n 10 .venv/bin/python bench/knowledge_index.py --entries 100000 --processes 2 --json

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

STARTED = time.perf_counter()


def memory_mb() -> dict[str, float]:
    """This process's RSS and its anonymous (own) and file-backed (mapped) parts, MB."""
    fields = {"VmRSS": "rss_mb", "RssAnon": "anon_mb", "RssFile": "file_mb", "VmHWM": "peak_mb"}
    found = {}
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            name = line.split(":", 1)[0]
            if name in fields:
                found[fields[name]] = round(int(line.split()[1]) / 1024, 1)
    # PSS: shared pages divided among the processes mapping them (the fair share of the cache).
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    found["pss_mb"] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return found


# --- Building (the parent) --------------------------------------------------------------------


def build(args, snapshot_dir: Path) -> dict:
    from bench.pipeline import corpus, knowledge_base, starter
    from resolution.engine.classifier import IntentClassifier
    from resolution.engine.similarity import SimilarityIndex
    from resolution.engine.snapshot import read_meta, write_snapshot

    work = Path(args.work_dir)
    recipe = {"entries": args.entries, "seed": args.seed, "queries": args.queries}
    recipe_file = work / "recipe.json"
    meta = read_meta(snapshot_dir)
    if (
        not args.rebuild
        and meta is not None
        and recipe_file.exists()
        and json.loads(recipe_file.read_text()) == recipe
    ):
        print(f"reusing snapshot {meta['name']}", file=sys.stderr, flush=True)
        return json.loads((work / "build.json").read_text())

    rows = corpus()
    random.Random(args.seed).shuffle(rows)
    queries = [text for text, _, _ in rows[: args.queries]]
    rows = rows[args.queries :]  # held out: no query text is in the knowledge base
    work.mkdir(parents=True, exist_ok=True)
    (work / "queries.json").write_text(json.dumps(queries))
    (work / "classifier.bin").write_bytes(IntentClassifier.train(*starter()).to_bytes())

    items = knowledge_base(rows, args.entries, args.seed)
    before = memory_mb()["rss_mb"]
    started, cpu = time.perf_counter(), time.process_time()
    index = SimilarityIndex.build(items, backend="ann")
    built = {
        "entries": len(items),
        "build_s": round(time.perf_counter() - started, 1),
        "build_cpu_s": round(time.process_time() - cpu, 1),
        # What each process held before snapshots: its own index.
        "own_index_mb": round(memory_mb()["rss_mb"] - before, 1),
    }
    started = time.perf_counter()
    path = write_snapshot(index, snapshot_dir, version=0)
    built["write_s"] = round(time.perf_counter() - started, 1)
    built["snapshot_mb"] = round(sum(f.stat().st_size for f in path.iterdir()) / 2**20, 1)
    built["builder_peak_mb"] = memory_mb()["peak_mb"]
    (work / "build.json").write_text(json.dumps(built))
    recipe_file.write_text(json.dumps(recipe))
    return built


# --- A fresh process (the child) --------------------------------------------------------------


def child(args, snapshot_dir: Path) -> None:
    import numpy as np

    from bench.pipeline import POLICY, SIMILARITY_THRESHOLD
    from resolution.engine.classifier import IntentClassifier
    from resolution.engine.decision import decide, wants_human
    from resolution.engine.snapshot import read_snapshot
    from resolution.engine.types import Answer

    work = Path(args.work_dir)
    queries = json.loads((work / "queries.json").read_text())
    t0 = time.perf_counter()
    index, _ = read_snapshot(snapshot_dir, backend="ann")
    load_s = time.perf_counter() - t0
    classifier = IntentClassifier.from_bytes((work / "classifier.bin").read_bytes())
    index.search(queries[0], args.k)
    first_s, first_cpu_s = time.perf_counter() - STARTED, time.process_time()
    after_first = memory_mb()

    total, cpu, found = [], [], []
    for text in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        prediction = classifier.predict(text)
        similar = index.search(text, args.k)
        best = similar[0] if similar else None
        match = (
            best
            if best is not None
            and best.score >= SIMILARITY_THRESHOLD
            and best.item.intent in (None, prediction.intent)
            else None
        )
        answer = Answer(text=match.item.answer, source="knowledge") if match else None
        decide(
            prediction=prediction,
            policy=POLICY,
            answer=answer,
            match=match,
            customer_requested_human=wants_human(text),
        )
        total.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        found.append(similar)
    after_queries = memory_mb()

    hits = same = wanted = 0
    for text, similar in zip(queries[: args.recall_queries], found, strict=False):
        truth = index.search(text, args.k, exact=True)
        if not truth:
            continue
        floor = truth[-1].score - 1e-6
        hits += min(len(truth), sum(m.score >= floor for m in similar))
        same += len({m.item.id for m in truth} & {m.item.id for m in similar})
        wanted += len(truth)
    print(
        json.dumps(
            {
                "load_s": round(load_s, 3),
                "first_search_s": round(first_s, 2),
                "first_search_cpu_s": round(first_cpu_s, 2),
                "after_first": after_first,
                "after_queries": after_queries,
                "p50_ms": round(float(np.percentile(total, 50)), 2),
                "p95_ms": round(float(np.percentile(total, 95)), 2),
                "cpu_p50_ms": round(float(np.percentile(cpu, 50)), 2),
                "last_half_p50_ms": round(float(np.percentile(total[len(total) // 2 :], 50)), 2),
                "load_average": os.getloadavg()[0],
                f"recall@{args.k}": round(hits / wanted, 4) if wanted else None,
                f"id_recall@{args.k}": round(same / wanted, 4) if wanted else None,
                "backend": index.backend,
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000, help="held-out tickets")
    parser.add_argument("--recall-queries", type=int, default=300, help="exact searches")
    parser.add_argument("--processes", type=int, default=1, help="fresh processes at once")
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work-dir", default=str(ROOT / "var" / "bench-knowledge-index"))
    parser.add_argument("--rebuild", action="store_true", help="build even if one fits")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    snapshot_dir = Path(args.work_dir) / "snapshot"
    if args.child:
        child(args, snapshot_dir)
        return

    built = build(args, snapshot_dir)
    command = [sys.executable, __file__, "--child", *sys.argv[1:]]
    children = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603 (ourselves)
        for _ in range(args.processes)
    ]
    runs = []
    for process in children:
        out, _ = process.communicate()
        if process.returncode:
            raise SystemExit(f"a fresh process failed ({process.returncode})")
        runs.append(json.loads(out.strip().splitlines()[-1]))
    result = {"entries": args.entries, "build": built, "processes": runs}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"{args.entries:,} entries: build {built['build_s']} s (CPU {built['build_cpu_s']} s), "
        f"own index +{built['own_index_mb']:.0f} MB, snapshot {built['snapshot_mb']:.0f} MB "
        f"written in {built['write_s']} s"
    )
    for i, run in enumerate(runs):
        memory = run["after_queries"]
        print(
            f"process {i}: first answer {run['first_search_s']} s after start (snapshot load "
            f"{run['load_s']} s); RSS {memory['rss_mb']:.0f} MB = own {memory['anon_mb']:.0f} "
            f"+ mapped {memory['file_mb']:.0f} (PSS {memory.get('pss_mb', 0):.0f}); "
            f"pipeline p50 {run['p50_ms']} ms, "
            f"p95 {run['p95_ms']} ms; recall@{args.k} {run[f'recall@{args.k}']} "
            f"(same ids {run[f'id_recall@{args.k}']})"
        )


if __name__ == "__main__":
    main()
