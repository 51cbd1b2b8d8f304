"""A claimed ticket belongs to its agent: others may only add internal notes (issue 15, #9).

Admins may still step in; an unclaimed ticket stays open to every agent. Page and API alike.
"""

import pytest
from django.urls import reverse

from resolution.models import Intent
from tests.api_helpers import api, error_of, escalated_ticket
from tests.conftest import PASSWORD
from tickets.models import Ticket
from tickets.services import ticket_claim


@pytest.fixture
def held(alice, agent2, db) -> Ticket:
    """Alice's escalated ticket, claimed by Arthur (agent2)."""
    Intent.objects.create(slug="get_refund", name="Get a refund")
    Intent.objects.create(slug="track_order", name="Track an order")
    ticket = escalated_ticket(alice)
    return ticket_claim(ticket=ticket, agent=agent2)


def reply_url(ticket: Ticket) -> str:
    return f"/api/tickets/{ticket.pk}/reply"


@pytest.mark.parametrize(
    "body",
    [
        {"body": "Refund on its way."},
        {"body": "Refund on its way.", "resolve": True},
        {"body": "Re-filed.", "internal": True, "intent": "track_order"},
    ],
)
def test_another_agent_cannot_answer_or_reclassify_through_the_api(held, agent, body):
    error = error_of(api(agent).post(reply_url(held), body), 409)
    assert error["code"] == "already_claimed"
    assert "Arthur Agent" in error["message"]
    held.refresh_from_db()
    assert (held.intent, held.status, held.messages.count()) == ("get_refund", "escalated", 1)


def test_another_agent_may_add_an_internal_note(held, agent):
    response = api(agent).post(reply_url(held), {"body": "Saw this before.", "internal": True})
    assert response.status_code == 201
    assert held.messages.filter(internal=True, author=agent).exists()


def test_the_assignee_and_an_admin_can_answer_and_reclassify(held, agent2, admin_user):
    body = {"body": "Here is your tracking link.", "intent": "track_order"}
    assert api(agent2).post(reply_url(held), body).status_code == 201
    response = api(admin_user).post(reply_url(held), {"body": "Done.", "resolve": True})
    assert response.status_code == 201
    held.refresh_from_db()
    assert (held.intent, held.status) == ("track_order", "resolved")


def test_an_unclaimed_ticket_is_open_to_every_agent(alice, agent, db):
    Intent.objects.create(slug="get_refund", name="Get a refund")
    ticket = escalated_ticket(alice)
    assert api(agent).post(reply_url(ticket), {"body": "On it."}).status_code == 201


def test_the_workspace_refuses_another_agents_answer_with_a_form_error(client, held, agent):
    assert client.login(email=agent.email, password=PASSWORD)
    url = reverse("agent:reply", args=[held.pk])
    response = client.post(url, {"body": "Refund sent.", "action": "reply"})
    assert response.status_code == 200
    assert "Arthur Agent is working on this ticket" in response.content.decode()
    response = client.post(
        url, {"body": "Hm.", "action": "note", "corrected_intent": "track_order"}
    )
    assert "Arthur Agent is working on this ticket" in response.content.decode()
    held.refresh_from_db()
    assert (held.intent, held.messages.count()) == ("get_refund", 1)
    assert client.post(url, {"body": "Context.", "action": "note"}).status_code == 302
