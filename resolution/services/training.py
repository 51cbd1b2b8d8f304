"""Train, evaluate and promote intent models."""

import logging
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from resolution.engine.evaluation import train_and_evaluate
from resolution.models import ModelVersion, TrainingExample

logger = logging.getLogger(__name__)

# A candidate may trail the active model's held-out macro-F1 by this much and still count as
# "not worse": two held-out estimates of the same quality differ by sampling noise.
PROMOTION_TOLERANCE = 0.01
MIN_EXAMPLES_PER_INTENT = 2


class TrainingError(Exception):
    pass


@dataclass(frozen=True)
class TrainResult:
    version: ModelVersion
    promoted: bool
    reason: str


def training_data() -> tuple[list[str], list[str]]:
    rows = TrainingExample.objects.filter(intent__active=True).values_list("text", "intent__slug")
    texts, labels = [], []
    for text, label in rows.iterator(chunk_size=5000):
        texts.append(text)
        labels.append(label)
    return texts, labels


def is_not_worse(candidate: dict, active: dict) -> bool:
    return candidate.get("macro_f1", 0.0) >= active.get("macro_f1", 0.0) - PROMOTION_TOLERANCE


def train_model(*, force: bool = False, seed: int = 0) -> TrainResult:
    """Train on every active intent's examples; promote only if not worse than the active model."""
    texts, labels = training_data()
    counts = Counter(labels)
    usable = {label for label, n in counts.items() if n >= MIN_EXAMPLES_PER_INTENT}
    if len(usable) < 2:
        raise TrainingError(
            "Need training examples for at least two intents "
            f"(at least {MIN_EXAMPLES_PER_INTENT} each); have {dict(counts)}."
        )
    pairs = [(t, lab) for t, lab in zip(texts, labels, strict=True) if lab in usable]
    texts, labels = [t for t, _ in pairs], [lab for _, lab in pairs]
    classifier, metrics = train_and_evaluate(
        texts, labels, threshold=settings.AUTO_RESOLVE_THRESHOLD, seed=seed
    )
    sources = Counter(
        TrainingExample.objects.filter(intent__active=True).values_list("source", flat=True)
    )
    with transaction.atomic():
        active = ModelVersion.objects.select_for_update().filter(is_active=True).first()
        number = (ModelVersion.objects.aggregate(n=Max("version"))["n"] or 0) + 1
        version = ModelVersion.objects.create(
            version=number,
            trained_on={"total": len(texts), "by_source": dict(sources), "by_intent": dict(counts)},
            metrics=metrics,
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
