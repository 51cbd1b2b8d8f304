"""Decision quality on public datasets, measured with the product's own `manage.py evaluate`.

    .venv/bin/python bench/evaluate_datasets.py [--json] [--only banking77,clinc150,...]
        [--featurizer tfidf|embeddings|hybrid]

--featurizer reaches `evaluate` as the INTENT_FEATURIZER setting (embeddings and hybrid need
requirements-embeddings.txt). Without it, the desk's setting (default tfidf) applies.

Reads ../shared/data (see its README for sources and licences), writes CSVs to a temporary
folder, and runs `evaluate --train-csv TRAIN --csv TEST --json` for each benchmark:
- banking77: BANKING77 train → test (77 intents).
- clinc150: CLINC150 train → test + oos_test (oos rows are labelled "oos": out of scope).
- bitext_cross: Bitext 20k utterances → Bitext LLM v1 instructions (differently worded).
- starter: the shipped starter data (resolution/data/examples) → Bitext LLM v1 instructions.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from resolution.starter_data import starter_examples  # noqa: E402


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "intent"])
        writer.writerows(rows)
    return path


def read_csv(path: Path, text: str, label: str) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [(row[text], row[label]) for row in csv.DictReader(handle)]


def bitext_label(label: str) -> str:
    return "check_invoice" if label == "check_invoices" else label


def llm_v1_instructions() -> list[tuple[str, str]]:
    path = DATA / "bitext_llm_v1_2023" / "Bitext_Sample_Customer_Support_Training_Dataset.csv"
    return [(t, bitext_label(lab)) for t, lab in read_csv(path, "instruction", "intent")]


def starter_rows() -> list[tuple[str, str]]:
    return starter_examples()


def prepare(name: str, folder: Path) -> tuple[Path, Path]:
    if name == "banking77":
        train = read_csv(DATA / "banking77" / "train.csv", "text", "category")
        test = read_csv(DATA / "banking77" / "test.csv", "text", "category")
    elif name == "clinc150":
        data = json.loads((DATA / "clinc150" / "data_full.json").read_text())
        train = [tuple(row) for row in data["train"]]
        test = [tuple(row) for row in data["test"]] + [(t, "oos") for t, _ in data["oos_test"]]
    elif name == "bitext_cross":
        path = DATA / "bitext_cs_intents_20k" / "TrainingdatasetBitextsample.csv"
        train = [(t, bitext_label(lab)) for t, lab in read_csv(path, "utterance", "intent")]
        test = llm_v1_instructions()
    elif name == "starter":
        train, test = starter_rows(), llm_v1_instructions()
    else:
        raise SystemExit(f"unknown benchmark {name}")
    return write_csv(folder / f"{name}-train.csv", train), write_csv(
        folder / f"{name}-test.csv", test
    )


def evaluate(train: Path, test: Path, featurizer: str | None = None) -> dict:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": "sqlite://:memory:"}
    if featurizer:
        env["INTENT_FEATURIZER"] = featurizer
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "evaluate",
            "--csv",
            str(test),
            "--train-csv",
            str(train),
            "--json",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(result.stderr)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", default="banking77,clinc150,bitext_cross,starter")
    parser.add_argument(
        "--featurizer",
        choices=["tfidf", "embeddings", "hybrid"],
        help="passed to evaluate as INTENT_FEATURIZER (default: the desk's setting)",
    )
    parser.add_argument(
        "--risk", action="store_true", help="also print each benchmark's risk-coverage points"
    )
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} not found: the benchmarks need ../shared/data beside the repo.")
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in args.only.split(","):
            results[name] = evaluate(*prepare(name, Path(folder)), args.featurizer)
            results[name]["featurizer"] = args.featurizer or os.environ.get(
                "INTENT_FEATURIZER", "tfidf"
            )
    if args.json:
        print(json.dumps(results, indent=2))
        return

    def pct(value) -> str:
        return "—" if value is None else f"{value:.1%}"

    print(
        f"{'benchmark':<14}{'n':>7}{'accuracy':>10}{'macro-F1':>10}{'ECE':>7}{'coverage':>10}"
        f"{'auto-prec':>11}{'oos-auto':>10}{'secs':>7}"
    )
    for name, r in results.items():
        print(
            f"{name:<14}{r['n']:>7}{pct(r['accuracy']):>10}{r['macro_f1']:>10.3f}{r['ece']:>7.3f}"
            f"{pct(r['coverage']):>10}{pct(r['auto_precision']):>11}{pct(r['oos_auto_rate']):>10}"
            f"{r['seconds']:>7}"
        )
    if args.risk:
        print("\nrisk-coverage (threshold: coverage / precision)")
        for name, r in results.items():
            points = "; ".join(
                f"{p['threshold']:.2f}: {pct(p['coverage'])} / {pct(p['precision'])}"
                for p in r["risk_coverage"]
            )
            print(f"{name:<14}{points}")


if __name__ == "__main__":
    main()
