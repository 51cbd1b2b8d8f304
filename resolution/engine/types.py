"""Plain values that flow through the resolution engine.

Everything is a frozen dataclass: the engine takes these in and hands these out, so the
database side (``resolution.services``) can build and store them without the engine ever
touching a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

AnswerSource = Literal["knowledge", "template", "llm"]
Action = Literal["auto_resolve", "escalate"]

AUTO_RESOLVE: Action = "auto_resolve"
ESCALATE: Action = "escalate"

# Escalation reason codes; they match tickets.models.EscalationReason values.
LOW_CONFIDENCE = "low_confidence"
NO_ANSWER = "no_answer"
SENSITIVE_INTENT = "sensitive_intent"
CUSTOMER_REQUESTED_HUMAN = "customer_requested_human"
AI_ERROR = "ai_error"
REOPENED = "reopened"
LOW_MARGIN = "low_margin"
KNOWLEDGE_CONFLICT = "knowledge_conflict"
NOT_CERTIFIED = "not_certified"
# The intent's autonomy mode kept a would-be automatic answer from the customer.
AUTONOMY_OFF = "autonomy_off"
DRAFT = "draft"


@dataclass(frozen=True, slots=True)
class Prediction:
    """The classifier's verdict on one text.

    ``alternatives`` holds the top intents (at most three) with their probabilities, best
    first, so ``alternatives[0] == (intent, confidence)``.
    """

    intent: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...]

    @property
    def margin(self) -> float:
        """Top-1 minus top-2 probability (the top-1 probability when there is no runner-up)."""
        if len(self.alternatives) < 2:
            return self.confidence
        return self.alternatives[0][1] - self.alternatives[1][1]


@dataclass(frozen=True, slots=True)
class KnowledgeItem:
    id: int
    question: str
    answer: str
    intent: str | None


@dataclass(frozen=True, slots=True)
class Match:
    item: KnowledgeItem
    score: float


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    source: AnswerSource


@dataclass(frozen=True, slots=True)
class IntentPolicy:
    """The rules in force for one ticket's intent.

    ``threshold``: the confidence needed to auto-resolve; ``threshold_source`` says where it
    came from ("fixed": the global setting, "intent": the intent's override, "certified": the
    certified threshold of the active model). ``not_certified``: the desk asked for a certified
    threshold and none could be certified, so nothing auto-resolves. ``min_margin``: the top
    intent must beat the runner-up by at least this much. ``conflict_similarity``: a knowledge
    entry at least this similar that belongs to another intent escalates (None: rule off).
    """

    threshold: float
    always_escalate: bool = False
    min_margin: float = 0.0
    conflict_similarity: float | None = None
    not_certified: bool = False
    threshold_source: str = "fixed"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What to do with a ticket, and why.

    ``reason`` is empty when auto-resolving, else one of the escalation reason codes above.
    ``signals`` is JSON-serializable and records every input the decision weighed.
    """

    action: Action
    reason: str
    signals: dict[str, Any] = field(default_factory=dict)

    @property
    def auto_resolved(self) -> bool:
        return self.action == AUTO_RESOLVE
