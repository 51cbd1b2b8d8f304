"""The auto-resolve-or-escalate rule: a pure function over the pipeline's findings."""

from __future__ import annotations

import re

from .types import (
    AUTO_RESOLVE,
    CUSTOMER_REQUESTED_HUMAN,
    ESCALATE,
    LOW_CONFIDENCE,
    NO_ANSWER,
    SENSITIVE_INTENT,
    Answer,
    IntentPolicy,
    Match,
    Outcome,
    Prediction,
)

# The intent for "let me talk to a person": escalating it is the customer's own request.
HUMAN_AGENT_INTENT = "contact_human_agent"


def decide(
    *,
    prediction: Prediction,
    policy: IntentPolicy,
    answer: Answer | None,
    match: Match | None,
    customer_requested_human: bool = False,
) -> Outcome:
    """Auto-resolve only a confident, answerable, non-sensitive ticket; say why otherwise.

    Checks run in a fixed order and the first that fires wins: the customer asked for a
    person; the intent always escalates; confidence is below the threshold (a confidence
    exactly at the threshold auto-resolves); there is no answer.
    """
    signals: dict = {
        "intent": prediction.intent,
        "confidence": float(prediction.confidence),
        "threshold": float(policy.threshold),
        "margin": float(prediction.margin),
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
        "answer_source": answer.source if answer else None,
    }

    if customer_requested_human:
        action, reason = ESCALATE, CUSTOMER_REQUESTED_HUMAN
    elif policy.always_escalate:
        action = ESCALATE
        reason = (
            CUSTOMER_REQUESTED_HUMAN
            if prediction.intent == HUMAN_AGENT_INTENT
            else SENSITIVE_INTENT
        )
    elif prediction.confidence < policy.threshold:
        action, reason = ESCALATE, LOW_CONFIDENCE
    elif answer is None:
        action, reason = ESCALATE, NO_ANSWER
    else:
        action, reason = AUTO_RESOLVE, ""
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
    r"|\blive agent\b",
    re.IGNORECASE,
)
_WHOLE_MESSAGE = re.compile(
    r"^\W*(?:(?:an? |the )?(?:human|agent|representative|operator|person)(?: please)?"
    r"|(?:please )?(?:an? )?(?:human|agent|representative|operator))\W*$",
    re.IGNORECASE,
)
# "I don't need to talk to a person", "no need for a human", "without speaking to anyone".
_NEGATION = re.compile(
    r"\b(?:don'?t|do not|doesn'?t|does not|no need|not|never|without|rather not|instead of)"
    r"\b[^.!?;,]{0,25}$",
    re.IGNORECASE,
)


def wants_human(text: str) -> bool:
    """True when the customer explicitly asks to deal with a person rather than the bot."""
    text = " ".join((text or "").replace("’", "'").split())
    if _WHOLE_MESSAGE.match(text):
        return True
    # A request counts unless a negation shortly before it turns it around.
    return any(not _NEGATION.search(text[: found.start()]) for found in _ASK.finditer(text))
