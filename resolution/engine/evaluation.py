"""Offline quality measures for the classifier, as the auto-resolve rule will experience it.

Rows whose label is not an intent the model knows are "out of scope": the model cannot be
right about them, so they are left out of accuracy, macro-F1 and calibration error, and they
count as wrong answers whenever they would have been auto-resolved.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np
from sklearn.metrics import f1_score

from .classifier import IntentClassifier, TrainingConfig
from .types import Prediction

ECE_BINS = 15
RISK_THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS
) -> float | None:
    """Weighted mean |accuracy - confidence| over equal-width bins (lo, hi]; None if empty."""
    conf = np.asarray(confidences, dtype=float)
    hit = np.asarray(correct, dtype=float)
    if len(conf) == 0:
        return None
    # Bin i holds (i/bins, (i+1)/bins]; a confidence of exactly 0 joins the first bin.
    index = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)
    total = 0.0
    for b in np.unique(index):
        members = index == b
        total += members.sum() * abs(hit[members].mean() - conf[members].mean())
    return float(total / len(conf))


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def evaluate(
    predictions: list[Prediction],
    labels: list[str],
    *,
    threshold: float,
    known_labels: Iterable[str],
) -> dict[str, Any]:
    """Accuracy, macro-F1, ECE, and coverage/precision of auto-resolution at ``threshold``.

    ``accuracy``, ``macro_f1`` and ``ece`` are over in-scope rows (label in
    ``known_labels``); ``coverage`` is over all rows; ``auto_precision`` counts out-of-scope
    rows auto-resolved as wrong; ``ece_all`` is the calibration error over all rows, the
    out-of-scope ones counting as wrong. Ratios with nothing to divide by are None.
    """
    if len(predictions) != len(labels):
        raise ValueError(f"{len(predictions)} predictions but {len(labels)} labels")
    known = set(known_labels)
    predicted = np.array([p.intent for p in predictions], dtype=object)
    confidence = np.array([p.confidence for p in predictions], dtype=float)
    truth = np.array(labels, dtype=object)
    in_scope = np.array([label in known for label in labels], dtype=bool)
    correct = (predicted == truth) & in_scope

    def at(t: float) -> tuple[float | None, float | None]:
        auto = confidence >= t
        return (
            _ratio(int(auto.sum()), len(labels)),
            _ratio(int((auto & correct).sum()), int(auto.sum())),
        )

    coverage, precision = at(threshold)
    n_in = int(in_scope.sum())
    oos = ~in_scope
    return {
        "n": len(labels),
        "n_oos": int(oos.sum()),
        "threshold": threshold,
        "accuracy": _ratio(int(correct.sum()), n_in),
        "macro_f1": (
            float(
                f1_score(
                    list(truth[in_scope]),
                    list(predicted[in_scope]),
                    average="macro",
                    zero_division=0,
                )
            )
            if n_in
            else None
        ),
        "ece": expected_calibration_error(confidence[in_scope], correct[in_scope]),
        # Calibration as the live desk sees it: out-of-scope rows are rows the model got wrong.
        "ece_all": expected_calibration_error(confidence, correct),
        "coverage": coverage,
        "auto_precision": precision,
        "oos_auto_rate": _ratio(int((oos & (confidence >= threshold)).sum()), int(oos.sum())),
        "risk_coverage": [
            {"threshold": t, "coverage": c, "precision": p}
            for t in RISK_THRESHOLDS
            for c, p in [at(t)]
        ],
    }


class Holdout(NamedTuple):
    train_texts: list[str]
    train_labels: list[str]
    test_texts: list[str]
    test_labels: list[str]


def split_holdout(
    texts: list[str], labels: list[str], *, fraction: float = 0.2, seed: int = 0
) -> Holdout:
    """Hold out ``fraction`` of each intent's examples (at least one, never all of them).

    An intent with a single example stays in training, so every held-out label is known to
    the model trained on the rest.
    """
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    if not 0 < fraction < 1:
        raise ValueError("fraction must be between 0 and 1")
    rng = np.random.default_rng(seed)
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    test_rows: list[int] = []
    for rows in by_label.values():
        if len(rows) < 2:
            continue
        n_test = min(len(rows) - 1, max(1, round(len(rows) * fraction)))
        test_rows.extend(rng.permutation(rows)[:n_test].tolist())
    held = set(test_rows)
    train_rows = [i for i in range(len(texts)) if i not in held]
    test_rows.sort()
    return Holdout(
        [texts[i] for i in train_rows],
        [labels[i] for i in train_rows],
        [texts[i] for i in test_rows],
        [labels[i] for i in test_rows],
    )


def train_and_evaluate(
    texts: list[str],
    labels: list[str],
    *,
    threshold: float,
    seed: int = 0,
    fraction: float = 0.2,
    config: TrainingConfig | None = None,
) -> tuple[IntentClassifier, dict[str, Any]]:
    """Measure on a held-out split, then retrain on everything.

    Returns the model trained on all the data and the metrics of the model trained without
    the held-out split (so the figures are honest for the model that ships, slightly
    pessimistic since it learned from more).
    """
    split = split_holdout(texts, labels, fraction=fraction, seed=seed)
    started = time.perf_counter()
    trial = IntentClassifier.train(split.train_texts, split.train_labels, seed=seed, config=config)
    metrics = evaluate(
        trial.predict_many(split.test_texts),
        split.test_labels,
        threshold=threshold,
        known_labels=trial.labels,
    )
    metrics["holdout_train_seconds"] = round(time.perf_counter() - started, 3)
    metrics["n_train"] = len(split.train_texts)
    metrics["n_test"] = len(split.test_texts)
    final = IntentClassifier.train(texts, labels, seed=seed, config=config)
    return final, metrics


def calibration_record(
    predictions: list[Prediction], labels: list[str], *, known_labels: Iterable[str]
) -> dict[str, list]:
    """Per example: confidence, whether the top intent is right (0/1), top-two margin.

    What `resolution.engine.risk.certify_threshold` needs, in a compact JSON-friendly form
    (floats rounded to 4 digits); out-of-scope rows count as wrong.
    """
    if len(predictions) != len(labels):
        raise ValueError(f"{len(predictions)} predictions but {len(labels)} labels")
    known = set(known_labels)
    return {
        "confidence": [round(float(p.confidence), 4) for p in predictions],
        "correct": [
            int(p.intent == label and label in known)
            for p, label in zip(predictions, labels, strict=True)
        ],
        "margin": [round(float(p.margin), 4) for p in predictions],
    }


def rule_report(
    confidence: Sequence[float],
    correct: Sequence[bool],
    margin: Sequence[float],
    *,
    threshold: float | None,
    min_margin: float = 0.0,
    knowledge_conflict: Sequence[bool] | None = None,
) -> dict[str, Any]:
    """Coverage and precision of the decision rule "confidence ≥ threshold and margin ≥
    min_margin" (and, given ``knowledge_conflict``, "no close knowledge entry of another
    intent"), and how often each check fired (a ticket can fire several).

    ``threshold`` None means "never auto-resolve" (no certified threshold). ``*_only`` counts
    are the tickets that check alone escalated; ``*_only_wrong`` those of them that were wrong.
    """
    conf = np.asarray(confidence, dtype=float)
    hit = np.asarray(correct, dtype=bool)
    gap = np.asarray(margin, dtype=float)
    n = len(conf)
    low_confidence = np.ones(n, dtype=bool) if threshold is None else conf < threshold
    low_margin = gap < min_margin
    conflict = (
        np.zeros(n, dtype=bool)
        if knowledge_conflict is None
        else np.asarray(knowledge_conflict, dtype=bool)
    )
    auto = ~low_confidence & ~low_margin & ~conflict
    checks = {"low_confidence": low_confidence, "low_margin": low_margin}
    if knowledge_conflict is not None:
        checks["knowledge_conflict"] = conflict
    fired: dict[str, int] = {}
    for name, mask in checks.items():
        others = np.zeros(n, dtype=bool)
        for other, other_mask in checks.items():
            if other != name:
                others |= other_mask
        alone = mask & ~others
        fired[name] = int(mask.sum())
        fired[f"{name}_only"] = int(alone.sum())
        fired[f"{name}_only_wrong"] = int((alone & ~hit).sum())
    return {
        "threshold": threshold,
        "min_margin": min_margin,
        "knowledge_agreement": knowledge_conflict is not None,
        "n": n,
        "auto": int(auto.sum()),
        "coverage": _ratio(int(auto.sum()), n),
        "auto_precision": _ratio(int((auto & hit).sum()), int(auto.sum())),
        "fired": fired,
    }
