"""Every change to a ticket goes through here: portal, API, pipeline and admin actions alike.

Races are settled in the database with conditional UPDATEs (`filter(...).update(...)` returns
how many rows changed), so two agents clicking at once get one winner and one clear Conflict.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import User
from tickets.errors import Conflict, InvalidInput
from tickets.models import AuthorKind, EscalationReason, Message, Ticket, TicketStatus
from tickets.signals import ticket_resolved

MAX_MESSAGE_LENGTH = 10_000
MAX_SUBJECT_LENGTH = 200


def _clean_text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"The {field} cannot be empty.", details={field: ["required"]})
    if len(text) > max_length:
        raise InvalidInput(
            f"The {field} is too long ({len(text)} characters; at most {max_length}).",
            details={field: [f"at most {max_length} characters"]},
        )
    return text


def known_intent_slugs() -> set[str]:
    """The intents an agent may choose, supplied by the app that owns them (settings wire it)."""
    return set(import_string(settings.TICKET_INTENT_CHOICES)())


@transaction.atomic
def ticket_create(*, customer: User, message: str, subject: str = "") -> Ticket:
    """Store a new ticket and its first message. The AI is scheduled by resolution's receiver."""
    body = _clean_text(message, field="message", max_length=MAX_MESSAGE_LENGTH)
    subject = _clean_text(subject, field="subject", max_length=MAX_SUBJECT_LENGTH, required=False)
    ticket = Ticket.objects.create(customer=customer, subject=subject, message=body)
    Message.objects.create(
        ticket=ticket, author_kind=AuthorKind.CUSTOMER, author=customer, body=body
    )
    return ticket


def ticket_auto_resolve(*, ticket: Ticket, answer: str, intent: str, confidence: float) -> Message:
    """The AI answered. Call inside the pipeline's transaction, with the ticket locked."""
    message = Message.objects.create(ticket=ticket, author_kind=AuthorKind.ASSISTANT, body=answer)
    ticket.status = TicketStatus.AUTO_RESOLVED
    ticket.intent = intent
    ticket.confidence = confidence
    ticket.escalation_reason = ""
    ticket.resolved_at = timezone.now()
    ticket.save(
        update_fields=[
            "status",
            "intent",
            "confidence",
            "escalation_reason",
            "resolved_at",
            "updated_at",
        ]
    )
    return message


def ticket_escalate(
    *, ticket: Ticket, reason: str, intent: str | None = None, confidence: float | None = None
) -> Ticket:
    """Hand the ticket to a person, saying why."""
    ticket.status = TicketStatus.ESCALATED
    ticket.escalation_reason = reason
    ticket.resolved_at = None
    fields = ["status", "escalation_reason", "resolved_at", "updated_at"]
    if intent is not None:
        ticket.intent = intent
        fields.append("intent")
    if confidence is not None:
        ticket.confidence = confidence
        fields.append("confidence")
    ticket.save(update_fields=fields)
    return ticket


@transaction.atomic
def ticket_customer_reply(*, ticket: Ticket, customer: User, body: str) -> Message:
    """The customer writes again. On an answered ticket that means it is not done: reopen it."""
    text = _clean_text(body, field="message", max_length=MAX_MESSAGE_LENGTH)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    message = Message.objects.create(
        ticket=ticket, author_kind=AuthorKind.CUSTOMER, author=customer, body=text
    )
    if ticket.status in (TicketStatus.AUTO_RESOLVED, TicketStatus.RESOLVED):
        ticket_escalate(ticket=ticket, reason=EscalationReason.REOPENED)
    else:
        ticket.save(update_fields=["updated_at"])
    return message


def ticket_claim(*, ticket: Ticket, agent: User) -> Ticket:
    """Assign an escalated ticket to `agent`. A ticket another agent holds is a Conflict."""
    claimed = (
        Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.ESCALATED)
        .filter(assigned_agent__isnull=True)
        .update(assigned_agent=agent, updated_at=timezone.now())
    )
    ticket.refresh_from_db()
    if claimed or ticket.assigned_agent_id == agent.pk:
        return ticket
    if ticket.status != TicketStatus.ESCALATED:
        raise Conflict("This ticket is no longer waiting for an agent.", code="not_escalated")
    raise Conflict(
        f"{ticket.assigned_agent.get_full_name()} has already claimed this ticket.",
        code="already_claimed",
    )


def ticket_release(*, ticket: Ticket, agent: User) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk, assigned_agent=agent).update(
        assigned_agent=None, updated_at=timezone.now()
    )
    ticket.refresh_from_db()
    return ticket


@transaction.atomic
def ticket_agent_reply(
    *,
    ticket: Ticket,
    agent: User,
    body: str,
    internal: bool = False,
    resolve: bool = False,
    corrected_intent: str = "",
    add_to_knowledge: bool = False,
) -> Message:
    """An agent answers (or notes), optionally correcting the intent and resolving.

    Resolving sends `ticket_resolved` after commit, which is how the AI learns from agents.
    """
    text = _clean_text(body, field="body", max_length=MAX_MESSAGE_LENGTH)
    if corrected_intent and corrected_intent not in known_intent_slugs():
        raise InvalidInput(
            f"Unknown intent {corrected_intent!r}.", details={"intent": ["unknown intent"]}
        )
    if internal and (resolve or add_to_knowledge):
        raise InvalidInput("An internal note cannot resolve a ticket or teach the knowledge base.")
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if resolve and ticket.status == TicketStatus.RESOLVED:
        raise Conflict("This ticket is already resolved.", code="already_resolved")
    if ticket.assigned_agent_id not in (None, agent.pk) and resolve:
        raise Conflict(
            f"{ticket.assigned_agent.get_full_name()} is working on this ticket.",
            code="already_claimed",
        )
    message = Message.objects.create(
        ticket=ticket, author_kind=AuthorKind.AGENT, author=agent, body=text, internal=internal
    )
    fields = ["updated_at"]
    if corrected_intent and corrected_intent != ticket.intent:
        ticket.intent = corrected_intent
        fields.append("intent")
    if ticket.assigned_agent_id is None and not internal:
        ticket.assigned_agent = agent
        fields.append("assigned_agent")
    if resolve:
        ticket.status = TicketStatus.RESOLVED
        ticket.resolved_at = timezone.now()
        fields += ["status", "resolved_at"]
    ticket.save(update_fields=fields)
    if resolve:
        transaction.on_commit(
            lambda: ticket_resolved.send(
                sender=Ticket,
                ticket=ticket,
                agent=agent,
                answer=message,
                corrected_intent=corrected_intent,
                add_to_knowledge=add_to_knowledge,
            )
        )
    return message


def ticket_latest_answer(ticket: Ticket) -> Message | None:
    """The newest answer the customer can see (automatic or from an agent)."""
    return (
        ticket.messages.filter(
            author_kind__in=[AuthorKind.ASSISTANT, AuthorKind.AGENT], internal=False
        )
        .order_by("-created_at", "-id")
        .first()
    )
