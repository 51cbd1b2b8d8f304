"""The customer's "No" where agents work: `{% reopen_reason ticket %}` at the top of the agent
workspace (a tag, so the tickets app's page needs no import of feedback)."""

from django import template

from feedback.selectors import reopening_feedback
from tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("feedback/reopen_reason.html")
def reopen_reason(ticket: Ticket) -> dict:
    return {"feedback": reopening_feedback(ticket)}
