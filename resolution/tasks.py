"""Celery tasks: thin wrappers that load by id and call a service."""

import logging
from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from resolution.services.pipeline import run_pipeline
from tickets.models import Ticket, TicketStatus

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def resolve_ticket(ticket_id: int) -> str:
    result = run_pipeline(ticket_id)
    decision = result.decision
    return f"{decision.action}:{decision.reason_code}" if decision else "no-decision"


@shared_task
def resolve_stale_open_tickets(older_than_seconds: int = 60) -> int:
    """Safety net: decide tickets whose scheduling was lost (broker down at creation)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Ticket.objects.filter(status=TicketStatus.OPEN, created_at__lt=cutoff).values_list(
            "id", flat=True
        )[:500]
    )
    for ticket_id in ids:
        run_pipeline(ticket_id)
    return len(ids)
