"""Evaluation figures checked against values worked out by hand."""

import pytest

from resolution.engine.evaluation import (
    evaluate,
    expected_calibration_error,
    split_holdout,
    train_and_evaluate,
)
from resolution.engine.types import Prediction


def p(intent: str, confidence: float) -> Prediction:
    return Prediction(intent=intent, confidence=confidence, alternatives=((intent, confidence),))


# Known intents: a, b. Rows 4 and 5 are out of scope.
PREDICTIONS = [p("a", 0.9), p("a", 0.82), p("b", 0.62), p("b", 0.95), p("a", 0.5), p("b", 0.75)]
LABELS = ["a", "b", "b", "oos", "oos", "b"]
#          right, wrong, right, (oos), (oos), right ; auto at 0.75: rows 1, 2, 4, 6


@pytest.fixture
def metrics():
    return evaluate(PREDICTIONS, LABELS, threshold=0.75, known_labels={"a", "b"})


def test_counts(metrics):
    assert (metrics["n"], metrics["n_oos"]) == (6, 2)


def test_accuracy_and_macro_f1_are_over_in_scope_rows(metrics):
    assert metrics["accuracy"] == pytest.approx(3 / 4)
    # a: precision 1/2, recall 1 -> F1 2/3; b: precision 1, recall 2/3 -> F1 4/5.
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 4 / 5) / 2)


def test_coverage_is_over_all_rows_and_precision_counts_oos_as_wrong(metrics):
    assert metrics["coverage"] == pytest.approx(4 / 6)
    assert metrics["auto_precision"] == pytest.approx(2 / 4)
    assert metrics["oos_auto_rate"] == pytest.approx(1 / 2)


def test_ece_is_over_in_scope_rows(metrics):
    # Each in-scope row sits alone in its bin: |1-.9|, |0-.82|, |1-.62|, |1-.75|.
    assert metrics["ece"] == pytest.approx((0.1 + 0.82 + 0.38 + 0.25) / 4)


def test_ece_all_counts_out_of_scope_rows_as_wrong(metrics):
    # In-scope rows as above, plus |0-.95| and |0-.5| in bins of their own.
    assert metrics["ece_all"] == pytest.approx((0.1 + 0.82 + 0.38 + 0.25 + 0.95 + 0.5) / 6)


def test_ece_averages_within_a_bin():
    # 0.9 and 0.92 share the bin (13/15, 14/15]: accuracy 1/2 vs confidence 0.91.
    assert expected_calibration_error([0.9, 0.92, 0.3], [True, False, False]) == pytest.approx(
        (2 * 0.41 + 0.3) / 3
    )
    assert expected_calibration_error([], []) is None


def test_risk_coverage_rows(metrics):
    rows = {row["threshold"]: row for row in metrics["risk_coverage"]}
    assert list(rows) == [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]
    assert rows[0.5] == {"threshold": 0.5, "coverage": 1.0, "precision": 0.5}
    assert rows[0.9]["coverage"] == pytest.approx(2 / 6)
    assert rows[0.9]["precision"] == pytest.approx(1 / 2)
    assert rows[0.95]["precision"] == 0.0


def test_without_oos_rows_or_auto_resolutions_the_ratios_are_none():
    metrics = evaluate([p("a", 0.1)], ["a"], threshold=0.75, known_labels={"a"})
    assert metrics["oos_auto_rate"] is None
    assert metrics["auto_precision"] is None
    assert metrics["coverage"] == 0.0
    empty = evaluate([], [], threshold=0.75, known_labels={"a"})
    assert empty["accuracy"] is None and empty["ece"] is None and empty["n"] == 0


def test_split_holdout_is_stratified_and_keeps_singletons_in_training():
    texts = [f"t{i}" for i in range(23)]
    labels = ["x"] * 10 + ["y"] * 10 + ["z", "z", "solo"]
    split = split_holdout(texts, labels, fraction=0.2, seed=1)
    assert split.test_labels.count("x") == 2 and split.test_labels.count("y") == 2
    assert split.test_labels.count("z") == 1
    assert "solo" in split.train_labels and "solo" not in split.test_labels
    assert sorted(split.train_texts + split.test_texts) == sorted(texts)
    assert split == split_holdout(texts, labels, fraction=0.2, seed=1)


def test_train_and_evaluate_reports_holdout_metrics_for_a_model_trained_on_everything():
    texts, labels = [], []
    for intent, words in {"refund": "refund money back", "track": "where order parcel"}.items():
        for i in range(10):
            texts.append(f"{words} {i} please {'now' if i % 2 else 'today'}")
            labels.append(intent)
    model, metrics = train_and_evaluate(texts, labels, threshold=0.75, seed=0)
    assert (metrics["n"], metrics["n_test"], metrics["n_train"]) == (4, 4, 16)
    assert model.info["n_examples"] == 20
    assert 0 <= metrics["accuracy"] <= 1
