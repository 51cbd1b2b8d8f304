"""Which tickets count as resolved by the AI: confirmed by the customer, or auto-answered with
no follow-up for AI_RESOLUTION_WINDOW_HOURS (the metrics read these rows)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from resolution.models import AIResolution, AIResolutionVia
from tickets.models import AuthorKind, Message, Ticket, TicketStatus


def record_ai_resolution(*, ticket: Ticket, via: str) -> bool:
    """Count an auto-answered ticket as resolved by the AI (once). Returns whether it was new."""
    _, created = AIResolution.objects.get_or_create(ticket=ticket, defaults={"via": via})
    return created


def record_confirmation(*, ticket: Ticket, answer: Message, resolved: bool) -> None:
    """The customer said the automatic answer solved it."""
    if resolved and answer.author_kind == AuthorKind.ASSISTANT:
        record_ai_resolution(ticket=ticket, via=AIResolutionVia.CONFIRMED)


def close_quiet_auto_resolutions(*, now=None) -> int:
    """Auto-answered tickets with no customer follow-up for AI_RESOLUTION_WINDOW_HOURS count as
    resolved by the AI. A follow-up reopens the ticket (tickets.services), so "still
    auto_resolved and answered before the window" is exactly "no follow-up". Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.AI_RESOLUTION_WINDOW_HOURS)
    quiet = Ticket.objects.filter(
        status=TicketStatus.AUTO_RESOLVED, resolved_at__lte=cutoff, ai_resolution__isnull=True
    ).values_list("id", flat=True)[:1000]
    rows = [AIResolution(ticket_id=pk, via=AIResolutionVia.QUIET) for pk in quiet]
    AIResolution.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
