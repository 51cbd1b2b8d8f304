"""The agents' pages: the escalation queue, claiming, and the ticket workspace.

Thin views over `tickets.services`; every service error becomes a message or a form error.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url, trigger_client_event

# The role decorators live in accounts; imported here too, where other modules found them.
from accounts.decorators import agent_required, role_required  # noqa: F401
from tickets.agent_forms import AgentReplyForm, QueueFilterForm
from tickets.errors import Conflict, ServiceError
from tickets.macros import macro_reply, macros_visible_to
from tickets.models import Ticket, TicketStatus
from tickets.notifications import notifications_mark_read
from tickets.selectors import (
    conversation_with_files,
    reply_draft,
    tickets_visible_to,
)
from tickets.services import ticket_agent_reply, ticket_claim
from tickets.workspace import macro_reply_initial, workspace_context

# The oldest 50: what an agent works through next (filters narrow it); a page renders in ~25 ms.
QUEUE_PAGE_SIZE = 50
FILTER_FORM_ID = "queue-filters"


def _queue_url(request: HttpRequest) -> str:
    """The queue page with the current filters, e.g. to come back to after a claim."""
    query = urlencode({key: value for key, value in request.GET.items() if value})
    return reverse("agent:queue") + (f"?{query}" if query else "")


def _queue_context(request: HttpRequest) -> dict:
    form = QueueFilterForm(request.GET)
    escalated = tickets_visible_to(request.user).filter(status=TicketStatus.ESCALATED)
    tickets = form.filter(escalated, user=request.user).order_by("created_at", "pk")
    total = tickets.count()
    return {
        "form": form,
        # Tags in one more query for the whole page (team rides on tickets_visible_to's join).
        "tickets": tickets.prefetch_related("tags")[:QUEUE_PAGE_SIZE],
        "total": total,
        "shown": min(total, QUEUE_PAGE_SIZE),
        "filter_form_id": FILTER_FORM_ID,
        "queue_url": _queue_url(request),
    }


@require_GET
@agent_required
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "agent/queue.html", _queue_context(request))


@require_GET
@agent_required
def queue_rows(request: HttpRequest) -> HttpResponse:
    """The queue's list alone: polled every few seconds and swapped in when filters change."""
    response = render(request, "partials/agent_queue_rows.html", _queue_context(request))
    if request.htmx.trigger == FILTER_FORM_ID:
        # The agent changed a filter: keep it in the address bar so a reload keeps it too.
        push_url(response, _queue_url(request))
    return response


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_POST
@agent_required
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(tickets_visible_to(request.user), pk=pk)
    workspace = reverse("agent:ticket", args=[ticket.pk])
    try:
        ticket_claim(ticket=ticket, agent=request.user)
    except Conflict as exc:
        if request.htmx:
            response = render(
                request, "partials/agent_claim_notice.html", {"ticket": ticket, "error": exc}
            )
            # Refresh the list now so the row shows who has the ticket.
            return trigger_client_event(response, "queue-refresh")
        messages.error(request, exc.message)
        return redirect(_safe_next(request, workspace))
    messages.success(request, f"Ticket #{ticket.pk} is yours.")
    if request.htmx:
        return HttpResponseClientRedirect(workspace)
    return redirect(workspace)


def _workspace(
    request: HttpRequest, ticket: Ticket, form: AgentReplyForm, *, draft: str = ""
) -> HttpResponse:
    context = {
        "draft": draft,
        "ticket": ticket,
        "conversation": conversation_with_files(request.user, ticket),
        "form": form,
        "is_mine": ticket.assigned_agent_id == request.user.pk,
        "can_claim": ticket.status == TicketStatus.ESCALATED and ticket.assigned_agent_id is None,
        **workspace_context(request, ticket),
    }
    return render(request, "agent/ticket.html", context)


@require_GET
@agent_required
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(tickets_visible_to(request.user), pk=pk)
    # Opening the ticket is reading what the bell said about it.
    notifications_mark_read(user=request.user, ticket=ticket)
    # A macro the agent picked (`?macro=<id>`) fills the reply box instead of the AI's draft.
    if (from_macro := macro_reply_initial(request, ticket)) is not None:
        form = AgentReplyForm(ticket=ticket, initial=from_macro)
        return _workspace(request, ticket, form)
    # The intent's draft mode: the AI's answer waits in the reply box to be sent, edited or
    # discarded (each is a verdict on it; resolution listens to the reply).
    draft = reply_draft(ticket)
    form = AgentReplyForm(ticket=ticket, initial={"body": draft} if draft else None)
    return _workspace(request, ticket, form, draft=draft)


SUCCESS_MESSAGES = {
    AgentReplyForm.REPLY: "Reply sent.",
    AgentReplyForm.RESOLVE: "Reply sent and ticket resolved.",
    AgentReplyForm.NOTE: "Internal note added.",
}


@require_POST
@agent_required
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(tickets_visible_to(request.user), pk=pk)
    form = AgentReplyForm(
        request.POST, request.FILES, ticket=ticket, macros=macros_visible_to(request.user)
    )
    if form.is_valid():
        try:
            if macro := form.cleaned_data["macro"]:
                # Sent from a macro: its field actions (resolve, priority, tags) apply too.
                macro_reply(
                    ticket=ticket, agent=request.user, macro=macro, **form.service_arguments()
                )
            else:
                ticket_agent_reply(ticket=ticket, agent=request.user, **form.service_arguments())
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, SUCCESS_MESSAGES[form.cleaned_data["action"]])
            return redirect(reverse("agent:ticket", args=[ticket.pk]) + "#conversation-end")
    ticket.refresh_from_db()
    return _workspace(request, ticket, form)
