"""Fixed vs certified auto-resolve thresholds on shifted data, through `manage.py evaluate`.

    .venv/bin/python bench/certified_threshold.py [--only starter,bitext_cross] [--json]
        [--featurizer tfidf|embeddings|hybrid]

The test set is 80% of the Bitext LLM v1 instructions (seeded shuffle); the other 20% stands
for the agent-labelled recent tickets a live desk holds out at every retraining. For each
training set (the shipped starter data; Bitext 20k) and α in {0.02, 0.05} (δ = 0.1) it reports
coverage and precision on the test 80% of:
- the fixed threshold 0.75;
- the certified threshold calibrated on the training data's own held-out split (what
  `manage.py train` stores when no agent has labelled anything yet);
- the certified threshold calibrated on the 20% slice of the shifted data;
each with the margin rule (DEFAULT_MIN_MARGIN) on and off, and the knowledge-agreement check
against the starter knowledge base (resolution/data/knowledge_base.json).
"""

import argparse
import csv
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "evaluate_datasets", ROOT / "bench" / "evaluate_datasets.py"
)
datasets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(datasets)

ALPHAS = (0.02, 0.05)
KNOWLEDGE = ROOT / "resolution" / "data" / "knowledge_base.json"


def split_test(path: Path, folder: Path, seed: int = 7) -> tuple[Path, Path]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [(row["text"], row["intent"]) for row in csv.DictReader(handle)]
    random.Random(seed).shuffle(rows)
    cut = len(rows) // 5
    return (
        datasets.write_csv(folder / f"{path.stem}-calibration.csv", rows[:cut]),
        datasets.write_csv(folder / f"{path.stem}-rest.csv", rows[cut:]),
    )


def evaluate(
    train: Path, test: Path, alpha: float, calibration: Path | None, featurizer: str | None
) -> dict:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": "sqlite://:memory:"}
    if featurizer:
        env["INTENT_FEATURIZER"] = featurizer
    command = [
        sys.executable,
        "manage.py",
        "evaluate",
        "--train-csv",
        str(train),
        "--csv",
        str(test),
        "--alpha",
        str(alpha),
        "--delta",
        "0.1",
        "--knowledge",
        str(KNOWLEDGE),
        "--json",
    ]
    if calibration is not None:
        command += ["--calibration-csv", str(calibration)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def rows_of(name: str, alpha: float, source: str, report: dict) -> list[dict]:
    decision = report["decision"]
    rules = [
        ("fixed 0.75", "no margin", decision["fixed_no_margin"], None),
        ("fixed 0.75", "margin", decision["fixed"], None),
        ("fixed 0.75", "margin + knowledge", decision["fixed_knowledge"], None),
        (
            f"certified α={alpha:g} ({source})",
            "no margin",
            decision["certified_no_margin"]["test"],
            decision["certified_no_margin"]["calibration"],
        ),
        (
            f"certified α={alpha:g} ({source})",
            "margin",
            decision["certified"]["test"],
            decision["certified"]["calibration"],
        ),
        (
            f"certified α={alpha:g} ({source})",
            "margin + knowledge",
            decision["certified_knowledge"],
            decision["certified"]["calibration"],
        ),
    ]
    return [
        {
            "training": name,
            "rule": rule,
            "checks": checks,
            "threshold": result["threshold"],
            "coverage": result["coverage"],
            "precision": result["auto_precision"],
            "calibration_n": cert["n_calibration"] if cert else None,
        }
        for rule, checks, result, cert in rules
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="starter,bitext_cross")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--featurizer", help="INTENT_FEATURIZER for the runs (default: settings)")
    args = parser.parse_args()
    if not datasets.DATA.is_dir():
        raise SystemExit(f"{datasets.DATA} not found: the benchmark needs ../shared/data.")
    table: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in args.only.split(","):
            train, test = datasets.prepare(name, folder)
            calibration, rest = split_test(test, folder)
            for alpha in ALPHAS:
                held_out = evaluate(train, rest, alpha, None, args.featurizer)
                shifted = evaluate(train, rest, alpha, calibration, args.featurizer)
                rows = rows_of(name, alpha, "training held-out", held_out)
                if alpha != ALPHAS[0]:
                    rows = rows[3:]  # the fixed rows do not depend on α
                table += rows + rows_of(name, alpha, "20% of LLM v1", shifted)[3:]
    if args.json:
        print(json.dumps(table, indent=2))
        return

    def pct(value) -> str:
        return "—" if value is None else f"{value:.1%}"

    print(f"{'training':<14}{'rule':<42}{'checks':<20}{'λ':>7}{'coverage':>10}{'precision':>11}")
    for row in table:
        threshold = "never" if row["threshold"] is None else f"{row['threshold']:.3f}"
        print(
            f"{row['training']:<14}{row['rule']:<42}{row['checks']:<20}{threshold:>7}"
            f"{pct(row['coverage']):>10}{pct(row['precision']):>11}"
        )


if __name__ == "__main__":
    main()
