"""Quality and speed of the resolution engine on public intent datasets.

Reads the datasets in ../shared/data (relative to the repository; see its README for sources
and licences) and never copies them. Run from the repository root:

    .venv/bin/python bench/engine_quality.py            # test-split figures, a table
    .venv/bin/python bench/engine_quality.py --json     # the same as JSON
    .venv/bin/python bench/engine_quality.py --tune     # train/validation splits only
    .venv/bin/python bench/engine_quality.py --sweep 0,0.1,0.2,0.3   # unknown_share trade-off
    .venv/bin/python bench/engine_quality.py --scale 100000          # training time at size
    .venv/bin/python bench/engine_quality.py --featurizer hybrid --risk  # needs the extra

Figures:
  banking77  train.csv -> test.csv                                   Casanueva et al. 2020
  clinc150   train -> test + oos_test (out-of-scope, never trained)   Larson et al. 2019
  bitext     cs_intents_20k -> llm_v1_2023 instructions (cross-set)   Bitext Innovations
  starter    the project's own starter examples -> llm_v1_2023 instructions (the shipped
             model on realistic tickets); and 20% held out, CLINC150 oos_test as
             off-topic tickets for the shop taxonomy

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds scripts named like standard modules (queue.py): keep it off the import path.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from resolution.engine.classifier import IntentClassifier, TrainingConfig  # noqa: E402
from resolution.engine.evaluation import evaluate, split_holdout  # noqa: E402
from resolution.engine.similarity import SimilarityIndex  # noqa: E402
from resolution.engine.types import KnowledgeItem  # noqa: E402
from resolution.starter_data import starter_examples  # noqa: E402

DATA = Path(os.environ.get("SUPPORTDESK_DATA", ROOT.parent / "shared" / "data"))
THRESHOLD = 0.75
OOS = "<out-of-scope>"
# False once --embedding-cache stands in for the encoder: latency is then not measured
# (run --latency without the cache for that).
LIVE_ENCODER = True

Rows = tuple[list[str], list[str]]


# Datasets ---------------------------------------------------------------------------------


def read_csv(path: Path, text: str, label: str) -> Rows:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # One Bitext file spells check_invoice as check_invoices.
    fix = {"check_invoices": "check_invoice"}
    return [r[text] for r in rows], [fix.get(r[label], r[label]) for r in rows]


def banking77() -> tuple[Rows, Rows]:
    folder = DATA / "banking77"
    return (
        read_csv(folder / "train.csv", "text", "category"),
        read_csv(folder / "test.csv", "text", "category"),
    )


def clinc150() -> dict[str, Rows]:
    with (DATA / "clinc150" / "data_full.json").open(encoding="utf-8") as handle:
        data = json.load(handle)
    return {
        part: ([t for t, _ in rows], [OOS if part.startswith("oos") else y for _, y in rows])
        for part, rows in data.items()
    }


def bitext() -> tuple[Rows, Rows]:
    return (
        read_csv(
            DATA / "bitext_cs_intents_20k" / "TrainingdatasetBitextsample.csv",
            "utterance",
            "intent",
        ),
        read_csv(
            DATA / "bitext_llm_v1_2023" / "Bitext_Sample_Customer_Support_Training_Dataset.csv",
            "instruction",
            "intent",
        ),
    )


def starter() -> Rows:
    texts, labels = zip(*starter_examples(), strict=True)
    return list(texts), list(labels)


def join(*parts: Rows) -> Rows:
    return [t for p in parts for t in p[0]], [y for p in parts for y in p[1]]


def install_embedding_cache(path: Path) -> None:
    """Encode every dataset text once and keep the vectors on disk (bench only): later runs,
    and every featurizer, read them instead of re-encoding ~65k texts. The classifier sees
    the same encoder interface; texts not in the file are encoded live."""
    from resolution.engine import embeddings

    real = embeddings.get_encoder()
    if path.exists():
        with np.load(path, allow_pickle=False) as stored:
            texts, vectors = list(stored["texts"]), stored["vectors"]
    else:
        clinc = clinc150()
        parts = [*banking77(), *bitext(), starter(), *clinc.values()]
        texts = sorted({t for part in parts for t in part[0]})
        vectors = real.encode(texts)
        np.savez(path, texts=np.array(texts), vectors=vectors)
    index = {t: i for i, t in enumerate(texts)}

    class Cached:
        dimensions = real.dimensions

        def encode(self, batch, *, batch_size: int = 64) -> np.ndarray:
            missing = [t for t in batch if t not in index]
            live = dict(zip(missing, real.encode(missing), strict=True)) if missing else {}
            if not len(batch):
                return np.zeros((0, self.dimensions), dtype=np.float32)
            return np.stack([live[t] if t in live else vectors[index[t]] for t in batch])

    cached = Cached()
    embeddings.get_encoder = lambda: cached
    global LIVE_ENCODER
    LIVE_ENCODER = False


# Measuring --------------------------------------------------------------------------------


def latency(model: IntentClassifier, texts: list[str], n: int = 500) -> dict[str, float]:
    """One ticket at a time: wall and CPU milliseconds (CPU is steadier on a shared host;
    it counts all of the process's threads, as the encoder may use more than one). Distinct
    texts, none seen before, so the embeddings' encode cache never answers."""
    unique = list(dict.fromkeys(texts))
    sample = unique[:n]
    # A long warm-up: the sentence encoder is slow (~0.3 s) on its first hundred or so texts,
    # while the CPU kernels for each new text length are prepared.
    for text in unique[n : n + 200] or sample[:20]:
        model.predict(text)
    wall, cpu = [], []
    for text in sample:
        w, c = time.perf_counter(), time.process_time()
        model.predict(text)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return {
        "predict_p50_ms": 1000 * float(np.median(wall)),
        "predict_p95_ms": 1000 * float(np.percentile(wall, 95)),
        "predict_cpu_p50_ms": 1000 * float(np.median(cpu)),
    }


def train(
    texts: list[str], labels: list[str], config: TrainingConfig
) -> tuple[IntentClassifier, dict]:
    wall, cpu = time.perf_counter(), time.process_time()
    model = IntentClassifier.train(texts, labels, config=config)
    return model, {
        "n_train": len(texts),
        "n_intents": len(model.labels),
        "train_s": time.perf_counter() - wall,
        "train_cpu_s": time.process_time() - cpu,
        "model_mb": len(model.to_bytes()) / 1e6,
    }


def run(
    name: str, train_rows: Rows, test_rows: Rows, config: TrainingConfig, timing: bool = True
) -> dict:
    model, info = train(*train_rows, config)
    texts, labels = test_rows
    report = evaluate(
        model.predict_many(texts), labels, threshold=THRESHOLD, known_labels=model.labels
    )
    report.update(info, name=name, unknown_share=config.unknown_share, featurizer=config.featurizer)
    if timing and (LIVE_ENCODER or config.featurizer == "tfidf"):
        report.update(latency(model, [t for t, y in zip(texts, labels, strict=True) if y != OOS]))
    return report


def figures(config: TrainingConfig) -> list[dict]:
    b_train, b_test = banking77()
    clinc = clinc150()
    x_train, x_test = bitext()
    s_texts, s_labels = starter()
    s = split_holdout(s_texts, s_labels, fraction=0.2, seed=0)
    return [
        run("banking77", b_train, b_test, config),
        run("clinc150+oos", clinc["train"], join(clinc["test"], clinc["oos_test"]), config),
        run("bitext 20k->llm", x_train, x_test, config),
        run("starter->llm", (s_texts, s_labels), x_test, config, timing=False),
        run(
            "starter (+clinc oos)",
            (s.train_texts, s.train_labels),
            join((s.test_texts, s.test_labels), clinc["oos_test"]),
            config,
        ),
    ]


def tuning(config: TrainingConfig) -> list[dict]:
    """The splits the defaults were chosen on: no test data."""
    b_train, _ = banking77()
    b = split_holdout(*b_train, fraction=0.2, seed=0)
    clinc = clinc150()
    return [
        run(
            "banking77 train-split",
            (b.train_texts, b.train_labels),
            (b.test_texts, b.test_labels),
            config,
            timing=False,
        ),
        run(
            "clinc150 val+oos_train/val",
            clinc["train"],
            join(clinc["val"], clinc["oos_train"], clinc["oos_val"]),
            config,
            timing=False,
        ),
    ]


def scale(n: int, config: TrainingConfig) -> dict:
    """Training time on n texts: the Bitext shop taxonomy padded with word-dropout copies."""
    x_train, x_test = bitext()
    texts, labels = join(
        x_train,
        x_test,
        read_csv(
            DATA / "bitext_cs_intents_8k" / "Bitext_Sample_Customer_Service_Training_Dataset.csv",
            "utterance",
            "intent",
        ),
    )
    rng = random.Random(0)
    base = list(zip(texts, labels, strict=True))
    while len(texts) < n:
        text, label = rng.choice(base)
        words = text.split()
        if len(words) > 3:
            del words[rng.randrange(len(words))]
        texts.append(" ".join(words))
        labels.append(label)
    model, info = train(texts[:n], labels[:n], config)
    info.update(latency(model, x_test[0]), name=f"scale {n}")
    return info


def similarity(n_queries: int = 300) -> dict:
    clinc = clinc150()
    b_train, b_test = banking77()
    questions = clinc["train"][0] + b_train[0]
    items = [KnowledgeItem(i, q, "answer", None) for i, q in enumerate(questions)]
    started = time.perf_counter()
    index = SimilarityIndex.build(items)
    build_s = time.perf_counter() - started
    times, cpu = [], []
    for text in b_test[0][:n_queries]:
        w, c = time.perf_counter(), time.thread_time()
        index.search(text, k=3)
        times.append(time.perf_counter() - w)
        cpu.append(time.thread_time() - c)
    return {
        "name": "similarity",
        "entries": len(items),
        "build_s": build_s,
        "search_p50_ms": 1000 * float(np.median(times)),
        "search_p95_ms": 1000 * float(np.percentile(times, 95)),
        "search_cpu_p50_ms": 1000 * float(np.median(cpu)),
    }


# Output -----------------------------------------------------------------------------------


def fmt(value, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def table(reports: list[dict]) -> str:
    columns: list[tuple[str, str, Callable[[dict], str]]] = [
        ("set", "<26", lambda r: r["name"]),
        ("w", ">4", lambda r: fmt(r.get("unknown_share"), ".2f")),
        ("n_test", ">6", lambda r: str(r.get("n", "-"))),
        ("acc", ">6", lambda r: fmt(r.get("accuracy"))),
        ("mF1", ">6", lambda r: fmt(r.get("macro_f1"))),
        ("ECE", ">6", lambda r: fmt(r.get("ece"))),
        ("ECEall", ">6", lambda r: fmt(r.get("ece_all"))),
        ("cover", ">6", lambda r: fmt(r.get("coverage"))),
        ("prec", ">6", lambda r: fmt(r.get("auto_precision"))),
        ("oos@.75", ">7", lambda r: fmt(r.get("oos_auto_rate"))),
        ("train_s", ">7", lambda r: fmt(r.get("train_s"), ".1f")),
        ("cpu_s", ">6", lambda r: fmt(r.get("train_cpu_s"), ".1f")),
        ("p50ms", ">6", lambda r: fmt(r.get("predict_p50_ms"), ".2f")),
        ("cpu50", ">6", lambda r: fmt(r.get("predict_cpu_p50_ms"), ".2f")),
        ("MB", ">5", lambda r: fmt(r.get("model_mb"), ".1f")),
    ]
    lines = [" ".join(format(title, spec) for title, spec, _ in columns)]
    for report in reports:
        if report["name"] == "similarity":
            continue
        lines.append(" ".join(format(get(report), spec) for _, spec, get in columns))
    for report in reports:
        if report["name"] == "similarity":
            lines.append(
                f"similarity: {report['entries']} entries, build {report['build_s']:.1f}s, "
                f"search p50 {report['search_p50_ms']:.2f} ms, p95 {report['search_p95_ms']:.2f} ms"
                f" (CPU p50 {report['search_cpu_p50_ms']:.2f} ms)"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--tune", action="store_true", help="train/validation splits only")
    parser.add_argument("--sweep", help="comma-separated unknown_share values to compare")
    parser.add_argument("--unknown-share", type=float, help="override the default")
    parser.add_argument(
        "--featurizer",
        choices=["tfidf", "embeddings", "hybrid"],
        default=os.environ.get("INTENT_FEATURIZER", "tfidf"),
        help="tfidf (default, or INTENT_FEATURIZER), embeddings or hybrid (needs the extra)",
    )
    parser.add_argument("--embedding-weight", type=float, help="override the default")
    parser.add_argument("--risk", action="store_true", help="also print risk-coverage points")
    parser.add_argument(
        "--embedding-cache",
        type=Path,
        help="an .npz of the datasets' embeddings, made on first use (speeds up repeat runs)",
    )
    parser.add_argument("--scale", type=int, help="also time training on this many texts")
    parser.add_argument("--no-similarity", action="store_true")
    parser.add_argument(
        "--latency",
        action="store_true",
        help="also time classifying one ticket with a model trained on the starter data",
    )
    parser.add_argument("--no-figures", action="store_true", help="skip the dataset figures")
    args = parser.parse_args()
    if not DATA.is_dir():
        parser.error(f"no datasets at {DATA} (set SUPPORTDESK_DATA)")

    if args.embedding_cache and args.featurizer != "tfidf":
        install_embedding_cache(args.embedding_cache)
    base = TrainingConfig(featurizer=args.featurizer)
    if args.embedding_weight is not None:
        base = replace(base, embedding_weight=args.embedding_weight)
    if args.unknown_share is not None:
        base = replace(base, unknown_share=args.unknown_share)
    shares = [float(v) for v in args.sweep.split(",")] if args.sweep else [base.unknown_share]
    reports: list[dict] = []
    for share in [] if args.no_figures else shares:
        config = replace(base, unknown_share=share)
        reports.extend(tuning(config) if args.tune else figures(config))
    if args.scale:
        reports.append(scale(args.scale, base))
    if args.latency:
        s_texts, s_labels = starter()
        model, info = train(s_texts, s_labels, base)
        info.update(latency(model, bitext()[1][0]), name=f"latency {base.featurizer}")
        reports.append(info)
    if not args.no_similarity and not args.tune:
        reports.append(similarity())

    if args.json:
        print(json.dumps(reports, indent=2))
    else:
        print(f"threshold {THRESHOLD}; accuracy, macro-F1 and ECE over in-scope rows;")
        print("ECEall counts out-of-scope rows as wrong; cover = auto-resolved share of all rows;")
        print("prec = right share of auto-resolved rows; oos@.75 = out-of-scope rows auto-resolved")
        print(
            f"featurizer {base.featurizer}; host: {os.cpu_count()} CPUs, "
            f"load {os.getloadavg()[0]:.1f}"
        )
        print(table(reports))
        if args.risk:
            print("risk-coverage (threshold: coverage / precision)")
            for r in reports:
                if "risk_coverage" in r:
                    points = "; ".join(
                        f"{p['threshold']:.2f}: {fmt(p['coverage'])} / {fmt(p['precision'])}"
                        for p in r["risk_coverage"]
                    )
                    print(f"  {r['name']:<26} {points}")


if __name__ == "__main__":
    main()
