"""The customer's "No" reaches a person: the comment shows at the top of the agent workspace as
the reason the ticket came back, and the rejected answer is not suggested again for it."""

import pytest
from django.urls import reverse

from feedback.services import feedback_submit
from resolution.models import Intent, KnowledgeEntry
from resolution.services.pipeline import run_pipeline
from tests.conftest import PASSWORD
from tickets.services import ticket_agent_reply, ticket_claim, ticket_create

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
QUESTION = "Where is my order? The tracking page has not changed for days."
ENTRY_ANSWER = "Orders leave within two days; the tracking page updates once the courier scans it."
COMMENT = "The courier says they never received the parcel from you."


@pytest.fixture
def rejected(alice, trained_model):
    """Alice's ticket, answered automatically from a knowledge entry, rated "No" with a
    comment: back with the agents as reopened."""
    entry = KnowledgeEntry.objects.create(
        question=QUESTION, answer=ENTRY_ANSWER, intent=Intent.objects.get(slug="track_order")
    )
    ticket = ticket_create(customer=alice, message=QUESTION)
    run_pipeline(ticket.pk)
    ticket.refresh_from_db()
    assert ticket.status == "auto_resolved"
    assert ticket.decisions.get().matched_entry == entry
    feedback_submit(ticket=ticket, customer=alice, rating=1, resolved=False, comment=COMMENT)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.escalation_reason) == ("escalated", "reopened")
    return ticket, entry


def workspace(client, agent, ticket) -> str:
    client.login(email=agent.email, password=PASSWORD)
    return client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()


def test_the_customers_comment_is_at_the_top_of_the_workspace(client, agent, rejected):
    ticket, _ = rejected
    html = workspace(client, agent, ticket)
    assert "Why this ticket came back" in html
    assert COMMENT in html
    assert html.index("Why this ticket came back") < html.index('id="conversation-heading"')


def test_the_rejected_answer_is_neither_drafted_nor_listed_again(client, agent, rejected):
    ticket, entry = rejected
    client.login(email=agent.email, password=PASSWORD)
    response = client.get(reverse("ai:panel", args=[ticket.pk]), headers=HTMX)
    assert response.status_code == 200
    assert ENTRY_ANSWER not in response.context["draft"]
    assert entry.pk not in [s.entry_id for s in response.context["similar"]]
    assert response.context["draft"]  # still a starting point (the template or a greeting)


def test_another_ticket_with_the_same_question_still_gets_the_entry(
    client, agent, alice, charlie, rejected
):
    _, entry = rejected
    other = ticket_create(customer=charlie, message=QUESTION)
    run_pipeline(other.pk)
    other.refresh_from_db()
    assert other.decisions.get().matched_entry == entry  # one "No" is one customer's ticket


def test_the_reason_goes_once_an_agent_has_answered(client, agent, rejected):
    ticket, _ = rejected
    ticket_claim(ticket=ticket, agent=agent)
    ticket_agent_reply(ticket=ticket, agent=agent, body="I have opened a claim with the courier.")
    assert "Why this ticket came back" not in workspace(client, agent, ticket)


def test_a_no_without_a_comment_still_says_why(client, agent, alice, trained_model):
    ticket = ticket_create(customer=alice, message=QUESTION)
    run_pipeline(ticket.pk)
    ticket.refresh_from_db()
    feedback_submit(ticket=ticket, customer=alice, rating=2, resolved=False)
    html = workspace(client, agent, ticket)
    assert "Why this ticket came back" in html and "without a comment" in html


def test_the_comment_is_shown_as_text(client, agent, alice, trained_model):
    ticket = ticket_create(customer=alice, message=QUESTION)
    run_pipeline(ticket.pk)
    ticket.refresh_from_db()
    feedback_submit(ticket=ticket, customer=alice, rating=1, resolved=False, comment="<b>x</b>")
    html = workspace(client, agent, ticket)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
