"""E-mail to customers when their ticket gets an answer (from the AI or an agent).

Sent by a task after the transaction commits (tickets/tasks.py), never inside a request.
Plain text only: the customer's own words are quoted in it, so there is no HTML part to
inject into; the subject holds no customer text at all (only the ticket number), so it cannot
add headers, and the greeting's name is flattened to one line.
"""

import re

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from tickets.models import AuthorKind, Message

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")


def one_line(text: str, limit: int = 80) -> str:
    """Text safe for a header: control characters and line breaks become single spaces."""
    flat = " ".join(_CONTROL.sub(" ", text or "").split())
    return flat[:limit] + ("…" if len(flat) > limit else "")


def answer_email(message: Message) -> EmailMessage | None:
    """The e-mail telling the customer about `message`, or None if it is not for them."""
    if message.internal or message.author_kind not in (AuthorKind.ASSISTANT, AuthorKind.AGENT):
        return None
    ticket = message.ticket
    customer = ticket.customer
    if not customer.email or not customer.is_active:
        return None
    who = "Our automatic assistant" if message.author_kind == AuthorKind.ASSISTANT else "An agent"
    link = settings.SITE_URL.rstrip("/") + reverse("portal:ticket_detail", args=[ticket.pk])
    footer = (
        "Did this solve it? Tell us on the ticket page; reply there if you need more help."
        if message.author_kind == AuthorKind.ASSISTANT
        else "You can reply on the ticket page."
    )
    body = (
        f"Hello {one_line(customer.get_short_name(), 60)},\n\n"
        f"{who} answered your ticket #{ticket.pk}:\n\n"
        f"{message.body}\n\n"
        f"{footer}\n{link}\n"
    )
    return EmailMessage(
        subject=f"[SupportDesk #{ticket.pk}] Your ticket has an answer",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[customer.email],
    )


def send_answer_email(message_id: int) -> bool:
    """Send the notification for one message. Returns whether an e-mail went out."""
    message = Message.objects.select_related("ticket__customer").filter(pk=message_id).first()
    email = answer_email(message) if message else None
    if email is None:
        return False
    email.send(fail_silently=False)
    return True
