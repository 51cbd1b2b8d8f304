"""Shared by the tests/test_api_*.py modules: clients per role, tickets in a given state."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from resolution.models import Decision, DecisionAction
from tickets.models import AuthorKind, Message, Ticket, TicketStatus
from tickets.services import ticket_create


@pytest.fixture(autouse=True)
def _clear_throttle_history():
    """Login throttling counts failures in the cache: no test inherits another's."""
    cache.clear()
    yield
    cache.clear()


def api(user: User | None = None) -> APIClient:
    """A client sending `user`'s bearer token (anonymous without one)."""
    client = APIClient()
    client.default_format = "json"  # the API parses JSON only
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def error_of(response, status: int) -> dict:
    """Assert an error response in the API's one shape, and return its inner object."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    return body["error"]


def open_ticket(customer: User, message: str = "Where is my parcel?", **fields) -> Ticket:
    """A ticket as ticket_create leaves it (the AI is not run: tests hold on_commit back)."""
    ticket = ticket_create(customer=customer, message=message)
    if fields:
        Ticket.objects.filter(pk=ticket.pk).update(**fields)
        ticket.refresh_from_db()
    return ticket


def answered_ticket(customer: User, *, intent: str = "track_order", confidence=0.93) -> Ticket:
    """A ticket the AI answered, with its Decision and answer, as the pipeline leaves it."""
    ticket = open_ticket(
        customer, status=TicketStatus.AUTO_RESOLVED, intent=intent, confidence=confidence
    )
    Decision.objects.create(
        ticket=ticket,
        predicted_intent=intent,
        confidence=confidence,
        alternatives=[[intent, confidence], ["get_refund", 0.04]],
        action=DecisionAction.AUTO_RESOLVE,
        answer_source="template",
        thresholds={"auto_resolve": 0.75},
        signals={"similar": []},
    )
    Message.objects.create(
        ticket=ticket, author_kind=AuthorKind.ASSISTANT, body="You can track it on the site."
    )
    return ticket


def escalated_ticket(customer: User, *, reason: str = "low_confidence") -> Ticket:
    ticket = open_ticket(
        customer,
        status=TicketStatus.ESCALATED,
        escalation_reason=reason,
        intent="get_refund",
        confidence=0.41,
    )
    Decision.objects.create(
        ticket=ticket,
        predicted_intent="get_refund",
        confidence=0.41,
        alternatives=[["get_refund", 0.41], ["track_refund", 0.38]],
        action=DecisionAction.ESCALATE,
        reason_code=reason,
        thresholds={"auto_resolve": 0.75},
    )
    return ticket
