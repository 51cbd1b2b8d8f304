"""Knowledge put in front of people: entries similar to a text (customers' suggestions, the
agent's AI panel, the review's duplicate check) and the agent's draft reply."""

from dataclasses import dataclass

from django.conf import settings

from resolution.engine.knowledge import usable_match
from resolution.engine.llm import DisabledLLM
from resolution.engine.responder import respond
from resolution.selectors import latest_decision
from resolution.services.pipeline import intent_policy
from resolution.services.registry import registry
from resolution.services.scrubbing import render_for_user
from tickets.models import Ticket


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


def draft_answer(ticket: Ticket) -> str:
    """A starting point for the agent's reply: the knowledge answer the desk would use (the
    engine's usable-match rule), else the intent's template, else a greeting."""
    decision = latest_decision(ticket)
    if decision and decision.matched_entry and decision.matched_entry.active:
        return render_for_user(decision.matched_entry.answer, ticket.customer)
    intent = ticket.intent or (decision.predicted_intent if decision else "")
    match = usable_match(
        registry.index().search(ticket.message, k=1) if ticket.message.strip() else [],
        intent=intent or None,
        min_score=settings.SIMILARITY_THRESHOLD,
    )
    if match is not None:
        return render_for_user(match.item.answer, ticket.customer)
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
