"""The agents' queue in a real browser (issue 18): views, paging, the address bar after
filters and reloads, bulk actions and keyboard shortcuts; plus the issue's broken items that
only a browser shows (a phone's ticket list, the metrics checkbox, the new-ticket page's CSP).
Screenshots land in test-artifacts/screenshots/queue-*.png.
"""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.api_helpers import answered_ticket
from tickets.agent_views import QUEUE_PAGE_SIZE
from tickets.models import Ticket, TicketEvent
from tickets.services import ticket_create, ticket_escalate

from .browser import browser, page, screenshot  # noqa: F401
from .conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(tab, email: str, *, lands_on: str) -> None:
    tab.goto("/accounts/login/")
    tab.get_by_label("E-mail address").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    expect(tab.get_by_role("heading", name=lands_on, exact=True)).to_be_visible()
    tab.wait_for_load_state()  # the deferred scripts (shortcuts) have run


def escalated(customer, message: str, *, minutes_ago: int, **fields) -> Ticket:
    ticket = ticket_create(customer=customer, message=message)
    ticket_escalate(ticket=ticket, reason="low_confidence")
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago), **fields
    )
    return Ticket.objects.get(pk=ticket.pk)


def query_of(tab) -> dict:
    return parse_qs(urlsplit(tab.url).query)


@pytest.fixture
def crowd(db):
    """The issue's 54 waiting tickets, oldest first as numbered, and two agents."""
    alice = make_user("alice@example.com", "customer", full_name="Alice Liddell")
    make_user("agnes@example.com", "agent", full_name="Agnes Agent")
    count = QUEUE_PAGE_SIZE + 4
    return [
        escalated(
            alice,
            f"Question number {n:02d}",
            minutes_ago=count - n + 5,
            priority="high" if n % 2 else "normal",
            language="es" if n % 3 == 0 else "en",
        )
        for n in range(count)
    ]


def test_paging_views_and_the_address_bar(page, crowd):  # noqa: F811
    log_in(page, "agnes@example.com", lands_on="Escalation queue")
    rows = page.locator("#queue-table tbody tr")
    expect(rows).to_have_count(QUEUE_PAGE_SIZE)
    expect(page.locator(".queue__count")).to_contain_text("54 tickets")

    # The next page holds the four the old queue never showed.
    page.get_by_role("link", name="Next page →").click()
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("Question number 50")
    assert "cursor" in query_of(page)
    page.reload()
    expect(rows).to_have_count(4)  # the address holds the page

    # Filters, one after another: the address bar holds every one at once, at once.
    page.goto("/agent/")
    page.get_by_label("Priority", exact=True).select_option("high")
    expect(rows).to_have_count(27)
    expect(page).to_have_url(re.compile(r"priority=high"))
    page.get_by_role("search", name="Filter the queue").get_by_label(
        "Language", exact=True
    ).select_option("es")
    expect(rows).to_have_count(9)
    expect(page).to_have_url(re.compile(r"priority=high.*language=es|language=es.*priority=high"))
    page.reload()
    expect(rows).to_have_count(9)
    expect(page.get_by_label("Priority", exact=True)).to_have_value("high")
    expect(
        page.get_by_role("search", name="Filter the queue").get_by_label("Language", exact=True)
    ).to_have_value("es")
    screenshot(page, "queue-filters")

    # A saved view brings the filters back as a chip.
    page.get_by_text("Save this view").click()
    page.get_by_label("Name", exact=True).fill("Spanish high")
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto("/agent/?view=all")
    page.get_by_role("link", name="Spanish high").click()
    expect(rows).to_have_count(9)


def test_answered_automatically_shows_the_ais_reasons(page, crowd):  # noqa: F811
    auto = answered_ticket(Ticket.objects.first().customer)
    log_in(page, "agnes@example.com", lands_on="Escalation queue")
    page.get_by_role("link", name="Answered automatically").click()
    expect(page.get_by_role("heading", name="Answered automatically", exact=True)).to_be_visible()
    row = page.locator(f"#queue-ticket-{auto.pk}")
    expect(row).to_contain_text("93% sure (bar 75%)")
    row.get_by_role("link", name=re.compile("Review")).click()
    expect(page).to_have_url(re.compile(rf"/agent/tickets/{auto.pk}/"))


def test_bulk_actions_from_the_queue(page, crowd):  # noqa: F811
    log_in(page, "agnes@example.com", lands_on="Escalation queue")
    first, second = crowd[0], crowd[1]
    page.get_by_label(f"Select ticket #{first.pk}", exact=True).check()
    page.get_by_label(f"Select ticket #{second.pk}", exact=True).check()
    expect(page.locator("#queue-bulk-count")).to_have_text("2 selected")
    page.get_by_label("With the selected").select_option("priority")
    expect(page.get_by_label("Team to assign")).to_be_hidden()
    page.get_by_label("New priority").select_option("urgent")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".messages")).to_contain_text("2 tickets changed.")
    assert set(Ticket.objects.filter(priority="urgent").values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert TicketEvent.objects.filter(field="priority", new_value="urgent").count() == 2

    page.get_by_label(f"Select ticket #{first.pk}", exact=True).check()
    page.get_by_label("With the selected").select_option("resolve")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".messages")).to_contain_text("1 ticket changed.")
    expect(page.locator(f"#queue-ticket-{first.pk}")).to_have_count(0)


def on_ticket(tab, ticket) -> None:
    """The workspace of `ticket` is open and its scripts have run: a key pressed before the
    deferred shortcuts.js attached its handler would be lost (a flaky run on PostgreSQL)."""
    expect(tab).to_have_url(re.compile(rf"/agent/tickets/{ticket.pk}/"))
    tab.wait_for_load_state("domcontentloaded")


def test_keyboard_shortcuts_and_resolve_and_next(page, crowd):  # noqa: F811
    log_in(page, "agnes@example.com", lands_on="Escalation queue")
    page.wait_for_load_state("domcontentloaded")  # the deferred shortcuts.js has run
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()

    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator(f"#queue-ticket-{crowd[1].pk}")).to_have_class(re.compile("is-current"))
    page.keyboard.press("k")
    expect(page.locator(f"#queue-ticket-{crowd[0].pk}")).to_have_class(re.compile("is-current"))
    page.keyboard.press("x")
    expect(page.get_by_label(f"Select ticket #{crowd[0].pk}", exact=True)).to_be_checked()
    page.keyboard.press("o")
    on_ticket(page, crowd[0])

    # The workspace: j goes to the next ticket, k back; r writes; e resolves and moves on.
    page.keyboard.press("j")
    on_ticket(page, crowd[1])
    page.keyboard.press("k")
    on_ticket(page, crowd[0])
    page.keyboard.press("r")
    expect(page.get_by_label("Your reply")).to_be_focused()
    page.keyboard.type("Sorted, thank you.")
    page.keyboard.press("Escape")
    page.keyboard.press("e")
    expect(page).to_have_url(re.compile(rf"/agent/tickets/{crowd[1].pk}/"))
    expect(page.locator(".messages")).to_contain_text(f"#{crowd[0].pk}: Reply sent and ticket")
    assert Ticket.objects.get(pk=crowd[0].pk).status == "resolved"


def test_a_phone_shows_whole_subjects_in_my_tickets(browser, live_server):  # noqa: F811
    customer = make_user("phone@example.com", "customer")
    subject = "My parcel never arrived at the new address"
    answered = answered_ticket(customer)
    Ticket.objects.filter(pk=answered.pk).update(subject=subject)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    tab = context.new_page()
    log_in(tab, "phone@example.com", lands_on="My tickets")
    title = tab.locator(".ticket-row__title").first
    expect(title).to_have_text(subject)
    box = title.bounding_box()
    assert box["width"] > 250  # it had the width of five characters beside the badge
    screenshot(tab, "queue-phone-my-tickets")
    context.close()


def test_the_new_ticket_page_and_its_suggestions_raise_no_csp_violation(page, live_server):  # noqa: F811
    make_user("csp@example.com", "customer")
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in(page, "csp@example.com", lands_on="My tickets")
    page.goto("/tickets/new/")
    page.get_by_role("button", name="Submit ticket").click()  # empty: the form with its errors
    expect(page.locator(".form-errors, .field__error, .errorlist").first).to_be_visible()
    page.get_by_label("How can we help?").fill("where is my parcel, it has not arrived")
    page.wait_for_timeout(1500)  # the suggestions' debounce and request
    page.get_by_role("button", name="Submit ticket").click()
    page.wait_for_load_state("networkidle")
    assert violations == []
