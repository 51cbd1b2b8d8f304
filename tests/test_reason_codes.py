"""The escalation reason codes are defined twice (the engine cannot import Django models):
these tests keep the two lists the same."""

from resolution.engine import types
from resolution.engine.decision import ABSTENTIONS, CHECKS
from tickets.models import EscalationReason


def test_the_engine_and_the_ticket_model_know_the_same_reason_codes():
    assert set(types.REASON_CODES) == set(EscalationReason.values)


def test_every_check_the_decision_makes_is_a_reason_a_ticket_can_carry():
    # always_escalate reports sensitive_intent or customer_requested_human
    reasons = {check for check in CHECKS if check != "always_escalate"}
    assert reasons <= set(EscalationReason.values)
    assert set(ABSTENTIONS) <= set(EscalationReason.values)


def test_every_reason_has_a_human_label():
    for value, label in EscalationReason.choices:
        assert label and label != value
