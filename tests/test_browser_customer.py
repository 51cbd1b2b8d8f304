"""The customer's walk through the portal in a real browser (Chromium via Playwright).

The `browser` fixture sets DJANGO_ALLOW_ASYNC_UNSAFE while Playwright runs (and only then).

Screenshots land in test-artifacts/screenshots/customer-*.png.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from resolution.models import Deflection, KnowledgeEntry
from tickets.models import Ticket, TicketStatus
from tickets.services import ticket_agent_reply

from .browser import browser, page, screenshot  # noqa: F401
from .conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT_TICKET = "<script>alert(1)</script> where is my order?"


def sign_up(tab, email: str) -> None:
    tab.goto("/")
    expect(tab.get_by_role("heading", name="Log in to SupportDesk")).to_be_visible()
    screenshot(tab, "customer-login")
    tab.get_by_role("link", name="Create an account").click()
    tab.get_by_label("E-mail address").fill(email)
    tab.get_by_label("Your name").fill("Sam Sample")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Create account").click()
    # Every address gets the same answer; the link in the e-mail confirms it, then log in.
    expect(tab.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    link = re.search(r"https?://\S+/accounts/verify/\S+", mail.outbox[-1].body).group(0)
    tab.goto(urlsplit(link).path)
    log_in(tab, email)


def log_in(tab, email: str) -> None:
    tab.goto("/accounts/login/")
    tab.get_by_label("E-mail address").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    expect(tab.get_by_role("heading", name="My tickets")).to_be_visible()


def test_a_new_customer_is_answered_by_a_suggestion_before_any_ticket(page):  # noqa: F811
    entry = KnowledgeEntry.objects.create(
        question="How long does a refund take to reach my bank account?",
        answer="Refunds reach your account 5 to 7 working days after we receive the parcel.",
    )
    sign_up(page, "sam@example.com")
    assert User.objects.get(email="sam@example.com").is_customer
    expect(page.get_by_text("No tickets yet")).to_be_visible()
    screenshot(page, "customer-my-tickets-empty")

    page.get_by_role("link", name="New ticket", exact=True).first.click()
    page.get_by_label("Subject").fill("Refund")
    page.get_by_label("How can we help?").press_sequentially(
        "how long until my refund reaches my bank account", delay=5
    )
    suggestion = page.locator(".suggestion")
    expect(suggestion).to_contain_text("5 to 7 working days")
    # Inline validation of the subject ran meanwhile; it must not have taken the typing over.
    expect(page.get_by_label("Subject")).to_have_value("Refund")
    expect(page.get_by_label("How can we help?")).to_have_value(
        "how long until my refund reaches my bank account"
    )
    expect(page.get_by_role("heading", name="Does this answer your question?")).to_be_visible()
    screenshot(page, "customer-new-ticket-suggestion")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "customer-new-ticket-suggestion-phone")

    page.get_by_role("button", name="Yes, this answered my question").click()
    expect(page.get_by_role("heading", name="Glad that helped!")).to_be_visible()
    screenshot(page, "customer-deflected")
    deflection = Deflection.objects.get(entry=entry)
    assert deflection.helpful
    assert deflection.customer.email == "sam@example.com"
    assert not Ticket.objects.exists()


def test_a_ticket_with_a_script_is_shown_as_text_and_its_answer_rated(page):  # noqa: F811
    make_user("rita@example.com", "customer", full_name="Rita Reader")
    agent = make_user("agnes@example.com", "agent", full_name="Agnes Agent")
    log_in(page, "rita@example.com")

    page.goto("/tickets/new/")
    page.get_by_label("How can we help?").fill(SCRIPT_TICKET)
    page.get_by_role("button", name="Submit ticket").click()

    # No model is trained here: the pipeline hands the ticket to a person and the page says so.
    expect(page.locator("#ticket-status")).to_contain_text("A person will answer you.")
    conversation = page.locator(".conversation")
    expect(conversation).to_contain_text(SCRIPT_TICKET)
    assert page.dialogs == []
    ticket = Ticket.objects.get()
    assert ticket.status == TicketStatus.ESCALATED
    screenshot(page, "customer-ticket-escalated")

    # Meanwhile, in the agents' half, Agnes answers and resolves it.
    ticket_agent_reply(
        ticket=ticket,
        agent=agent,
        body="Hi Rita,\nyour order left our warehouse today.",
        resolve=True,
    )
    page.reload()
    expect(page.locator("#ticket-status")).to_contain_text("Resolved.")
    expect(page.get_by_role("heading", name="Did this solve your problem?")).to_be_visible()
    page.get_by_label("No, I still need help").check()
    page.locator("label[for=rating-2]").click()
    page.get_by_label("Anything else you want to tell us?").fill("It has not arrived.")
    screenshot(page, "customer-ticket-rating")
    page.get_by_role("button", name="Send feedback").click()

    expect(page.locator("#feedback-panel")).to_contain_text("passed your ticket to a person")
    expect(page.locator("#ticket-status")).to_contain_text("A person will take it from here.")
    assert page.dialogs == []
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ESCALATED
    feedback = ticket.feedback.get()
    assert (feedback.rating, feedback.resolved) == (2, False)
    screenshot(page, "customer-ticket-rated")

    page.get_by_role("link", name="My tickets", exact=True).click()
    expect(page.locator(".ticket-row")).to_contain_text("where is my order?")
    assert page.dialogs == []
    screenshot(page, "customer-my-tickets")


def test_an_automatic_answer_is_marked_and_no_hands_it_to_a_person(page, trained_model):  # noqa: F811
    make_user("rita@example.com", "customer", full_name="Rita Reader")
    log_in(page, "rita@example.com")
    page.goto("/tickets/new/")
    page.get_by_label("How can we help?").fill("I want to cancel my order, how can I do that?")
    page.get_by_role("button", name="Submit ticket").click()

    expect(page.locator("#ticket-status")).to_contain_text("Answered automatically.")
    expect(page.locator(".message--assistant")).to_contain_text("Automatic answer")
    screenshot(page, "customer-ticket-auto-answered")

    page.get_by_label("No, I still need help").check()
    page.locator("label[for=rating-1]").click()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator("#ticket-status")).to_contain_text("A person will take it from here.")
    expect(page.locator("#ticket-details")).to_contain_text("With an agent")
    assert Ticket.objects.get().status == TicketStatus.ESCALATED
