"""Reads of tickets, with the authorization rule in one place: who may see which ticket."""

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.module_loading import import_string

from accounts.models import User
from tickets.models import Attachment, AuthorKind, Message, Ticket, TicketStatus


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Customers see their own tickets; agents and admins see all; anyone else nothing."""
    if not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    queryset = Ticket.objects.select_related("customer", "assigned_agent", "team")
    if user.is_agent:
        return queryset
    return queryset.filter(customer=user)


def messages_visible_to(user: User, ticket: Ticket) -> QuerySet[Message]:
    """The conversation; internal notes only for agents and admins."""
    messages = ticket.messages.select_related("author")
    return messages if user.is_agent else messages.filter(internal=False)


def conversation_with_files(user: User, ticket: Ticket) -> list[Message]:
    """`messages_visible_to`, each message with its attachments as `message.files` (one more
    query for the whole conversation, whatever its length)."""
    messages = list(messages_visible_to(user, ticket))
    files: dict[int, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(message__in=[m.pk for m in messages]):
        files.setdefault(attachment.message_id, []).append(attachment)
    for message in messages:
        message.files = files.get(message.pk, [])
    return messages


def attachment_visible_to(user: User, ticket_pk: int, attachment_pk: int) -> Attachment | None:
    """The attachment, if `user` may see its ticket and its message (not an internal note's
    file for a customer); None otherwise, exactly as for one that does not exist."""
    ticket = tickets_visible_to(user).filter(pk=ticket_pk).first()
    if ticket is None:
        return None
    attachments = Attachment.objects.filter(ticket=ticket, pk=attachment_pk)
    if not user.is_agent:
        attachments = attachments.exclude(message__internal=True)
    return attachments.first()


# What the customer sees as an answer: the AI's or an agent's, not an internal note. The three
# reads below (one ticket, many tickets in one query, messages in hand) share this rule.
ANSWER_KINDS = (AuthorKind.ASSISTANT, AuthorKind.AGENT)


def _answers(messages: QuerySet[Message]) -> QuerySet[Message]:
    return messages.filter(author_kind__in=ANSWER_KINDS, internal=False).order_by(
        "-created_at", "-id"
    )


def ticket_latest_answer(ticket: Ticket) -> Message | None:
    """The newest answer the customer can see (automatic or from an agent)."""
    return _answers(ticket.messages.all()).first()


def with_latest_answer(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate `latest_answer`: the body of what `ticket_latest_answer` returns, in the same
    query."""
    answers = _answers(Message.objects.filter(ticket=OuterRef("pk")))
    return tickets.annotate(latest_answer=Subquery(answers.values("body")[:1]))


def latest_answer_in(messages: list[Message]) -> str | None:
    """The body of the newest answer the customer can see among `messages` (in conversation
    order): what `ticket_latest_answer` finds, without another query."""
    for message in reversed(messages):
        if message.author_kind in ANSWER_KINDS and not message.internal:
            return message.body
    return None


def reply_draft(ticket: Ticket) -> str:
    """The answer an agent's reply box starts from: the AI's draft, supplied by the app that
    owns it (settings.TICKET_REPLY_DRAFT wires it; tickets never imports resolution)."""
    provider = getattr(settings, "TICKET_REPLY_DRAFT", "")
    return import_string(provider)(ticket) if provider else ""


CUSTOMER_CONTEXT_TICKETS = 10


def customer_other_tickets(ticket: Ticket) -> list[Ticket]:
    """The customer's other tickets, newest first (the workspace's customer context)."""
    return list(
        Ticket.objects.filter(customer_id=ticket.customer_id)
        .exclude(pk=ticket.pk)
        .only("pk", "subject", "message", "status", "created_at", "customer_id")
        .order_by("-created_at", "-pk")[:CUSTOMER_CONTEXT_TICKETS]
    )


# --- The agents' queue: named views, each a filter and an order the indexes serve -----------


class QueueView(models.TextChoices):
    ESCALATED = "escalated", "Escalated"
    MINE = "mine", "Mine"
    UNASSIGNED = "unassigned", "Unassigned"
    WAITING = "waiting", "Waiting on customer"
    AUTO = "auto", "Answered automatically"
    SOLVED = "solved", "Solved"
    ALL = "all", "All"


OLDEST_FIRST = ("created_at", "id")
NEWEST_FIRST = ("-created_at", "-id")

# Work still to do reads oldest first (who has waited longest); finished work newest first.
QUEUE_ORDER = {
    QueueView.ESCALATED: OLDEST_FIRST,
    QueueView.MINE: OLDEST_FIRST,
    QueueView.UNASSIGNED: OLDEST_FIRST,
    QueueView.WAITING: OLDEST_FIRST,
    QueueView.AUTO: NEWEST_FIRST,
    QueueView.SOLVED: NEWEST_FIRST,
    QueueView.ALL: NEWEST_FIRST,
}


def queue_tickets(user: User, view: str) -> QuerySet[Ticket]:
    """The tickets of one queue view, for an agent or admin (anyone else: none), unordered.

    "Escalated" is every ticket with a person (the old queue); "mine", "unassigned" and
    "waiting on customer" are parts of it. Its order is `QUEUE_ORDER[view]`.
    """
    tickets = tickets_visible_to(user) if user.is_authenticated and user.is_agent else None
    if tickets is None:
        return Ticket.objects.none()
    with_agent = Q(status=TicketStatus.ESCALATED)
    condition = {
        QueueView.ESCALATED: with_agent,
        QueueView.MINE: with_agent & Q(assigned_agent=user),
        QueueView.UNASSIGNED: with_agent & Q(assigned_agent__isnull=True),
        QueueView.WAITING: with_agent & Q(awaiting_customer=True),
        QueueView.AUTO: Q(status=TicketStatus.AUTO_RESOLVED),
        QueueView.SOLVED: Q(status=TicketStatus.RESOLVED),
        QueueView.ALL: Q(),
    }[QueueView(view)]
    return tickets.filter(condition)


def _workable(user: User) -> QuerySet[Ticket]:
    """Escalated tickets `user` can take on: unassigned or already theirs, oldest first."""
    return (
        queue_tickets(user, QueueView.ESCALATED)
        .filter(Q(assigned_agent__isnull=True) | Q(assigned_agent=user))
        .order_by(*OLDEST_FIRST)
    )


def next_ticket(user: User, ticket: Ticket) -> Ticket | None:
    """The ticket to work on after `ticket`: the next workable one in the queue's order,
    or (past the end) the oldest one that is not `ticket`."""
    after = Q(created_at__gt=ticket.created_at) | Q(created_at=ticket.created_at, pk__gt=ticket.pk)
    workable = _workable(user).exclude(pk=ticket.pk)
    return workable.filter(after).first() or workable.first()


def previous_ticket(user: User, ticket: Ticket) -> Ticket | None:
    """The workable ticket just before `ticket` in the queue's order, if any."""
    before = Q(created_at__lt=ticket.created_at) | Q(created_at=ticket.created_at, pk__lt=ticket.pk)
    return _workable(user).filter(before).order_by("-created_at", "-id").first()


def ticket_language(ticket: Ticket) -> str:
    """The language the desk writes to a ticket's customer in (answers and e-mails): the one
    the ticket was written in if the desk serves it, for a ticket whose language is not known
    the customer's own choice, else the desk's default (English)."""
    served = dict(settings.LANGUAGES)
    for language in (ticket.language, ticket.customer.language):
        if language:
            return language if language in served else settings.LANGUAGE_CODE
    return settings.LANGUAGE_CODE
