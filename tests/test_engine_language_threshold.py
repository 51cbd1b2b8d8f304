"""The auto-resolve threshold certified per language at training time (issue 17)."""

import numpy as np
import pytest

from resolution.engine.assess import language_policy
from resolution.engine.classifier import IntentClassifier
from resolution.engine.language_threshold import language_thresholds
from resolution.engine.types import IntentPolicy


def rows(n: int, confidence: float, right: bool) -> tuple[np.ndarray, np.ndarray]:
    """n probability rows over three intents, top intent 0 at ``confidence``; the true intent
    is 0 when ``right``, else 1."""
    rest = (1 - confidence) / 2
    probabilities = np.tile([confidence, rest, rest], (n, 1))
    return probabilities, np.full(n, 0 if right else 1)


def test_each_language_gets_the_bar_its_own_held_out_predictions_certify():
    # "es": right at every confidence, so its bar goes down to its lowest score; "de": wrong
    # on a third of its low-confidence predictions, so its bar stays above them.
    es_low, es_low_y = rows(300, 0.6, right=True)
    es_high, es_high_y = rows(300, 0.95, right=True)
    de_low, _ = rows(300, 0.6, right=True)
    de_low_y = np.where(np.arange(300) % 3 == 0, 1, 0)
    de_high, de_high_y = rows(300, 0.95, right=True)
    certificates = language_thresholds(
        np.vstack([es_low, es_high, de_low, de_high]),
        np.concatenate([es_low_y, es_high_y, de_low_y, de_high_y]),
        ["es"] * 600 + ["de"] * 600,
        min_margin=0.3,
        alpha=0.03,
    )
    assert certificates["es"]["threshold"] == pytest.approx(0.6)
    assert certificates["de"]["threshold"] == pytest.approx(0.95)
    assert certificates["de"]["errors"] == 0


def test_a_language_with_too_few_examples_certifies_nothing():
    probabilities, targets = rows(20, 0.9, right=True)
    certificates = language_thresholds(probabilities, targets, ["nl"] * 20, min_margin=0.3)
    assert certificates["nl"]["threshold"] is None


def test_predictions_under_the_margin_rule_do_not_count():
    # Top two intents 0.45 / 0.40: the margin rule escalates them whatever the bar.
    probabilities = np.tile([0.45, 0.40, 0.15], (400, 1))
    certificates = language_thresholds(
        probabilities, np.zeros(400, dtype=int), ["fr"] * 400, min_margin=0.3
    )
    assert certificates["fr"]["threshold"] is None
    assert certificates["fr"]["n_calibration"] == 0


TRAIN = {
    "track_order": ["where is my order", "track my parcel", "when will my order arrive"],
    "cancel_order": ["cancel my order", "please cancel the order", "stop my order"],
}


def train(languages=None) -> IntentClassifier:
    texts = [t for examples in TRAIN.values() for t in examples] * 60
    labels = [label for label, examples in TRAIN.items() for _ in examples] * 60
    if languages is not None:
        languages = [languages[i % len(languages)] for i in range(len(texts))]
    return IntentClassifier.train(texts, labels, languages=languages)


def test_training_with_languages_stores_a_bar_per_language_that_survives_saving():
    model = IntentClassifier.from_bytes(train(["en", "es"]).to_bytes())
    assert set(model.info["language_thresholds"]) == {"en", "es"}
    assert model.language_threshold("es") is not None
    assert model.language_threshold("pt") is None


def test_training_without_languages_certifies_no_language():
    assert train().language_threshold("es") is None


def test_one_language_a_text_or_training_refuses():
    with pytest.raises(ValueError, match="languages"):
        IntentClassifier.train(["a b", "c d"], ["x", "y"], languages=["en"])


class FakeModel:
    def __init__(self, bars):
        self.bars = bars

    def language_threshold(self, language):
        return self.bars.get(language)


@pytest.mark.parametrize(
    ("language", "source", "expected", "expected_source"),
    [
        ("es", "fixed", 0.4, "language"),
        ("en", "fixed", 0.75, "fixed"),  # English keeps the bar it was tuned with
        (None, "fixed", 0.75, "fixed"),
        ("pt", "fixed", 0.75, "fixed"),  # nothing certified for Portuguese: the fixed bar
        ("es", "intent", 0.75, "intent"),  # an intent's own threshold stands
        ("es", "certified", 0.75, "certified"),  # so does the desk's certified policy
    ],
)
def test_the_language_bar_replaces_only_the_fixed_one(language, source, expected, expected_source):
    policy = IntentPolicy(0.75, threshold_source=source)
    result = language_policy(policy, FakeModel({"es": 0.4, "en": 0.5}), language)
    assert result.threshold == expected
    assert result.threshold_source == expected_source
