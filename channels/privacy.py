"""channels' part of a customer's data export and erasure (see accounts/privacy.py).

The raw e-mails a customer sent hold their words: erasure deletes them (rows and stored
files), like tickets replaces the words in the tickets.
"""

from django.db.models import Q

from accounts.models import User
from channels.models import InboundEmail


def _emails(user: User):
    return InboundEmail.objects.filter(Q(ticket__customer=user) | Q(sender__iexact=user.email))


def export_user_data(user: User) -> dict:
    return {
        "emails_received": [
            {
                "received_at": email.received_at.isoformat(),
                "subject": email.subject,
                "ticket_id": email.ticket_id,
                "status": email.status,
            }
            for email in _emails(user).order_by("received_at", "pk")
        ]
    }


def erase_user_data(user: User) -> None:
    for email in _emails(user):
        email.raw.delete(save=False)
        email.delete()
