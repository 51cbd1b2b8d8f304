"""'Did this solve your problem?' on the ticket page: Yes / No, 1-5 stars, a comment."""

import pytest
from django.urls import reverse

from feedback.models import Feedback
from tickets.models import EscalationReason, TicketStatus
from tickets.services import ticket_auto_resolve, ticket_create

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ticket(alice):
    ticket = ticket_create(customer=alice, message="Where is my order?")
    ticket_auto_resolve(ticket=ticket, answer="It ships tomorrow.", intent="x", confidence=0.9)
    ticket.refresh_from_db()
    return ticket


def rate_url(ticket) -> str:
    return reverse("feedback:rate", args=[ticket.pk])


def test_the_panel_asks_whether_the_answer_solved_the_problem(client, alice, ticket):
    client.force_login(alice)
    html = client.get(rate_url(ticket), **HTMX).content.decode()
    assert "Did this solve your problem?" in html
    assert 'name="resolved" value="yes"' in html
    assert 'name="resolved" value="no"' in html
    assert html.count('name="rating"') == 5
    assert "<html" not in html  # a fragment for the ticket page


def test_without_javascript_the_panel_is_a_page_of_its_own(client, alice, ticket):
    client.force_login(alice)
    html = client.get(rate_url(ticket)).content.decode()
    assert "<html" in html
    assert "It ships tomorrow." in html


def test_a_ticket_without_an_answer_asks_nothing(client, alice):
    ticket = ticket_create(customer=alice, message="Help")
    client.force_login(alice)
    html = client.get(rate_url(ticket), **HTMX).content.decode()
    assert "<form" not in html
    assert " hidden" in html


def test_yes_with_five_stars_is_recorded_and_thanked(client, alice, ticket):
    client.force_login(alice)
    response = client.post(
        rate_url(ticket), {"resolved": "yes", "rating": "5", "comment": "Quick!"}, **HTMX
    )
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.resolved, feedback.comment) == (5, True, "Quick!")
    assert feedback.answer == ticket.messages.get(author_kind="assistant")
    html = response.content.decode()
    assert "Thank you for your feedback" in html
    assert 'aria-label="5 out of 5 stars"' in html
    assert "ticket-changed" in response["HX-Trigger"]
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.AUTO_RESOLVED


def test_no_hands_the_ticket_to_a_person_and_says_so(client, alice, ticket):
    client.force_login(alice)
    response = client.post(rate_url(ticket), {"resolved": "no", "rating": "2"}, **HTMX)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ESCALATED
    assert ticket.escalation_reason == EscalationReason.REOPENED
    assert "passed your ticket to a person" in response.content.decode()
    page = client.get(reverse("portal:ticket_detail", args=[ticket.pk])).content.decode()
    assert "A person will take it from here." in page


def test_without_javascript_rating_returns_to_the_ticket_with_a_message(client, alice, ticket):
    client.force_login(alice)
    response = client.post(rate_url(ticket), {"resolved": "no", "rating": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:ticket_detail", args=[ticket.pk])
    assert "A person from our support team will answer you here." in response.content.decode()


def test_a_missing_rating_is_a_form_error(client, alice, ticket):
    client.force_login(alice)
    response = client.post(rate_url(ticket), {"resolved": "yes"}, **HTMX)
    assert response.status_code == 200  # htmx swaps only successful responses
    html = response.content.decode()
    assert "Choose a rating from 1 to 5 stars." in html
    assert 'aria-describedby="feedback-rating-error"' in html
    assert not Feedback.objects.exists()


def test_a_rating_outside_one_to_five_is_a_form_error(client, alice, ticket):
    client.force_login(alice)
    response = client.post(rate_url(ticket), {"resolved": "yes", "rating": "9"})
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_rating_the_same_answer_twice_shows_the_services_refusal(client, alice, ticket):
    client.force_login(alice)
    client.post(rate_url(ticket), {"resolved": "yes", "rating": "4"}, **HTMX)
    response = client.post(rate_url(ticket), {"resolved": "no", "rating": "1"}, **HTMX)
    assert "You have already rated this answer." in response.content.decode()
    assert Feedback.objects.get().rating == 4


def test_a_customer_cannot_rate_another_customers_ticket(client, charlie, ticket):
    client.force_login(charlie)
    assert client.get(rate_url(ticket)).status_code == 404
    response = client.post(rate_url(ticket), {"resolved": "no", "rating": "1"})
    assert response.status_code == 404
    assert not Feedback.objects.exists()


def test_the_comment_is_shown_as_text(client, alice, ticket):
    client.force_login(alice)
    response = client.post(
        rate_url(ticket),
        {"resolved": "yes", "rating": "3", "comment": "<img src=x onerror=alert(1)>"},
        **HTMX,
    )
    html = response.content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
