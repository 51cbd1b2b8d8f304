"""Earned autonomy in a real browser (Debian's Chromium via Playwright): the admin's autonomy
page, the AI's draft waiting in the agent's reply box, the circuit breaker after a customer's
"No", and the decision policy's preview asking for confirmation.
Screenshots land in test-artifacts/screenshots/autonomy-*.png.
"""

import pytest
from django.core import mail
from playwright.sync_api import expect

from resolution.models import AutonomyOutcome, DecisionPolicy, Intent
from tests.test_autonomy import verdicts
from tickets.models import Ticket

from .browser import browser, page, screenshot  # noqa: F401
from .conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD_QUESTION = "I forgot my password and cannot log in, how do I reset it?"
INTENT = "recover_password"


def log_in(tab, email: str, *, lands_on: str) -> None:
    tab.goto("/accounts/login/")
    tab.get_by_label("E-mail address").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    expect(tab.get_by_role("heading", name=lands_on, exact=True)).to_be_visible()


def log_out(tab) -> None:
    tab.get_by_role("button", name="Log out").click()
    expect(tab.get_by_role("heading", name="Log in to SupportDesk")).to_be_visible()


def ask(tab, text: str) -> None:
    tab.goto("/tickets/new/")
    tab.get_by_label("How can we help?").fill(text)
    tab.get_by_role("button", name="Submit ticket").click()
    expect(tab.locator("#ticket-status")).to_be_visible()


def test_an_admin_sets_modes_on_the_autonomy_page(page, trained_model):  # noqa: F811
    make_user("ada@example.com", "admin", full_name="Ada Admin")
    alice = make_user("alice@example.com", "customer")
    verdicts(INTENT, 9, 1, customer=alice)
    log_in(page, "ada@example.com", lands_on="Escalation queue")
    page.get_by_role("link", name="Autonomy").click()
    expect(page.get_by_role("heading", name="Autonomy", exact=True)).to_be_visible()
    row = page.locator(f"#intent-{INTENT}")
    expect(row).to_contain_text("90.0%")  # 9 of 10 verified answers right
    expect(row.locator(".autonomy-effective")).to_have_text("auto")
    screenshot(page, "autonomy-page")

    row.get_by_label("Mode of Reset a forgotten password").select_option("draft")
    row.get_by_role("button", name="Set").click()
    expect(page.get_by_role("status").filter(has_text="Draft")).to_be_visible()
    expect(page.locator(f"#intent-{INTENT} .autonomy-effective")).to_have_text("draft")

    # Auto is earned, not granted: 10 verdicts are far too few.
    page.locator(f"#intent-{INTENT}").get_by_label(
        "Mode of Reset a forgotten password"
    ).select_option("auto")
    page.locator(f"#intent-{INTENT}").get_by_role("button", name="Set").click()
    expect(page.get_by_text("has not earned auto yet")).to_be_visible()
    screenshot(page, "autonomy-not-earned")
    assert Intent.objects.get(slug=INTENT).autonomy == "draft"
    assert page.dialogs == []


def test_the_ai_drafts_into_the_agents_reply_box(page, trained_model):  # noqa: F811
    make_user("alice@example.com", "customer", full_name="Alice Liddell")
    make_user("agnes@example.com", "agent", full_name="Agnes Agent")
    DecisionPolicy.objects.update_or_create(pk=1, defaults={"earned_autonomy": True})

    log_in(page, "alice@example.com", lands_on="My tickets")
    ask(page, PASSWORD_QUESTION)
    expect(page.locator(".message--assistant")).to_have_count(0)  # nothing sent to her
    ask(page, "I forgot my password, please help me reset it")
    log_out(page)
    first, second = Ticket.objects.order_by("pk")
    assert first.decisions.get().reason_code == "draft"

    log_in(page, "agnes@example.com", lands_on="Escalation queue")
    expect(page.locator(".queue-table")).to_contain_text("AI draft for an agent to review")
    page.goto(f"/agent/tickets/{first.pk}/")
    reply_box = page.get_by_label("Your reply")
    draft = first.decisions.get().draft
    expect(reply_box).to_have_value(draft)
    expect(page.locator("#draft-notice")).to_contain_text("The AI drafted this answer")
    screenshot(page, "autonomy-draft-in-reply-box")
    page.get_by_role("button", name="Send and resolve").click()
    expect(page.get_by_role("status").filter(has_text="ticket resolved")).to_be_visible()
    assert AutonomyOutcome.objects.get(ticket=first).kind == "approved"

    # The second draft is wrong for this customer: discard it and write from scratch.
    page.goto(f"/agent/tickets/{second.pk}/")
    expect(page.get_by_label("Your reply")).not_to_have_value("")
    page.get_by_role("button", name="Discard the draft").click()
    expect(page.get_by_role("status").filter(has_text="Draft discarded")).to_be_visible()
    expect(page.get_by_label("Your reply")).to_have_value("")
    expect(page.locator("#draft-notice")).to_have_count(0)
    assert AutonomyOutcome.objects.get(ticket=second).kind == "discarded"
    assert page.dialogs == []


def test_a_customers_no_trips_the_breaker_and_the_admin_sees_it(page, trained_model):  # noqa: F811
    admin = make_user("ada@example.com", "admin", full_name="Ada Admin")
    make_user("alice@example.com", "customer", full_name="Alice Liddell")
    # The earlier verdicts come from another customer: Alice's own ticket limit stays free.
    verdicts(INTENT, 60, customer=make_user("vera@example.com", "customer"))
    Intent.objects.filter(slug=INTENT).update(autonomy="auto")

    log_in(page, "alice@example.com", lands_on="My tickets")
    ask(page, PASSWORD_QUESTION)
    expect(page.locator("#ticket-status")).to_contain_text("Answered automatically.")
    page.get_by_label("No, I still need help").check()
    page.locator("label[for=rating-1]").click()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator("#ticket-status")).to_contain_text("A person will take it from here.")
    log_out(page)

    assert Intent.objects.get(slug=INTENT).autonomy == "draft"
    told = [m for m in mail.outbox if "dropped to draft" in m.subject]
    assert [m.to for m in told] == [[admin.email]]

    log_in(page, "ada@example.com", lands_on="Escalation queue")
    page.get_by_role("link", name="Autonomy").click()
    notice = page.locator(".breaker-notice")
    expect(notice).to_contain_text("Reset a forgotten password")
    expect(notice).to_contain_text("dropped from auto to draft")
    expect(page.locator(f"#intent-{INTENT} .autonomy-effective")).to_have_text("draft")
    screenshot(page, "autonomy-breaker")
    page.get_by_role("link", name="Metrics").first.click()
    expect(page.locator(".breaker-notice")).to_contain_text("Reset a forgotten password")
    assert page.dialogs == []


def test_a_policy_answering_nothing_is_previewed_and_confirmed(page, trained_model):  # noqa: F811
    make_user("ada@example.com", "admin", full_name="Ada Admin")
    make_user("alice@example.com", "customer", full_name="Alice Liddell")
    log_in(page, "alice@example.com", lands_on="My tickets")
    ask(page, PASSWORD_QUESTION)
    log_out(page)

    log_in(page, "ada@example.com", lands_on="Escalation queue")
    page.get_by_role("link", name="Metrics").click()
    form = page.get_by_role("form", name="Decision policy")
    form.get_by_label("Mode").select_option("certified")
    form.get_by_role("button", name="Preview").click()
    expect(page.locator("#policy-answers-none")).to_contain_text("no threshold can be certified")
    screenshot(page, "autonomy-policy-preview")
    page.get_by_role("form", name="Decision policy").get_by_role(
        "button", name="Save policy"
    ).click()
    expect(page.locator("#policy-answers-none")).to_be_visible()
    assert DecisionPolicy.load().mode == "fixed"
    page.get_by_label("Yes, answer no ticket automatically").check()
    page.get_by_role("form", name="Decision policy").get_by_role(
        "button", name="Save policy"
    ).click()
    expect(page.get_by_role("status").filter(has_text="Decision policy saved")).to_be_visible()
    assert DecisionPolicy.load().mode == "certified"
    assert page.dialogs == []
