"""The whole decision for one ticket: classify, look up knowledge, answer, abstain, decide.

One function for the live pipeline (resolution.services.pipeline) and for `manage.py
evaluate`, so an offline figure is the product's figure. The caller hands in what lives in
the database (the model, the knowledge index, the policy and template of an intent, how an
answer is written); nothing here touches it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .abstain import DEFAULT_CONFIG, AbstainConfig, assess_text, content_words
from .classifier import IntentClassifier
from .decision import decide, wants_human
from .knowledge import DirectRule, direct_match, in_language, usable_match
from .similarity import SimilarityIndex
from .types import NEGATED_INTENT, Answer, IntentPolicy, Match, Outcome, Prediction, TextViews

# The language the fixed threshold and the abstention thresholds were tuned on.
BASE_LANGUAGE = "en"

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
    # A reviewed entry answers by itself (knowledge.direct_match), and why (or why not).
    direct: bool = False
    direct_signals: dict[str, Any] = field(default_factory=dict)

    @property
    def nearest(self) -> Match | None:
        return self.similar[0] if self.similar else None

    @property
    def intent(self) -> str | None:
        """The ticket's intent: the directly answering entry's, else the classifier's."""
        if self.direct and self.match is not None and self.match.item.intent:
            return self.match.item.intent
        return self.prediction.intent if self.prediction else None


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
    direct_rule: DirectRule | None = None,
    language: str | None = None,
    _negated: list | None = None,
) -> Outcome:
    """Decide one ticket. ``text`` is what the model reads (subject and message), ``message``
    the customer's own words (checked for a request for a person). ``policy_for(intent)``
    gives the intent's rules and template; ``answer_for(intent, match, template)`` the answer.

    When the intent was picked by what the customer does not want ("I do NOT want to cancel,
    I just want to know when it arrives"), the ticket is decided again on what they do want
    (the text without the negated phrases), through every check; the signals keep both.

    With ``direct_rule``, a reviewed entry near-identical to the ticket may answer by itself,
    even about an intent the classifier does not know (knowledge.direct_match).

    ``language``: the ticket's; only knowledge entries written in it may answer, and the
    threshold certified for it at training time replaces the fixed one (:func:`language_policy`).
    """
    ((prediction, views),) = classifier.inspect_many([text])
    assessment.prediction, assessment.views = prediction, views
    assessment.similar = index.search(text, k=3) if index is not None else []
    assessment.match = usable_match(
        assessment.similar,
        intent=prediction.intent,
        min_score=similarity_threshold,
        language=language,
    )
    policy, template = policy_for(prediction.intent)
    assessment.policy = language_policy(policy, classifier, language)
    assessment.direct, assessment.direct_signals = False, {}
    if direct_rule is not None and assessment.similar and index is not None:
        template = _answer_directly(
            assessment, text, index, direct_rule, policy_for, template, language
        )
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
        direct=assessment.direct,
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
            direct_rule=direct_rule,
            language=language,
            _negated=[prediction.intent, round(prediction.confidence, 4), detail["negated"]],
        )
    return assessment.outcome


def language_policy(
    policy: IntentPolicy, classifier: IntentClassifier, language: str | None
) -> IntentPolicy:
    """The desk's fixed threshold gives way to the one certified for the ticket's language at
    training time (engine.language_threshold), for languages other than English: English
    keeps the bar it was tuned and certified with (issue 7). An intent's own threshold and a
    certified desk policy stand as they are; a language with no certificate keeps the fixed bar.
    """
    if not language or language == BASE_LANGUAGE or policy.threshold_source != "fixed":
        return policy
    threshold = classifier.language_threshold(language)
    if threshold is None:
        return policy
    return replace(policy, threshold=threshold, threshold_source="language")


def _answer_directly(
    assessment: Assessment,
    text: str,
    index: SimilarityIndex,
    rule: DirectRule,
    policy_for: PolicyFor,
    template: Any,
    language: str | None = None,
) -> Any:
    """Let a reviewed entry answer by itself when the direct-answer checks agree: it then brings
    its intent's rules (the predicted intent's always-escalate still holds) and no template is
    used. Returns the template(s) to answer with."""
    candidates = in_language(assessment.similar, language)
    if not candidates:
        return template
    best = candidates[0]
    # The views cost a second look at one entry: only when the score could qualify.
    views = index.view_scores(text, best.item.id) if best.score >= rule.min_score else {}
    match, assessment.direct_signals = direct_match(
        assessment.similar,
        views=views,
        prediction=assessment.prediction,
        threshold=assessment.policy.threshold,
        rule=rule,
        language=language,
    )
    if match is None:
        return template
    assessment.direct, assessment.match = True, match
    if match.item.intent and match.item.intent != assessment.prediction.intent:
        policy, _ = policy_for(match.item.intent)
        assessment.policy = replace(
            policy, always_escalate=policy.always_escalate or assessment.policy.always_escalate
        )
    return None
