"""Macros in a real browser (Debian's Chromium): an agent picks a macro in the workspace, it
fills the reply box for this customer and ticket, the agent edits and sends, and the macro's
field actions (resolve, priority, tags) are applied. Screenshot: agent-macro-*.png."""

import pytest
from playwright.sync_api import expect

from tests.api_helpers import escalated_ticket
from tickets.macros import macro_create

from .browser import browser, page, screenshot  # noqa: F401
from .conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_answers_with_a_macro_and_its_fields_are_applied(page):  # noqa: F811
    alice = make_user("alice@example.com", "customer", full_name="Alice Liddell")
    agent = make_user("agnes@example.com", "agent", full_name="Agnes Agent")
    ticket = escalated_ticket(alice)
    macro_create(
        author=agent,
        title="Refund on its way",
        body="Hello {{ customer.first_name }}, the refund for ticket #{{ ticket.id }} is on "
        "its way. {{ agent.first_name }}",
        set_status="resolved",
        set_priority="high",
        add_tags=["refund"],
    )

    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(agent.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/agent/tickets/{ticket.pk}/")

    reply = page.get_by_label("Your reply")
    reply.fill("")
    page.evaluate("window.samePage = true")
    page.get_by_label("Macro").select_option(label="Refund on its way (personal)")
    page.get_by_role("button", name="Insert into the reply").click()
    expected = f"Hello Alice, the refund for ticket #{ticket.pk} is on its way. Agnes"
    expect(reply).to_have_value(expected)
    expect(page.locator("#macro-notice")).to_be_visible()
    assert page.evaluate("window.samePage === true")  # inserted in place, no reload
    assert "macro=" not in page.url
    screenshot(page, "agent-macro-inserted")

    reply.fill(expected + " It takes 3 days.")
    page.get_by_role("button", name="Send reply").click()

    expect(page.locator(".message--agent").last).to_contain_text("It takes 3 days.")
    expect(page.locator("#ticket-priority")).to_have_text("High")
    expect(page.locator("#ticket-tags")).to_contain_text("refund")
    expect(page.locator(".page-header .badge--resolved")).to_be_visible()
    screenshot(page, "agent-macro-sent")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("resolved", "high")
