"""Agents' notifications: written in the transaction of the change they report, announced
(`agent_notified`, after commit) so channels can e-mail them, read under the bell."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from tickets.models import Notification, Ticket
from tickets.signals import agent_notified


def notification_create(*, recipient: User, ticket: Ticket, kind: str) -> Notification:
    notification = Notification.objects.create(recipient=recipient, ticket=ticket, kind=kind)
    transaction.on_commit(
        lambda: agent_notified.send(sender=Notification, notification=notification)
    )
    return notification


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("ticket")


def notifications_unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_mark_read(
    *, user: User, pk: int | None = None, ticket: Ticket | None = None
) -> int:
    """Mark `user`'s notifications read: one (`pk`), those about `ticket`, or all; how many
    changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    if ticket is not None:
        unread = unread.filter(ticket=ticket)
    return unread.update(read_at=timezone.now())
