"""E-mail to agents: a ticket was assigned to them, or their ticket's customer replied.

The in-app notification (tickets.models.Notification) is the record; this e-mail is its copy
in the agent's inbox, sent by a task after commit like every e-mail of the desk. It names the
ticket (number and title) and links to the workspace; the conversation itself stays in the desk.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from channels.models import OutboundEmail
from channels.services import addresses
from channels.services.email_out import _send, _url, one_line
from tickets.models import Notification

SUBJECTS = {
    Notification.Kind.ASSIGNED: "Assigned to you",
    Notification.Kind.CUSTOMER_REPLY: "The customer replied",
}


def notification_email(notification: Notification) -> EmailMultiAlternatives | None:
    agent = notification.recipient
    if not agent.email or not agent.is_active or not agent.is_agent:
        return None
    ticket = notification.ticket
    record = OutboundEmail.objects.create(
        ticket=ticket,
        kind=OutboundEmail.Kind.AGENT_NOTICE,
        to=agent.email,
        message_id=addresses.mint_message_id(),
    )
    context = {
        "agent_name": one_line(agent.get_short_name(), 60),
        "ticket": ticket,
        "title": one_line(ticket.title, 80),
        "what": SUBJECTS[notification.kind],
        "workspace_url": _url(reverse("agent:ticket", args=[ticket.pk])),
    }
    email = EmailMultiAlternatives(
        subject=f"[SupportDesk #{ticket.pk}] {SUBJECTS[notification.kind]}: {context['title']}",
        body=render_to_string("channels/email/agent_notice.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[agent.email],
        headers={
            "Message-ID": record.message_id,
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
    )
    email.attach_alternative(
        render_to_string("channels/email/agent_notice.html", context), "text/html"
    )
    return email


def email_send_notification(*, notification_id: int) -> bool:
    notification = (
        Notification.objects.select_related("recipient", "ticket")
        .filter(pk=notification_id)
        .first()
    )
    return _send(notification_email(notification) if notification else None)
