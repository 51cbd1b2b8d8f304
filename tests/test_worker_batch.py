"""The worker decides waiting tickets in batches (resolution/services/batch.py): one
transaction for the batch, the model's work outside it, each ticket decided exactly once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resolution import tasks
from resolution.models import Decision, ShopProfile
from resolution.services import batch
from resolution.services.registry import registry
from tickets.models import AuthorKind, Message, Ticket, TicketStatus
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db(transaction=True)

TEXTS = [
    "Where is my parcel? It has not arrived.",
    "I forgot my password, how do I reset it?",
    "I want to talk to a real person about my bill.",
    "Can I get a refund for my last order?",
]


@pytest.fixture
def queued(monkeypatch, broker_configured):
    """As with a broker: creating a ticket only queues its task (collected here)."""
    ids: list[int] = []
    monkeypatch.setattr(tasks.resolve_ticket, "delay", lambda ticket_id: ids.append(ticket_id))
    return ids


def open_tickets(customer, n: int = 4) -> list[int]:
    return [ticket_create(customer=customer, message=TEXTS[i % len(TEXTS)]).pk for i in range(n)]


def assert_decided_once(ids) -> None:
    for pk in ids:
        assert Ticket.objects.get(pk=pk).status != TicketStatus.OPEN
        assert Decision.objects.filter(ticket_id=pk).count() == 1
        assert Message.objects.filter(ticket_id=pk, author_kind=AuthorKind.ASSISTANT).count() <= 1


def test_one_task_decides_the_waiting_tickets_in_one_transaction(
    alice, trained_model, queued, settings
):
    settings.RESOLVE_BATCH_SIZE = 8
    ids = open_tickets(alice, 4)
    assert queued == ids
    ShopProfile.load()  # the desk's one-off first write of its shop profile is not the batch's
    with CaptureQueriesContext(connection) as captured:
        first = tasks.resolve_ticket(ids[0])
    assert first != "already-decided"
    assert_decided_once(ids)
    commits = [q for q in captured.captured_queries if q["sql"] == "COMMIT"]
    assert len(commits) == 1  # one transaction recorded all four
    # The other tickets' tasks find them decided: one query each, no second decision.
    for pk in ids[1:]:
        with CaptureQueriesContext(connection) as again:
            assert tasks.resolve_ticket(pk) == "already-decided"
        assert len(again.captured_queries) == 1
    assert_decided_once(ids)


def test_a_batch_of_one_is_the_old_one_at_a_time(alice, trained_model, queued, settings):
    settings.RESOLVE_BATCH_SIZE = 1
    ids = open_tickets(alice, 2)
    tasks.resolve_ticket(ids[0])
    assert Ticket.objects.get(pk=ids[1]).status == TicketStatus.OPEN
    tasks.resolve_ticket(ids[1])
    assert_decided_once(ids)


def test_a_ticket_claimed_by_another_worker_is_left_to_it(alice, trained_model, queued, settings):
    ids = open_tickets(alice, 3)
    assert batch._claim(ids[2])  # another worker has it
    tasks.resolve_ticket(ids[0])
    assert Ticket.objects.get(pk=ids[2]).status == TicketStatus.OPEN
    assert_decided_once(ids[:2])


def test_the_model_runs_outside_any_transaction(alice, trained_model, queued, monkeypatch):
    ids = open_tickets(alice, 3)
    loaded = registry.model()
    seen: list[bool] = []
    predict = loaded.classifier.inspect_many

    def watched(texts):
        seen.append(connection.in_atomic_block)
        return predict(texts)

    monkeypatch.setattr(loaded.classifier, "inspect_many", watched)
    monkeypatch.setattr(registry, "model", lambda: loaded)
    batch.run_pipeline_batch(ids)
    assert seen == [False]  # and the three texts classified in one call
    assert_decided_once(ids)


def test_classified_together_the_tickets_are_decided_as_one_at_a_time(alice, trained_model, queued):
    from resolution.services.pipeline import run_pipeline

    together = open_tickets(alice, 4)
    batch.run_pipeline_batch(together)
    alone = open_tickets(alice, 4)
    for pk in alone:
        run_pipeline(pk)

    def verdicts(ids):
        fields = ("predicted_intent", "confidence", "action", "reason_code", "similarity")
        return [Decision.objects.values_list(*fields).get(ticket_id=pk) for pk in ids]

    assert verdicts(together) == verdicts(alone)


def test_a_ticket_decided_during_the_analysis_is_not_decided_again(
    alice, trained_model, queued, monkeypatch
):
    ids = open_tickets(alice, 3)
    real = batch.analyse_and_decide

    def meanwhile(ticket, **kwargs):
        if ticket.pk == ids[1]:  # an agent took it while the batch was analysing
            Ticket.objects.filter(pk=ids[1]).update(status=TicketStatus.ESCALATED)
        return real(ticket, **kwargs)

    monkeypatch.setattr(batch, "analyse_and_decide", meanwhile)
    results = batch.run_pipeline_batch(ids)
    assert not results[ids[1]].created and Decision.objects.filter(ticket_id=ids[1]).count() == 0
    assert_decided_once([ids[0], ids[2]])


def test_when_recording_the_batch_fails_each_ticket_is_decided_alone(
    alice, trained_model, queued, monkeypatch
):
    ids = open_tickets(alice, 3)

    def broken(**kwargs):
        raise RuntimeError("the batch's insert failed")

    monkeypatch.setattr(batch, "record_with_rules", broken)
    results = batch.run_pipeline_batch(ids)
    assert all(results[pk].created for pk in ids)
    assert_decided_once(ids)


def test_the_stale_sweep_decides_in_batches(alice, trained_model, queued, settings):
    settings.RESOLVE_BATCH_SIZE = 2
    ids = open_tickets(alice, 5)
    assert tasks.resolve_stale_open_tickets(older_than_seconds=0) == 5
    assert_decided_once(ids)


def test_a_batch_claims_only_the_tickets_it_takes(alice, trained_model, queued, settings):
    settings.RESOLVE_BATCH_SIZE = 2
    ids = open_tickets(alice, 4)
    tasks.resolve_ticket(ids[0])
    assert_decided_once(ids[:2])
    # The two it left are free for the next worker at once, not blocked for a minute.
    assert batch._claim(ids[2]) and batch._claim(ids[3])


def test_the_worker_applies_the_admins_rules_as_the_request_does(
    alice, trained_model, queued, settings
):
    from tickets.models import Rule
    from tickets.rules import rule_save

    rule_save(
        name="urgent words",
        stage="before_model",
        conditions=[{"field": "text", "op": "contains", "value": "parcel"}],
        actions=[{"type": "set_priority", "value": "high"}],
    )
    rule_save(
        name="refunds to a person",
        stage="after_model",
        conditions=[{"field": "intent", "op": "is", "value": "get_refund"}],
        actions=[{"type": "escalate"}, {"type": "reply", "value": "A person will look."}],
    )
    ids = open_tickets(alice, 4)  # parcel, password, a person, refund
    tasks.resolve_ticket(ids[0])
    assert_decided_once(ids)
    parcel, refund = Ticket.objects.get(pk=ids[0]), Ticket.objects.get(pk=ids[3])
    assert parcel.priority == "high"
    assert Decision.objects.get(ticket=parcel).rules_fired == [
        {
            "id": Rule.objects.get(name="urgent words").pk,
            "name": "urgent words",
            "stage": "before_model",
        }
    ]
    assert refund.intent == "get_refund"
    assert refund.status == TicketStatus.ESCALATED and refund.escalation_reason == "rule"
    replies = Message.objects.filter(ticket=refund, author_kind=AuthorKind.AGENT)
    assert [m.body for m in replies] == ["A person will look."]


def test_a_batch_reads_the_admins_rules_once(alice, trained_model, queued, monkeypatch):
    ids = open_tickets(alice, 4)
    reads: list[int] = []
    real = batch.active_rules

    def counted():
        reads.append(1)
        return real()

    monkeypatch.setattr(batch, "active_rules", counted)
    monkeypatch.setattr("tickets.rules.active_rules", counted)
    batch.run_pipeline_batch(ids)
    assert_decided_once(ids)
    assert len(reads) == 1  # not twice per ticket (a cache round trip each)


# --- One task per batch (settings.RESOLVE_ONE_TASK_PER_BATCH, with a shared cache) ----------


@pytest.fixture
def batch_tasks(monkeypatch, broker_configured, settings):
    """As with a broker and a shared cache: a new ticket queues a batch task only when none is
    waiting to start. The queued tasks are collected here, in order."""
    settings.RESOLVE_ONE_TASK_PER_BATCH = True
    queued: list[str] = []
    monkeypatch.setattr(
        tasks.resolve_waiting_tickets, "delay", lambda: queued.append("resolve_waiting_tickets")
    )
    return queued


def run_queued(queued: list[str]) -> list[int]:
    """Run the collected batch tasks as a worker would, first queued first (a task may queue
    the next); returns how many each decided."""
    decided = []
    while queued:
        queued.pop(0)
        decided.append(tasks.resolve_waiting_tickets())
    return decided


def test_tickets_queue_one_task_per_batch_not_one_each(alice, trained_model, batch_tasks, settings):
    settings.RESOLVE_BATCH_SIZE = 4
    ids = open_tickets(alice, 10)
    assert batch_tasks == ["resolve_waiting_tickets"]  # the other nine found it queued
    # A full batch queues the next before deciding (another worker process may take it).
    assert run_queued(batch_tasks) == [4, 4, 2]
    assert_decided_once(ids)
    later = open_tickets(alice, 1)  # the last task had started: a new ticket queues one
    assert batch_tasks == ["resolve_waiting_tickets"]
    assert run_queued(batch_tasks) == [1]
    assert_decided_once(later)


def test_a_ticket_stored_once_the_task_has_started_queues_another(
    alice, trained_model, batch_tasks, monkeypatch
):
    first = open_tickets(alice, 1)
    real = batch.waiting_tickets
    late: list[int] = []

    def stored_meanwhile(**kwargs):
        # After the task removed its mark, before it reads: the ticket must queue a task.
        late.extend(open_tickets(alice, 1))
        return real(**kwargs)

    monkeypatch.setattr(batch, "waiting_tickets", stored_meanwhile)
    batch_tasks.pop(0)
    tasks.resolve_waiting_tickets()
    monkeypatch.setattr(batch, "waiting_tickets", real)
    assert batch_tasks == ["resolve_waiting_tickets"]  # the late one queued its own
    run_queued(batch_tasks)
    assert_decided_once(first + late)


def test_a_redelivered_batch_task_takes_back_the_tickets_it_claimed(
    alice, trained_model, batch_tasks
):
    ids = open_tickets(alice, 3)
    # The first delivery claimed them, then its worker died before recording anything.
    assert batch.take_batch(token="task-1") == ids
    # Run here, as a worker would with that task id. `disable_sync_subtasks=False`: Celery's
    # guard against a task waiting on another reads a process-wide flag, which another thread's
    # eager task may hold set (seen once on PostgreSQL); this test waits on nothing.
    second = tasks.resolve_waiting_tickets.apply(task_id="task-2")
    assert second.get(disable_sync_subtasks=False) == 0  # not its claims
    assert Ticket.objects.filter(pk__in=ids, status=TicketStatus.OPEN).count() == 3
    redelivered = tasks.resolve_waiting_tickets.apply(task_id="task-1")
    assert redelivered.get(disable_sync_subtasks=False) == 3
    assert_decided_once(ids)


def test_when_the_batch_task_cannot_be_queued_the_next_ticket_tries_again(
    alice, trained_model, batch_tasks, monkeypatch
):
    from kombu.exceptions import OperationalError as BrokerDown

    def down():
        raise BrokerDown("Connection refused")

    monkeypatch.setattr(tasks.resolve_waiting_tickets, "delay", down)
    stranded = open_tickets(alice, 1)  # logged; the sweep would decide it
    monkeypatch.setattr(
        tasks.resolve_waiting_tickets,
        "delay",
        lambda: batch_tasks.append("resolve_waiting_tickets"),
    )
    later = open_tickets(alice, 1)
    assert batch_tasks == ["resolve_waiting_tickets"]  # the failed try left no mark behind
    run_queued(batch_tasks)
    assert_decided_once(stranded + later)


def test_a_batch_task_records_in_one_transaction_and_sends_each_answer_once(
    alice, trained_model, batch_tasks, monkeypatch
):
    from django.core import mail

    from channels import tasks as channel_tasks
    from channels.models import OutboundEmail

    email_tasks: list[int] = []
    monkeypatch.setattr(channel_tasks.send_answer_email, "delay", email_tasks.append)
    ids = open_tickets(alice, 4)
    ShopProfile.load()
    mail.outbox.clear()
    batch_tasks.pop(0)
    with CaptureQueriesContext(connection) as captured:
        assert tasks.resolve_waiting_tickets() == 4
    assert_decided_once(ids)
    assert [q["sql"] for q in captured.captured_queries].count("COMMIT") == 1
    # The worker sent the answers itself after the commit: no task of their own.
    answers = Message.objects.filter(ticket_id__in=ids, author_kind=AuthorKind.ASSISTANT)
    assert email_tasks == []
    assert len(mail.outbox) == answers.count() > 0
    sent = OutboundEmail.objects.filter(ticket_id__in=ids, sent_at__isnull=False)
    assert sorted(m.extra_headers["Message-ID"] for m in mail.outbox) == sorted(
        sent.values_list("message_id", flat=True)
    )


class SmtpDown:
    """An e-mail backend whose server does not answer."""

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_an_answer_the_worker_could_not_send_goes_to_its_task_with_the_same_message_id(
    alice, trained_model, batch_tasks, monkeypatch, settings
):
    from django.core import mail

    from channels import tasks as channel_tasks
    from channels.models import OutboundEmail

    email_tasks: list[int] = []
    monkeypatch.setattr(channel_tasks.send_answer_email, "delay", email_tasks.append)
    ids = open_tickets(alice, 2)
    settings.EMAIL_BACKEND = f"{__name__}.SmtpDown"
    run_queued(batch_tasks)
    assert_decided_once(ids)
    answers = Message.objects.filter(ticket_id__in=ids, author_kind=AuthorKind.ASSISTANT)
    assert sorted(email_tasks) == sorted(answers.values_list("pk", flat=True))  # for retries
    assert not OutboundEmail.objects.filter(sent_at__isnull=False).exists()
    minted = dict(OutboundEmail.objects.values_list("ticket_message_id", "message_id"))

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    for message_id in email_tasks:  # the tasks run (their retries would, the same way)
        assert channel_tasks.send_answer_email(message_id)
    assert len(mail.outbox) == len(email_tasks)
    # Each e-mail kept the Message-ID minted on the first try: one record per answer.
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == set(minted.values())
    assert OutboundEmail.objects.count() == len(minted)


def test_a_batch_looks_past_the_tickets_other_workers_hold(
    alice, trained_model, batch_tasks, settings
):
    settings.RESOLVE_BATCH_SIZE = 2
    ids = open_tickets(alice, 7)
    for pk in ids[:4]:  # two other worker processes' batches, the oldest tickets
        assert batch._claim(pk, token="other")
    batch_tasks.pop(0)
    assert tasks.resolve_waiting_tickets() == 2
    assert_decided_once(ids[4:6])
    assert batch_tasks == ["resolve_waiting_tickets"]  # a full batch: the next is queued
    assert run_queued(batch_tasks) == [1]
    assert_decided_once(ids[6:])


def test_a_full_batch_is_decided_even_if_the_next_task_cannot_be_queued(
    alice, trained_model, batch_tasks, settings, monkeypatch
):
    from kombu.exceptions import OperationalError as BrokerDown

    settings.RESOLVE_BATCH_SIZE = 2
    ids = open_tickets(alice, 3)
    batch_tasks.pop(0)

    def down():
        raise BrokerDown("Connection refused")

    monkeypatch.setattr(tasks.resolve_waiting_tickets, "delay", down)
    assert tasks.resolve_waiting_tickets() == 2
    assert_decided_once(ids[:2])
