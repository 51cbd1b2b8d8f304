"""Every new ticket is decided, with a recorded reason; none is lost or answered twice."""

import pytest
from django.core import serializers
from django.utils import timezone

from resolution.engine.classifier import IntentClassifier
from resolution.models import Decision, Intent, KnowledgeEntry, ModelVersion
from resolution.selectors import with_times_used
from resolution.services.pipeline import run_pipeline
from resolution.services.registry import registry
from tickets.models import Message, Ticket
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db(transaction=False)

CLEAR_TRACKING_QUESTION = (
    "Hi, where is my order? I ordered a kettle last week, order 48213, and the tracking "
    "page has not changed for days. Can you tell me where my parcel is?"
)


def create(customer, text=CLEAR_TRACKING_QUESTION, subject="") -> Ticket:
    ticket = ticket_create(customer=customer, message=text, subject=subject)
    ticket.refresh_from_db()
    return ticket


def test_a_clear_question_is_answered_automatically(
    alice, trained_model, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(customer=alice, message=CLEAR_TRACKING_QUESTION)
    ticket.refresh_from_db()
    assert ticket.status == "auto_resolved"
    assert ticket.intent == "track_order"
    assert ticket.confidence >= 0.75
    decision = ticket.decisions.get()
    assert decision.action == "auto_resolve"
    assert decision.reason_code == ""
    assert decision.model_version == trained_model
    assert decision.predicted_intent == "track_order"
    assert len(decision.alternatives) == 3
    assert decision.thresholds["auto_resolve"] == 0.75
    answer = ticket.messages.get(author_kind="assistant")
    assert answer.body.strip()


def test_without_a_model_the_ticket_escalates_with_ai_error(
    alice, taxonomy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(customer=alice, message="Where is my parcel?")
    ticket.refresh_from_db()
    assert ticket.status == "escalated"
    assert ticket.escalation_reason == "ai_error"
    decision = ticket.decisions.get()
    assert decision.reason_code == "ai_error"
    assert "NoActiveModel" in decision.error
    assert ticket.messages.get().body == "Where is my parcel?"


def test_a_classifier_crash_escalates_and_loses_nothing(alice, trained_model, monkeypatch):
    loaded = registry.model()

    def explode(texts):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(loaded.classifier, "inspect_many", explode)
    monkeypatch.setattr(registry, "model", lambda: loaded)
    ticket = ticket_create(customer=alice, message="My refund has not arrived")
    result = run_pipeline(ticket.pk)
    ticket.refresh_from_db()
    assert result.created
    assert ticket.status == "escalated"
    assert ticket.escalation_reason == "ai_error"
    assert "model exploded" in result.decision.error
    assert ticket.messages.count() == 1


def test_a_corrupt_model_escalates_with_ai_error(alice, taxonomy):
    ModelVersion.objects.create(version=1, artifact=b"not a model", is_active=True)
    ticket = ticket_create(customer=alice, message="Where is my parcel?")
    run_pipeline(ticket.pk)
    ticket.refresh_from_db()
    assert ticket.escalation_reason == "ai_error"
    assert ticket.decisions.get().error


def test_running_again_on_a_decided_ticket_does_not_answer_twice(alice, trained_model):
    ticket = create(alice)
    first = run_pipeline(ticket.pk)
    second = run_pipeline(ticket.pk)
    assert first.created and not second.created
    assert second.decision == first.decision
    assert Decision.objects.filter(ticket=ticket).count() == 1
    assert ticket.messages.filter(author_kind="assistant").count() <= 1


def test_an_always_escalate_intent_goes_to_a_person(alice, trained_model):
    Intent.objects.filter(slug="track_order").update(always_escalate=True)
    ticket = create(alice)
    run_pipeline(ticket.pk)
    ticket.refresh_from_db()
    assert ticket.status == "escalated"
    assert ticket.escalation_reason == "sensitive_intent"
    assert not ticket.messages.filter(author_kind="assistant").exists()


def test_a_per_intent_threshold_overrides_the_global_one(alice, trained_model):
    Intent.objects.filter(slug="track_order").update(threshold_override=1.0)
    ticket = create(alice)
    run_pipeline(ticket.pk)
    ticket.refresh_from_db()
    assert ticket.escalation_reason == "low_confidence"
    assert ticket.decisions.get().thresholds["auto_resolve"] == 1.0


def test_asking_for_a_person_escalates(alice, trained_model):
    ticket = create(alice, "Where is my order 1234? I want to talk to a real person, not a bot.")
    run_pipeline(ticket.pk)
    ticket.refresh_from_db()
    assert ticket.status == "escalated"
    assert ticket.escalation_reason == "customer_requested_human"


def test_a_knowledge_answer_counts_its_use(alice, trained_model):
    entry = KnowledgeEntry.objects.create(
        question=CLEAR_TRACKING_QUESTION,
        answer="Your parcel is on its way: see /orders/ for the tracking link.",
        intent=Intent.objects.get(slug="track_order"),
    )
    other = KnowledgeEntry.objects.create(
        question="Do you ship to Canada?",
        answer="Yes, we ship to Canada.",
        intent=Intent.objects.get(slug="track_order"),
    )
    ticket = create(alice)
    run_pipeline(ticket.pk)
    ticket.refresh_from_db()
    decision = ticket.decisions.get()
    assert decision.matched_entry == entry
    assert decision.answer_source == "knowledge"
    # The entry's answer, opened with the greeting every answer gets.
    assert ticket.messages.get(author_kind="assistant").body == f"Hi Alice,\n\n{entry.answer}"
    # Counted from the decisions (no counter on the entry that every answer would lock).
    counted = with_times_used(KnowledgeEntry.objects.filter(pk__in=[entry.pk, other.pk]))
    assert {e.pk: e.times_used for e in counted} == {entry.pk: 1, other.pk: 0}


def test_the_signal_ignores_updates(alice, trained_model, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(customer=alice, message=CLEAR_TRACKING_QUESTION)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ticket.subject = "Changed"
        ticket.save()
    assert callbacks == []
    assert Decision.objects.filter(ticket=ticket).count() == 1


def test_the_signal_ignores_raw_saves(alice, trained_model, django_capture_on_commit_callbacks):
    now = timezone.now()
    ticket = Ticket(
        customer=alice, message="Loaded from a fixture", pk=4242, created_at=now, updated_at=now
    )
    data = serializers.serialize("json", [ticket])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for obj in serializers.deserialize("json", data):
            obj.save()
    assert callbacks == []
    assert Ticket.objects.get(pk=4242).status == "open"
    assert not Decision.objects.filter(ticket_id=4242).exists()


def test_a_newly_promoted_model_is_served_without_a_restart(alice, taxonomy, settings):
    settings.MODEL_RELOAD_SECONDS = 0
    texts = ["where is my parcel"] * 3 + ["refund my money"] * 3
    first = IntentClassifier.train(texts, ["track_order"] * 3 + ["get_refund"] * 3)
    ModelVersion.objects.create(version=1, artifact=first.to_bytes(), is_active=True)
    assert registry.model().version == 1
    second = IntentClassifier.train(texts, ["get_refund"] * 3 + ["track_order"] * 3)
    ModelVersion.objects.filter(version=1).update(is_active=False)
    ModelVersion.objects.create(version=2, artifact=second.to_bytes(), is_active=True)
    assert registry.model().version == 2
    assert registry.model().classifier.predict("where is my parcel").intent == "get_refund"


def test_the_model_is_not_reloaded_within_the_reload_interval(alice, trained_model, settings):
    settings.MODEL_RELOAD_SECONDS = 3600
    loaded = registry.model()
    ModelVersion.objects.filter(pk=trained_model.pk).update(is_active=False)
    assert registry.model() is loaded


def test_a_new_knowledge_entry_is_found_without_a_restart(trained_model):
    assert not any(
        m.item.question == "zebra striped gift wrap?"
        for m in registry.index().search("zebra striped gift wrap", k=3)
    )
    KnowledgeEntry.objects.create(question="zebra striped gift wrap?", answer="Yes, we have it.")
    assert (
        registry.index().search("zebra striped gift wrap", k=1)[0].item.question
        == "zebra striped gift wrap?"
    )


def test_pending_knowledge_is_not_used(trained_model):
    KnowledgeEntry.objects.create(question="zebra striped gift wrap?", answer="x", status="pending")
    matches = registry.index().search("zebra striped gift wrap", k=3)
    assert all(m.item.question != "zebra striped gift wrap?" for m in matches)


def test_every_message_is_kept_when_the_ai_escalates(alice, taxonomy):
    ticket = ticket_create(customer=alice, message="<b>hello</b> I need help")
    run_pipeline(ticket.pk)
    assert Message.objects.get(ticket=ticket).body == "<b>hello</b> I need help"
