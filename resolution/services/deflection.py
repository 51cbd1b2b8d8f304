"""Deflection: knowledge suggestions shown while a customer writes a ticket, and whether one
answered them (so no ticket was needed). Counted by the metrics as shown / helpful."""

from accounts.models import User
from resolution.models import Deflection, KnowledgeEntry, KnowledgeStatus
from tickets.errors import InvalidInput

MAX_QUERY_LENGTH = 2_000


def deflection_shown(*, customer: User, entry_id: int, query: str) -> Deflection:
    """A suggestion was put in front of the customer (once per entry per draft)."""
    return Deflection.objects.create(
        customer=customer, entry_id=entry_id, query=query[:MAX_QUERY_LENGTH], helpful=False
    )


def deflection_helpful(
    *, customer: User, entry_id: int, query: str, shown_id: int | None = None
) -> Deflection:
    """The customer said the suggestion answered their question.

    Marks the row recorded when it was shown, or records a new one if there is none.
    """
    entry = KnowledgeEntry.objects.filter(pk=entry_id, status=KnowledgeStatus.ACTIVE).first()
    if entry is None:
        raise InvalidInput(
            "This suggestion is no longer available.", details={"entry": ["unknown entry"]}
        )
    query = query[:MAX_QUERY_LENGTH]
    if shown_id is not None:
        marked = Deflection.objects.filter(pk=shown_id, customer=customer, entry=entry).update(
            helpful=True, query=query
        )
        if marked:
            return Deflection.objects.get(pk=shown_id)
    return Deflection.objects.create(customer=customer, entry=entry, query=query, helpful=True)
