"""The audit trail: who changed a ticket's status, intent and assignee, and which model decided."""

import pytest
from django.test import Client

from common.errors import Conflict
from tests.api_helpers import _clear_throttle_history, api  # noqa: F401
from tickets.models import Ticket, TicketEvent
from tickets.services import (
    ticket_agent_reply,
    ticket_claim,
    ticket_create,
    ticket_customer_reply,
    ticket_release,
)


def _trail(ticket: Ticket) -> list[tuple]:
    return [
        (e.field, e.old_value, e.new_value, e.actor.email if e.actor else None, e.note)
        for e in TicketEvent.objects.filter(ticket=ticket).select_related("actor")
    ]


def test_the_ai_decision_is_recorded_with_the_model_version(
    alice, trained_model, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(customer=alice, message="Where is my order? It has not arrived.")
    ticket.refresh_from_db()
    events = list(TicketEvent.objects.filter(ticket=ticket))
    assert events[0].field == "created" and events[0].actor == alice
    status = next(e for e in events if e.field == "status")
    assert (status.old_value, status.new_value) == ("open", ticket.status)
    assert status.actor is None and status.model_version == trained_model.pk
    intent = next(e for e in events if e.field == "intent")
    assert intent.new_value == ticket.intent and intent.model_version == trained_model.pk


def test_every_person_who_changes_a_ticket_is_recorded(
    alice, agent, agent2, taxonomy, django_capture_on_commit_callbacks
):
    ticket = ticket_create(customer=alice, message="I want my money back.")
    Ticket.objects.filter(pk=ticket.pk).update(status="escalated", intent="get_refund")
    ticket.refresh_from_db()
    ticket_claim(ticket=ticket, agent=agent)
    ticket_release(ticket=ticket, agent=agent)
    ticket_claim(ticket=ticket, agent=agent2)
    ticket_agent_reply(
        ticket=ticket, agent=agent2, body="Done.", resolve=True, corrected_intent="track_refund"
    )
    ticket_customer_reply(ticket=ticket, customer=alice, body="It is not there yet.")
    assert _trail(ticket) == [
        ("created", "", "open", alice.email, ""),
        ("assigned_agent", "", str(agent.pk), agent.email, ""),
        ("assigned_agent", str(agent.pk), "", agent.email, ""),
        ("assigned_agent", "", str(agent2.pk), agent2.email, ""),
        ("status", "escalated", "resolved", agent2.email, ""),
        ("intent", "get_refund", "track_refund", agent2.email, ""),
        ("status", "resolved", "escalated", alice.email, "reopened"),
    ]


def test_a_refused_change_records_nothing(alice, agent, agent2):
    ticket = ticket_create(customer=alice, message="I want my money back.")
    Ticket.objects.filter(pk=ticket.pk).update(status="escalated")
    ticket_claim(ticket=ticket, agent=agent)
    count = TicketEvent.objects.count()
    with pytest.raises(Conflict):
        ticket_claim(ticket=ticket, agent=agent2)
    assert TicketEvent.objects.count() == count


def test_the_admin_shows_the_trail_on_the_ticket(alice, agent, admin_user):
    ticket = ticket_create(customer=alice, message="I want my money back.")
    Ticket.objects.filter(pk=ticket.pk).update(status="escalated")
    ticket_claim(ticket=ticket, agent=agent)
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").content.decode()
    assert "Ticket events" in page or "ticket event" in page.lower()
    assert agent.email in page


def test_an_unhelpful_rating_reopens_in_the_customers_name(alice):
    from feedback.services import feedback_submit
    from tests.api_helpers import answered_ticket

    ticket = answered_ticket(alice)
    feedback_submit(ticket=ticket, customer=alice, rating=1, resolved=False)
    assert _trail(ticket)[-1] == ("status", "auto_resolved", "escalated", alice.email, "reopened")
