"""Issue 13: the whole decision (every check, abstentions included) on real and hard tickets.

    .venv/bin/python bench/abstain_quality.py hint3                 # HINT3 train -> test
    .venv/bin/python bench/abstain_quality.py hard --set heldout    # our hard cases (or dev)
    .venv/bin/python bench/abstain_quality.py cross [--only banking77,clinc150,bitext_cross]
    .venv/bin/python bench/abstain_quality.py latency               # classify + decide p50
    (add --json for the whole report, --tune to cross-validate on the HINT3 training sets)

Every ticket goes through resolution.engine.assess (the live pipeline's function) by way of
resolution.engine.replay (what `manage.py evaluate` prints): fixed threshold 0.75 (the
default policy), the default margin, no LLM. HINT3 and the public sets: each intent is taken
to have a standard answer (a template) and there is no knowledge base. Hard cases: the shipped
starter model, its templates (resolution/data/intents.json, sensitive intents escalate) and
its knowledge base, as `make run` ships them. Reads ../shared/data for the public sets.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("SUPPORTDESK_DATA", ROOT.parent / "shared" / "data"))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from resolution.engine.classifier import IntentClassifier  # noqa: E402
from resolution.engine.decision import DEFAULT_MIN_MARGIN  # noqa: E402
from resolution.engine.replay import Case, fixed_policy, offline_decider, replay  # noqa: E402
from resolution.engine.similarity import SimilarityIndex  # noqa: E402
from resolution.engine.types import IntentPolicy, KnowledgeItem  # noqa: E402
from resolution.services.training import example_languages  # noqa: E402
from resolution.starter_data import DATA_DIR, starter_examples  # noqa: E402

THRESHOLD = settings.AUTO_RESOLVE_THRESHOLD


def read_csv(path: Path, text: str, label: str, kind: str | None = None) -> list[Case]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [
            Case(row[text], row[label], row[kind] if kind else "") for row in csv.DictReader(handle)
        ]


def train(cases: list[Case]) -> IntentClassifier:
    return IntentClassifier.train([c.text for c in cases], [c.expected for c in cases])


def run(train_cases: list[Case], test_cases: list[Case], *, examples: int = 0) -> dict:
    model = train(train_cases)
    decide = offline_decider(
        model,
        policy_for=fixed_policy(THRESHOLD, min_margin=DEFAULT_MIN_MARGIN),
        index=None,
        similarity_threshold=settings.SIMILARITY_THRESHOLD,
    )
    return replay(test_cases, decide, known_labels=model.labels, examples=examples)


def hint3(args) -> dict:
    report = {}
    for name in ("sofmattress", "curekart"):
        folder = DATA / "hint3"
        train_cases = read_csv(folder / f"{name}_train.csv", "sentence", "label")
        if args.tune:
            report[name] = hint3_cv(train_cases)
            continue
        test_cases = read_csv(folder / f"{name}_test.csv", "sentence", "label")
        report[name] = run(train_cases, test_cases, examples=args.examples)
    return report


def hint3_cv(cases: list[Case], folds: int = 4) -> dict:
    """Tuning figures on a training set only: each fold holds out a fifth of the examples
    and a fifth of the intents (those examples play the out-of-scope messages)."""
    import numpy as np

    rng = np.random.default_rng(0)
    labels = sorted({c.expected for c in cases})
    rows: list[Case] = []
    reports = []
    for _ in range(folds):
        held = set(rng.choice(labels, size=max(2, len(labels) // 5), replace=False))
        kept = [c for c in cases if c.expected not in held]
        order = rng.permutation(len(kept))
        cut = len(kept) // 5
        test = [kept[i] for i in order[:cut]] + [
            Case(c.text, "out_of_scope") for c in cases if c.expected in held
        ]
        rows += test
        reports.append(run([kept[i] for i in order[cut:]], test))
    total = {
        key: sum(r[key] for r in reports) for key in ("n", "auto", "auto_right", "n_must_escalate")
    }
    total["auto_precision"] = total["auto_right"] / max(1, total["auto"])
    return total


def starter_decider():
    intents = json.loads((DATA_DIR / "intents.json").read_text(encoding="utf-8"))
    rules = {i["slug"]: i for i in intents}
    knowledge = json.loads((DATA_DIR / "knowledge_base.json").read_text(encoding="utf-8"))
    index = SimilarityIndex.build(
        [
            KnowledgeItem(n, e["question"], e["answer"], e.get("intent"))
            for n, e in enumerate(knowledge)
        ],
        backend="exact",
    )
    rows = starter_examples()
    texts = [t for t, _ in rows]
    # As the desk trains it: a threshold certified per language (resolution.services.training).
    model = IntentClassifier.train(
        texts, [label for _, label in rows], languages=example_languages(texts)
    )

    def policy_for(intent: str) -> tuple[IntentPolicy, str | None]:
        rule = rules.get(intent, {})
        return (
            IntentPolicy(
                THRESHOLD,
                always_escalate=bool(rule.get("always_escalate")),
                min_margin=DEFAULT_MIN_MARGIN,
            ),
            rule.get("template"),
        )

    decide = offline_decider(
        model,
        policy_for=policy_for,
        index=index,
        similarity_threshold=settings.SIMILARITY_THRESHOLD,
    )
    return model, decide


def hard(args) -> dict:
    path = ROOT / "bench" / "data" / f"hard_cases_{args.set}.csv"
    cases = read_csv(path, "text", "expected", "kind")
    model, decide = starter_decider()
    return replay(cases, decide, known_labels=model.labels, examples=args.examples)


def cross(args) -> dict:
    sys.path.insert(0, str(ROOT / "bench"))
    from evaluate_datasets import bitext_label, llm_v1_instructions

    report = {}
    for name in args.only.split(","):
        if name == "banking77":
            train_cases = read_csv(DATA / "banking77" / "train.csv", "text", "category")
            test_cases = read_csv(DATA / "banking77" / "test.csv", "text", "category")
        elif name == "clinc150":
            data = json.loads((DATA / "clinc150" / "data_full.json").read_text())
            train_cases = [Case(t, label) for t, label in data["train"]]
            test_cases = [Case(t, label) for t, label in data["test"]]
            test_cases += [Case(t, "oos") for t, _ in data["oos_test"]]
        elif name == "bitext_cross":
            path = DATA / "bitext_cs_intents_20k" / "TrainingdatasetBitextsample.csv"
            train_cases = [
                Case(c.text, bitext_label(c.expected))
                for c in read_csv(path, "utterance", "intent")
            ]
            test_cases = [Case(t, label) for t, label in llm_v1_instructions()]
        else:
            raise SystemExit(f"unknown set {name}")
        started = time.perf_counter()
        report[name] = run(train_cases, test_cases, examples=args.examples)
        report[name]["seconds"] = round(time.perf_counter() - started, 1)
        print(f"{name}: {brief(report[name])}", file=sys.stderr, flush=True)
    return report


def latency(args) -> dict:
    model, decide = starter_decider()
    texts = [c.text for c in read_csv(ROOT / "bench/data/hard_cases_dev.csv", "text", "expected")]
    for text in texts[:50]:  # warm up
        decide(text)
    timings, cpu = [], []
    for _ in range(3):
        for text in texts:
            started, started_cpu = time.perf_counter(), time.process_time()
            decide(text)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    timings.sort()
    # For comparison: the classifier alone, as the decision used it before the abstentions.
    classify_cpu = []
    for text in texts:
        started_cpu = time.process_time()
        model.predict(text)
        classify_cpu.append((time.process_time() - started_cpu) * 1000)
    return {
        "classify_only_cpu_p50_ms": round(statistics.median(classify_cpu), 3),
        "n": len(timings),
        # CPU time: on a shared, loaded host the wall time measures the neighbours too.
        "cpu_p50_ms": round(statistics.median(cpu), 3),
        "p50_ms": round(statistics.median(timings), 3),
        "p90_ms": round(timings[int(len(timings) * 0.9)], 3),
        "p99_ms": round(timings[int(len(timings) * 0.99)], 3),
    }


def pct(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def brief(r: dict) -> str:
    before = r["without_abstentions"]
    return (
        f"auto {r['auto']}/{r['n']} right {pct(r['auto_precision'])}, in scope answered "
        f"{pct(r['in_scope_answered'])}, must-escalate answered "
        f"{pct(r['must_escalate_answered'])} | without abstentions: right "
        f"{pct(before['auto_precision'])}, coverage {pct(before['coverage'])}, in scope "
        f"{pct(before['in_scope_answered'])}, must-escalate {pct(before['must_escalate_answered'])}"
        f" | to people by abstention: {r['sent_to_people_by_abstention']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("hint3", "hard", "cross", "latency"))
    parser.add_argument("--set", default="heldout", choices=("dev", "heldout"))
    parser.add_argument("--only", default="banking77,clinc150,bitext_cross")
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--examples", type=int, default=0, help="wrong answers to show")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.what != "hard" and args.what != "latency" and not DATA.exists():
        raise SystemExit(f"{DATA} not found (the public datasets, see its README)")
    report = {"hint3": hint3, "hard": hard, "cross": cross, "latency": latency}[args.what](args)
    if args.json:
        print(json.dumps(report, indent=1))
        return
    if args.what == "latency" or args.tune:
        print(report)
        return
    sections = report.items() if args.what != "hard" else [(args.set, report)]
    for name, r in sections:
        print(f"{name}: {brief(r)}")
        for kind, k in r.get("by_kind", {}).items():
            print(f"  {kind}: {brief(k)}")
        for example in r.get("wrong_examples", []):
            print(f"    wrong: {example}")


if __name__ == "__main__":
    main()
