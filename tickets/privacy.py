"""tickets' part of a customer's data export and erasure (see accounts/privacy.py)."""

from accounts.models import User
from tickets.models import Attachment, Message, Ticket

ERASED_TEXT = "[erased at the customer's request]"


def export_user_data(user: User) -> dict:
    tickets = Ticket.objects.filter(customer=user).order_by("created_at", "pk")
    messages = Message.objects.filter(ticket__customer=user, internal=False).order_by(
        "created_at", "pk"
    )
    by_ticket: dict[int, list] = {}
    for message in messages:
        by_ticket.setdefault(message.ticket_id, []).append(
            {
                "from": message.author_kind,
                "body": message.body,
                "created_at": message.created_at.isoformat(),
            }
        )
    return {
        "tickets": [
            {
                "id": ticket.pk,
                "subject": ticket.subject,
                "message": ticket.message,
                "status": ticket.status,
                "intent": ticket.intent,
                "created_at": ticket.created_at.isoformat(),
                "resolved_at": ticket.resolved_at.isoformat() if ticket.resolved_at else None,
                "conversation": by_ticket.get(ticket.pk, []),
            }
            for ticket in tickets
        ]
    }


def erase_user_data(user: User) -> None:
    """The customer's words go; the tickets, answers' existence, audit and decisions stay."""
    Ticket.objects.filter(customer=user).update(subject="", message=ERASED_TEXT)
    Message.objects.filter(ticket__customer=user, author_kind="customer").update(body=ERASED_TEXT)
    # The customer's files (and a voice note's transcript) go too, from storage and database.
    for attachment in Attachment.objects.filter(
        ticket__customer=user, message__author_kind="customer"
    ):
        attachment.file.delete(save=False)
        attachment.delete()
