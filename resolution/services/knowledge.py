"""The knowledge base: suggestions for customers and agents, and learning from resolutions.

Growth with review: an agent's answer becomes a *pending* entry (cleaned of the greeting and
sign-off), flagged when its question nearly repeats an active entry's; a person approves,
edits or rejects it before it answers anyone. Entries customers keep rating unhelpful retire
themselves (`retire_if_poor`, rule in docs/OPERATIONS.md).
"""

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from resolution.engine.llm import DisabledLLM
from resolution.engine.responder import respond
from resolution.models import (
    AIResolution,
    AIResolutionVia,
    ExampleSource,
    Intent,
    KnowledgeEntry,
    KnowledgeStatus,
    TrainingExample,
)
from resolution.selectors import latest_decision
from resolution.services.pipeline import intent_policy
from resolution.services.registry import registry
from tickets.errors import Conflict, InvalidInput
from tickets.models import AuthorKind, Message, Ticket, TicketStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suggestion:
    entry_id: int
    question: str
    answer: str
    intent: str | None
    score: float


def similar_entries(text: str, *, limit: int = 3, min_score: float = 0.0) -> list[Suggestion]:
    """The active knowledge entries most like `text`, best first."""
    if not text or not text.strip():
        return []
    return [
        Suggestion(m.item.id, m.item.question, m.item.answer, m.item.intent, m.score)
        for m in registry.index().search(text, k=limit)
        if m.score > min_score
    ]


def draft_answer(ticket: Ticket) -> str:
    """A starting point for the agent's reply: the best knowledge answer, else the template."""
    decision = latest_decision(ticket)
    if decision and decision.matched_entry and decision.matched_entry.active:
        return decision.matched_entry.answer
    best = similar_entries(ticket.message, limit=1)
    intent = ticket.intent or (decision.predicted_intent if decision else "")
    if best and best[0].intent in (None, intent) and best[0].score >= 0.3:
        return best[0].answer
    _, template = intent_policy(intent) if intent else (None, None)
    rendered = respond(
        text=ticket.message,
        intent=intent,
        match=None,
        template=template,
        context={"ticket": ticket, "customer_name": ticket.customer.get_short_name()},
        llm=DisabledLLM(),
    )
    if rendered:
        return rendered.text
    return f"Hi {ticket.customer.get_short_name()},\n\n"


@transaction.atomic
def learn_from_resolution(
    *,
    ticket: Ticket,
    agent: User,
    answer: Message | None,
    corrected_intent: str,
    add_to_knowledge: bool,
) -> None:
    """An agent resolved a ticket: its text becomes a training example for the intent the agent
    confirmed, and (if asked) its answer a knowledge entry waiting for review."""
    intent = Intent.objects.filter(slug=corrected_intent or ticket.intent).first()
    if intent is None:
        return
    if not TrainingExample.objects.filter(ticket=ticket, source=ExampleSource.AGENT).exists():
        TrainingExample.objects.create(
            text=ticket.message, intent=intent, source=ExampleSource.AGENT, ticket=ticket
        )
    if add_to_knowledge and answer is not None:
        if KnowledgeEntry.objects.filter(source_ticket=ticket).exists():
            return  # the signal fired twice for one ticket: one entry is enough
        question = ticket.message.strip()
        duplicate = nearest_active_entry(question)
        KnowledgeEntry.objects.create(
            question=question,
            answer=clean_answer(answer.body) or answer.body.strip(),
            intent=intent,
            source_ticket=ticket,
            created_by=agent,
            status=KnowledgeStatus.PENDING,
            duplicate_of_id=duplicate.entry_id if duplicate else None,
            duplicate_similarity=round(duplicate.score, 4) if duplicate else None,
        )


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


# --- Review --------------------------------------------------------------------------------

# A line that is only a greeting ("Hi Alice,", "Hello there!", "Dear customer,").
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b[^\n]{0,40}[,!.:]?\s*$",
    re.IGNORECASE,
)
# The first line of a sign-off; it and everything after it go ("Best regards,\nAgnes").
_SIGN_OFF = re.compile(
    r"^\s*(?:--\s*|—\s*|(?:best|kind|warm)(?: regards)?|regards|cheers|thanks|thank you|"
    r"many thanks|sincerely|yours(?: sincerely| truly)?|all the best)[,.!]?\s*$",
    re.IGNORECASE,
)


def clean_answer(text: str) -> str:
    """The agent's answer without an opening greeting line and a closing sign-off block.

    Only whole lines that are obviously a greeting or a sign-off go; the rest is kept as
    written ("Thanks for waiting, here is..." stays).
    """
    lines = (text or "").strip().splitlines()
    while lines and (not lines[0].strip() or _GREETING.match(lines[0])):
        lines.pop(0)
    for i, line in enumerate(lines):
        if i > 0 and _SIGN_OFF.match(line):
            lines = lines[:i]
            break
    return "\n".join(lines).strip()


def nearest_active_entry(
    question: str, *, exclude_id: int | None = None, fresh: bool = False
) -> Suggestion | None:
    """The active entry whose question is at least KNOWLEDGE_DUPLICATE_SIMILARITY alike.

    `fresh` searches an index brought up to date with the database now, not this process's
    cached one as it is (which may lag by MODEL_RELOAD_SECONDS): approving must see an entry
    approved a second ago.
    """
    if fresh:
        matches = [
            Suggestion(m.item.id, m.item.question, m.item.answer, m.item.intent, m.score)
            for m in registry.fresh_index().search(question, k=2)
            if m.item.id != exclude_id
        ]
    else:
        matches = [s for s in similar_entries(question, limit=2) if s.entry_id != exclude_id]
    if matches and matches[0].score >= settings.KNOWLEDGE_DUPLICATE_SIMILARITY:
        return matches[0]
    return None


def pending_entries():
    return (
        KnowledgeEntry.objects.filter(status=KnowledgeStatus.PENDING)
        .select_related("intent", "created_by", "source_ticket", "duplicate_of")
        .order_by("created_at", "id")
    )


def _pending(entry_id: int) -> KnowledgeEntry:
    entry = KnowledgeEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise InvalidInput("No such knowledge entry.")
    if entry.status != KnowledgeStatus.PENDING:
        raise Conflict("This entry has already been reviewed.", code="already_reviewed")
    return entry


@transaction.atomic
def knowledge_entry_edit(
    *, entry_id: int, question: str, answer: str, intent: Intent | None
) -> KnowledgeEntry:
    """Change a pending entry's text; the duplicate check runs again on the new question."""
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


# --- Retirement and resolution by the AI ---------------------------------------------------


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
