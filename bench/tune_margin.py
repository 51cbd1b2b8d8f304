"""Tune the decision's minimum top-two margin on training data only (no test split is read).

    .venv/bin/python bench/tune_margin.py [--alpha 0.05] [--delta 0.1]

For each training set (the shipped starter data; Bitext 20k; BANKING77 train, from
../shared/data), hold out 20% per intent as a validation split, train on the rest, and for each
candidate margin m certify a threshold on the validation split with only the examples whose
margin is at least m eligible. Reports the share of validation tickets the certified rule
would answer (coverage) and its precision there. The margin that answers the most under the
same certified error rate wins; DEFAULT_MIN_MARGIN in resolution/engine/decision.py records the
choice and this script is its origin.
"""

import argparse
import importlib.util
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# Not bench/ itself on the path: bench/queue.py would shadow the standard library's queue.
sys.path[0] = str(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")

import django  # noqa: E402

django.setup()

_spec = importlib.util.spec_from_file_location(
    "evaluate_datasets", ROOT / "bench/evaluate_datasets.py"
)
datasets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(datasets)

from resolution.engine.classifier import IntentClassifier  # noqa: E402
from resolution.engine.evaluation import calibration_record, split_holdout  # noqa: E402
from resolution.engine.risk import certify_threshold  # noqa: E402
from resolution.services.training import training_config  # noqa: E402

MARGINS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4)


def training_sets() -> dict[str, list[tuple[str, str]]]:
    sets = {"starter": datasets.starter_rows()}
    bitext = datasets.DATA / "bitext_cs_intents_20k" / "TrainingdatasetBitextsample.csv"
    if bitext.is_file():
        sets["bitext_20k"] = [
            (t, datasets.bitext_label(lab))
            for t, lab in datasets.read_csv(bitext, "utterance", "intent")
        ]
    banking = datasets.DATA / "banking77" / "train.csv"
    if banking.is_file():
        sets["banking77_train"] = datasets.read_csv(banking, "text", "category")
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--delta", type=float, default=0.1)
    args = parser.parse_args()
    print(f"alpha={args.alpha} delta={args.delta} featurizer={training_config().featurizer}")
    print(f"{'training set':<16}{'margin':>7}{'λ':>8}{'coverage':>10}{'precision':>11}")
    for name, rows in training_sets().items():
        texts, labels = [t for t, _ in rows], [lab for _, lab in rows]
        split = split_holdout(texts, labels, fraction=0.2, seed=1)
        model = IntentClassifier.train(
            split.train_texts, split.train_labels, config=training_config()
        )
        record = calibration_record(
            model.predict_many(split.test_texts), split.test_labels, known_labels=model.labels
        )
        conf = np.array(record["confidence"])
        right = np.array(record["correct"], dtype=bool)
        margin = np.array(record["margin"])
        for m in MARGINS:
            eligible = margin >= m
            cert = certify_threshold(
                conf, right, alpha=args.alpha, delta=args.delta, eligible=eligible
            )
            if cert.threshold is None:
                print(f"{name:<16}{m:>7.2f}{'never':>8}{'0.0%':>10}{'—':>11}")
                continue
            auto = eligible & (conf >= cert.threshold)
            print(
                f"{name:<16}{m:>7.2f}{cert.threshold:>8.3f}{auto.mean():>10.1%}"
                f"{right[auto].mean():>11.1%}"
            )


if __name__ == "__main__":
    main()
