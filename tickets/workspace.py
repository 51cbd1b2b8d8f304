"""What the agent's workspace shows around the conversation: the desk's forms (assignment,
priority and tags, the macro picker) and the customer's context; and the reply box's start
from a macro (`?macro=<id>`)."""

from django.http import HttpRequest

from tickets.desk_forms import AssignForm, MacroPickForm, TicketFieldsForm
from tickets.macros import macro_render, macros_visible_to
from tickets.models import Macro, Ticket
from tickets.selectors import customer_other_tickets


def workspace_context(request: HttpRequest, ticket: Ticket) -> dict:
    """What the workspace shows around the conversation (agent/ticket.html)."""
    tags = sorted(tag.name for tag in ticket.tags.all())
    visible = macros_visible_to(request.user)
    macros = list(visible)
    return {
        "assign_form": AssignForm(
            initial={"agent": ticket.assigned_agent_id, "team": ticket.team_id}
        ),
        "fields_form": TicketFieldsForm(
            initial={"priority": ticket.priority, "tags": ", ".join(tags)}
        ),
        "ticket_tags": tags,
        "macro_form": MacroPickForm(macros=visible),
        "has_macros": bool(macros),
        # Each macro filled in for this ticket, for the picker to insert without a reload.
        "macro_texts": [
            (macro.pk, macro_render(macro, ticket=ticket, agent=request.user)) for macro in macros
        ],
        "other_tickets": customer_other_tickets(ticket),
    }


def macro_reply_initial(request: HttpRequest, ticket: Ticket) -> dict | None:
    """`?macro=<id>`: the reply box starts from that macro, filled in for this ticket."""
    form = MacroPickForm(request.GET, macros=macros_visible_to(request.user))
    if "macro" not in request.GET or not form.is_valid():
        return None
    macro: Macro = form.cleaned_data["macro"]
    body = macro_render(macro, ticket=ticket, agent=request.user)
    return {"body": body, "macro": macro.pk}
