"""The whole decision for one ticket: classify, look up knowledge, answer, abstain, decide.

One function for the live pipeline (resolution.services.pipeline) and for `manage.py
evaluate`, so an offline figure is the product's figure. The caller hands in what lives in
the database (the model, the knowledge index, the policy and template of an intent, how an
answer is written); nothing here touches it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .abstain import DEFAULT_CONFIG, AbstainConfig, assess_text, content_words
from .classifier import IntentClassifier
from .decision import decide, wants_human
from .similarity import SimilarityIndex
from .types import NEGATED_INTENT, Answer, IntentPolicy, Match, Outcome, Prediction, TextViews

PolicyFor = Callable[[str], tuple[IntentPolicy, str | None]]
AnswerFor = Callable[[str, Match | None, str | None], Answer | None]


@dataclass
class Assessment:
    """What the engine worked out, filled as it goes so a failure keeps what came before."""

    prediction: Prediction | None = None
    views: TextViews | None = None
    similar: list[Match] = field(default_factory=list)
    match: Match | None = None
    policy: IntentPolicy | None = None
    answer: Answer | None = None
    abstain: dict[str, Any] = field(default_factory=dict)
    outcome: Outcome | None = None
    # When a negation picked the intent and the ticket was decided again on what the
    # customer does want: the first reading and what the decision made of it.
    first_prediction: Prediction | None = None
    first_outcome: Outcome | None = None

    @property
    def nearest(self) -> Match | None:
        return self.similar[0] if self.similar else None


def assess(
    assessment: Assessment,
    *,
    text: str,
    message: str,
    classifier: IntentClassifier,
    index: SimilarityIndex | None,
    policy_for: PolicyFor,
    answer_for: AnswerFor,
    similarity_threshold: float,
    config: AbstainConfig = DEFAULT_CONFIG,
    _negated: list | None = None,
) -> Outcome:
    """Decide one ticket. ``text`` is what the model reads (subject and message), ``message``
    the customer's own words (checked for a request for a person). ``policy_for(intent)``
    gives the intent's rules and template; ``answer_for(intent, match, template)`` the answer.

    When the intent was picked by what the customer does not want ("I do NOT want to cancel,
    I just want to know when it arrives"), the ticket is decided again on what they do want
    (the text without the negated phrases), through every check; the signals keep both.
    """
    ((prediction, views),) = classifier.inspect_many([text])
    assessment.prediction, assessment.views = prediction, views
    assessment.similar = index.search(text, k=3) if index is not None else []
    assessment.match = None
    best = assessment.nearest
    # A knowledge answer about another intent would answer the wrong question.
    if (
        best is not None
        and best.score >= similarity_threshold
        and best.item.intent in (None, prediction.intent)
    ):
        assessment.match = best
    assessment.policy, template = policy_for(prediction.intent)
    assessment.answer = answer_for(prediction.intent, assessment.match, template)
    fired, detail = assess_text(
        text,
        prediction=prediction,
        views=views,
        classify=classifier.predict_many,
        profile=classifier.info.get("text_profile"),
        exemplar_quantiles=classifier.info.get("exemplar_similarity_quantiles"),
        config=config,
    )
    if _negated is not None:
        detail["reclassified_from"] = _negated
    assessment.abstain = detail
    assessment.outcome = decide(
        prediction=prediction,
        policy=assessment.policy,
        answer=assessment.answer,
        match=assessment.match,
        nearest=assessment.nearest,
        customer_requested_human=wants_human(message),
        abstentions=fired,
        abstain_detail=detail,
    )
    wanted = detail.get("wanted", "")
    if fired.get(NEGATED_INTENT) and _negated is None and len(content_words(wanted)) >= 2:
        assessment.first_prediction, assessment.first_outcome = prediction, assessment.outcome
        return assess(
            assessment,
            text=wanted,
            message=message,
            classifier=classifier,
            index=index,
            policy_for=policy_for,
            answer_for=answer_for,
            similarity_threshold=similarity_threshold,
            config=config,
            _negated=[prediction.intent, round(prediction.confidence, 4), detail["negated"]],
        )
    return assessment.outcome
