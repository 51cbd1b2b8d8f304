"""Customers' ratings of automatic answers, counted against the knowledge entry that answered;
entries customers keep rating unhelpful retire themselves (rule in docs/OPERATIONS.md)."""

import logging

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from resolution.models import KnowledgeEntry, KnowledgeStatus
from resolution.selectors import latest_decision
from resolution.services.ai_resolutions import record_confirmation
from tickets.models import Message, Ticket

logger = logging.getLogger(__name__)


def record_answer_feedback(*, ticket: Ticket, answer: Message, helpful: bool) -> None:
    """Count a rating against the knowledge entry whose answer the customer rated (and a
    "resolved" on an automatic answer as the customer confirming the AI resolved it)."""
    record_confirmation(ticket=ticket, answer=answer, resolved=helpful)
    decision = latest_decision(ticket)
    if decision is None or decision.matched_entry_id is None or answer.author_kind != "assistant":
        return
    counter = "times_helpful" if helpful else "times_unhelpful"
    # update(), not save(): statistics must not look like an edit to the knowledge index.
    KnowledgeEntry.objects.filter(pk=decision.matched_entry_id).update(**{counter: F(counter) + 1})
    retire_if_poor(decision.matched_entry_id)


def retire_if_poor(entry_id: int) -> bool:
    """Retire an active entry customers keep rating unhelpful. Returns whether it retired.

    Rule: at least KNOWLEDGE_RETIRE_MIN_RATINGS ratings and a helpful share below
    KNOWLEDGE_RETIRE_HELPFUL_SHARE. One conditional UPDATE, so concurrent ratings retire it once.
    """
    minimum = settings.KNOWLEDGE_RETIRE_MIN_RATINGS
    share = settings.KNOWLEDGE_RETIRE_HELPFUL_SHARE
    # helpful / (helpful + unhelpful) < share  <=>  helpful < share * (helpful + unhelpful)
    retired = (
        KnowledgeEntry.objects.filter(pk=entry_id, status=KnowledgeStatus.ACTIVE)
        .alias(rated=F("times_helpful") + F("times_unhelpful"))
        .filter(rated__gte=minimum, times_helpful__lt=share * F("rated"))
        .update(
            status=KnowledgeStatus.RETIRED,
            retired_reason="poor_feedback",
            updated_at=timezone.now(),
        )
    )
    if retired:
        logger.info("Knowledge entry %s retired for poor feedback", entry_id)
    return bool(retired)
