"""The AI's work runs with no transaction or row lock held; only the recording is locked."""

import pytest

from resolution.services.pipeline import run_pipeline
from resolution.services.registry import registry
from tickets.services import ticket_create

# A real transaction per statement (not the test's wrapping one), so in_atomic_block means
# what it means in production.
pytestmark = pytest.mark.django_db(transaction=True)


def test_classify_and_search_run_outside_any_transaction(alice, engine_calls):
    seen = engine_calls
    ticket = ticket_create(customer=alice, message="Where is my parcel? It has not arrived.")
    seen.clear()  # ticket_create may have run the pipeline on commit already; run it afresh

    ticket.decisions.all().delete()
    type(ticket).objects.filter(pk=ticket.pk).update(status="open")
    result = run_pipeline(ticket.pk)

    assert result.created
    assert seen == [("predict", False), ("search", False)]


def test_a_ticket_decided_while_it_was_analysed_is_not_decided_again(
    alice, trained_model, monkeypatch
):
    loaded = registry.model()
    ticket = ticket_create(customer=alice, message="I forgot my password")
    ticket.decisions.all().delete()
    type(ticket).objects.filter(pk=ticket.pk).update(status="open")
    answers_before = ticket.messages.filter(author_kind="assistant").count()
    predict = loaded.classifier.inspect_many

    def decided_meanwhile(texts):
        # Another worker records its decision between our analysis and our lock.
        type(ticket).objects.filter(pk=ticket.pk).update(status="escalated")
        return predict(texts)

    monkeypatch.setattr(loaded.classifier, "inspect_many", decided_meanwhile)
    monkeypatch.setattr(registry, "model", lambda: loaded)
    result = run_pipeline(ticket.pk)

    assert not result.created
    assert ticket.decisions.count() == 0
    assert ticket.messages.filter(author_kind="assistant").count() == answers_before
