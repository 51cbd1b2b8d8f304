"""Customers write again through the API (an integrator's app or widget): the same service and
rules as the portal's reply form."""

import pytest

from tests.api_helpers import answered_ticket, api, error_of, open_ticket
from tickets.models import AuthorKind, TicketStatus

pytestmark = pytest.mark.django_db


def test_a_customer_replies_and_an_answered_ticket_goes_to_a_person(alice):
    ticket = answered_ticket(alice)
    response = api(alice).post(f"/api/tickets/{ticket.pk}/messages", {"body": "Not solved."})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["message"]["body"] == "Not solved."
    assert body["ticket"]["status"] == TicketStatus.ESCALATED
    assert body["ticket"]["escalation_reason"] == "reopened"
    assert ticket.messages.filter(author_kind=AuthorKind.CUSTOMER).count() == 2


def test_another_customers_ticket_is_a_404_and_staff_use_their_own_endpoint(alice, charlie, agent):
    ticket = open_ticket(alice)
    error_of(api(charlie).post(f"/api/tickets/{ticket.pk}/messages", {"body": "hi"}), 404)
    error_of(api(agent).post(f"/api/tickets/{ticket.pk}/messages", {"body": "hi"}), 403)
    error_of(api().post(f"/api/tickets/{ticket.pk}/messages", {"body": "hi"}), 401)
    assert ticket.messages.count() == 1


@pytest.mark.parametrize("payload", [{}, {"body": ""}, {"body": "   "}, {"body": "x" * 10_001}])
def test_an_empty_or_long_reply_is_a_clear_error(alice, payload):
    ticket = open_ticket(alice)
    error = error_of(api(alice).post(f"/api/tickets/{ticket.pk}/messages", payload), 400)
    assert error["code"] == "invalid"
    assert ticket.messages.count() == 1
