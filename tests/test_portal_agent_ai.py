"""The AI panel in the agent's workspace: the decision's reasons and the AI's suggestions."""

import pytest
from django.urls import reverse

from resolution.models import Decision, Intent, KnowledgeEntry, ModelVersion
from resolution.services import suggestions as suggestion_services
from resolution.services.suggestions import Suggestion
from tickets.services import ticket_create, ticket_escalate

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def logged_in(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


@pytest.fixture
def ticket(alice):
    ticket = ticket_create(customer=alice, message="I was charged twice for order 1234")
    ticket_escalate(ticket=ticket, reason="low_confidence", intent="payment_issue", confidence=0.52)
    return ticket


@pytest.fixture
def decision(ticket):
    Intent.objects.create(slug="payment_issue", name="Payment issue")
    Intent.objects.create(slug="get_refund", name="Get a refund")
    entry = KnowledgeEntry.objects.create(
        question="Charged twice?", answer="We refund duplicates within 3 days."
    )
    return Decision.objects.create(
        ticket=ticket,
        model_version=ModelVersion.objects.create(version=7, artifact=b""),
        predicted_intent="payment_issue",
        confidence=0.52,
        alternatives=[
            ["payment_issue", 0.52],
            ["get_refund", 0.31],
            ["track_order", 0.1],
            ["cancel_order", 0.07],
        ],
        matched_entry=entry,
        similarity=0.48,
        action="escalate",
        reason_code="low_confidence",
        answer_source="template",
        thresholds={"auto_resolve": 0.75, "similarity": 0.6},
        signals={"margin": 0.21, "similar": [[entry.pk, 0.48]]},
        latency_ms=12.3,
    )


@pytest.fixture
def suggestions(monkeypatch):
    """Stand-ins for the knowledge services, so these tests need no trained model."""
    similar = [
        Suggestion(
            11, "Charged twice?", "We refund duplicates within 3 days.", "payment_issue", 0.83
        ),
        Suggestion(12, "Refund status", "Refunds take 5 days.", "get_refund", 0.41),
    ]
    monkeypatch.setattr(
        suggestion_services, "similar_entries", lambda text, *, limit=3: similar[:limit]
    )
    monkeypatch.setattr(
        suggestion_services, "draft_answer", lambda ticket: "Hi Alice,\n\nWe refunded you."
    )
    return similar


def panel_url(ticket):
    return reverse("ai:panel", args=[ticket.pk])


# --- who may see it ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, ticket):
    response = client.get(panel_url(ticket))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_customers_are_forbidden_even_on_their_own_ticket(client, alice, ticket):
    assert logged_in(client, alice).get(panel_url(ticket)).status_code == 403


@pytest.mark.parametrize("role", ["agent", "admin_user"])
def test_agents_and_admins_see_the_panel(client, request, role, ticket, suggestions):
    user = request.getfixturevalue(role)
    assert logged_in(client, user).get(panel_url(ticket)).status_code == 200


# --- what it shows -------------------------------------------------------------------------------


def test_htmx_gets_the_fragment_and_a_plain_visit_the_whole_page(
    client, agent, ticket, suggestions
):
    logged_in(client, agent)
    fragment = client.get(panel_url(ticket), headers=HTMX).content.decode()
    page = client.get(panel_url(ticket)).content.decode()
    assert "<html" not in fragment
    assert "<html" in page
    assert reverse("agent:ticket", args=[ticket.pk]) in page  # the way back


def test_the_panel_explains_the_decision(client, agent, ticket, decision, suggestions):
    content = logged_in(client, agent).get(panel_url(ticket), headers=HTMX).content.decode()
    assert "Low confidence" in content
    assert "The classifier was 52% sure; it answers alone only from 75%." in content
    assert "model v7" in content
    assert "Charged twice?" in content  # the matched entry
    assert "48% similar" in content
    assert "margin" in content  # the signals, minus the similar list shown elsewhere


def test_the_panel_shows_the_top_three_intents_by_name(
    client, agent, ticket, decision, suggestions
):
    response = logged_in(client, agent).get(panel_url(ticket), headers=HTMX)
    names = [row["name"] for row in response.context["alternatives"]]
    assert names == ["Payment issue", "Get a refund", "track_order"]
    content = response.content.decode()
    assert "31%" in content
    assert "cancel_order" not in content


def test_the_panel_lists_similar_entries_with_scores(client, agent, ticket, suggestions):
    content = logged_in(client, agent).get(panel_url(ticket), headers=HTMX).content.decode()
    assert "Refunds take 5 days." in content
    assert "83%" in content
    assert 'data-insert-from="#ai-entry-12"' in content


def test_the_draft_can_be_inserted_into_the_reply_box(client, agent, ticket, suggestions):
    content = logged_in(client, agent).get(panel_url(ticket), headers=HTMX).content.decode()
    assert '<div class="ai-text" id="ai-draft">Hi Alice,\n\nWe refunded you.</div>' in content
    assert 'data-insert-from="#ai-draft" data-insert-into="#id_body"' in content


def test_the_stand_alone_page_offers_no_insert_buttons(client, agent, ticket, suggestions):
    content = logged_in(client, agent).get(panel_url(ticket)).content.decode()
    assert "data-insert-from" not in content
    assert "Copy this text into the reply box" in content


def test_a_ticket_the_ai_never_saw_says_so(client, agent, ticket, suggestions):
    content = logged_in(client, agent).get(panel_url(ticket), headers=HTMX).content.decode()
    assert "The AI has not decided on this ticket." in content


def test_a_failing_ai_leaves_the_panel_usable(client, agent, ticket, decision, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no model")

    monkeypatch.setattr(suggestion_services, "similar_entries", broken)
    response = logged_in(client, agent).get(panel_url(ticket), headers=HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Suggestions are unavailable right now" in content
    assert "Low confidence" in content


def test_suggested_text_is_shown_as_text(client, agent, ticket, monkeypatch):
    evil = "<script>alert(1)</script>"
    monkeypatch.setattr(
        suggestion_services,
        "similar_entries",
        lambda text, *, limit=3: [Suggestion(1, evil, evil, None, 0.9)],
    )
    monkeypatch.setattr(suggestion_services, "draft_answer", lambda ticket: evil)
    content = logged_in(client, agent).get(panel_url(ticket), headers=HTMX).content.decode()
    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


# --- with the real model -------------------------------------------------------------------------


def test_the_real_pipeline_fills_the_panel(
    client, agent, alice, trained_model, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(
            customer=alice, message="I want to speak to a human about my invoice, now"
        )
    ticket.refresh_from_db()
    response = logged_in(client, agent).get(panel_url(ticket), headers=HTMX)
    assert response.status_code == 200
    decision = response.context["decision"]
    assert decision is not None
    assert len(response.context["alternatives"]) == 3
    assert response.context["available"] is True
    assert response.context["draft"]


def test_the_panel_says_in_words_that_the_standard_answer_already_failed(client, agent, alice):
    ticket = ticket_create(
        customer=alice, message="I clicked reset three times and the e-mail never arrives"
    )
    ticket_escalate(ticket=ticket, reason="path_failed", intent="recover_password", confidence=0.99)
    Decision.objects.create(
        ticket=ticket,
        predicted_intent="recover_password",
        confidence=0.99,
        action="escalate",
        reason_code="path_failed",
        signals={"fired": ["path_failed"], "abstain": {"failure_cue": "never arrives"}},
    )
    page = logged_in(client, agent).get(reverse("ai:panel", args=[ticket.pk]), headers=HTMX)
    html = page.content.decode()
    assert "The standard answer already failed" in html  # the reason's label
    assert "already failed" in html and "never arrives" in html  # and why, in words
