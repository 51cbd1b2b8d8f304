"""Celery tasks of the desk without AI (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from tickets.sla import sla_sweep as run_sla_sweep


@shared_task
def sla_sweep() -> dict[str, int]:
    """Announce SLA warnings and breaches (tickets/sla.py); returns how many of each."""
    return run_sla_sweep()
