"""The resolution pipeline's speed against a knowledge base of N entries (issue 8).

For each size N: build a knowledge base of N entries from the public datasets in
../shared/data (their texts, then deterministic perturbed copies of them until there are N:
dropped and swapped words, typos, appended phrases), build the similarity index, then run
classify + find similar + decide (the engine's own `decide()`, no database) for 1,000
held-out tickets (texts that are not in the knowledge base), one at a time. Run from the
repository root:

    .venv/bin/python bench/pipeline.py --kb-size 1000,10000,100000     # a table
    .venv/bin/python bench/pipeline.py --kb-size 1000000 --json         # JSON
    .venv/bin/python bench/pipeline.py --kb-size 100000 --index exact   # force a backend
    .venv/bin/python bench/pipeline.py --kb-size 10000 --featurizer embeddings  # the extra

Reports p50/p95/p99 per ticket (wall ms), the search alone, the index build time, the
process's memory (RSS) after the build and its peak, and recall@k: the share of the exact
top-k (a full sparse-cosine search of the same index) that the index's own search returned.
The classifier is trained once on the project's starter examples (the shop taxonomy).

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# Python puts bench/ first on the path, where bench/queue.py would shadow the standard
# library's queue (imported by joblib): the repository root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from resolution.engine.classifier import IntentClassifier  # noqa: E402
from resolution.engine.decision import decide, wants_human  # noqa: E402
from resolution.engine.similarity import SimilarityIndex  # noqa: E402
from resolution.engine.text import normalize  # noqa: E402
from resolution.engine.types import Answer, IntentPolicy, KnowledgeItem  # noqa: E402
from resolution.starter_data import starter_examples  # noqa: E402

DATA = Path(os.environ.get("SUPPORTDESK_DATA", ROOT.parent / "shared" / "data"))
SIMILARITY_THRESHOLD = 0.6
POLICY = IntentPolicy(threshold=0.75)

# Texts ------------------------------------------------------------------------------------


def _csv(path: Path, text: str, label: str, answer: str | None = None) -> list[tuple]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [(r[text], r[label], r[answer] if answer else None) for r in csv.DictReader(handle)]


def corpus() -> list[tuple[str, str, str | None]]:
    """(text, intent, answer) from every dataset, one row per distinct normalized text."""
    rows = []
    rows += _csv(
        DATA / "bitext_llm_v1_2023" / "Bitext_Sample_Customer_Support_Training_Dataset.csv",
        "instruction",
        "intent",
        "response",
    )
    rows += _csv(
        DATA / "bitext_cs_intents_20k" / "TrainingdatasetBitextsample.csv", "utterance", "intent"
    )
    rows += _csv(
        DATA / "bitext_cs_intents_8k" / "Bitext_Sample_Customer_Service_Training_Dataset.csv",
        "utterance",
        "intent",
    )
    for name in ("train.csv", "test.csv"):
        rows += _csv(DATA / "banking77" / name, "text", "category")
    with (DATA / "clinc150" / "data_full.json").open(encoding="utf-8") as handle:
        for part in json.load(handle).values():
            rows += [(t, y, None) for t, y in part]
    seen, unique = set(), []
    for text, intent, answer in rows:
        key = normalize(text)
        if key and key not in seen:
            seen.add(key)
            unique.append((text, intent, answer))
    return unique


_PHRASES = (
    "please",
    "thanks",
    "asap",
    "it is urgent",
    "for my account",
    "thank you in advance",
    "can you help",
    "again",
    "today",
    "i tried twice",
)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def perturb(text: str, rng: random.Random) -> str:
    """One to three edits: drop a word, swap two neighbours, a typo, or an appended phrase."""
    words = text.split()
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        if op < 0.25 and len(words) > 3:
            del words[rng.randrange(len(words))]
        elif op < 0.5 and len(words) > 2:
            i = rng.randrange(len(words) - 1)
            words[i], words[i + 1] = words[i + 1], words[i]
        elif op < 0.8 and words:
            i = rng.randrange(len(words))
            w = words[i]
            if len(w) > 2:
                j = rng.randrange(len(w))
                kind = rng.random()
                if kind < 0.33:
                    w = w[:j] + w[j + 1 :]
                elif kind < 0.66:
                    w = w[:j] + rng.choice(_LETTERS) + w[j + 1 :]
                else:
                    w = w[:j] + rng.choice(_LETTERS) + w[j:]
                words[i] = w
        else:
            words.append(rng.choice(_PHRASES))
    return " ".join(words)


def knowledge_base(rows: list[tuple], n: int, seed: int) -> list[KnowledgeItem]:
    rng = random.Random(seed)
    base = rows if n >= len(rows) else rng.sample(rows, n)
    items = [
        KnowledgeItem(i + 1, t, a or f"Answer about {y}.", y) for i, (t, y, a) in enumerate(base)
    ]
    i = 0
    while len(items) < n:
        text, intent, answer = base[i % len(base)]
        items.append(
            KnowledgeItem(
                len(items) + 1, perturb(text, rng), answer or f"Answer about {intent}.", intent
            )
        )
        i += 1
    return items


def starter() -> tuple[list[str], list[str]]:
    texts, labels = zip(*starter_examples(), strict=True)
    return list(texts), list(labels)


# Measuring --------------------------------------------------------------------------------


def rss_mb(field: str = "VmRSS") -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def build_index(items: list[KnowledgeItem], backend: str, featurizer: str) -> SimilarityIndex:
    params = inspect.signature(SimilarityIndex.build).parameters
    if "backend" in params:
        return SimilarityIndex.build(items, backend=backend, featurizer=featurizer)
    if backend not in ("auto", "exact"):
        raise SystemExit("this version of SimilarityIndex has only exact search")
    return SimilarityIndex.build(items)


def exact_search(index: SimilarityIndex, text: str, k: int):
    if "exact" in inspect.signature(index.search).parameters:
        return index.search(text, k, exact=True)
    return index.search(text, k)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def measure(
    n: int,
    rows: list[tuple],
    queries: list[str],
    classifier: IntentClassifier,
    *,
    backend: str,
    featurizer: str,
    k: int,
    seed: int,
) -> dict:
    items = knowledge_base(rows, n, seed)
    rss_before = rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    index = build_index(items, backend, featurizer)
    build_s, build_cpu_s = time.perf_counter() - started, time.process_time() - cpu
    rss_after = rss_mb()
    del items

    for text in queries[:20]:  # warm-up
        classifier.predict(text)
        index.search(text, k)

    total, search, matched, auto = [], [], 0, 0
    found: list[list] = []
    for text in queries:
        t0 = time.perf_counter()
        prediction = classifier.predict(text)
        t1 = time.perf_counter()
        similar = index.search(text, k)
        t2 = time.perf_counter()
        best = similar[0] if similar else None
        match = (
            best
            if best is not None
            and best.score >= SIMILARITY_THRESHOLD
            and best.item.intent in (None, prediction.intent)
            else None
        )
        answer = Answer(text=match.item.answer, source="knowledge") if match else None
        outcome = decide(
            prediction=prediction,
            policy=POLICY,
            answer=answer,
            match=match,
            customer_requested_human=wants_human(text),
        )
        t3 = time.perf_counter()
        total.append((t3 - t0) * 1000)
        search.append((t2 - t1) * 1000)
        found.append(similar)
        matched += match is not None
        auto += outcome.auto_resolved

    # recall@k: the share of the exact top k that the search returned. Entries tied with the
    # exact k-th score are equally right (perturbed copies can be identical), so a returned
    # entry scoring at least the exact k-th counts; `id_recall` counts only the same ids.
    hits, same, wanted = 0, 0, 0
    for text, similar in zip(queries, found, strict=True):
        truth = exact_search(index, text, k)
        if not truth:
            continue
        floor = truth[-1].score - 1e-6
        hits += min(len(truth), sum(m.score >= floor for m in similar))
        same += len({m.item.id for m in truth} & {m.item.id for m in similar})
        wanted += len(truth)
    # Entries added in place (resolution.services.registry between full rebuilds): the time
    # per entry, and whether each is then its own text's nearest entry.
    adds, own = [], 0
    if hasattr(index, "add"):
        for i, text in enumerate(queries[:100]):
            item = KnowledgeItem(10**9 + i, text, "added", None)
            t0 = time.perf_counter()
            index.add([item])
            adds.append((time.perf_counter() - t0) * 1000)
            own += index.search(text, 1)[0].item.id == item.id
    return {
        "add_p50_ms": percentile(adds, 50),
        "added_found": own / len(adds) if adds else float("nan"),
        "kb_size": n,
        "backend": getattr(index, "backend", "exact"),
        "featurizer": featurizer,
        "queries": len(queries),
        "p50_ms": percentile(total, 50),
        "p95_ms": percentile(total, 95),
        "p99_ms": percentile(total, 99),
        "search_p50_ms": percentile(search, 50),
        "search_p95_ms": percentile(search, 95),
        "build_s": build_s,
        "build_cpu_s": build_cpu_s,
        "rss_mb": rss_after,
        "index_mb": rss_after - rss_before,
        "peak_rss_mb": rss_mb("VmHWM"),
        f"recall@{k}": hits / wanted if wanted else 1.0,
        f"id_recall@{k}": same / wanted if wanted else 1.0,
        "matched": matched / len(queries),
        "auto_resolved": auto / len(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb-size", default="1000,10000,100000", help="sizes, comma-separated")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--index", default="auto", choices=("auto", "exact", "ann"))
    parser.add_argument(
        "--featurizer",
        default="tfidf",
        choices=("tfidf", "embeddings"),
        help="what the knowledge index compares (embeddings: the optional extra)",
    )
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    rows = corpus()
    random.Random(args.seed).shuffle(rows)
    queries = [text for text, _, _ in rows[: args.queries]]
    rows = rows[args.queries :]  # held out: no query text is in any knowledge base
    classifier = IntentClassifier.train(*starter())

    results = []
    for n in (int(s) for s in args.kb_size.split(",")):
        result = measure(
            n,
            rows,
            queries,
            classifier,
            backend=args.index,
            featurizer=args.featurizer,
            k=args.k,
            seed=args.seed,
        )
        results.append(result)
        if not args.json:
            print(
                f"N={n:>9,} {result['backend']:<5} p50 {result['p50_ms']:6.2f} ms  "
                f"p95 {result['p95_ms']:6.2f}  p99 {result['p99_ms']:6.2f}  "
                f"search p50 {result['search_p50_ms']:6.2f}  build {result['build_s']:7.1f} s  "
                f"RSS {result['rss_mb']:7.0f} MB (index {result['index_mb']:+.0f})  "
                f"recall@{args.k} {result[f'recall@{args.k}']:.4f} "
                f"(same ids {result[f'id_recall@{args.k}']:.4f})  "
                f"add one {result['add_p50_ms']:.2f} ms",
                file=sys.stderr,
                flush=True,
            )
    if args.json:
        print(json.dumps(results, indent=2))
        return
    k = f"recall@{args.k}"
    print(
        f"\n| KB entries | index | p50 ms | p95 ms | p99 ms | search p50 ms | build s | "
        f"RSS MB (index) | {k} (same ids) | matched |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['kb_size']:,} | {r['backend']} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | "
            f"{r['p99_ms']:.2f} | {r['search_p50_ms']:.2f} | {r['build_s']:.1f} | "
            f"{r['rss_mb']:.0f} ({r['index_mb']:+.0f}) | {r[k]:.4f} ({r['id_' + k]:.4f}) | "
            f"{r['matched']:.1%} |"
        )


if __name__ == "__main__":
    main()
