"""The knowledge review in a real browser (Debian's Chromium via Playwright): an agent's
answer to one customer waits for review scrubbed of that customer's data, shown as another
customer would receive it; its author cannot approve it, a second agent can; an entry with
personal data left is marked and cannot be approved until it is edited out.
Screenshots land in test-artifacts/screenshots/knowledge-*.png.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from resolution.models import KnowledgeEntry, KnowledgeStatus
from tickets.services import ticket_agent_reply, ticket_create

from .browser import browser, page, screenshot  # noqa: F401
from .conftest import PASSWORD, make_user
from .test_knowledge_privacy import A_DATA, A_MESSAGE, A_REPLY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(tab, email: str) -> None:
    tab.goto("/accounts/login/")
    tab.get_by_label("E-mail address").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    expect(tab.get_by_role("heading", name="Escalation queue", exact=True)).to_be_visible()


def log_out(tab) -> None:
    tab.get_by_role("button", name="Log out").click()
    expect(tab.get_by_role("heading", name="Log in to SupportDesk")).to_be_visible()


def test_a_reviewer_sees_what_customers_will_get_and_approves_only_clean_entries(
    page,  # noqa: F811
    taxonomy,
):
    alanna = make_user("alanna.privett@example.org", Role.CUSTOMER, full_name="Alanna Privett")
    agnes = make_user("agnes@example.com", Role.AGENT, full_name="Agnes Agent")
    arthur = make_user("arthur@example.com", Role.AGENT, full_name="Arthur Agent")
    ticket = ticket_create(customer=alanna, message=A_MESSAGE)
    ticket_agent_reply(
        ticket=ticket,
        agent=agnes,
        body=A_REPLY,
        resolve=True,
        corrected_intent="track_order",
        add_to_knowledge=True,
    )
    learnt = KnowledgeEntry.objects.get(source_ticket=ticket)
    # Written before scrubbing existed: the review has to catch what is left.
    legacy = KnowledgeEntry.objects.create(
        question="Parcel sent to Jane Doe never came",
        answer="Hi {{ customer.first_name }}, we re-sent it to 22 Acacia Avenue.",
        created_by=agnes,
        status=KnowledgeStatus.PENDING,
    )
    url = reverse("ai:knowledge")

    # The author sees the entry but cannot approve it.
    log_in(page, agnes.email)
    page.goto(url)
    card = page.locator(f"#entry-{learnt.pk}")
    expect(card.get_by_text("You added this entry")).to_be_visible()
    expect(card.get_by_role("button", name="Approve")).to_be_disabled()
    log_out(page)

    # A second agent sees it as another customer would get it, with nothing of Alanna's.
    log_in(page, arthur.email)
    page.goto(url)
    card = page.locator(f"#entry-{learnt.pk}")
    expect(card.get_by_text("Sam Sample", exact=False).first).to_be_visible()
    body = card.inner_text()
    assert [value for value in A_DATA if value.lower() in body.lower()] == [], body
    screenshot(page, "knowledge-review")

    # The legacy entry is marked, and approving it is refused until the address is edited out.
    legacy_card = page.locator(f"#entry-{legacy.pk}")
    expect(legacy_card.get_by_test_id("residual-pii")).to_be_visible()
    expect(legacy_card.locator("mark.pii-flag", has_text="22 Acacia Avenue")).to_be_visible()
    expect(legacy_card.locator("mark.pii-flag", has_text="Jane Doe")).to_be_visible()
    expect(legacy_card.get_by_text("Hi Sam, we re-sent it to")).to_be_visible()
    expect(legacy_card.get_by_role("button", name="Approve")).to_be_disabled()
    screenshot(page, "knowledge-residual")

    card.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved: the entry now answers customers.")).to_be_visible()
    learnt.refresh_from_db()
    assert learnt.status == KnowledgeStatus.ACTIVE

    legacy_card.get_by_role("link", name="Edit").click()
    expect(page.locator("mark.pii-flag").first).to_be_visible()
    page.get_by_label("Question").fill("My parcel never came")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. Approve it when it reads right.")).to_be_visible()
    legacy_card = page.locator(f"#entry-{legacy.pk}")
    expect(legacy_card.get_by_test_id("residual-pii")).to_have_count(0)
    expect(legacy_card.get_by_text("we re-sent it to your address")).to_be_visible()
    legacy_card.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved: the entry now answers customers.")).to_be_visible()
    legacy.refresh_from_db()
    assert legacy.status == KnowledgeStatus.ACTIVE
    assert legacy.answer == "Hi {{ customer.first_name }}, we re-sent it to your address."
