"""Webhooks out: registered by admins (API and Django admin), delivered signed to a local HTTP
receiver, retried with backoff, logged; a dead endpoint never breaks ticket handling; private
addresses are refused unless allowed."""

import hashlib
import hmac
import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from channels.models import WebhookDelivery, WebhookEndpoint
from channels.services.webhooks import webhook_deliver, webhook_publish
from channels.tasks import retry_due_webhook_deliveries
from tests.api_helpers import api, error_of
from tickets.models import Ticket
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

SECRET = "0123456789abcdef-secret"


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """webhook_publish as the receivers call it: its deliveries are queued once it commits."""

    def run(event: str = "ticket.created", data: dict | None = None) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            (delivery_id,) = webhook_publish(event=event, data=data or {})
        return delivery_id

    return run


def endpoint(url: str, events=("ticket.created",)) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(url=url, events=list(events), secret=SECRET)


def test_admins_register_list_and_delete_endpoints(admin_user, http_receiver):
    client = api(admin_user)
    created = client.post(
        "/api/admin/webhooks",
        {
            "url": http_receiver.url,
            "events": ["ticket.created", "feedback.received"],
            "secret": SECRET,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["events"] == ["feedback.received", "ticket.created"] and "secret" not in body
    listed = client.get("/api/admin/webhooks").json()
    assert [hook["id"] for hook in listed] == [body["id"]] and "secret" not in listed[0]
    assert client.delete(f"/api/admin/webhooks/{body['id']}").status_code == 204
    assert WebhookEndpoint.objects.count() == 0
    error_of(client.delete(f"/api/admin/webhooks/{body['id']}"), 404)


@pytest.mark.parametrize("who", ["alice", "agent"])
def test_only_admins_manage_webhooks(who, request):
    client = api(request.getfixturevalue(who))
    error_of(client.get("/api/admin/webhooks"), 403)
    payload = {"url": "http://127.0.0.1:9/", "events": ["ticket.created"], "secret": SECRET}
    error_of(client.post("/api/admin/webhooks", payload), 403)
    error_of(api().get("/api/admin/webhooks"), 401)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"url": "ftp://example.com/", "events": ["ticket.created"], "secret": SECRET}, "url"),
        ({"url": "http://127.0.0.1/", "events": ["ticket.exploded"], "secret": SECRET}, "events"),
        ({"url": "http://127.0.0.1/", "events": [], "secret": SECRET}, "events"),
        ({"url": "http://127.0.0.1/", "events": ["ticket.created"], "secret": "short"}, "secret"),
        ({"url": "http://u:p@127.0.0.1/", "events": ["ticket.created"], "secret": SECRET}, "url"),
    ],
)
def test_bad_registrations_get_a_clear_error(admin_user, payload, field):
    error = error_of(api(admin_user).post("/api/admin/webhooks", payload), 400)
    assert field in error["details"]
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/",
        "http://localhost/",
        "http://10.0.0.5/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_private_addresses_are_refused_in_production(admin_user, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    payload = {"url": url, "events": ["ticket.created"], "secret": SECRET}
    error = error_of(api(admin_user).post("/api/admin/webhooks", payload), 400)
    assert "private or local" in error["details"]["url"][0]


def test_a_new_ticket_is_delivered_signed(alice, http_receiver, django_capture_on_commit_callbacks):
    endpoint(http_receiver.url + "/in")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(customer=alice, message="Where is my parcel?")
    (request,) = http_receiver.requests
    assert request.path == "/in"
    assert request.headers["X-SupportDesk-Event"] == "ticket.created"
    t, v1 = (
        part.split("=", 1)[1] for part in request.headers["X-SupportDesk-Signature"].split(",")
    )
    expected = hmac.new(SECRET.encode(), f"{t}.".encode() + request.body, hashlib.sha256)
    assert hmac.compare_digest(v1, expected.hexdigest())
    body = request.json()
    assert body["event"] == "ticket.created" and body["data"]["ticket"]["id"] == ticket.pk
    delivery = WebhookDelivery.objects.get()
    assert body["id"] == delivery.pk
    assert delivery.status == "delivered" and delivery.response_code == 200
    assert delivery.response_excerpt == "ok"


def test_failures_are_retried_with_backoff_and_logged(alice, settings, http_receiver, publish):
    settings.WEBHOOK_RETRY_SECONDS = 30
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    http_receiver.replies = [(500, b"database down"), (503, b"still down"), (200, b"fine")]
    hook = endpoint(http_receiver.url)
    delivery_id = publish(data={"ticket": {"id": 1}})
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.attempts == 1 and delivery.status == "pending"
    assert delivery.response_code == 500 and delivery.response_excerpt == "database down"
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 25 < wait <= 30
    assert retry_due_webhook_deliveries() == 0  # not due yet
    WebhookDelivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now())
    retry_due_webhook_deliveries()
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.response_code == 503
    assert 55 < (delivery.next_attempt_at - timezone.now()).total_seconds() <= 60  # doubled
    WebhookDelivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now())
    retry_due_webhook_deliveries()
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 3
    assert len(http_receiver.requests) == 3 and hook.deliveries.count() == 1


def test_an_endpoint_that_keeps_failing_is_given_up(settings, http_receiver, publish):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    http_receiver.replies = [(500, b"no")]
    endpoint(http_receiver.url)
    delivery_id = publish()
    WebhookDelivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now())
    webhook_deliver(delivery_id=delivery_id)
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status == "failed" and delivery.attempts == 2
    assert webhook_deliver(delivery_id=delivery_id) is None  # nothing more is sent
    assert len(http_receiver.requests) == 2


def test_a_redirect_is_not_followed(http_receiver, publish):
    http_receiver.replies = [(302, b"")]
    http_receiver.extra_headers = {"Location": "http://169.254.169.254/"}
    endpoint(http_receiver.url)
    delivery_id = publish()
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.response_code == 302 and delivery.status == "pending"
    assert len(http_receiver.requests) == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_dead_or_slow_endpoint_never_breaks_ticket_handling(
    alice,
    settings,
    taxonomy,
    http_receiver,
    django_capture_on_commit_callbacks,
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    http_receiver.delay = 2.0  # answers after the timeout
    endpoint(f"http://127.0.0.1:{_closed_port()}/", events=["ticket.created", "ticket.escalated"])
    endpoint(http_receiver.url, events=["ticket.created"])
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(customer=alice, message="My parcel came damaged")
    ticket.refresh_from_db()
    assert ticket.status == "escalated"  # decided and stored as always
    assert timezone.now() - started < timedelta(seconds=10)
    deliveries = WebhookDelivery.objects.all()
    assert deliveries.count() == 3
    assert all(d.status == "pending" and d.attempts == 1 and d.error for d in deliveries)
    assert {d.error.split(":")[0] for d in deliveries} <= {"ConnectionError", "ReadTimeout"}
    assert Ticket.objects.count() == 1


def test_the_delivery_is_checked_for_private_addresses_again(settings, http_receiver, publish):
    endpoint(http_receiver.url)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False  # e.g. DNS now points inside
    delivery_id = publish()
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status == "failed" and delivery.error.startswith("refused")
    assert http_receiver.requests == []


def test_feedback_is_announced(alice, http_receiver, django_capture_on_commit_callbacks):
    from feedback.services import feedback_submit
    from tests.api_helpers import answered_ticket

    endpoint(http_receiver.url, events=["feedback.received"])
    ticket = answered_ticket(alice)
    with django_capture_on_commit_callbacks(execute=True):
        feedback_submit(ticket=ticket, customer=alice, rating=4, resolved=True)
    (request,) = http_receiver.requests
    data = request.json()["data"]["feedback"]
    assert data["ticket_id"] == ticket.pk and data["rating"] == 4 and data["resolved"] is True


def test_endpoint_changes_reach_the_cached_list_at_once(http_receiver):
    """The active endpoints are read once and cached (no query per event); adding, pausing
    and deleting one is seen by the very next event."""

    def endpoints_reached(event: str) -> list[int]:
        ids = webhook_publish(event=event, data={})
        return sorted(WebhookDelivery.objects.filter(pk__in=ids).values_list("endpoint", flat=True))

    assert endpoints_reached("ticket.created") == []  # caches "no endpoints"
    first = endpoint(http_receiver.url)
    assert endpoints_reached("ticket.created") == [first.pk]
    second = endpoint(http_receiver.url, events=("ticket.created", "ticket.escalated"))
    assert endpoints_reached("ticket.created") == [first.pk, second.pk]
    assert endpoints_reached("ticket.escalated") == [second.pk]
    first.active = False
    first.save()
    assert endpoints_reached("ticket.created") == [second.pk]
    second.delete()
    assert endpoints_reached("ticket.created") == []
