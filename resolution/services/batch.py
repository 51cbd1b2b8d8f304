"""Decide several queued tickets in one go: the worker's batch (issue 19).

A worker's task takes up to RESOLVE_BATCH_SIZE tickets waiting in the queue, classifies their
texts in one call, analyses each with no transaction or lock held, exactly as `run_pipeline`
does, then records every decision in ONE transaction: one read of the tickets, one lock
statement, one commit for the batch instead of per ticket. With a shared cache there is one
task per batch (`take_batch`, BATCH_QUEUED_KEY below); without one, each ticket has its own
task, which takes its ticket plus the ones waiting after it (`resolve_with_waiting`), and the
tasks of the tickets it took find them decided and stop after one indexed query.

Claims (`cache.add`, atomic in Redis and in the local cache) keep two workers from analysing
the same waiting ticket; they are only an economy. Correctness stays with the lock: under it
every ticket is re-checked as `run_pipeline` does, so a ticket is never answered twice. A
killed worker's task, acked late, is delivered again: a batch task takes back the claims made
with its id, a ticket's own task decides its ticket whatever the claims; the other claims
expire after RESOLVE_CLAIM_SECONDS, and the stale sweep is the last net.
"""

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from resolution.engine.types import Outcome
from resolution.selectors import latest_decision
from resolution.services.pipeline import (
    LOCKED_FIELDS,
    Analysis,
    PipelineResult,
    analyse_and_decide,
    classified,
    record_with_rules,
    run_pipeline,
)
from tickets.models import Rule, RuleStage, Ticket, TicketStatus
from tickets.rules import active_rules, rules_matching

logger = logging.getLogger(__name__)


def _claim(ticket_id: int, token: str | None = None) -> bool:
    """Claim a waiting ticket for this worker. `token`: the claiming task's id; the same task
    redelivered after its worker died takes back what it had claimed (instead of leaving it
    to the stale sweep once the claim expires)."""
    key = f"resolution:claim:{ticket_id}"
    if cache.add(key, token or 1, timeout=settings.RESOLVE_CLAIM_SECONDS):
        return True
    return token is not None and cache.get(key) == token


def waiting_tickets(
    *, limit: int, besides: int | None = None, token: str | None = None
) -> list[int]:
    """Up to `limit` open tickets, oldest first, claimed for this worker."""
    if limit <= 0:
        return []
    waiting = Ticket.objects.filter(status=TicketStatus.OPEN).order_by("created_at", "pk")
    if besides is not None:
        waiting = waiting.exclude(pk=besides)
    waiting = waiting.values_list("id", flat=True)
    # Read a page at a time: the oldest ones may be claimed by other workers' batches (one per
    # worker process), and a batch that stopped short would leave the rest to the stale sweep.
    page, offset, taken = limit * 2, 0, []
    while True:
        candidates = list(waiting[offset : offset + page])
        for pk in candidates:
            if len(taken) == limit:
                return taken  # claim no more than it takes: a claim blocks other workers
            if _claim(pk, token):
                taken.append(pk)
        if len(taken) == limit or len(candidates) < page:
            return taken
        offset += page


def resolve_with_waiting(ticket_id: int) -> PipelineResult | None:
    """A ticket's own task (one task per ticket): decide `ticket_id` together with the tickets
    waiting after it.

    None when the ticket is no longer open (an earlier batch took it): one query, no more."""
    if not Ticket.objects.filter(pk=ticket_id, status=TicketStatus.OPEN).exists():
        return None
    _claim(ticket_id)
    others = waiting_tickets(besides=ticket_id, limit=settings.RESOLVE_BATCH_SIZE - 1)
    return run_pipeline_batch([ticket_id, *others]).get(ticket_id)


# One task per batch instead of one per ticket (settings.RESOLVE_ONE_TASK_PER_BATCH): a new
# ticket queues a batch task only if none is queued and not yet started, which this key marks
# in the shared cache. A task deletes it BEFORE it reads the waiting tickets, so a ticket
# stored (committed) before that deletion is read by the task, and one stored after it finds
# no mark and queues a task of its own: no ticket is left waiting without a task to come.
# The mark expires: a task lost on its way (a broker restart) blocks new ones no longer than
# this; a task still queued after it only means one task more.
BATCH_QUEUED_KEY = "resolution:batch-task-queued"
BATCH_QUEUED_SECONDS = 10


def batch_task_wanted() -> bool:
    """Whether the caller should queue a batch task (none is waiting to start); if so, the
    mark is set and the caller must queue it, or call `batch_task_not_queued`."""
    return cache.add(BATCH_QUEUED_KEY, 1, timeout=BATCH_QUEUED_SECONDS)


def batch_task_not_queued() -> None:
    cache.delete(BATCH_QUEUED_KEY)  # the next ticket tries again


def take_batch(token: str) -> list[int]:
    """A batch task's start: up to RESOLVE_BATCH_SIZE waiting tickets, claimed for it."""
    cache.delete(BATCH_QUEUED_KEY)  # first (see BATCH_QUEUED_KEY)
    return waiting_tickets(limit=settings.RESOLVE_BATCH_SIZE, token=token)


@dataclass
class Analysed:
    """One ticket's verdict, worked out with no lock, waiting to be recorded."""

    ticket: Ticket
    started: float
    analysis: Analysis
    outcome: Outcome
    error: str
    before_model: list[Rule]  # the admins' before-model rules that match it, not yet applied


def run_pipeline_batch(ticket_ids: Sequence[int]) -> dict[int, PipelineResult]:
    """Decide the open ones among `ticket_ids`: analyse each (no lock), record all in one
    transaction. If recording the batch fails, each ticket is decided on its own instead, so
    one bad ticket costs the others nothing."""
    tickets = list(
        Ticket.objects.select_related("customer")
        .filter(pk__in=ticket_ids, status=TicketStatus.OPEN)
        .order_by("pk")
    )
    analysed = []
    rules = active_rules()  # once for the batch, not twice per ticket
    texts = classified(tickets) if len(tickets) > 1 else None  # in one call
    for ticket in tickets:
        started = time.perf_counter()
        # The admins' before-model rules (tickets/rules.py) are matched now and applied with
        # the decision, as run_pipeline does.
        before_model = rules_matching(ticket, stage=RuleStage.BEFORE_MODEL, rules=rules)
        verdict = analyse_and_decide(ticket, classified=texts)
        analysed.append(Analysed(ticket, started, *verdict, before_model))
    try:
        return _record_batch(analysed, rules)
    except Exception:  # rolled back whole, the rules' changes too: nothing is applied twice
        logger.exception("Recording a batch of %d decisions failed; one by one", len(analysed))
        return {item.ticket.pk: run_pipeline(item.ticket.pk) for item in analysed}


@transaction.atomic
def _record_batch(analysed: list[Analysed], rules: list[Rule]) -> dict[int, PipelineResult]:
    ids = [item.ticket.pk for item in analysed]
    # Locked in id order (as read), so two batches sharing tickets cannot deadlock.
    states = {
        row["id"]: row
        for row in Ticket.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values("id", *LOCKED_FIELDS)
    }
    results = {}
    for item in analysed:
        ticket = item.ticket
        state = states.get(ticket.pk)
        if state is None:  # erased meanwhile
            results[ticket.pk] = PipelineResult(decision=None, created=False)
            continue
        for name in LOCKED_FIELDS:
            setattr(ticket, name, state[name])
        if ticket.status != TicketStatus.OPEN:
            results[ticket.pk] = PipelineResult(decision=latest_decision(ticket), created=False)
            continue
        decision = record_with_rules(
            ticket=ticket,
            analysis=item.analysis,
            outcome=item.outcome,
            error=item.error,
            started=item.started,
            before_model=item.before_model,
            rules=rules,
        )
        results[ticket.pk] = PipelineResult(decision=decision, created=True)
    return results
