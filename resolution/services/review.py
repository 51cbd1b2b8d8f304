"""Reviewing pending knowledge entries: a person edits, approves or rejects each before it
answers anyone. The knowledge base never holds the same question twice."""

from django.db import transaction

from resolution.models import Intent, KnowledgeEntry, KnowledgeStatus
from resolution.services.suggestions import nearest_active_entry
from tickets.errors import Conflict, InvalidInput


def _pending(entry_id: int) -> KnowledgeEntry:
    entry = KnowledgeEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise InvalidInput("No such knowledge entry.")
    if entry.status != KnowledgeStatus.PENDING:
        raise Conflict("This entry has already been reviewed.", code="already_reviewed")
    return entry


@transaction.atomic
def knowledge_entry_edit(
    *, entry_id: int, title: str, question: str, answer: str, intent: Intent | None
) -> KnowledgeEntry:
    """Change a pending entry's text; the duplicate check runs again on the new question.
    `title` is what customers see of the question in suggestions ("" for the intent's name)."""
    entry = _pending(entry_id)
    question, answer = (question or "").strip(), (answer or "").strip()
    if not question or not answer:
        raise InvalidInput(
            "Both the question and the answer are needed.",
            details={
                k: ["required"] for k, v in (("question", question), ("answer", answer)) if not v
            },
        )
    duplicate = nearest_active_entry(question, exclude_id=entry.pk, fresh=True)
    entry.title = " ".join((title or "").split())[:200]
    entry.question, entry.answer, entry.intent = question, answer, intent
    entry.duplicate_of_id = duplicate.entry_id if duplicate else None
    entry.duplicate_similarity = round(duplicate.score, 4) if duplicate else None
    entry.save()
    return entry


def knowledge_entry_approve(*, entry_id: int) -> KnowledgeEntry:
    """Put a pending entry to work. A near-duplicate of an active entry is refused: the
    knowledge base must not hold the same question twice (edit it to differ, or reject it)."""
    with transaction.atomic():
        entry = _pending(entry_id)
        duplicate = nearest_active_entry(entry.question, exclude_id=entry.pk, fresh=True)
        if duplicate is None:
            entry.status = KnowledgeStatus.ACTIVE
            entry.duplicate_of, entry.duplicate_similarity = None, None
        else:  # keep the flag up to date for the review page, then refuse (below)
            entry.duplicate_of_id = duplicate.entry_id
            entry.duplicate_similarity = round(duplicate.score, 4)
        entry.save(update_fields=["status", "duplicate_of", "duplicate_similarity", "updated_at"])
    if duplicate is not None:
        raise Conflict(
            f"This question is {duplicate.score:.0%} like active entry #{duplicate.entry_id}; "
            "edit it so it differs, or reject it.",
            code="duplicate",
        )
    return entry


@transaction.atomic
def knowledge_entry_reject(*, entry_id: int) -> KnowledgeEntry:
    """Drop a pending entry (kept as retired, for the record, never used)."""
    entry = _pending(entry_id)
    entry.status = KnowledgeStatus.RETIRED
    entry.retired_reason = "rejected"
    entry.save(update_fields=["status", "retired_reason", "updated_at"])
    return entry
