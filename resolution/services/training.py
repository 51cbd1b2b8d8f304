"""Train, evaluate and promote intent models.

The held-out split always includes recent agent-labelled tickets: they are the freshest
evidence of what customers ask now, and the examples most likely to disagree with the starter
data. A share of the newest agent examples is held out first; the rest of the data is split
per intent as usual (resolution.engine.evaluation.split_holdout).
"""

import logging
import math
import random
import time
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from resolution.engine.classifier import IntentClassifier, TrainingConfig
from resolution.engine.classifier import stratified_sample as engine_stratified_sample
from resolution.engine.evaluation import Holdout, calibration_record, evaluate, split_holdout
from resolution.models import ExampleSource, ModelVersion, TrainingExample
from tickets.language import language_detect

logger = logging.getLogger(__name__)

# A candidate may trail the active model's held-out macro-F1 by this much and still count as
# "not worse": two held-out estimates of the same quality differ by sampling noise.
PROMOTION_TOLERANCE = 0.01
MIN_EXAMPLES_PER_INTENT = 2
HOLDOUT_FRACTION = 0.2
# Of the newest RECENT_AGENT_EXAMPLES agent examples, this share is always held out.
RECENT_AGENT_EXAMPLES = 500
AGENT_HOLDOUT_SHARE = 0.3
# The trial model, trained only to measure the held-out split, learns from at most this many
# examples (a stratified sample). On a large desk this halves `train`: the shipped model still
# learns from everything, and a trial on less data errs on the pessimistic side (lower held-out
# scores, a stricter certified threshold). 100k examples: ~2 x 60 s -> ~60 s + ~20 s.
TRIAL_MAX_EXAMPLES = 30_000


class TrainingError(Exception):
    pass


@dataclass(frozen=True)
class TrainResult:
    version: ModelVersion
    promoted: bool
    reason: str


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    recent_agent: bool  # among the newest RECENT_AGENT_EXAMPLES agent examples


def training_examples() -> list[Example]:
    recent = set(
        TrainingExample.objects.filter(intent__active=True, source=ExampleSource.AGENT)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)[:RECENT_AGENT_EXAMPLES]
    )
    rows = (
        TrainingExample.objects.filter(intent__active=True)
        .order_by("id")
        .values_list("id", "text", "intent__slug")
    )
    return [Example(text, label, pk in recent) for pk, text, label in rows.iterator(5000)]


def holdout_split(examples: list[Example], *, seed: int = 0) -> tuple[Holdout, int]:
    """A held-out split with AGENT_HOLDOUT_SHARE of the recent agent examples in it (at least
    one when there are any, and never an intent's last example left for training). Returns the
    split and how many agent examples it holds out."""
    per_label = Counter(e.label for e in examples)
    agent_rows = [i for i, e in enumerate(examples) if e.recent_agent]
    random.Random(seed).shuffle(agent_rows)
    wanted = math.ceil(len(agent_rows) * AGENT_HOLDOUT_SHARE)
    held: list[int] = []
    for i in agent_rows:
        if len(held) >= wanted:
            break
        label = examples[i].label
        if per_label[label] >= 2:  # the trial model must still know the intent
            per_label[label] -= 1
            held.append(i)
    held_set = set(held)
    rest = [e for i, e in enumerate(examples) if i not in held_set]
    split = split_holdout(
        [e.text for e in rest], [e.label for e in rest], fraction=HOLDOUT_FRACTION, seed=seed
    )
    return (
        Holdout(
            split.train_texts,
            split.train_labels,
            split.test_texts + [examples[i].text for i in held],
            split.test_labels + [examples[i].label for i in held],
        ),
        len(held),
    )


def example_languages(texts: list[str]) -> list[str]:
    """Each training example's language, read the way a ticket's is (tickets.language): the
    model certifies an auto-resolve threshold per language on them (engine.language_threshold).
    A text too short to tell counts as the desk's first language; its bar is not the one
    that matters, and leaving it out keeps the other languages' evidence like their tickets."""
    return [language_detect(text) for text in texts]


def training_config() -> TrainingConfig:
    """The engine settings this desk trains with (INTENT_FEATURIZER)."""
    return TrainingConfig(featurizer=settings.INTENT_FEATURIZER)


def stratified_sample(
    texts: list[str], labels: list[str], limit: int, *, seed: int = 0
) -> tuple[list[str], list[str]]:
    """About ``limit`` of the rows, every label keeping its share (and at least two rows)."""
    keep = engine_stratified_sample(labels, limit, seed=seed, min_per_label=2)
    return [texts[i] for i in keep], [labels[i] for i in keep]


def train_and_evaluate(
    examples: list[Example], *, seed: int = 0
) -> tuple[IntentClassifier, dict, dict]:
    """Measure a model trained without the held-out split, then ship one trained on all.

    Returns the shipped model, the held-out metrics, and the held-out split's calibration
    record (per example: confidence, correct, margin), from which the certified threshold is
    computed for any α (resolution/services/policy.py). The record is the trial model's, on
    data drawn like the training data: the shipped model learned from more and is, if
    anything, a little better on it.
    """
    split, n_agent = holdout_split(examples, seed=seed)
    started = time.perf_counter()
    config = training_config()
    trial_texts, trial_labels = stratified_sample(
        split.train_texts, split.train_labels, TRIAL_MAX_EXAMPLES, seed=seed
    )
    trial = IntentClassifier.train(trial_texts, trial_labels, seed=seed, config=config)
    predictions = trial.predict_many(split.test_texts)
    metrics = evaluate(
        predictions,
        split.test_labels,
        threshold=settings.AUTO_RESOLVE_THRESHOLD,
        known_labels=trial.labels,
    )
    calibration = calibration_record(predictions, split.test_labels, known_labels=trial.labels)
    metrics["holdout_train_seconds"] = round(time.perf_counter() - started, 3)
    metrics["n_train"] = len(trial_texts)
    metrics["n_test"] = len(split.test_texts)
    metrics["n_test_agent"] = n_agent
    texts = [e.text for e in examples]
    final = IntentClassifier.train(
        texts,
        [e.label for e in examples],
        seed=seed,
        config=config,
        languages=example_languages(texts),
    )
    return final, metrics, calibration


def is_not_worse(candidate: dict, active: dict) -> bool:
    return candidate.get("macro_f1", 0.0) >= active.get("macro_f1", 0.0) - PROMOTION_TOLERANCE


def train_model(*, force: bool = False, seed: int = 0) -> TrainResult:
    """Train on every active intent's examples; promote only if not worse than the active model."""
    examples = training_examples()
    counts = Counter(e.label for e in examples)
    usable = {label for label, n in counts.items() if n >= MIN_EXAMPLES_PER_INTENT}
    if len(usable) < 2:
        raise TrainingError(
            "Need training examples for at least two intents "
            f"(at least {MIN_EXAMPLES_PER_INTENT} each); have {dict(counts)}."
        )
    examples = [e for e in examples if e.label in usable]
    classifier, metrics, calibration = train_and_evaluate(examples, seed=seed)
    sources = Counter(
        TrainingExample.objects.filter(intent__active=True).values_list("source", flat=True)
    )
    with transaction.atomic():
        active = ModelVersion.objects.select_for_update().filter(is_active=True).first()
        number = (ModelVersion.objects.aggregate(n=Max("version"))["n"] or 0) + 1
        version = ModelVersion.objects.create(
            version=number,
            trained_on={
                "total": len(examples),
                "by_source": dict(sources),
                "by_intent": dict(counts),
            },
            metrics=metrics,
            calibration=calibration,
            artifact=classifier.to_bytes(),
        )
        if active is None:
            promoted, reason = True, "first model"
        elif force:
            promoted, reason = True, "forced"
        elif is_not_worse(metrics, active.metrics):
            promoted, reason = True, f"not worse than v{active.version}"
        else:
            promoted, reason = (
                False,
                f"held-out macro-F1 {metrics.get('macro_f1', 0):.3f} is worse than "
                f"v{active.version}'s {active.metrics.get('macro_f1', 0):.3f}",
            )
        if promoted:
            promote(version)
    logger.info("Trained model v%s: %s (%s)", number, "promoted" if promoted else "kept", reason)
    return TrainResult(version=version, promoted=promoted, reason=reason)


@transaction.atomic
def promote(version: ModelVersion) -> None:
    """Make `version` the one every process serves (they notice within MODEL_RELOAD_SECONDS)."""
    ModelVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
    ModelVersion.objects.filter(pk=version.pk).update(is_active=True)
    version.is_active = True
