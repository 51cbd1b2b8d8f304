"""resolution's part of a customer's data export and erasure (see accounts/privacy.py).

The AI keeps copies of customers' words: what they typed while suggestions were shown
(Deflection.query), training examples and knowledge questions taken from their tickets. The
answers written to them (agents' replies, automatic answers) repeat their name, address, order
numbers. Erasure reaches every copy: the customer's words go, the answers addressed to them are
scrubbed of their data (resolution.engine.scrub: tickets sit below resolution and cannot scrub),
knowledge derived from their tickets is retired with its question erased and its answer
scrubbed, and any other entry that names them is scrubbed. Statistics stay.
"""

from django.db.models import Q

from accounts.models import User
from resolution.engine.scrub import render_placeholders, scrub
from resolution.models import (
    Decision,
    Deflection,
    KnowledgeEntry,
    KnowledgeRating,
    KnowledgeStatus,
    TrainingExample,
)
from resolution.services.knowledge_snapshots import knowledge_snapshot_rebuild_after_erasure
from resolution.services.scrubbing import allowed_text, person_from_user
from tickets.models import AuthorKind, Message
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


def _scrub_for_nobody(text: str, people) -> str:
    """`text` without the people's data, and with no placeholder left to fill: a stored message
    is shown as it is, so the customer's name becomes "there"/"you", not a template variable."""
    scrubbed = scrub(text, people=people, voice="answer", allow=allowed_text())
    return render_placeholders(scrubbed.text, first_name="", full_name="")


def erase_user_data(user: User) -> None:
    person = person_from_user(user, role="customer")
    people = [person] if person is not None else []
    Deflection.objects.filter(customer=user).update(query="")
    TrainingExample.objects.filter(ticket__customer=user).delete()

    # What the desk wrote to them. Runs before accounts wipes the name and e-mail it matches.
    replies = Message.objects.filter(
        ticket__customer=user, author_kind__in=[AuthorKind.AGENT, AuthorKind.ASSISTANT]
    ).only("pk", "body")
    changed = []
    for message in replies.iterator(chunk_size=500):
        body = _scrub_for_nobody(message.body, people)
        if body != message.body:
            message.body = body
            changed.append(message)
    Message.objects.bulk_update(changed, ["body"], batch_size=500)

    # An agent's answer may still be good, but without the question it cannot be matched:
    # retire the entry so it is never used again, drop the customer's words, scrub the answer.
    derived = KnowledgeEntry.objects.filter(source_ticket__customer=user)
    # Any other entry that names them (pasted in by hand, or learnt before scrubbing existed).
    names = Q(question__icontains=user.email) | Q(answer__icontains=user.email)
    if user.full_name.strip():
        names |= Q(question__icontains=user.full_name.strip())
        names |= Q(answer__icontains=user.full_name.strip())
    entries = []
    touched = KnowledgeEntry.objects.filter(Q(pk__in=derived.values("pk")) | names)
    for entry in touched.select_related("source_ticket").iterator():
        entry.answer = scrub(entry.answer, people=people, allow=allowed_text()).text
        if entry.source_ticket_id and entry.source_ticket.customer_id == user.pk:
            entry.question, entry.status = ERASED_TEXT, KnowledgeStatus.RETIRED
            entry.retired_reason = "erased"
        else:
            entry.question = scrub(
                entry.question, people=people, voice="question", allow=allowed_text()
            ).text
        entries.append(entry)
    # One save per entry: each takes a change version, so every process's knowledge index drops
    # the old text at its next look; the shared snapshot (which holds the text) is rebuilt
    # without it once this commits.
    for entry in entries:
        entry.save(update_fields=["question", "answer", "status", "retired_reason", "updated_at"])
    if entries:
        knowledge_snapshot_rebuild_after_erasure()
    # A draft answer was written for this customer (a template greets them by name).
    Decision.objects.filter(ticket__customer=user).exclude(draft="").update(draft="")
