"""Reads of tickets, with the authorization rule in one place: who may see which ticket."""

from django.conf import settings
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from accounts.models import User
from tickets.models import Attachment, AuthorKind, Message, Ticket


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Customers see their own tickets; agents and admins see all; anyone else nothing."""
    if not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    queryset = Ticket.objects.select_related("customer", "assigned_agent")
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


def latest_answer_in(messages: list[Message]) -> str | None:
    """The body of the newest answer the customer can see among `messages` (in conversation
    order): what `tickets.services.ticket_latest_answer` finds, without another query."""
    for message in reversed(messages):
        if message.author_kind in (AuthorKind.ASSISTANT, AuthorKind.AGENT) and not message.internal:
            return message.body
    return None


def reply_draft(ticket: Ticket) -> str:
    """The answer an agent's reply box starts from: the AI's draft, supplied by the app that
    owns it (settings.TICKET_REPLY_DRAFT wires it; tickets never imports resolution)."""
    provider = getattr(settings, "TICKET_REPLY_DRAFT", "")
    return import_string(provider)(ticket) if provider else ""


def ticket_language(ticket: Ticket) -> str:
    """The language the desk writes to a ticket's customer in (answers and e-mails): the one
    the ticket was written in if the desk serves it, for a ticket whose language is not known
    the customer's own choice, else the desk's default (English)."""
    served = dict(settings.LANGUAGES)
    for language in (ticket.language, ticket.customer.language):
        if language:
            return language if language in served else settings.LANGUAGE_CODE
    return settings.LANGUAGE_CODE
