"""Hostile input: markup in every text field is shown as text on every page that shows it;
oversized bodies are refused before they are parsed; every state-changing portal request
needs the CSRF token, htmx ones included.
"""

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from tests.api_helpers import _clear_throttle_history, api, error_of  # noqa: F401
from tests.conftest import PASSWORD
from tests.test_security_matrix import ALL_URLS, RULES, _path
from tickets.models import Ticket

PAYLOADS = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(2)>",
    "{{ 7|add:7 }}{% now 'Y' %}",  # template syntax is text too, never evaluated
]
RAW_MARKERS = ["<script>alert('xss')", "<img src=x onerror", "<svg onload", "{{ 7|add:7 }}"]
ESCAPED_MARKER = "&lt;script&gt;alert("
HOSTILE = " ".join(PAYLOADS)


def _assert_shown_as_text(response, page: str, *, must_show: bool = True) -> None:
    assert response.status_code == 200, (page, response.status_code)
    html = response.content.decode()
    for marker in RAW_MARKERS[:3]:
        assert marker not in html, f"{page} renders {marker!r} as markup"
    if must_show:
        assert ESCAPED_MARKER in html, f"{page} does not show the hostile text at all"
        assert RAW_MARKERS[3] in html, f"{page} evaluated template syntax in user text"


@pytest.fixture
def hostile_ticket(alice, agent, django_capture_on_commit_callbacks) -> Ticket:
    """Hostile text in every field a person can type into, through the API and the portal."""
    alice.full_name = HOSTILE[:150]
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        created = api(alice).post("/api/tickets", {"subject": HOSTILE[:200], "message": HOSTILE})
    assert created.status_code == 201, created.content
    ticket = Ticket.objects.get(pk=created.json()["id"])
    portal = Client()
    portal.force_login(alice)
    reply = portal.post(f"/tickets/{ticket.pk}/reply/", {"message": HOSTILE})
    assert reply.status_code == 302
    worker = Client()
    worker.force_login(agent)
    note = worker.post(f"/agent/tickets/{ticket.pk}/reply/", {"body": HOSTILE, "action": "note"})
    assert note.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        answered = api(agent).post(
            f"/api/tickets/{ticket.pk}/reply", {"body": HOSTILE, "resolve": True}
        )
    assert answered.status_code == 201, answered.content
    rated = api(alice).post(
        f"/api/feedback/{ticket.pk}", {"rating": 2, "resolved": True, "comment": HOSTILE}
    )
    assert rated.status_code == 201, rated.content
    return ticket


CUSTOMER_PAGES = ["/tickets/", "/tickets/{id}/", "/feedback/tickets/{id}/"]
AGENT_PAGES = ["/agent/tickets/{id}/", "/ai/tickets/{id}/panel/"]
ADMIN_PAGES = [
    "/admin/tickets/ticket/",
    "/admin/tickets/ticket/{id}/change/",
    "/admin/accounts/user/",
    "/admin/feedback/feedback/",
]


def test_hostile_text_is_text_on_every_page_that_shows_it(hostile_ticket, alice, agent, admin_user):
    for user, pages in ((alice, CUSTOMER_PAGES), (agent, AGENT_PAGES), (admin_user, ADMIN_PAGES)):
        client = Client()
        client.force_login(user)
        for page in pages:
            path = page.format(id=hostile_ticket.pk)
            _assert_shown_as_text(client.get(path), path)
    # The queue shows escalated tickets: reopen it so it is listed, and check the htmx rows too.
    Ticket.objects.filter(pk=hostile_ticket.pk).update(status="escalated", assigned_agent=None)
    client = Client()
    client.force_login(agent)
    for path in ("/agent/", "/agent/rows/"):
        _assert_shown_as_text(client.get(path, headers={"HX-Request": "true"}), path)


def test_hostile_text_in_e_mails_is_never_html(hostile_ticket, alice):
    Client().post("/accounts/password-reset/", {"email": alice.email})
    assert mail.outbox, "the flow sent no e-mail to check"
    for message in mail.outbox:
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                for marker in RAW_MARKERS[:3]:
                    assert marker not in content, message.subject
        assert "<script>" not in message.subject


def test_hostile_text_comes_back_from_the_api_exactly_as_sent(hostile_ticket, alice):
    body = api(alice).get(f"/api/tickets/{hostile_ticket.pk}").json()
    assert body["message"] == HOSTILE
    assert body["subject"] == HOSTILE[:200]


def test_a_hostile_name_at_sign_up_is_text(db):
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {"email": "mallory@example.com", "full_name": PAYLOADS[1], "password": PASSWORD},
    )
    assert response.status_code == 302
    client.force_login(User.objects.get(email="mallory@example.com"))
    page = client.get("/tickets/")
    assert page.status_code == 200
    assert "<img src=x onerror" not in page.content.decode()


# --- Oversized bodies -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path,role",
    [
        ("/api/tickets", "customer"),
        ("/api/auth/login", "anonymous"),
        ("/api/tickets/{id}/reply", "agent"),
        ("/api/feedback/{id}", "customer"),
    ],
)
def test_an_oversized_api_body_is_a_413_in_the_error_shape(alice, agent, settings, path, role):
    from tests.api_helpers import answered_ticket

    ticket = answered_ticket(alice)
    user = {"customer": alice, "agent": agent, "anonymous": None}[role]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    raw = '{"message": "' + "x" * 5000 + '"}'
    before = (Ticket.objects.count(), ticket.messages.count())
    response = api(user).post(path.format(id=ticket.pk), raw, content_type="application/json")
    assert error_of(response, 413)["code"] == "payload_too_large"
    assert (Ticket.objects.count(), ticket.messages.count()) == before


def test_an_oversized_portal_form_is_a_400_and_stores_nothing(alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = Client()
    client.force_login(alice)
    response = client.post("/tickets/new/", {"subject": "Big", "message": "x" * 5000})
    assert response.status_code == 400
    assert Ticket.objects.count() == 0


# --- CSRF -----------------------------------------------------------------------------------

# Not the providers' inbound e-mail webhooks: machines call them with no session or cookie,
# authenticated by their own secret (tests/test_channels_inbound_webhooks.py).
PORTAL_POSTS = sorted(
    key
    for key, (method, *_rest) in RULES.items()
    if method == "post" and not key.startswith(("api", "channels:inbound_"))
)


def test_the_csrf_list_covers_the_portals_forms():
    assert {"portal:ticket_reply", "agent:claim", "agent:reply", "accounts:logout"} <= set(
        PORTAL_POSTS
    )
    assert set(PORTAL_POSTS) <= set(ALL_URLS)


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize(
    "key", PORTAL_POSTS + ["portal:ticket_new", "feedback:rate", "channels:email_feedback"]
)
def test_every_state_changing_portal_request_needs_the_csrf_token(
    key, htmx, alice, agent, admin_user
):
    from tests.api_helpers import answered_ticket, escalated_ticket

    staff = key.startswith(("agent", "ai:"))
    # The autonomy page's forms are for admins only.
    admins_only = key.startswith(("admin", "ai:autonomy"))
    user = admin_user if admins_only else agent if staff else alice
    ticket = escalated_ticket(alice) if staff else answered_ticket(alice)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    headers = {"HX-Request": "true"} if htmx else {}
    body = {"message": "hello there", "body": "hello", "rating": "4", "resolved": "yes"}
    before = (Ticket.objects.count(), ticket.messages.count())
    response = client.post(_path(key, ticket, alice), body, headers=headers)
    assert response.status_code == 403, (key, response.status_code)
    assert (Ticket.objects.count(), ticket.messages.count()) == before
    # With the token from a page (as base.html's hx-headers sends it), the same request passes.
    client.get("/accounts/password-reset/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        _path(key, ticket, alice), body, headers={**headers, "X-CSRFToken": token}
    )
    assert response.status_code != 403, key


def test_the_log_in_form_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 403
