"""Knowledge put in front of people: entries similar to a text (customers' suggestions, the
agent's AI panel, the review's duplicate check) and the agent's draft reply."""

from dataclasses import dataclass

from django.conf import settings

from feedback.selectors import rejected_answer_texts
from resolution.engine.knowledge import in_language, usable_match
from resolution.engine.llm import DisabledLLM
from resolution.engine.phrases import greeting
from resolution.engine.responder import respond
from resolution.models import KnowledgeEntry, KnowledgeStatus
from resolution.selectors import latest_decision, rejected_entry_ids
from resolution.services.answer_context import answer_context, answer_language
from resolution.services.pipeline import intent_policy
from resolution.services.registry import registry
from resolution.services.scrubbing import render_for_user
from tickets.language import language_detect
from tickets.models import Ticket


@dataclass(frozen=True)
class Suggestion:
    entry_id: int
    question: str
    answer: str
    intent: str | None
    score: float


# Searched per wanted suggestion when only one language's entries count: the others are
# dropped after the search (each language's translations sit in the same index).
LANGUAGE_OVERFETCH = 4


def similar_entries(
    text: str, *, limit: int = 3, min_score: float = 0.0, language: str | None = None
) -> list[Suggestion]:
    """The active knowledge entries most like `text`, best first (in ``language`` only, if
    given: an entry answers in its own language, engine/knowledge.py)."""
    if not text or not text.strip():
        return []
    k = limit * LANGUAGE_OVERFETCH if language else limit
    found = in_language(registry.index().search(text, k=k), language)[:limit]
    return [
        Suggestion(m.item.id, m.item.question, m.item.answer, m.item.intent, m.score)
        for m in found
        if m.score > min_score
    ]


# Customers' suggestions while they type. A wrong suggestion costs the customer's trust; a
# missing one only costs a ticket. So: close matches only (measured on the starter knowledge
# base, unrelated text scores up to ~0.4), and never one far behind the best.
CUSTOMER_MIN_QUERY_CHARS = 12  # fewer than a couple of words matches noise
CUSTOMER_MAX_SUGGESTIONS = 3
CUSTOMER_MIN_SCORE = 0.45
CUSTOMER_MIN_SHARE_OF_BEST = 0.7


@dataclass(frozen=True)
class CustomerSuggestion:
    """What a customer may see of an entry: its public title (never the question of the
    ticket it was learned from) and its answer."""

    entry_id: int
    title: str
    answer: str


def suggestions_for_customer(query: str, *, preferred: str = "") -> list[CustomerSuggestion]:
    """Close knowledge answers to a customer's draft, best first, in their public form, in
    the language the draft is written in (``preferred``, the page's, for a short draft)."""
    if len(query.strip()) < CUSTOMER_MIN_QUERY_CHARS:
        return []
    found = similar_entries(
        query,
        limit=CUSTOMER_MAX_SUGGESTIONS,
        min_score=CUSTOMER_MIN_SCORE,
        language=language_detect(query, preferred=preferred),
    )
    found = [s for s in found if s.score >= found[0].score * CUSTOMER_MIN_SHARE_OF_BEST]
    # The index may lag the database by MODEL_RELOAD_SECONDS: read the entries now, so an
    # entry retired or re-titled a second ago shows as it is (or not at all).
    entries = (
        KnowledgeEntry.objects.filter(
            pk__in=[s.entry_id for s in found], status=KnowledgeStatus.ACTIVE
        )
        .select_related("intent")
        .in_bulk()
    )
    return [
        CustomerSuggestion(s.entry_id, entries[s.entry_id].public_title, entries[s.entry_id].answer)
        for s in found
        if s.entry_id in entries
    ]


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


def similar_for_ticket(ticket: Ticket, *, limit: int = 3) -> list[Suggestion]:
    """The agent's "similar knowledge" for a ticket, without the entries whose answer the
    ticket's customer already rejected."""
    rejected = rejected_entry_ids(ticket)
    found = similar_entries(ticket.message, limit=limit + len(rejected))
    return [s for s in found if s.entry_id not in rejected][:limit]


def draft_answer(ticket: Ticket) -> str:
    """A starting point for the agent's reply: the knowledge answer the desk would use (the
    engine's usable-match rule), else the intent's template, else a greeting. Never an answer
    the customer already said did not help (the entry, or the very same text)."""
    rejected_entries = rejected_entry_ids(ticket)
    rejected_texts = rejected_answer_texts(ticket)

    def fresh(text: str) -> bool:
        return text.strip() not in rejected_texts

    decision = latest_decision(ticket)
    if (
        decision
        and decision.matched_entry
        and decision.matched_entry.active
        and decision.matched_entry_id not in rejected_entries
        and fresh(decision.matched_entry.answer)
    ):
        return render_for_user(decision.matched_entry.answer, ticket.customer)
    intent = ticket.intent or (decision.predicted_intent if decision else "")
    language = answer_language(ticket)
    found = registry.index().search(ticket.message, k=3) if ticket.message.strip() else []
    match = usable_match(
        [m for m in found if m.item.id not in rejected_entries],
        intent=intent or None,
        min_score=settings.SIMILARITY_THRESHOLD,
        language=language,
    )
    if match is not None and fresh(match.item.answer):
        return render_for_user(match.item.answer, ticket.customer)
    _, template = intent_policy(intent) if intent else (None, None)
    rendered = respond(
        text=ticket.message,
        intent=intent,
        match=None,
        template=template,
        context=answer_context(ticket),
        llm=DisabledLLM(),
        language=language,
    )
    if rendered and fresh(rendered.text):
        return rendered.text
    return greeting(language, ticket.customer.get_short_name()) + "\n\n"
