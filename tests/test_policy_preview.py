"""A decision policy cannot silently switch the desk off: before saving, the metrics page replays
the candidate on recent decisions, and a policy that would answer none needs confirmation."""

import numpy as np
import pytest
from django.urls import reverse

from resolution.models import DecisionPolicy, Intent
from resolution.services.intent_rules import intent_rules
from resolution.services.policy_preview import policy_preview
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

METRICS = reverse("ai:metrics")
QUESTIONS = [
    "I forgot my password and cannot log in, how do I reset it?",
    "I forgot my password, please help me reset it",
    "Hi, where is my order? The tracking page has not changed for days.",
]


@pytest.fixture
def decided(alice, trained_model, django_capture_on_commit_callbacks):
    """Three tickets the seed's rule answered (two password, one tracking) and one it escalated."""
    with django_capture_on_commit_callbacks(execute=True):
        for text in QUESTIONS + ["hello"]:
            ticket_create(customer=alice, message=text)
    return trained_model


def values(**changes) -> dict:
    base = {
        "mode": "fixed",
        "alpha": 0.02,
        "delta": 0.1,
        "min_margin": 0.3,
        "knowledge_agreement": True,
        "earned_autonomy": False,
    }
    return {**base, **changes}


def form(**changes) -> dict:
    data = {key: str(value) for key, value in values(**changes).items() if value is not False}
    data["knowledge_agreement"] = "on"
    return data


def test_the_fixed_policy_replays_as_it_decided(decided):
    preview = policy_preview(values())
    assert (preview.tickets, preview.answered_now, preview.would_answer) == (4, 3, 3)
    assert not preview.answers_none
    rows = {row.intent: row for row in preview.intents}
    assert rows["recover_password"].tickets == 2 and rows["recover_password"].would_answer == 2


def test_certified_without_a_certificate_answers_none(decided):
    preview = policy_preview(values(mode="certified"))  # the model has no held-out record
    assert preview.answers_none and preview.would_answer == 0
    assert preview.answered_now == 3


def test_a_lenient_certificate_answers_and_a_strict_margin_holds_back(decided):
    scores = np.linspace(0.2, 1.0, 500)
    decided.calibration = {
        "confidence": scores.tolist(),
        "correct": [1] * 500,
        "margin": [1.0] * 500,
    }
    decided.save()
    assert policy_preview(values(mode="certified")).would_answer == 3
    assert policy_preview(values(min_margin=1.0)).would_answer == 0


def test_earned_autonomy_answers_only_intents_in_auto(decided):
    assert policy_preview(values(earned_autonomy=True)).answers_none
    Intent.objects.filter(slug="recover_password").update(autonomy="auto")
    intent_rules.clear()
    preview = policy_preview(values(earned_autonomy=True))
    assert not preview.answers_none
    assert preview.would_answer == 2


def test_an_engine_check_outside_the_policy_still_holds_back(decided):
    decision = decided.decision_set.filter(action="auto_resolve").first()
    decision.signals = {**decision.signals, "fired": ["two_requests"]}
    decision.save()
    assert policy_preview(values()).would_answer == 2


# --- the metrics page ----------------------------------------------------------------------------


def test_saving_a_policy_that_answers_none_needs_confirmation(client, admin_user, decided):
    client.force_login(admin_user)
    response = client.post(METRICS, form(mode="certified"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "would answer no ticket automatically" in page
    assert "no threshold can be certified" in page
    assert response.context["certified"].preview.would_answer == 0
    assert DecisionPolicy.load().mode == "fixed"  # nothing saved
    confirmed = client.post(METRICS, {**form(mode="certified"), "confirm_none": "on"})
    assert confirmed.status_code == 302
    assert DecisionPolicy.load().mode == "certified"


def test_a_preview_shows_the_share_per_intent_and_saves_nothing(client, admin_user, decided):
    client.force_login(admin_user)
    response = client.post(METRICS, {**form(min_margin=0.5), "action": "preview"})
    assert response.status_code == 200
    preview = response.context["certified"].preview
    assert (preview.tickets, preview.would_answer) == (4, 3)
    page = response.content.decode()
    assert 'id="policy-preview-share">75%' in page
    assert "Reset a forgotten password" in page
    assert DecisionPolicy.load().min_margin == 0.3


def test_a_saved_policy_says_what_it_would_have_answered(client, admin_user, decided):
    client.force_login(admin_user)
    response = client.post(METRICS, form(min_margin=0.2), follow=True)
    assert "it would have answered 3 (75%) automatically" in response.content.decode()
    assert DecisionPolicy.load().min_margin == 0.2


def test_turning_on_earned_autonomy_with_no_intent_in_auto_is_confirmed(
    client, admin_user, decided
):
    client.force_login(admin_user)
    refused = client.post(METRICS, form(earned_autonomy="on"))
    assert refused.status_code == 400
    assert "no intent is in auto" in refused.content.decode()
    assert not DecisionPolicy.load().earned_autonomy
    client.post(METRICS, {**form(earned_autonomy="on"), "confirm_none": "on"})
    assert DecisionPolicy.load().earned_autonomy
