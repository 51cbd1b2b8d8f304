"""The agents' and admins' half in a real browser (Debian's Chromium via Playwright).

The whole story: a customer is answered automatically, says it did not help; an agent finds
the ticket in the queue, claims it, starts from the AI's draft, edits and resolves; the
customer reads the reply. Plus the admin's metrics page with its charts.
Screenshots land in test-artifacts/screenshots/agent-*.png and admin-*.png.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback.models import Feedback
from tickets.models import AuthorKind, Ticket, TicketStatus
from tickets.services import (
    ticket_agent_reply,
    ticket_auto_resolve,
    ticket_create,
    ticket_escalate,
)

from .browser import browser, page, screenshot  # noqa: F401
from .conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "I want to cancel my order, how can I do that?"
POLL_MS = 10_000


def log_in(tab, email: str, *, lands_on: str) -> None:
    tab.goto("/accounts/login/")
    tab.get_by_label("E-mail address").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    expect(tab.get_by_role("heading", name=lands_on, exact=True)).to_be_visible()


def log_out(tab) -> None:
    tab.get_by_role("button", name="Log out").click()
    expect(tab.get_by_role("heading", name="Log in to SupportDesk")).to_be_visible()


def escalated(customer, message: str, *, minutes_ago: int, **fields) -> Ticket:
    ticket = ticket_create(customer=customer, message=message)
    ticket_escalate(ticket=ticket, **fields)
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return ticket


def test_an_agent_answers_what_the_ai_could_not(page, trained_model):  # noqa: F811
    make_user("alice@example.com", "customer", full_name="Alice Liddell")
    charlie = make_user("charlie@example.com", "customer", full_name="Charlie Outsider")
    agent = make_user("agnes@example.com", "agent", full_name="Agnes Agent")
    page.clock.install()  # lets the test jump the queue's 10-second poll

    # The customer asks; the AI answers at once; the customer says it did not help.
    log_in(page, "alice@example.com", lands_on="My tickets")
    page.goto("/tickets/new/")
    page.get_by_label("How can we help?").fill(QUESTION)
    page.get_by_role("button", name="Submit ticket").click()
    expect(page.locator("#ticket-status")).to_contain_text("Answered automatically.")
    expect(page.locator(".message--assistant")).to_be_visible()
    page.get_by_label("No, I still need help").check()
    page.locator("label[for=rating-2]").click()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator("#ticket-status")).to_contain_text("A person will take it from here.")
    ticket = Ticket.objects.get(customer__email="alice@example.com")
    assert (ticket.status, ticket.escalation_reason) == ("escalated", "reopened")
    log_out(page)

    # Others are waiting too; one of them has waited longer.
    escalated(charlie, "Please delete all my data", minutes_ago=240, reason="sensitive_intent")

    # The agent finds it in the queue: oldest first, with age, intent, reason.
    log_in(page, agent.email, lands_on="Escalation queue")
    rows = page.locator(".queue-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Please delete all my data")
    expect(rows.nth(1)).to_contain_text(QUESTION)
    expect(rows.nth(1)).to_contain_text("Reopened by the customer")
    screenshot(page, "agent-queue")

    # Filtering narrows the list, and the address bar keeps the filter.
    page.get_by_label("Search").fill("cancel")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/agent/\?q=cancel$"))

    # The list refreshes itself without losing the filter.
    escalated(charlie, "Cancel my subscription too", minutes_ago=1, reason="no_answer")
    escalated(charlie, "Where is my parcel?", minutes_ago=1, reason="low_confidence")
    page.clock.fast_forward(POLL_MS)
    expect(rows).to_have_count(2)
    expect(page.locator(".queue-table")).not_to_contain_text("Where is my parcel?")
    expect(page.get_by_label("Search")).to_have_value("cancel")
    screenshot(page, "agent-queue-filtered")

    # A keyboard user's focus survives the refresh.
    claim = page.get_by_role("button", name=f"Claim ticket #{ticket.pk}")
    claim.focus()
    claim.evaluate("button => { button.dataset.beforePoll = 'yes'; }")
    page.clock.fast_forward(POLL_MS)
    expect(page.locator("[data-before-poll]")).to_have_count(0)  # the list was swapped
    expect(claim).to_be_focused()

    # Claim, and the workspace opens with the conversation and the AI panel.
    claim.press("Enter")
    expect(page).to_have_url(re.compile(rf"/agent/tickets/{ticket.pk}/$"))
    expect(page.get_by_role("status").filter(has_text="is yours")).to_be_visible()
    expect(page.locator(".conversation")).to_contain_text(QUESTION)
    draft = page.locator("#ai-draft")
    expect(draft).to_be_visible()
    expect(page.locator(".ai-panel")).to_contain_text("Top intents")
    expect(page.locator(".ai-panel")).to_contain_text("Similar knowledge")
    screenshot(page, "agent-workspace")

    # Start from the AI's draft, edit it, and resolve.
    draft_text = draft.inner_text().strip()
    page.get_by_role("button", name="Insert into reply").click()
    reply_box = page.get_by_label("Your reply")
    expect(reply_box).to_have_value(draft_text)
    expect(reply_box).to_be_focused()
    reply_box.press("Control+End")
    reply_box.press_sequentially("\n\nI have cancelled order 1234 for you. — Agnes")
    page.get_by_label("Add this answer to the knowledge base").check()
    screenshot(page, "agent-workspace-draft")
    page.get_by_role("button", name="Send and resolve").click()
    expect(page.get_by_role("status").filter(has_text="ticket resolved")).to_be_visible()
    expect(page.locator(".page-header .badge--resolved")).to_be_visible()
    screenshot(page, "agent-workspace-resolved")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.assigned_agent == agent
    answer = ticket.messages.filter(author_kind=AuthorKind.AGENT).get()
    assert answer.body.startswith(draft_text)
    assert answer.body.endswith("I have cancelled order 1234 for you. — Agnes")
    assert page.dialogs == []
    log_out(page)

    # The customer reads the agent's reply.
    log_in(page, "alice@example.com", lands_on="My tickets")
    page.goto(f"/tickets/{ticket.pk}/")
    expect(page.locator(".conversation")).to_contain_text("I have cancelled order 1234 for you.")
    expect(page.locator("#ticket-status")).to_contain_text("Resolved.")
    screenshot(page, "agent-story-customer-reads-reply")


def test_the_workspace_works_on_a_phone(page, trained_model):  # noqa: F811
    alice = make_user("alice@example.com", "customer", full_name="Alice Liddell")
    make_user("agnes@example.com", "agent", full_name="Agnes Agent")
    ticket = escalated(
        alice,
        "<b>My invoice</b> shows the wrong address, can you fix it?",
        minutes_ago=30,
        reason="low_confidence",
        intent="get_invoice",
        confidence=0.41,
    )
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "agnes@example.com", lands_on="Escalation queue")
    expect(page.locator(".queue-table")).to_contain_text("<b>My invoice</b>")
    screenshot(page, "agent-queue-phone")
    page.get_by_role("link", name=re.compile("My invoice")).click()
    expect(page.locator("#ai-draft")).to_be_visible()
    screenshot(page, "agent-workspace-phone")
    assert page.dialogs == []

    # Without htmx the AI panel is a page of its own, linked from the workspace.
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(f"/ai/tickets/{ticket.pk}/panel/")
    expect(page.get_by_role("heading", name=re.compile("AI panel"))).to_be_visible()
    expect(page.locator("#ai-draft")).to_be_visible()
    screenshot(page, "agent-ai-panel-page")


def test_the_metrics_page_draws_its_charts_for_an_admin(page):  # noqa: F811
    make_user("ada@example.com", "admin", full_name="Ada Admin")
    agent = make_user("agnes@example.com", "agent", full_name="Agnes Agent")
    alice = make_user("alice@example.com", "customer", full_name="Alice Liddell")
    now = timezone.now()
    outcomes = ["auto", "auto", "escalated", "resolved", "auto"]
    intents = [("track_order", 0.92), ("cancel_order", 0.81), ("payment_issue", 0.48)]
    for day in range(14):
        for i, outcome in enumerate(outcomes[: 2 + day % 4]):
            intent, confidence = intents[(day + i) % len(intents)]
            ticket = ticket_create(customer=alice, message=f"Question {day}-{i}")
            if outcome == "auto":
                answer = ticket_auto_resolve(
                    ticket=ticket, answer="Here you go.", intent=intent, confidence=confidence
                )
                Feedback.objects.create(
                    ticket=ticket, answer=answer, rating=3 + (day + i) % 3, resolved=True
                )
            else:
                reason = ["low_confidence", "no_answer", "sensitive_intent"][(day + i) % 3]
                ticket_escalate(ticket=ticket, reason=reason, intent=intent, confidence=0.5)
                if outcome == "resolved":
                    ticket_agent_reply(ticket=ticket, agent=agent, body="Done.", resolve=True)
            Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(days=day))

    log_in(page, "ada@example.com", lands_on="Escalation queue")
    page.get_by_role("link", name="Metrics").click()
    expect(page.get_by_role("heading", name="Metrics")).to_be_visible()
    charts = page.locator("svg.chart__svg")
    expect(charts).to_have_count(6)
    expect(page.locator("svg.chart__svg rect.chart__fill--auto_resolved").first).to_be_visible()
    expect(page.locator("svg.chart__svg path.chart__line").first).to_be_visible()
    screenshot(page, "admin-metrics")

    page.get_by_label("From").fill((now - timedelta(days=6)).date().isoformat())
    page.get_by_role("button", name="Show").click()
    # One date format on the page: the heading says what the box says (issue 18).
    expect(page.locator(".page-header__meta")).to_contain_text(
        (now - timedelta(days=6)).date().isoformat()
    )
    expect(charts).to_have_count(6)
    assert page.dialogs == []
