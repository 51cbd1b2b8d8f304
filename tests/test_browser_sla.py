"""SLA colours in the agents' queue, in a real browser (Debian's Chromium via Playwright).

Three escalated tickets, one on time, one due within SLA_WARNING_MINUTES and one overdue: the
queue shows each in its colour and words. Screenshot: test-artifacts/screenshots/agent-sla.png.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tickets.models import Ticket
from tickets.services import ticket_create, ticket_escalate

from .browser import browser, page, screenshot  # noqa: F401
from .conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def escalated_due_in(customer, text: str, minutes: int) -> Ticket:
    ticket = ticket_create(customer=customer, message=text)
    ticket_escalate(ticket=ticket, reason="low_confidence")
    due = timezone.now() + timedelta(minutes=minutes)
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due=due, resolution_due=due + timedelta(hours=8)
    )
    return ticket


def test_the_queue_colours_tickets_by_their_sla(page, settings):  # noqa: F811
    settings.SLA_WARNING_MINUTES = 60
    alice = make_user("alice@example.com", "customer", full_name="Alice Liddell")
    make_user("agnes@example.com", "agent", full_name="Agnes Agent")
    on_time = escalated_due_in(alice, "Question with plenty of time", 300)
    soon = escalated_due_in(alice, "Question due in half an hour", 30)
    late = escalated_due_in(alice, "Question that is overdue", -45)

    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill("agnes@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Escalation queue", exact=True)).to_be_visible()

    expect(page.get_by_role("columnheader", name="SLA")).to_be_visible()
    expected = [
        (on_time, "ok", "On time"),
        (soon, "due_soon", "Due soon"),
        (late, "breached", "Overdue"),
    ]
    colours = set()
    for ticket, state, words in expected:
        cell = page.locator(f"#queue-ticket-{ticket.pk} [data-sla]")
        expect(cell).to_have_attribute("data-sla", state)
        expect(cell).to_contain_text(words)
        expect(cell).to_contain_text("First reply")
        colours.add(cell.evaluate("el => getComputedStyle(el).backgroundColor"))
    assert len(colours) == 3  # three different colours, not just three words
    screenshot(page, "agent-sla")
