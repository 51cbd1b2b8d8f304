"""The decision policy in force, cached per process like the model.

Admins choose the mode (fixed threshold or certified), α, δ, the minimum margin and the
knowledge-agreement check on the DecisionPolicy row (Django admin, or the metrics page). In
certified mode the auto-resolve threshold is the one `resolution.engine.risk` certifies on the
active model's held-out split (ModelVersion.calibration): computed here, not at training time,
so a new α applies without retraining. Every process re-reads the row and the active model at
most every MODEL_RELOAD_SECONDS, and recomputes the certificate only when either changed.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from resolution.engine.risk import CertifiedThreshold, certify_threshold
from resolution.engine.types import IntentPolicy
from resolution.models import DecisionPolicy, ModelVersion, ThresholdMode

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActivePolicy:
    """The policy row's values, and the certificate of the active model in certified mode.

    ``certificate`` is None in fixed mode; in certified mode it is always set, with
    ``certificate.threshold`` None when nothing could be certified (never auto-resolve).
    """

    mode: str
    alpha: float
    delta: float
    min_margin: float
    knowledge_agreement: bool
    model_version_id: int | None
    certificate: CertifiedThreshold | None
    earned_autonomy: bool = False

    @property
    def certified_mode(self) -> bool:
        return self.mode == ThresholdMode.CERTIFIED

    def for_intent(
        self, *, threshold_override: float | None = None, always_escalate: bool = False
    ) -> IntentPolicy:
        """The rules for one intent: its own threshold still applies when it is stricter."""
        common = {
            "always_escalate": always_escalate,
            "min_margin": self.min_margin,
            "conflict_similarity": (
                settings.SIMILARITY_THRESHOLD if self.knowledge_agreement else None
            ),
        }
        if not self.certified_mode:
            if threshold_override is not None:
                return IntentPolicy(threshold_override, threshold_source="intent", **common)
            return IntentPolicy(settings.AUTO_RESOLVE_THRESHOLD, **common)
        certified = self.certificate.threshold if self.certificate else None
        if certified is None:
            # Nothing certifiable: every ticket escalates. The threshold shown is the bar
            # the ticket would have faced in fixed mode.
            fallback = (
                threshold_override
                if threshold_override is not None
                else settings.AUTO_RESOLVE_THRESHOLD
            )
            return IntentPolicy(
                fallback, not_certified=True, threshold_source="certified", **common
            )
        if threshold_override is not None and threshold_override > certified:
            return IntentPolicy(threshold_override, threshold_source="intent", **common)
        return IntentPolicy(certified, threshold_source="certified", **common)

    def signals(self) -> dict:
        """What the Decision audit records about the policy."""
        cert = self.certificate
        return {
            "mode": self.mode,
            "alpha": self.alpha if self.certified_mode else None,
            "delta": self.delta if self.certified_mode else None,
            "certified_threshold": cert.threshold if cert else None,
            "certified_n": cert.n_calibration if cert else None,
            "certified_for_model": self.model_version_id if cert else None,
            "earned_autonomy": self.earned_autonomy,
        }


def certify_calibration(
    calibration: dict, *, alpha: float, delta: float, min_margin: float = 0.0
) -> CertifiedThreshold:
    """Certify a threshold on a stored calibration record ({confidence, correct, margin}).

    Only examples the margin rule lets through can be auto-resolved, so only they count. An
    empty or missing record certifies nothing.
    """
    confidence = calibration.get("confidence") or []
    correct = calibration.get("correct") or []
    margin = calibration.get("margin") or []
    eligible = None
    if min_margin > 0 and len(margin) == len(confidence):
        eligible = [m >= min_margin for m in margin]
    return certify_threshold(confidence, correct, alpha=alpha, delta=delta, eligible=eligible)


def _policy_values() -> dict:
    row = DecisionPolicy.objects.filter(pk=1).values().first()
    if row is None:  # never saved: the model's defaults
        defaults = DecisionPolicy()
        row = {
            field.attname: getattr(defaults, field.attname)
            for field in DecisionPolicy._meta.concrete_fields
        }
    return row


class _PolicyCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._policy: ActivePolicy | None = None
        self._key: tuple | None = None
        self._checked = 0.0

    def clear(self) -> None:
        with self._lock:
            self._policy, self._key, self._checked = None, None, 0.0

    def current(self, model_version_id: int | None = None) -> ActivePolicy:
        """The policy in force; ``model_version_id`` is the model that classified the ticket
        (its certificate is used even if another was promoted since the last check)."""
        now = time.monotonic()
        with self._lock:
            stale = now - self._checked >= settings.MODEL_RELOAD_SECONDS
            other_model = (
                model_version_id is not None
                and self._policy is not None
                and self._policy.model_version_id != model_version_id
            )
            if self._policy is None or stale or other_model:
                self._checked = now
                self._policy, self._key = self._load(model_version_id)
            return self._policy

    def _load(self, model_version_id: int | None) -> tuple[ActivePolicy, tuple]:
        row = _policy_values()
        versions = ModelVersion.objects.order_by()
        version = (
            (
                versions.filter(pk=model_version_id)
                if model_version_id is not None
                else versions.filter(is_active=True)
            )
            .values("id", "created_at")
            .first()
        )
        version_id = version["id"] if version else None
        key = (
            row["mode"],
            row["alpha"],
            row["delta"],
            row["min_margin"],
            row["knowledge_agreement"],
            row.get("earned_autonomy", False),
            row.get("updated_at"),
            version_id,
            version["created_at"] if version else None,
        )
        if key == self._key and self._policy is not None:
            return self._policy, key
        certificate = None
        if row["mode"] == ThresholdMode.CERTIFIED:
            calibration = (
                ModelVersion.objects.values_list("calibration", flat=True).get(pk=version_id)
                if version_id is not None
                else {}
            )
            certificate = certify_calibration(
                calibration or {},
                alpha=row["alpha"],
                delta=row["delta"],
                min_margin=row["min_margin"],
            )
            logger.info(
                "Certified threshold for model %s at alpha=%s delta=%s: %s",
                version_id,
                row["alpha"],
                row["delta"],
                certificate.threshold if certificate.certified else "none (escalate all)",
            )
        policy = ActivePolicy(
            mode=row["mode"],
            alpha=row["alpha"],
            delta=row["delta"],
            min_margin=row["min_margin"],
            knowledge_agreement=row["knowledge_agreement"],
            model_version_id=version_id,
            certificate=certificate,
            earned_autonomy=row.get("earned_autonomy", False),
        )
        return policy, key


policy_cache = _PolicyCache()


def current_policy(model_version_id: int | None = None) -> ActivePolicy:
    return policy_cache.current(model_version_id)


def active_certificate(policy: DecisionPolicy) -> tuple[ModelVersion | None, CertifiedThreshold]:
    """The certificate the active model gets under ``policy``'s α, δ and margin, whatever the
    mode (for the admin and the metrics page to show before switching)."""
    version = (
        ModelVersion.objects.filter(is_active=True).only("id", "version", "calibration").first()
    )
    certificate = certify_calibration(
        version.calibration if version else {},
        alpha=policy.alpha,
        delta=policy.delta,
        min_margin=policy.min_margin,
    )
    return version, certificate


def describe_certificate(policy: DecisionPolicy) -> str:
    """One line for people: the threshold, or why there is none."""
    version, certificate = active_certificate(policy)
    if version is None:
        return "No active model."
    if not version.calibration:
        return f"Model v{version.version} has no calibration record: retrain it to certify."
    if not certificate.certified:
        return f"None for model v{version.version}: never auto-resolve ({certificate.reason})."
    return (
        f"{certificate.threshold:.3f} for model v{version.version}: {certificate.errors} wrong "
        f"of {certificate.n_auto} held-out examples above it (of {certificate.n_calibration})."
    )
