"""What a decision-policy change would do, before it is saved.

The candidate policy is replayed on the desk's recent decisions: each one's stored prediction
(intent, confidence, top alternatives), answer source and nearest knowledge entry go through the
engine's own `decide` and the autonomy modes again, under the candidate's threshold mode, α, δ,
margin, knowledge-agreement check and earned-autonomy switch. Checks the policy does not govern
(a request for a person, no real content, …) are kept as they fired. The result says how many of
those tickets the candidate would answer alone, per intent, and whether it answers none: a policy
that silently switches the desk off (e.g. "certified" with an α the starter model cannot
certify) must be confirmed by the admin.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from resolution.engine.autonomy import apply_autonomy, effective_mode
from resolution.engine.decision import CHECKS, decide
from resolution.engine.risk import CertifiedThreshold
from resolution.engine.types import Answer, KnowledgeItem, Match, Prediction
from resolution.models import Decision, DecisionAction, Intent, ModelVersion, ThresholdMode
from resolution.services.policy import ActivePolicy, certify_calibration

# The recent decisions replayed: at most this many, from at most this many days back.
PREVIEW_DECISIONS = 1000
PREVIEW_DAYS = 30


@dataclass
class IntentPreview:
    intent: str
    name: str
    tickets: int = 0
    answered_now: int = 0
    would_answer: int = 0

    @property
    def share_now(self) -> float | None:
        return self.answered_now / self.tickets if self.tickets else None

    @property
    def share_after(self) -> float | None:
        return self.would_answer / self.tickets if self.tickets else None


@dataclass
class PolicyPreview:
    tickets: int
    answered_now: int
    would_answer: int
    certified_mode: bool
    certificate: CertifiedThreshold | None
    intents: list[IntentPreview] = field(default_factory=list)
    # Intents the candidate lets answer alone at all (autonomy mode auto under it).
    intents_in_auto: int = 0

    @property
    def share_now(self) -> float | None:
        return self.answered_now / self.tickets if self.tickets else None

    @property
    def share_after(self) -> float | None:
        return self.would_answer / self.tickets if self.tickets else None

    @property
    def answers_none(self) -> bool:
        """The candidate would answer no ticket by itself: nothing certifiable, no intent
        allowed to answer, or none of the recent tickets answered."""
        if self.certified_mode and (self.certificate is None or not self.certificate.certified):
            return True
        if self.intents_in_auto == 0:
            return True
        return self.tickets > 0 and self.would_answer == 0

    def to_dict(self) -> dict:
        return {
            "tickets": self.tickets,
            "answered_now": self.answered_now,
            "would_answer": self.would_answer,
            "answers_none": self.answers_none,
            "intents": [
                {
                    "intent": row.intent,
                    "tickets": row.tickets,
                    "answered_now": row.answered_now,
                    "would_answer": row.would_answer,
                }
                for row in self.intents
            ],
        }


def _candidate(values: dict) -> ActivePolicy:
    certificate = None
    version = ModelVersion.objects.filter(is_active=True).only("id", "calibration").first()
    if values["mode"] == ThresholdMode.CERTIFIED:
        certificate = certify_calibration(
            (version.calibration if version else None) or {},
            alpha=values["alpha"],
            delta=values["delta"],
            min_margin=values["min_margin"],
        )
    return ActivePolicy(
        mode=values["mode"],
        alpha=values["alpha"],
        delta=values["delta"],
        min_margin=values["min_margin"],
        knowledge_agreement=values["knowledge_agreement"],
        model_version_id=version.id if version else None,
        certificate=certificate,
        earned_autonomy=values.get("earned_autonomy", False),
    )


def _would_answer(row: dict, candidate: ActivePolicy, intent: Intent | None) -> bool:
    signals = row["signals"] or {}
    fired = set(signals.get("fired") or [])
    # A check outside the policy's reach that fired then fires again (engine checks added
    # later included); the policy's own checks are recomputed by `decide` below.
    if fired - set(CHECKS) or intent is None:
        return False
    alternatives = tuple(
        (str(pair[0]), float(pair[1])) for pair in row["alternatives"] or [] if len(pair) == 2
    ) or ((row["predicted_intent"], row["confidence"]),)
    prediction = Prediction(row["predicted_intent"], row["confidence"], alternatives)
    nearest = None
    if signals.get("nearest_score") is not None:
        item = KnowledgeItem(signals.get("nearest_id") or 0, "", "", signals.get("nearest_intent"))
        nearest = Match(item, float(signals["nearest_score"]))
    outcome = decide(
        prediction=prediction,
        policy=candidate.for_intent(
            threshold_override=intent.threshold_override, always_escalate=intent.always_escalate
        ),
        answer=Answer("", row["answer_source"]) if row["answer_source"] else None,
        match=None,
        nearest=nearest,
        customer_requested_human=bool(signals.get("customer_requested_human")),
    )
    mode = effective_mode(intent.autonomy, earned_autonomy=candidate.earned_autonomy)
    return apply_autonomy(outcome, mode=mode).auto_resolved


def policy_preview(values: dict) -> PolicyPreview:
    """Replay the candidate policy ``values`` (the DecisionPolicy fields) on recent decisions."""
    candidate = _candidate(values)
    intents = {intent.slug: intent for intent in Intent.objects.filter(active=True)}
    since = timezone.now() - timedelta(days=PREVIEW_DAYS)
    rows = (
        Decision.objects.filter(created_at__gte=since, confidence__isnull=False)
        .exclude(predicted_intent="")
        .order_by("-created_at")
        .values(
            "predicted_intent", "confidence", "alternatives", "action", "answer_source", "signals"
        )[:PREVIEW_DECISIONS]
    )
    per_intent: dict[str, IntentPreview] = defaultdict(lambda: IntentPreview("", ""))
    for row in rows:
        slug = row["predicted_intent"]
        preview = per_intent[slug]
        if not preview.intent:
            preview.intent = slug
            preview.name = intents[slug].name if slug in intents else slug
        preview.tickets += 1
        preview.answered_now += row["action"] == DecisionAction.AUTO_RESOLVE
        preview.would_answer += _would_answer(row, candidate, intents.get(slug))
    listed = sorted(per_intent.values(), key=lambda p: (-p.tickets, p.intent))
    in_auto = sum(
        effective_mode(intent.autonomy, earned_autonomy=candidate.earned_autonomy) == "auto"
        and not intent.always_escalate
        for intent in intents.values()
    )
    return PolicyPreview(
        tickets=sum(p.tickets for p in listed),
        answered_now=sum(p.answered_now for p in listed),
        would_answer=sum(p.would_answer for p in listed),
        certified_mode=candidate.certified_mode,
        certificate=candidate.certificate,
        intents=listed,
        intents_in_auto=in_auto,
    )


def preview_threshold_note(preview: PolicyPreview) -> str:
    """One line for the admin about the candidate's threshold."""
    if not preview.certified_mode:
        return f"Fixed threshold {settings.AUTO_RESOLVE_THRESHOLD:.2f}."
    cert = preview.certificate
    if cert is None or not cert.certified:
        reason = cert.reason if cert and cert.reason else "no calibration record"
        return f"No certified threshold: never auto-resolve ({reason})."
    return f"Certified threshold {cert.threshold:.3f}."
