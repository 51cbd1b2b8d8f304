"""Submitting twice (one after the other) with the same key opens one ticket; any database."""

from django.test import Client

from tests.api_helpers import _clear_throttle_history, api, error_of  # noqa: F401
from tickets.models import Ticket


def test_the_same_idempotency_key_returns_the_first_ticket(alice, charlie):
    first = api(alice).post("/api/tickets", {"message": "Late parcel"}, HTTP_IDEMPOTENCY_KEY="k1")
    again = api(alice).post("/api/tickets", {"message": "Late parcel"}, HTTP_IDEMPOTENCY_KEY="k1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    # Keys belong to a customer: Charlie's "k1" is his own ticket.
    other = api(charlie).post("/api/tickets", {"message": "Late"}, HTTP_IDEMPOTENCY_KEY="k1")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    # No key, no deduplication: two submissions are two tickets.
    api(alice).post("/api/tickets", {"message": "Late parcel"})
    api(alice).post("/api/tickets", {"message": "Late parcel"})
    assert Ticket.objects.filter(customer=alice).count() == 3


def test_an_overlong_idempotency_key_is_refused(alice):
    response = api(alice).post("/api/tickets", {"message": "Late"}, HTTP_IDEMPOTENCY_KEY="k" * 129)
    error_of(response, 400)
    assert not Ticket.objects.exists()


def test_the_portal_form_submitted_twice_opens_one_ticket(alice):
    client = Client()
    client.force_login(alice)
    page = client.get("/tickets/new/")
    draft = page.context["draft"]
    body = {"subject": "Late", "message": "Where is my parcel?", "draft": draft}
    first, second = client.post("/tickets/new/", body), client.post("/tickets/new/", body)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Ticket.objects.count() == 1
    # A fresh form (a new draft token) is a new ticket.
    client.post("/tickets/new/", {**body, "draft": client.get("/tickets/new/").context["draft"]})
    assert Ticket.objects.count() == 2
