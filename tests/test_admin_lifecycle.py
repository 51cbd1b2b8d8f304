"""Django admin keeps to the ticket lifecycle (issue 15 #10): status changes go through the
services (resolved_at set, audited), intent is one of the known slugs, customers' messages are
read-only and cannot be deleted, and unused Groups and token tables are not shown."""

import re

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from resolution.models import Intent
from tests.api_helpers import escalated_ticket
from tests.conftest import PASSWORD
from tickets.models import Message, Ticket, TicketEvent


@pytest.fixture
def logged_in_admin(client, admin_user, db):
    Intent.objects.create(slug="get_refund", name="Get a refund")
    Intent.objects.create(slug="gift_card", name="Gift cards")
    assert client.login(email=admin_user.email, password=PASSWORD)
    return client


def change_form_data(client, ticket: Ticket, **changes) -> dict:
    """What the change page would post: its management forms, its fields, and `changes`."""
    html = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()
    data = dict(
        re.findall(r'name="([^"]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)" value="(\d*)"', html)
    )
    data.update(
        {
            "subject": ticket.subject,
            "intent": ticket.intent,
            "assigned_agent": ticket.assigned_agent_id or "",
        }
    )
    data.update(changes)
    return data


def test_resolving_from_the_admin_sets_resolved_at_and_is_audited(
    logged_in_admin, alice, admin_user
):
    ticket = escalated_ticket(alice)
    response = logged_in_admin.post(
        reverse("admin:tickets_ticket_changelist"),
        {"action": "resolve", "_selected_action": [ticket.pk]},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "resolved" and ticket.resolved_at is not None
    event = TicketEvent.objects.get(ticket=ticket, field="status")
    assert (event.old_value, event.new_value, event.actor) == ("escalated", "resolved", admin_user)


def test_status_cannot_be_set_by_hand(logged_in_admin, alice):
    ticket = escalated_ticket(alice)
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    logged_in_admin.post(url, change_form_data(logged_in_admin, ticket, status="resolved"))
    ticket.refresh_from_db()
    assert ticket.status == "escalated" and ticket.resolved_at is None


def test_intent_is_one_of_the_known_slugs(logged_in_admin, alice, admin_user):
    ticket = escalated_ticket(alice)
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    typo = logged_in_admin.post(
        url, change_form_data(logged_in_admin, ticket, intent="gift_cardz_typo")
    )
    assert typo.status_code == 200
    assert "Select a valid choice" in typo.content.decode()
    ticket.refresh_from_db()
    assert ticket.intent == "get_refund"
    fixed = logged_in_admin.post(url, change_form_data(logged_in_admin, ticket, intent="gift_card"))
    assert fixed.status_code == 302
    ticket.refresh_from_db()
    assert ticket.intent == "gift_card"
    event = TicketEvent.objects.get(ticket=ticket, field="intent")
    assert (event.old_value, event.new_value, event.actor) == (
        "get_refund",
        "gift_card",
        admin_user,
    )


def test_only_agents_can_be_assigned(logged_in_admin, alice, charlie, agent):
    ticket = escalated_ticket(alice)
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    refused = logged_in_admin.post(
        url, change_form_data(logged_in_admin, ticket, assigned_agent=charlie.pk)
    )
    assert refused.status_code == 200
    ok = logged_in_admin.post(
        url, change_form_data(logged_in_admin, ticket, assigned_agent=agent.pk)
    )
    assert ok.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assigned_agent == agent


def test_customers_messages_are_read_only_and_not_deletable(logged_in_admin, alice):
    ticket = escalated_ticket(alice)
    message = ticket.messages.get()
    original = message.body
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    html = logged_in_admin.get(url).content.decode()
    assert 'name="messages-0-body"' not in html and 'name="messages-0-DELETE"' not in html
    assert 'name="message"' not in html  # the ticket's own text too
    data = change_form_data(
        logged_in_admin, ticket, **{"messages-0-body": "Edited!", "messages-0-DELETE": "on"}
    )
    data.update({"messages-0-id": message.pk, "messages-0-ticket": ticket.pk, "message": "Edited!"})
    logged_in_admin.post(url, data)
    message.refresh_from_db()
    ticket.refresh_from_db()
    assert (message.body, ticket.message) == (original, original)
    assert Message.objects.filter(pk=message.pk).exists()
    delete = logged_in_admin.post(
        reverse("admin:tickets_ticket_delete", args=[ticket.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Ticket.objects.filter(pk=ticket.pk).exists()


@pytest.mark.parametrize(
    "name",
    [
        "admin:auth_group_changelist",
        "admin:token_blacklist_outstandingtoken_changelist",
        "admin:token_blacklist_blacklistedtoken_changelist",
    ],
)
def test_unused_tables_are_not_in_the_admin(name):
    with pytest.raises(NoReverseMatch):
        reverse(name)


def test_the_admin_index_lists_only_the_desks_models(logged_in_admin):
    html = logged_in_admin.get(reverse("admin:index")).content.decode()
    assert "Groups" not in html and "Blacklisted tokens" not in html
    assert len(admin.site._registry) >= 10
