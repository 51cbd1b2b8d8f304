"""Agents' resolutions and customers' feedback teach the system."""

import pytest

from feedback.services import feedback_submit
from resolution.models import Intent, KnowledgeEntry, TrainingExample
from resolution.services.pipeline import run_pipeline
from tickets.services import ticket_agent_reply, ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalated_ticket(alice, taxonomy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(customer=alice, message="The gift card code GC-1 does not work")
    ticket.refresh_from_db()
    assert ticket.status == "escalated"  # no model: ai_error
    return ticket


def resolve(ticket, agent, callbacks, **options):
    with callbacks(execute=True):
        return ticket_agent_reply(
            ticket=ticket, agent=agent, body="Here is a new code.", resolve=True, **options
        )


def test_a_resolution_with_a_corrected_intent_becomes_a_training_example(
    escalated_ticket, agent, django_capture_on_commit_callbacks
):
    resolve(
        escalated_ticket,
        agent,
        django_capture_on_commit_callbacks,
        corrected_intent="payment_issue",
    )
    example = TrainingExample.objects.get(source="agent")
    assert example.text == escalated_ticket.message
    assert example.intent.slug == "payment_issue"
    assert example.ticket == escalated_ticket


def test_add_to_knowledge_creates_an_entry_waiting_for_review(
    escalated_ticket, agent, django_capture_on_commit_callbacks
):
    resolve(
        escalated_ticket,
        agent,
        django_capture_on_commit_callbacks,
        corrected_intent="payment_issue",
        add_to_knowledge=True,
    )
    entry = KnowledgeEntry.objects.get(source_ticket=escalated_ticket)
    assert entry.status == "pending"
    assert entry.answer == "Here is a new code."
    assert entry.created_by == agent
    assert entry.intent == Intent.objects.get(slug="payment_issue")


def test_without_add_to_knowledge_no_entry_is_made(
    escalated_ticket, agent, django_capture_on_commit_callbacks
):
    resolve(
        escalated_ticket,
        agent,
        django_capture_on_commit_callbacks,
        corrected_intent="payment_issue",
    )
    assert not KnowledgeEntry.objects.filter(source_ticket=escalated_ticket).exists()


def test_an_unknown_corrected_intent_is_refused(
    escalated_ticket, agent, django_capture_on_commit_callbacks
):
    from common.errors import InvalidInput

    with pytest.raises(InvalidInput):
        resolve(
            escalated_ticket,
            agent,
            django_capture_on_commit_callbacks,
            corrected_intent="no_such_intent",
        )
    escalated_ticket.refresh_from_db()
    assert escalated_ticket.status == "escalated"


def test_feedback_counts_against_the_knowledge_entry_that_answered(alice, trained_model):
    entry = KnowledgeEntry.objects.create(
        question="Where is my order? The tracking page has not changed for days.",
        answer="See /orders/ for tracking.",
        intent=Intent.objects.get(slug="track_order"),
    )
    ticket = ticket_create(
        customer=alice, message="Where is my order? The tracking page has not changed for days."
    )
    run_pipeline(ticket.pk)
    ticket.refresh_from_db()
    assert ticket.decisions.get().matched_entry == entry
    feedback_submit(ticket=ticket, customer=alice, rating=1, resolved=False)
    entry.refresh_from_db()
    assert (entry.times_helpful, entry.times_unhelpful) == (0, 1)
    ticket.refresh_from_db()
    assert ticket.status == "escalated"
    assert ticket.escalation_reason == "reopened"
