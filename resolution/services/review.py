"""Reviewing pending knowledge entries: a person edits, approves or rejects each before it
answers anyone. The knowledge base never holds the same question twice, an entry's author does
not approve it alone, and an entry that may still hold personal data is not approved."""

from django.conf import settings
from django.db import transaction

from accounts.models import User
from common.errors import Conflict, InvalidInput, NotAllowed
from resolution.engine.scrub import Person
from resolution.models import Intent, KnowledgeEntry, KnowledgeStatus
from resolution.services.scrubbing import knowledge_entry_check, knowledge_text_scrub, ticket_people
from resolution.services.suggestions import nearest_active_entry


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
    """Change a pending entry's text (scrubbed again: a reviewer may paste personal data back);
    the duplicate check runs again on the new question. `title` is what customers see of the
    question in suggestions ("" for the intent's name)."""
    entry = _pending(entry_id)
    scrubbed = knowledge_text_scrub(
        question=(question or "").strip(), answer=(answer or "").strip(), people=entry_people(entry)
    )
    question, answer = scrubbed.question.text.strip(), scrubbed.answer.text.strip()
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


def entry_people(entry: KnowledgeEntry) -> list[Person]:
    """Whose data an entry's text may hold: its source ticket's customer and agent, its author."""
    return ticket_people(entry.source_ticket, agent=entry.created_by)


def may_approve_own(reviewer: User) -> bool:
    """Admins may approve their own entries; agents only on a one-person desk (the setting)."""
    return reviewer.is_admin or settings.KNOWLEDGE_SELF_APPROVAL


def _check_reviewable(entry: KnowledgeEntry, reviewer: User | None) -> None:
    """The review's two rules: a second person, and nothing personal left in the text."""
    if (
        reviewer is not None
        and entry.created_by_id == reviewer.pk
        and not may_approve_own(reviewer)
    ):
        raise NotAllowed(
            "You added this entry: another agent or an admin must approve it.",
            code="self_approval",
        )
    check = knowledge_entry_check(
        question=entry.question, answer=entry.answer, people=entry_people(entry)
    )
    if check.suspicious:
        raise InvalidInput(
            "This entry may still hold personal data (marked below); edit it out, then approve.",
            code="personal_data",
            details={"suspicious": [f"{f.kind}: {f.text}" for f in check.suspicious]},
        )


def knowledge_entry_approve(*, entry_id: int, reviewer: User | None) -> KnowledgeEntry:
    """Put a pending entry to work. Refused: an entry approved by its author alone (an agent;
    admins may, and KNOWLEDGE_SELF_APPROVAL lets a one-person desk), one the residual detector
    finds personal data in, and a near-duplicate of an active entry (the knowledge base must not
    hold the same question twice: edit it to differ, or reject it).

    `reviewer` None is the desk itself (a command or a test's setup), never a person's request.
    """
    with transaction.atomic():
        entry = _pending(entry_id)
        _check_reviewable(entry, reviewer)
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
