"""Faults: the model missing or corrupt, the database unavailable for a moment, the broker down.

In each case nothing is lost and nothing is half-written: tickets are stored and decided (by
escalating with ai_error if need be), requests that cannot be served are a clear 503.
"""

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client

from resolution.models import Decision, ModelVersion
from resolution.tasks import resolve_stale_open_tickets
from tests.api_helpers import _clear_throttle_history, api, error_of  # noqa: F401
from tickets.models import Message, Ticket, TicketStatus


def _submit(customer, capture, text: str = "Where is my parcel? It is two weeks late.") -> Ticket:
    with capture(execute=True):
        response = api(customer).post("/api/tickets", {"message": text})
    assert response.status_code == 201, response.content
    return Ticket.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize("model", ["missing", "corrupt"])
def test_a_missing_or_corrupt_model_escalates_with_ai_error_and_the_admin_sees_why(
    model, alice, admin_user, taxonomy, django_capture_on_commit_callbacks
):
    if model == "corrupt":
        ModelVersion.objects.create(version=7, artifact=b"not a model at all", is_active=True)
    ticket = _submit(alice, django_capture_on_commit_callbacks)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ESCALATED
    assert ticket.escalation_reason == "ai_error"
    decision = Decision.objects.get(ticket=ticket)
    assert decision.reason_code == "ai_error" and decision.error
    expected = "NoActiveModel" if model == "missing" else decision.error.split(":")[0]
    assert expected in decision.error

    admin = Client()
    admin.force_login(admin_user)
    page = admin.get(f"/admin/resolution/decision/{decision.pk}/change/")
    assert page.status_code == 200
    assert expected in page.content.decode()
    found = admin.get("/admin/resolution/decision/", {"q": expected})
    assert f"/admin/resolution/decision/{decision.pk}/" in found.content.decode()


def _failing(sql_fragment: str):
    def wrapper(execute, sql, params, many, context):
        if sql_fragment in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    return wrapper


def test_the_database_failing_mid_write_is_a_503_in_the_error_shape_and_writes_nothing(alice):
    client = api(alice)
    with connection.execute_wrapper(_failing('INSERT INTO "tickets_message"')):
        response = client.post("/api/tickets", {"message": "My order is late."})
    error = error_of(response, 503)
    assert error["code"] == "service_unavailable"
    assert response["Retry-After"]
    # The ticket row was inserted before the message failed: the transaction took it back.
    assert Ticket.objects.count() == 0 and Message.objects.count() == 0


def test_the_database_failing_on_a_read_is_a_503_too(alice):
    client = api(alice)
    with connection.execute_wrapper(_failing('FROM "tickets_ticket"')):
        response = client.get("/api/tickets")
    error_of(response, 503)


def test_the_portal_shows_a_plain_503_page(alice):
    client = Client()
    client.force_login(alice)
    with connection.execute_wrapper(_failing('INSERT INTO "tickets_message"')):
        response = client.post("/tickets/new/", {"subject": "Late", "message": "My order is late."})
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "Briefly unavailable" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_other_errors_are_not_turned_into_503s(alice):
    client = api(alice)
    client.raise_request_exception = False
    with mock.patch("tickets.api.ticket_submit", side_effect=RuntimeError("bug")):
        response = client.post("/api/tickets", {"message": "My order is late."})
    assert response.status_code == 500


def test_with_the_broker_down_tickets_are_stored_and_decided_by_the_sweep(
    alice, trained_model, django_capture_on_commit_callbacks, broker_configured
):
    from kombu.exceptions import OperationalError as BrokerDown

    from resolution.tasks import resolve_ticket

    # A broker is configured (tasks are queued, not run in-process) and it is down.
    with mock.patch.object(
        resolve_ticket, "delay", side_effect=BrokerDown("Connection refused")
    ) as schedule:
        tickets = [
            _submit(alice, django_capture_on_commit_callbacks, f"Where is my parcel number {n}?")
            for n in range(3)
        ]
    assert schedule.call_count == 3
    assert Ticket.objects.filter(status=TicketStatus.OPEN).count() == 3
    assert not Decision.objects.exists()

    assert resolve_stale_open_tickets(older_than_seconds=0) == 3
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.status != TicketStatus.OPEN
        assert Decision.objects.filter(ticket=ticket).count() == 1
    # A second sweep finds nothing left and decides nothing twice.
    assert resolve_stale_open_tickets(older_than_seconds=0) == 0
    assert Decision.objects.count() == 3


def test_the_sweep_runs_every_minute(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["resolve-stale-open-tickets"]
    assert schedule["task"] == "resolution.tasks.resolve_stale_open_tickets"
    assert schedule["schedule"] <= 60
