"""The knowledge base: suggestions for customers and agents, and learning from resolutions."""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from accounts.models import User
from resolution.engine.llm import DisabledLLM
from resolution.engine.responder import respond
from resolution.models import (
    ExampleSource,
    Intent,
    KnowledgeEntry,
    KnowledgeStatus,
    TrainingExample,
)
from resolution.services.pipeline import intent_policy, latest_decision
from resolution.services.registry import registry
from tickets.models import Message, Ticket

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
        KnowledgeEntry.objects.create(
            question=ticket.message,
            answer=answer.body,
            intent=intent,
            source_ticket=ticket,
            created_by=agent,
            status=KnowledgeStatus.PENDING,
        )


def record_answer_feedback(*, ticket: Ticket, answer: Message, helpful: bool) -> None:
    """Count a rating against the knowledge entry whose answer the customer rated."""
    decision = latest_decision(ticket)
    if decision is None or decision.matched_entry_id is None or answer.author_kind != "assistant":
        return
    counter = "times_helpful" if helpful else "times_unhelpful"
    # update(), not save(): statistics must not look like an edit to the knowledge index.
    KnowledgeEntry.objects.filter(pk=decision.matched_entry_id).update(**{counter: F(counter) + 1})
