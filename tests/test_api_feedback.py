"""POST /api/feedback/{ticket_id}: one rating per answer; "not resolved" reopens the ticket."""

import pytest

from feedback.models import Feedback
from tests.api_helpers import (  # noqa: F401
    _clear_throttle_history,
    answered_ticket,
    api,
    error_of,
    escalated_ticket,
    open_ticket,
)


def feedback_url(ticket) -> str:
    return f"/api/feedback/{ticket.pk}"


def test_a_satisfied_customer_rates_the_answer(alice):
    ticket = answered_ticket(alice)
    response = api(alice).post(
        feedback_url(ticket), {"rating": 5, "resolved": True, "comment": "Thanks!"}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["rating"], body["resolved"], body["comment"]) == (5, True, "Thanks!")
    assert body["ticket"] == ticket.pk
    assert body["answer"] == ticket.messages.get(author_kind="assistant").pk
    assert body["ticket_status"] == "auto_resolved"
    ticket.refresh_from_db()
    assert ticket.status == "auto_resolved"


def test_not_resolved_on_an_auto_resolved_ticket_escalates_it_as_reopened(alice):
    ticket = answered_ticket(alice)
    response = api(alice).post(feedback_url(ticket), {"rating": 2, "resolved": False})
    assert response.status_code == 201
    assert response.json()["ticket_status"] == "escalated"
    ticket.refresh_from_db()
    assert (ticket.status, ticket.escalation_reason) == ("escalated", "reopened")


def test_feedback_twice_is_a_409_and_the_first_one_stands(alice):
    ticket = answered_ticket(alice)
    assert api(alice).post(feedback_url(ticket), {"rating": 4, "resolved": True}).status_code == 201
    error = error_of(api(alice).post(feedback_url(ticket), {"rating": 1, "resolved": False}), 409)
    assert error["code"] == "feedback_exists"
    assert list(Feedback.objects.values_list("rating", "resolved")) == [(4, True)]
    ticket.refresh_from_db()
    assert ticket.status == "auto_resolved"


def test_a_ticket_without_an_answer_cannot_be_rated(alice):
    for ticket in (open_ticket(alice), escalated_ticket(alice)):
        error = error_of(
            api(alice).post(feedback_url(ticket), {"rating": 3, "resolved": True}), 409
        )
        assert error["code"] == "no_answer"
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"rating": 0, "resolved": True}, "rating"),
        ({"rating": 6, "resolved": True}, "rating"),
        ({"rating": -1, "resolved": True}, "rating"),
        ({"rating": "5", "resolved": True}, "rating"),
        ({"rating": 4.5, "resolved": True}, "rating"),
        ({"rating": 4.0, "resolved": True}, "rating"),
        ({"rating": True, "resolved": True}, "rating"),
        ({"rating": None, "resolved": True}, "rating"),
        ({"rating": 10**30, "resolved": True}, "rating"),
        ({"resolved": True}, "rating"),
        ({"rating": 5}, "resolved"),
        ({"rating": 5, "resolved": "yes"}, "resolved"),
        ({"rating": 5, "resolved": 1}, "resolved"),
        ({"rating": 5, "resolved": None}, "resolved"),
        ({"rating": 5, "resolved": True, "comment": "x" * 2001}, "comment"),
        ({"rating": 5, "resolved": True, "comment": 5}, "comment"),
        ({"rating": 5, "resolved": True, "comment": "\x00"}, "comment"),
    ],
)
def test_bad_feedback_is_a_400_naming_the_field(alice, body, field):
    ticket = answered_ticket(alice)
    error = error_of(api(alice).post(feedback_url(ticket), body), 400)
    assert error["code"] == "invalid"
    assert field in error["details"]
    assert not Feedback.objects.exists()


def test_html_in_a_comment_is_kept_as_text(alice):
    ticket = answered_ticket(alice)
    comment = "<b>meh</b> <script>alert(1)</script> 👎"
    response = api(alice).post(
        feedback_url(ticket), {"rating": 2, "resolved": True, "comment": comment}
    )
    assert response.json()["comment"] == comment
    assert Feedback.objects.get().comment == comment
