"""The pages work under the production Content-Security-Policy: Chromium reports no violation.

The live server sends the same CSP header as production (the middleware is in MIDDLEWARE), so
a blocked inline script, style or eval would show up here as a console error.
"""

import pytest
from playwright.sync_api import expect

from tests.api_helpers import answered_ticket, escalated_ticket

from .browser import browser, page  # noqa: F401
from .conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _violations(tab) -> list[str]:
    found: list[str] = []
    tab.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def _log_in(tab, email: str) -> None:
    tab.goto("/accounts/login/")
    tab.get_by_label("E-mail address").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()


def test_customer_and_agent_pages_raise_no_csp_violation(page, live_server):  # noqa: F811
    customer = make_user("csp-customer@example.com", "customer")
    make_user("csp-agent@example.com", "agent")
    ticket = answered_ticket(customer)
    escalated = escalated_ticket(customer)
    violations = _violations(page)

    _log_in(page, customer.email)
    expect(page.get_by_role("heading", name="My tickets", exact=True)).to_be_visible()
    assert page.evaluate("typeof window.htmx") == "object"  # the static htmx ran
    page.goto("/tickets/new/")
    page.get_by_label("How can we help?").fill("where is my parcel")
    page.goto(f"/tickets/{ticket.pk}/")
    page.goto(f"/tickets/{escalated.pk}/")
    page.get_by_role("button", name="Log out").click()

    _log_in(page, "csp-agent@example.com")
    expect(page.get_by_role("heading", name="Escalation queue", exact=True)).to_be_visible()
    page.goto(f"/agent/tickets/{escalated.pk}/")
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_the_api_docs_page_renders_swagger_from_our_own_files(page, live_server):  # noqa: F811
    violations = _violations(page)
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(live_server.url) else None
        ),
    )
    page.goto("/api/docs/")
    # The page fetches /api/schema/, which drf-spectacular builds on the first request (seconds
    # on a loaded host): wait for it rather than the default 5 s.
    expect(page.get_by_text("SupportDesk API").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("/api/tickets").first).to_be_visible()
    assert violations == [] and outside == []
