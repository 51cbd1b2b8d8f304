"""Feedback on knowledge answers cannot be gamed: entry statistics count distinct customers,
retirement needs several customers over time, and each customer's ratings are rate-limited."""

import pytest
from django.urls import reverse

from feedback.models import Feedback
from feedback.services import feedback_submit
from resolution.models import Decision, Intent, KnowledgeEntry, KnowledgeRating
from resolution.services.pipeline import run_pipeline
from resolution.services.ratings import retire_if_poor
from tests.api_helpers import answered_ticket, api, error_of
from tests.conftest import PASSWORD
from tests.knowledge_helpers import add_ratings
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

QUESTION = "Where is my order? The tracking page has not changed for days."


def answered_by(entry: KnowledgeEntry, customer):
    """A ticket the AI answered from `entry`, as the pipeline leaves it."""
    ticket = answered_ticket(customer)
    Decision.objects.filter(ticket=ticket).update(matched_entry=entry, answer_source="knowledge")
    return ticket


def test_one_customer_cannot_retire_an_entry_by_asking_and_saying_no_five_times(
    alice, trained_model
):
    """The attack: ask the entry's question five times, answer "No" five times. Each "No" was
    a rating of its own, and five of them retired any entry."""
    entry = KnowledgeEntry.objects.create(
        question=QUESTION, answer="See /orders/.", intent=Intent.objects.get(slug="track_order")
    )
    for _ in range(5):
        ticket = ticket_create(customer=alice, message=QUESTION)
        run_pipeline(ticket.pk)
        assert ticket.decisions.get().matched_entry == entry  # answered by the entry
        feedback_submit(ticket=ticket, customer=alice, rating=1, resolved=False)
    entry.refresh_from_db()
    assert entry.status == "active"
    assert (entry.times_helpful, entry.times_unhelpful) == (0, 1)  # one unhappy customer
    assert KnowledgeRating.objects.filter(entry=entry).count() == 5  # every ticket remembered


def test_statistics_count_each_customer_once_on_each_side(alice, charlie, taxonomy):
    entry = KnowledgeEntry.objects.create(question="q", answer="a")
    for customer, resolved in ((alice, False), (alice, False), (alice, True), (charlie, False)):
        ticket = answered_by(entry, customer)
        feedback_submit(ticket=ticket, customer=customer, rating=3, resolved=resolved)
    entry.refresh_from_db()
    assert (entry.times_helpful, entry.times_unhelpful) == (1, 2)


def test_a_burst_of_customers_within_hours_does_not_retire_an_entry(taxonomy, settings):
    entry = KnowledgeEntry.objects.create(question="q", answer="a")
    add_ratings(entry, helpful=0, unhelpful=8, span_hours=2)  # eight new accounts, two hours
    assert not retire_if_poor(entry.pk)
    settings.KNOWLEDGE_RETIRE_MIN_HOURS = 1
    assert retire_if_poor(entry.pk)
    entry.refresh_from_db()
    assert (entry.status, entry.retired_reason) == ("retired", "poor_feedback")


def test_too_few_distinct_customers_never_retire_an_entry(taxonomy, settings):
    entry = KnowledgeEntry.objects.create(question="q", answer="a")
    add_ratings(entry, helpful=0, unhelpful=4, span_hours=72)
    assert not retire_if_poor(entry.pk)
    settings.KNOWLEDGE_RETIRE_MIN_RATINGS = 4
    assert retire_if_poor(entry.pk)


def test_a_customer_rating_too_often_gets_a_429_in_the_api_shape(alice, charlie, settings):
    settings.CUSTOMER_FEEDBACK_RATE = "2/hour"
    tickets = [answered_ticket(alice) for _ in range(3)]
    for ticket in tickets[:2]:
        response = api(alice).post(f"/api/feedback/{ticket.pk}", {"rating": 1, "resolved": False})
        assert response.status_code == 201
    response = api(alice).post(f"/api/feedback/{tickets[2].pk}", {"rating": 1, "resolved": False})
    error = error_of(response, 429)
    assert error["code"] == "throttled"
    assert 1 <= error["details"]["retry_after"] <= 3601
    assert Feedback.objects.count() == 2
    tickets[2].refresh_from_db()
    assert tickets[2].status == "auto_resolved"  # nothing changed
    # Another customer is not affected.
    other = answered_ticket(charlie)
    assert (
        api(charlie).post(f"/api/feedback/{other.pk}", {"rating": 5, "resolved": True}).status_code
        == 201
    )


def test_the_portal_says_so_on_the_form(client, alice, settings):
    settings.CUSTOMER_FEEDBACK_RATE = "0/hour"
    ticket = answered_ticket(alice)
    client.login(email=alice.email, password=PASSWORD)
    response = client.post(
        reverse("feedback:rate", args=[ticket.pk]), {"rating": 2, "resolved": "no"}
    )
    assert response.status_code == 400
    assert "the most we accept in an hour" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_customers_knowledge_ratings_are_in_their_export(alice, charlie, taxonomy):
    from accounts.privacy import user_export_data

    entry = KnowledgeEntry.objects.create(question="q", answer="a")
    ticket = answered_by(entry, alice)
    feedback_submit(ticket=ticket, customer=alice, rating=2, resolved=False)
    [rated] = user_export_data(user=alice)["knowledge_ratings"]
    assert (rated["knowledge_entry"], rated["ticket"], rated["helpful"]) == (
        entry.pk,
        ticket.pk,
        False,
    )
    assert user_export_data(user=charlie)["knowledge_ratings"] == []
