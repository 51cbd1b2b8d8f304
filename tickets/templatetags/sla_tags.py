"""`{% sla_cell ticket %}`: the queue's SLA column (ok / due soon / breached), one partial."""

from django import template

from tickets.models import Ticket
from tickets.sla import FIRST_RESPONSE, sla_state

register = template.Library()


@register.inclusion_tag("partials/sla_due.html")
def sla_cell(ticket: Ticket) -> dict:
    state = sla_state(ticket)
    return {
        "sla": state,
        "target_label": "First reply" if state and state.target == FIRST_RESPONSE else "Resolution",
    }
