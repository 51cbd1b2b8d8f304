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
# Abstentions (resolution.engine.abstain): the ticket is not a plain, single request for an
# intent's standard answer.
NO_CONTENT = "no_content"
PATH_FAILED = "path_failed"
NEGATED_INTENT = "negated_intent"
SEVERAL_REQUESTS = "several_requests"
OUT_OF_DISTRIBUTION = "out_of_distribution"
VIEWS_DISAGREE = "views_disagree"

# Every escalation reason the engine gives, plus the two the desk gives (ai_error when the
# engine fails, reopened when the customer says an answer did not help).
# Given by the desk before the engine sees the ticket: a voice note came without a transcript.
VOICE_NOT_TRANSCRIBED = "voice_not_transcribed"
# The ticket is in a language the desk does not serve (it is never answered in English instead).
UNSUPPORTED_LANGUAGE = "unsupported_language"
# An admin's rule sends this kind of ticket to a person.
RULE = "rule"

REASON_CODES = (
    LOW_CONFIDENCE,
    NO_ANSWER,
    SENSITIVE_INTENT,
    CUSTOMER_REQUESTED_HUMAN,
    AI_ERROR,
    REOPENED,
    LOW_MARGIN,
    KNOWLEDGE_CONFLICT,
    NOT_CERTIFIED,
    VOICE_NOT_TRANSCRIBED,
    AUTONOMY_OFF,
    DRAFT,
    NO_CONTENT,
    PATH_FAILED,
    NEGATED_INTENT,
    SEVERAL_REQUESTS,
    OUT_OF_DISTRIBUTION,
    VIEWS_DISAGREE,
    UNSUPPORTED_LANGUAGE,
    RULE,
)


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
class TextViews:
    """Other readings of a ticket from the classifier's own features.

    ``word_intent``/``char_intent``: the intent the word n-grams alone and the character
    n-grams alone would pick (None without TF-IDF features). ``nearest_similarity``: cosine
    (word TF-IDF) to the closest training example, ``nearest_intent`` that example's intent
    (None for models that keep no examples). ``known_words``/``unknown_words``: the ticket's
    single words inside and outside the model's vocabulary (which only holds words seen in
    training), so a ticket made of words the model never saw is not "close" to an example
    that shares its one known word.
    """

    word_intent: str | None = None
    char_intent: str | None = None
    nearest_similarity: float | None = None
    nearest_intent: str | None = None
    # The ticket's words the model's vocabulary does not hold (None: no word vocabulary).
    unknown_words: tuple[str, ...] | None = None
    known_words: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class KnowledgeItem:
    id: int
    question: str
    answer: str
    intent: str | None
    language: str = "en"  # an entry answers tickets in its own language only


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
