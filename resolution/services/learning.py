"""Learning from an agent's resolution: a training example for the intent the agent confirmed,
and (if asked) a pending knowledge entry from the answer, cleaned of greeting and sign-off and
scrubbed of personal data (resolution.services.scrubbing)."""

import re

from django.db import transaction

from accounts.models import User
from resolution.models import (
    ExampleSource,
    Intent,
    KnowledgeEntry,
    KnowledgeStatus,
    TrainingExample,
)
from resolution.services.scrubbing import knowledge_text_scrub, ticket_people
from resolution.services.suggestions import nearest_active_entry
from tickets.models import Message, Ticket

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
        # Generic by construction: what one customer wrote never reaches another (issue 14).
        scrubbed = knowledge_text_scrub(
            question=ticket.message.strip(),
            answer=clean_answer(answer.body) or answer.body.strip(),
            people=ticket_people(ticket, agent=agent),
        )
        question = scrubbed.question.text
        duplicate = nearest_active_entry(question)
        KnowledgeEntry.objects.create(
            question=question,
            answer=scrubbed.answer.text,
            intent=intent,
            source_ticket=ticket,
            created_by=agent,
            status=KnowledgeStatus.PENDING,
            duplicate_of_id=duplicate.entry_id if duplicate else None,
            duplicate_similarity=round(duplicate.score, 4) if duplicate else None,
        )
