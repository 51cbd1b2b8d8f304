"""An SLA breach e-mailed to the people who own the ticket (the sweep's escalation).

Who hears: the assigned agent; else the members of the ticket's team; else every active admin.
The e-mail names the ticket, its priority and the missed target, and links to the agent's
workspace; it carries none of the customer's words (the workspace shows those after login).
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from accounts.models import Role, User
from tickets.models import Ticket

TARGET_NAMES = {"first_response": "first reply", "resolution": "resolution"}


def breach_recipients(ticket: Ticket) -> list[str]:
    if ticket.assigned_agent_id and ticket.assigned_agent.is_active:
        return [ticket.assigned_agent.email]
    if ticket.team_id:
        members = ticket.team.members.filter(is_active=True).values_list("email", flat=True)
        if emails := sorted(members):
            return emails
    admins = User.objects.filter(role=Role.ADMIN, is_active=True).values_list("email", flat=True)
    return sorted(admins)


def email_sla_breach(*, ticket_id: int, target: str) -> bool:
    """Send the breach e-mail; returns whether one went out."""
    ticket = Ticket.objects.select_related("assigned_agent", "team").filter(pk=ticket_id).first()
    if ticket is None or not (recipients := breach_recipients(ticket)):
        return False
    due = ticket.first_response_due if target == "first_response" else ticket.resolution_due
    link = settings.SITE_URL.rstrip("/") + reverse("agent:ticket", args=[ticket.pk])
    what = TARGET_NAMES.get(target, target)
    body = (
        f"Ticket #{ticket.pk} ({ticket.get_priority_display()} priority) missed its {what} "
        f"target, due {due:%Y-%m-%d %H:%M %Z}.\n\nOpen it: {link}\n"
    )
    EmailMessage(
        subject=f"[SupportDesk #{ticket.pk}] SLA missed: {what}",
        body=body,
        to=recipients,
        headers={"Auto-Submitted": "auto-generated"},
    ).send(fail_silently=False)
    return True
