"""The agent's desk around the workspace: assign, set priority and tags, pick a macro, the
notifications bell and the agent's availability (round-robin). Thin over the services; every
service error becomes a message, never a 500.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import agent_required
from common.errors import ServiceError
from tickets.assignment import agent_is_available, agent_set_available
from tickets.desk_forms import AssignForm, AvailabilityForm, TicketFieldsForm
from tickets.models import Ticket
from tickets.notifications import notifications_for, notifications_mark_read
from tickets.selectors import tickets_visible_to
from tickets.services import ticket_assign, ticket_set_priority, ticket_set_tags

NOTIFICATIONS_PER_PAGE = 30


def _back_to(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    return redirect(reverse("agent:ticket", args=[ticket.pk]))


@require_POST
@agent_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(tickets_visible_to(request.user), pk=pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an agent and a team from the lists.")
        return _back_to(request, ticket)
    try:
        ticket = ticket_assign(ticket=ticket, actor=request.user, **form.cleaned_data)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        who = ticket.assigned_agent.get_full_name() if ticket.assigned_agent else "nobody"
        team = f" ({ticket.team.name})" if ticket.team else ""
        messages.success(request, f"Ticket #{ticket.pk} assigned to {who}{team}.")
    return _back_to(request, ticket)


@require_POST
@agent_required
def fields(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(tickets_visible_to(request.user), pk=pk)
    form = TicketFieldsForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(error for errors in form.errors.values() for error in errors)
        messages.error(request, f"Not saved: {errors}")
        return _back_to(request, ticket)
    try:
        ticket_set_priority(
            ticket=ticket, actor=request.user, priority=form.cleaned_data["priority"]
        )
        ticket_set_tags(ticket=ticket, actor=request.user, tags=form.cleaned_data["tags"])
    except ServiceError as error:
        messages.error(request, f"Not saved: {error.message}")
    else:
        messages.success(request, "Priority and tags saved.")
    return _back_to(request, ticket)


@require_GET
@agent_required
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for(request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "agent/notifications.html",
        {
            "page": page,
            "availability_form": AvailabilityForm(
                initial={"available": "yes" if agent_is_available(request.user) else "no"}
            ),
            "available": agent_is_available(request.user),
        },
    )


@require_POST
@agent_required
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification read (`id`) and go to its ticket, or all of them (no `id`)."""
    raw = request.POST.get("id", "")
    if raw.isascii() and raw.isdigit() and len(raw) <= 18:
        notification = get_object_or_404(notifications_for(request.user), pk=int(raw))
        notifications_mark_read(user=request.user, pk=notification.pk)
        return redirect(reverse("agent:ticket", args=[notification.ticket_id]))
    notifications_mark_read(user=request.user)
    messages.success(request, "All notifications marked read.")
    return redirect("agent:notifications")


@require_POST
@agent_required
def availability(request: HttpRequest) -> HttpResponse:
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        available = form.cleaned_data["available"]
        agent_set_available(agent=request.user, available=available)
        messages.success(
            request,
            "You are available: new tickets may be handed to you."
            if available
            else "You are away: no new tickets will be handed to you.",
        )
    else:
        messages.error(request, "Choose available or away.")
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("agent:notifications")
