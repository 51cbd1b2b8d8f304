"""Reads of tickets, with the authorization rule in one place: who may see which ticket."""

from django.db.models import QuerySet

from accounts.models import User
from tickets.models import Message, Ticket


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
