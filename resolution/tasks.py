"""Celery tasks: thin wrappers that load by id and call a service.

Periodic ones are scheduled in settings.CELERY_BEAT_SCHEDULE (docs/OPERATIONS.md).
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from resolution.services.batch import (
    batch_task_not_queued,
    batch_task_wanted,
    resolve_with_waiting,
    run_pipeline_batch,
    take_batch,
)
from tickets.models import Ticket, TicketStatus

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def resolve_ticket(ticket_id: int) -> str:
    # Decides this ticket and the ones waiting after it in one batch
    # (resolution/services/batch.py). Idempotent (the pipeline locks each ticket and skips a
    # decided one), so a re-delivery after a worker died mid-task never answers twice.
    result = resolve_with_waiting(ticket_id)
    if result is None:
        return "already-decided"
    decision = result.decision
    return f"{decision.action}:{decision.reason_code}" if decision else "no-decision"


def queue_batch_task() -> None:
    """Queue a `resolve_waiting_tickets` unless one is queued and not yet started
    (resolution/services/batch.py, BATCH_QUEUED_KEY)."""
    if not batch_task_wanted():
        return
    try:
        resolve_waiting_tickets.delay()
    except Exception:
        batch_task_not_queued()
        raise


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def resolve_waiting_tickets(self) -> int:
    """One task per batch: decide up to RESOLVE_BATCH_SIZE waiting tickets; returns how many
    were decided. Tickets are claimed with this task's id, so the task redelivered after its
    worker died (acked late) takes them back; the stale sweep is the last net."""
    ids = take_batch(token=self.request.id or "")
    if not ids:  # another task took them meanwhile
        return 0
    if len(ids) == settings.RESOLVE_BATCH_SIZE:
        # More may wait: queued before deciding, so another worker process takes the next
        # batch meanwhile.
        try:
            queue_batch_task()
        except Exception:  # the broker went away: this batch is still decided, the rest
            # by the next ticket's task or the stale sweep
            logger.exception("Could not queue the next batch")
    return sum(result.created for result in run_pipeline_batch(ids).values())


@shared_task
def resolve_stale_open_tickets(older_than_seconds: int = 60) -> int:
    """Safety net: decide tickets whose scheduling was lost (broker down at creation)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Ticket.objects.filter(status=TicketStatus.OPEN, created_at__lt=cutoff).values_list(
            "id", flat=True
        )[:500]
    )
    size = max(1, settings.RESOLVE_BATCH_SIZE)
    for start in range(0, len(ids), size):
        run_pipeline_batch(ids[start : start + size])
    return len(ids)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def retrain_model(force: bool = False) -> str:
    """Train a new model; it is promoted only if not worse (resolution.services.training)."""
    from resolution.services.training import TrainingError, train_model

    try:
        result = train_model(force=force)
    except TrainingError as exc:
        logger.warning("Retraining skipped: %s", exc)
        return f"skipped: {exc}"
    outcome = "promoted" if result.promoted else "kept"
    return f"v{result.version.version} {outcome}: {result.reason}"


@shared_task
def refresh_knowledge_index() -> int:
    """Bring this worker's knowledge index up to date; returns its size.

    Every process applies knowledge changes in place by itself within MODEL_RELOAD_SECONDS;
    this task also rebuilds the index afresh after changes (new vocabulary and IDF; the rule
    is in registry.refresh_index and docs/OPERATIONS.md) and keeps idle workers warm.
    """
    from resolution.services.registry import registry

    return registry.refresh_index()


@shared_task
def rebuild_knowledge_snapshot(keep_previous: int = 1) -> str:
    """Write a new shared knowledge index snapshot (after an erasure: ``keep_previous`` 0, so
    no older snapshot keeps the erased text); returns its name."""
    from resolution.services.knowledge_snapshots import knowledge_snapshot_build

    return knowledge_snapshot_build(keep_previous=keep_previous)["name"]


@shared_task
def close_quiet_auto_resolved_tickets() -> int:
    """Count auto-answered tickets with no follow-up within AI_RESOLUTION_WINDOW_HOURS."""
    from resolution.services.ai_resolutions import close_quiet_auto_resolutions

    return close_quiet_auto_resolutions()


@shared_task
def check_autonomy() -> int:
    """The circuit breaker's periodic sweep (it also runs after every verified outcome)."""
    from resolution.services.autonomy import autonomy_check

    return len(autonomy_check())


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_autonomy_change(change_id: int) -> bool:
    """E-mail the admins that the circuit breaker moved an intent to draft."""
    from resolution.services.autonomy import autonomy_change_notify

    return autonomy_change_notify(change_id)


@shared_task
def refresh_metrics_rollup() -> int:
    """Keep the metrics roll-up current, so a metrics read finds little left to recompute."""
    from resolution.services.metrics_rollup import rollup_refresh

    return rollup_refresh()
