"""The auto-resolve-or-escalate rule: a pure function over the pipeline's findings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from . import cues
from .types import (
    AUTO_RESOLVE,
    CUSTOMER_REQUESTED_HUMAN,
    ESCALATE,
    KNOWLEDGE_CONFLICT,
    LOW_CONFIDENCE,
    LOW_MARGIN,
    NEGATED_INTENT,
    NO_ANSWER,
    NO_CONTENT,
    NOT_CERTIFIED,
    OUT_OF_DISTRIBUTION,
    PATH_FAILED,
    SENSITIVE_INTENT,
    SEVERAL_REQUESTS,
    VIEWS_DISAGREE,
    Answer,
    IntentPolicy,
    Match,
    Outcome,
    Prediction,
)

# The intent for "let me talk to a person": escalating it is the customer's own request.
HUMAN_AGENT_INTENT = "contact_human_agent"

# Escalate when the top two intents are closer than this (DecisionPolicy.min_margin's
# default). Tuned on training data only (bench/tune_margin.py: validation splits of the starter
# data, Bitext 20k and BANKING77 train; the margin with the highest mean coverage under a
# certified α = 0.05). Above the fixed 0.75 threshold the margin is always ≥ 0.5, so the rule
# only bites under a lower (certified) threshold. See docs/BENCHMARKS.md, "Certified threshold".
DEFAULT_MIN_MARGIN = 0.3

# The checks, in the order they are tried; each is also the escalation reason it gives, except
# always_escalate (sensitive intent, or the customer's request for the human-agent intent).
# The abstentions (resolution.engine.abstain) that say the intent itself is unreliable come
# before the intent's own rules: "hello??" read as the human-agent intent, or a Spanish ticket
# read as a sensitive one, is reported as no_content / out_of_distribution, not as a request
# for a person. The checks that read the text come before the confidence ("the reset e-mail
# never arrives" is the reason whatever the confidence); the views after it and the margin.
ABSTENTIONS = (
    NO_CONTENT,
    PATH_FAILED,
    NEGATED_INTENT,
    SEVERAL_REQUESTS,
    OUT_OF_DISTRIBUTION,
    VIEWS_DISAGREE,
)
CHECKS = (
    "customer_requested_human",
    NO_CONTENT,
    OUT_OF_DISTRIBUTION,
    "always_escalate",
    NOT_CERTIFIED,
    PATH_FAILED,
    NEGATED_INTENT,
    SEVERAL_REQUESTS,
    LOW_CONFIDENCE,
    LOW_MARGIN,
    VIEWS_DISAGREE,
    KNOWLEDGE_CONFLICT,
    NO_ANSWER,
)

# Waived when a reviewed knowledge entry answers directly (engine.knowledge.direct_match): the
# entry stands in for the classifier, whose confidence says nothing about an intent it does not
# know (so are its out-of-distribution and disagreeing-views checks). The customer's request,
# the intent's always-escalate, the desk's certification, a missing answer and the checks on
# the message itself (no content, a failed path, negation, several requests) still count.
CLASSIFIER_CHECKS = frozenset(
    {LOW_CONFIDENCE, LOW_MARGIN, KNOWLEDGE_CONFLICT, OUT_OF_DISTRIBUTION, VIEWS_DISAGREE}
)


def knowledge_conflict(prediction: Prediction, nearest: Match | None, similarity: float) -> bool:
    """A knowledge entry close to the ticket belongs to another intent than the classifier's."""
    return (
        nearest is not None
        and nearest.score >= similarity
        and nearest.item.intent is not None
        and nearest.item.intent != prediction.intent
    )


def decide(
    *,
    prediction: Prediction,
    policy: IntentPolicy,
    answer: Answer | None,
    match: Match | None,
    nearest: Match | None = None,
    customer_requested_human: bool = False,
    abstentions: Mapping[str, bool] | None = None,
    abstain_detail: dict[str, Any] | None = None,
    direct: bool = False,
) -> Outcome:
    """Auto-resolve only a confident, unambiguous, answerable, non-sensitive ticket; say why
    otherwise.

    Every check is evaluated and the ones that fire are listed, in order, in
    ``signals["fired"]``; the first decides the reason: the customer asked for a person; the
    intent always escalates; the desk wants a certified threshold and there is none; confidence
    is below the threshold (a confidence exactly at the threshold passes); the top two intents
    are closer than ``policy.min_margin``; a strong knowledge match (``nearest``, score at least
    ``policy.conflict_similarity``) is about another intent; there is no answer.
    ``match`` is the knowledge entry the answer may come from, ``nearest`` the most similar one
    whatever its intent. ``abstentions`` says which of the abstention checks fired
    (:func:`resolution.engine.abstain.assess_text`), ``abstain_detail`` what they saw.
    ``direct``: ``match`` answers by itself (CLASSIFIER_CHECKS waived).
    """
    abstentions = abstentions or {}
    unknown = set(abstentions) - set(ABSTENTIONS)
    if unknown:
        raise ValueError(f"unknown abstention checks: {sorted(unknown)}")
    margin = float(prediction.margin)
    conflict = policy.conflict_similarity is not None and knowledge_conflict(
        prediction, nearest, policy.conflict_similarity
    )
    checks = {
        "customer_requested_human": customer_requested_human,
        "always_escalate": policy.always_escalate,
        NOT_CERTIFIED: policy.not_certified,
        LOW_CONFIDENCE: prediction.confidence < policy.threshold,
        LOW_MARGIN: margin < policy.min_margin,
        KNOWLEDGE_CONFLICT: conflict,
        NO_ANSWER: answer is None,
        **{name: bool(abstentions.get(name, False)) for name in ABSTENTIONS},
    }
    waived = [name for name in CHECKS if checks[name] and direct and name in CLASSIFIER_CHECKS]
    fired = [name for name in CHECKS if checks[name] and name not in waived]
    signals: dict = {
        "intent": prediction.intent,
        "confidence": float(prediction.confidence),
        "threshold": float(policy.threshold),
        "threshold_source": policy.threshold_source,
        "margin": margin,
        "min_margin": float(policy.min_margin),
        "alternatives": [[intent, float(p)] for intent, p in prediction.alternatives],
        "always_escalate": bool(policy.always_escalate),
        "customer_requested_human": bool(customer_requested_human),
        "match_id": match.item.id if match else None,
        "match_score": float(match.score) if match else None,
        "match_intent": match.item.intent if match else None,
        # None when there is no match or the entry has no intent: nothing to agree with.
        "match_agrees": (
            match.item.intent == prediction.intent if match and match.item.intent else None
        ),
        "nearest_id": nearest.item.id if nearest else None,
        "nearest_score": float(nearest.score) if nearest else None,
        "nearest_intent": nearest.item.intent if nearest else None,
        "answer_source": answer.source if answer else None,
        "fired": fired,
        "direct": bool(direct),
        "waived": waived,
    }
    if abstain_detail is not None:
        signals["abstain"] = abstain_detail

    if not fired:
        action, reason = AUTO_RESOLVE, ""
    elif fired[0] == "always_escalate":
        action = ESCALATE
        reason = (
            CUSTOMER_REQUESTED_HUMAN
            if prediction.intent == HUMAN_AGENT_INTENT
            else SENSITIVE_INTENT
        )
    else:
        action, reason = ESCALATE, fired[0]
    signals["rule"] = reason or AUTO_RESOLVE
    return Outcome(action=action, reason=reason, signals=signals)


# Explicit requests for a person. Conservative on purpose: a false positive only costs an
# agent's time, but "the representative was rude" is a complaint, not a request, so a bare
# noun is not enough; it needs a verb of asking, or to be the whole message.
_PERSON = (
    r"(?:a |an |the |some |your |one of your )?"
    r"(?:real |live |actual |human |customer (?:service |support )?|support |service )?"
    r"(?:human(?: being)?|person|people|agent|representative|rep|operator|somebody|someone"
    r"|employee|staff(?: member)?|advisor|adviser)"
)
_ASK = re.compile(
    r"\b(?:speak|talk|chat|get through|be put through)\s+(?:directly\s+)?(?:to|with)\s+"
    + _PERSON
    + r"\b"
    r"|\b(?:connect|transfer|put|pass|escalate)\s+(?:me|this|it)\s+(?:through\s+|over\s+)?"
    r"(?:to|with)\s+" + _PERSON + r"\b"
    r"|\b(?:want|need|like|give me|get me|request|requesting)\s+(?:to have\s+)?"
    r"(?:a |an |the |some |your )?(?:real |live |actual )?"
    r"(?:human(?: being| agent)?|real person|live (?:agent|person)|representative|operator)\b"
    r"|\b(?:real|actual|live) (?:human|person)\b"
    r"|\bhuman (?:agent|being|support|representative)\b"
    r"|\blive agent\b" + "|" + cues.pattern("ASK_PERSON"),
    re.IGNORECASE,
)
_WHOLE_MESSAGE = re.compile(
    r"^\W*(?:(?:an? |the )?(?:human|agent|representative|operator|person)(?: please)?"
    r"|(?:please )?(?:an? )?(?:human|agent|representative|operator)"
    r"|" + cues.pattern("ASK_PERSON_WHOLE") + r")\W*$",
    re.IGNORECASE,
)
# "I don't need to talk to a person", "no need for a human", "without speaking to anyone".
_NEGATION = re.compile(
    r"\b(?:don'?t|do not|doesn'?t|does not|no need|not|never|without|rather not|instead of)"
    r"\b[^.!?;,]{0,25}$"
    r"|(?:" + cues.pattern("NOT_BEFORE_ASK") + r")[^.!?;,]{0,25}$",
    re.IGNORECASE,
)


def wants_human(text: str) -> bool:
    """True when the customer explicitly asks to deal with a person rather than the bot."""
    text = " ".join((text or "").replace("’", "'").split())
    if _WHOLE_MESSAGE.match(text):
        return True
    # A request counts unless a negation shortly before it turns it around.
    return any(not _NEGATION.search(text[: found.start()]) for found in _ASK.finditer(text))
