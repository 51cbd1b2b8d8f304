"""Customers' ratings of automatic answers, counted against the knowledge entry that answered;
entries many customers keep rating unhelpful retire themselves (rule in docs/OPERATIONS.md).

Ratings are counted per customer, not per rating: one customer who asks the same question five
times and says "No" five times is one unhappy customer. Retirement also needs the ratings to be
spread over time (KNOWLEDGE_RETIRE_MIN_HOURS), so a burst of new accounts cannot do it either.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from resolution.models import KnowledgeEntry, KnowledgeRating, KnowledgeStatus
from resolution.selectors import latest_decision
from resolution.services.ai_resolutions import record_confirmation
from resolution.services.knowledge_changes import knowledge_version_next
from tickets.models import AuthorKind, Message, Ticket

logger = logging.getLogger(__name__)


@transaction.atomic
def record_answer_feedback(*, ticket: Ticket, answer: Message, helpful: bool) -> None:
    """Count a rating against the knowledge entry whose answer the customer rated (and a
    "resolved" on an automatic answer as the customer confirming the AI resolved it)."""
    record_confirmation(ticket=ticket, answer=answer, resolved=helpful)
    decision = latest_decision(ticket)
    if (
        decision is None
        or decision.matched_entry_id is None
        or answer.author_kind != AuthorKind.ASSISTANT
    ):
        return
    entry_id = decision.matched_entry_id
    # The entry's row lock serializes ratings of one entry: each recount sees every rating
    # committed before it, so concurrent ratings never leave a stale count behind.
    if not KnowledgeEntry.objects.select_for_update().filter(pk=entry_id).exists():
        return
    KnowledgeRating.objects.update_or_create(
        entry_id=entry_id,
        ticket=ticket,
        defaults={"customer_id": ticket.customer_id, "helpful": helpful},
    )
    stats = _customer_counts(entry_id)
    # update(), not save(): statistics must not look like an edit to the knowledge index.
    KnowledgeEntry.objects.filter(pk=entry_id).update(
        times_helpful=stats["n_helpful"], times_unhelpful=stats["n_unhelpful"]
    )
    retire_if_poor(entry_id)


def _customer_counts(entry_id: int) -> dict:
    """Distinct customers who found the entry helpful / unhelpful (one who said both counts
    on both sides), all distinct customers, and the first and last rating's time."""
    return KnowledgeRating.objects.filter(entry_id=entry_id).aggregate(
        customers=Count("customer", distinct=True),
        n_helpful=Count("customer", distinct=True, filter=Q(helpful=True)),
        n_unhelpful=Count("customer", distinct=True, filter=Q(helpful=False)),
        first=Min("created_at"),
        last=Max("created_at"),
    )


def retire_if_poor(entry_id: int) -> bool:
    """Retire an active entry customers keep rating unhelpful. Returns whether it retired.

    Rule: rated by at least KNOWLEDGE_RETIRE_MIN_RATINGS distinct customers, the share of them
    who found it helpful below KNOWLEDGE_RETIRE_HELPFUL_SHARE, and at least
    KNOWLEDGE_RETIRE_MIN_HOURS from the first rating to the last. One conditional UPDATE, so
    concurrent ratings retire it once.
    """
    stats = _customer_counts(entry_id)
    rated = stats["n_helpful"] + stats["n_unhelpful"]
    if (
        stats["customers"] < settings.KNOWLEDGE_RETIRE_MIN_RATINGS
        or stats["n_helpful"] >= settings.KNOWLEDGE_RETIRE_HELPFUL_SHARE * rated
        or stats["last"] - stats["first"] < timedelta(hours=settings.KNOWLEDGE_RETIRE_MIN_HOURS)
    ):
        return False
    # The change version in the same transaction as the retirement (the caller's, if any).
    with transaction.atomic(savepoint=False):
        retired = KnowledgeEntry.objects.filter(pk=entry_id, status=KnowledgeStatus.ACTIVE).update(
            status=KnowledgeStatus.RETIRED,
            retired_reason="poor_feedback",
            updated_at=timezone.now(),
            change_version=knowledge_version_next(),
        )
    if retired:
        logger.info("Knowledge entry %s retired for poor feedback", entry_id)
    return bool(retired)
