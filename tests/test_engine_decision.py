"""The auto-resolve-or-escalate rule and the request-for-a-person detector."""

import json

import pytest

from resolution.engine.decision import decide, wants_human
from resolution.engine.types import Answer, IntentPolicy, KnowledgeItem, Match, Prediction

ANSWER = Answer(text="Track it under My orders.", source="knowledge")
MATCH = Match(
    KnowledgeItem(7, "where is my order", "Track it under My orders.", "track_order"), 0.8
)
DEFAULT = IntentPolicy(threshold=0.75, always_escalate=False)


def prediction(confidence: float, intent: str = "track_order") -> Prediction:
    return Prediction(
        intent=intent,
        confidence=confidence,
        alternatives=((intent, confidence), ("get_refund", 0.1), ("cancel_order", 0.05)),
    )


def test_confidence_exactly_at_the_threshold_auto_resolves():
    outcome = decide(prediction=prediction(0.75), policy=DEFAULT, answer=ANSWER, match=MATCH)
    assert (outcome.action, outcome.reason) == ("auto_resolve", "")
    assert outcome.auto_resolved


def test_confidence_just_below_the_threshold_escalates_for_low_confidence():
    outcome = decide(prediction=prediction(0.7499), policy=DEFAULT, answer=ANSWER, match=MATCH)
    assert (outcome.action, outcome.reason) == ("escalate", "low_confidence")


def test_a_per_intent_threshold_overrides_the_default():
    strict = IntentPolicy(threshold=0.9, always_escalate=False)
    outcome = decide(prediction=prediction(0.85), policy=strict, answer=ANSWER, match=MATCH)
    assert outcome.reason == "low_confidence"
    assert outcome.signals["threshold"] == 0.9


def test_an_always_escalate_intent_is_sensitive_even_when_sure():
    sensitive = IntentPolicy(threshold=0.75, always_escalate=True)
    outcome = decide(
        prediction=prediction(0.99, "complaint"), policy=sensitive, answer=ANSWER, match=None
    )
    assert (outcome.action, outcome.reason) == ("escalate", "sensitive_intent")


def test_the_contact_human_agent_intent_counts_as_the_customers_request():
    sensitive = IntentPolicy(threshold=0.75, always_escalate=True)
    outcome = decide(
        prediction=prediction(0.2, "contact_human_agent"), policy=sensitive, answer=None, match=None
    )
    assert outcome.reason == "customer_requested_human"


def test_an_explicit_request_for_a_person_wins_over_everything():
    outcome = decide(
        prediction=prediction(0.99),
        policy=DEFAULT,
        answer=ANSWER,
        match=MATCH,
        customer_requested_human=True,
    )
    assert (outcome.action, outcome.reason) == ("escalate", "customer_requested_human")


def test_without_an_answer_it_escalates_for_no_answer():
    outcome = decide(prediction=prediction(0.95), policy=DEFAULT, answer=None, match=None)
    assert (outcome.action, outcome.reason) == ("escalate", "no_answer")


def test_low_confidence_is_reported_before_a_missing_answer():
    outcome = decide(prediction=prediction(0.5), policy=DEFAULT, answer=None, match=None)
    assert outcome.reason == "low_confidence"


def test_signals_record_every_input_and_are_json_serializable():
    outcome = decide(prediction=prediction(0.8), policy=DEFAULT, answer=ANSWER, match=MATCH)
    signals = json.loads(json.dumps(outcome.signals))
    assert signals["confidence"] == 0.8
    assert signals["threshold"] == 0.75
    assert signals["margin"] == pytest.approx(0.7)
    assert signals["match_score"] == 0.8
    assert signals["match_agrees"] is True
    assert signals["answer_source"] == "knowledge"
    assert signals["rule"] == "auto_resolve"
    other = decide(
        prediction=prediction(0.8, "get_refund"), policy=DEFAULT, answer=ANSWER, match=MATCH
    )
    assert other.signals["match_agrees"] is False
    assert (
        decide(prediction=prediction(0.8), policy=DEFAULT, answer=None, match=None).signals[
            "match_agrees"
        ]
        is None
    )


@pytest.mark.parametrize(
    "text",
    [
        "I want to speak to a human",
        "Can I talk to a real person please?",
        "talk to an agent",
        "Representative!",
        "connect me with a live agent",
        "I need a human, this bot is useless",
        "Let me speak with a customer service representative",
        "put me through to someone",
    ],
)
def test_it_hears_an_explicit_request_for_a_person(text):
    assert wants_human(text)


@pytest.mark.parametrize(
    "text",
    [
        "Where is my order?",
        "The representative on the phone was rude",
        "I don't want to talk to a human, just refund me",
        "No need to speak to an agent",
        "The agent said my card would arrive Monday",
        "How do I become a sales representative?",
        "human error on your side charged me twice",
        "",
    ],
)
def test_it_does_not_hear_a_request_that_is_not_there(text):
    assert not wants_human(text)
