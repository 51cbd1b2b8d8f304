"""The customer's "No" where agents work: `{% reopen_reason ticket %}` at the top of the agent
workspace (a tag, so the tickets app's page needs no import of feedback)."""

from django import template
from django.urls import reverse

from feedback.csat import survey_token
from feedback.models import SatisfactionRating
from feedback.selectors import reopening_feedback
from tickets.models import Ticket, TicketStatus

register = template.Library()


@register.inclusion_tag("feedback/reopen_reason.html")
def reopen_reason(ticket: Ticket) -> dict:
    return {"feedback": reopening_feedback(ticket)}


@register.inclusion_tag("feedback/survey_link.html")
def survey_link(ticket: Ticket) -> dict:
    """On a resolved ticket's page: the customer's way into the satisfaction survey."""
    if ticket.status != TicketStatus.RESOLVED:
        return {"url": None}
    rating = SatisfactionRating.objects.filter(ticket=ticket).first()
    return {"url": reverse("feedback:survey", args=[survey_token(ticket)]), "rating": rating}
