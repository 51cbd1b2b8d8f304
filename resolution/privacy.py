"""resolution's part of a customer's data export and erasure (see accounts/privacy.py).

The AI keeps copies of customers' words: what they typed while suggestions were shown
(Deflection.query), training examples and knowledge questions taken from their tickets.
Erasure removes the words and keeps the statistics and the agents' answers.
"""

from accounts.models import User
from resolution.models import (
    Decision,
    Deflection,
    KnowledgeEntry,
    KnowledgeRating,
    KnowledgeStatus,
    TrainingExample,
)
from tickets.privacy import ERASED_TEXT


def export_user_data(user: User) -> dict:
    shown = Deflection.objects.filter(customer=user).order_by("created_at", "pk")
    return {
        "suggestions_shown": [
            {
                "query": d.query,
                "knowledge_entry": d.entry_id,
                "helpful": d.helpful,
                "created_at": d.created_at.isoformat(),
            }
            for d in shown
        ],
        # Which automatic answers they rated (the rating itself is in feedback's part); kept
        # on erasure: it holds no words, and the entries' statistics count it.
        "knowledge_ratings": [
            {
                "knowledge_entry": r.entry_id,
                "ticket": r.ticket_id,
                "helpful": r.helpful,
                "created_at": r.created_at.isoformat(),
            }
            for r in KnowledgeRating.objects.filter(customer=user).order_by("created_at", "pk")
        ],
    }


def erase_user_data(user: User) -> None:
    Deflection.objects.filter(customer=user).update(query="")
    TrainingExample.objects.filter(ticket__customer=user).delete()
    # An agent's answer may still be good, but without the question it cannot be matched:
    # retire the entry so it is never used again, and drop the customer's words.
    KnowledgeEntry.objects.filter(source_ticket__customer=user).update(
        question=ERASED_TEXT, status=KnowledgeStatus.RETIRED
    )
    # A draft answer was written for this customer (a template greets them by name).
    Decision.objects.filter(ticket__customer=user).exclude(draft="").update(draft="")
