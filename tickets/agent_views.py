"""The agents' pages: the escalation queue, claiming, and the ticket workspace.

Thin views over `tickets.services`; every service error becomes a message or a form error.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url, trigger_client_event

# The role decorators live in accounts; imported here too, where other modules found them.
from accounts.decorators import agent_required
from common.errors import Conflict, ServiceError
from tickets.agent_forms import AgentReplyForm, BulkActionForm, QueueFilterForm, SavedViewForm
from tickets.bulk import tickets_bulk_apply
from tickets.macros import macro_reply, macros_visible_to
from tickets.models import SavedView, Ticket, TicketStatus
from tickets.notifications import notifications_mark_read
from tickets.paging import QueuePage
from tickets.selectors import (
    QUEUE_ORDER,
    QueueView,
    conversation_with_files,
    next_ticket,
    previous_ticket,
    queue_tickets,
    reply_draft,
    tickets_visible_to,
)
from tickets.services import saved_view_create, ticket_agent_reply, ticket_claim
from tickets.workspace import macro_reply_initial, workspace_context

# A page of 50 renders in ~25 ms; the cursor reaches every ticket however long the queue is.
QUEUE_PAGE_SIZE = 50
# Counting past this many is slow at a million tickets (a filter matching 5% reads 20 rows per
# match) and tells an agent nothing more: the page says "1,000+".
QUEUE_COUNT_LIMIT = 1_000
FILTER_FORM_ID = "queue-filters"


def _queue_query(request: HttpRequest, *, cursor: str | None = None) -> str:
    """The queue's query string: view and filters (and the page's cursor unless replaced)."""
    params = {key: value for key, value in request.GET.items() if value and key != "cursor"}
    cursor = request.GET.get("cursor", "") if cursor is None else cursor
    if cursor:
        params["cursor"] = cursor
    return urlencode(params)


def _queue_url(request: HttpRequest, *, cursor: str | None = None) -> str:
    """The queue page with the current view, filters and page: what the address bar shows."""
    query = _queue_query(request, cursor=cursor)
    return reverse("agent:queue") + (f"?{query}" if query else "")


def _rows_url(request: HttpRequest, *, cursor: str | None = None) -> str:
    query = _queue_query(request, cursor=cursor)
    return reverse("agent:queue_rows") + (f"?{query}" if query else "")


def _queue_context(request: HttpRequest) -> dict:
    form = QueueFilterForm(request.GET)
    view = form.view_name
    # Tags in one more query for the whole page (team rides on tickets_visible_to's join).
    tickets = form.filter(queue_tickets(request.user, view), user=request.user).prefetch_related(
        "tags"
    )
    page = QueuePage(tickets, request, ordering=QUEUE_ORDER[view], size=QUEUE_PAGE_SIZE)
    total = tickets.order_by()[: QUEUE_COUNT_LIMIT + 1].count()
    return {
        "form": form,
        "view": view,
        "view_label": QueueView(view).label,
        "views": QueueView.choices,
        "tickets": page.tickets,
        "total": min(total, QUEUE_COUNT_LIMIT),
        "total_capped": total > QUEUE_COUNT_LIMIT,
        "next_url": _queue_url(request, cursor=page.next_cursor) if page.next_cursor else "",
        "next_rows_url": _rows_url(request, cursor=page.next_cursor),
        "previous_url": (
            _queue_url(request, cursor=page.previous_cursor) if page.previous_cursor else ""
        ),
        "previous_rows_url": _rows_url(request, cursor=page.previous_cursor),
        "first_url": _queue_url(request, cursor="") if request.GET.get("cursor") else "",
        "first_rows_url": _rows_url(request, cursor=""),
        "filter_form_id": FILTER_FORM_ID,
        "queue_url": _queue_url(request),
        "queue_query": _queue_query(request, cursor=""),
        "rows_url": _rows_url(request),
        "saved_views": SavedView.objects.filter(owner=request.user),
        "bulk_form": BulkActionForm(),
    }


@require_GET
@agent_required
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "agent/queue.html", _queue_context(request))


@require_GET
@agent_required
def queue_rows(request: HttpRequest) -> HttpResponse:
    """The queue's list alone: polled every few seconds, swapped in when filters change."""
    response = render(request, "partials/agent_queue_rows.html", _queue_context(request))
    if request.htmx.trigger == FILTER_FORM_ID:
        # The agent changed a filter: the address bar gets the full query of *this* request
        # (not the page's old one), so a reload keeps every filter.
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
        "next_ticket": next_ticket(request.user, ticket),
        "previous_ticket": previous_ticket(request.user, ticket),
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
    AgentReplyForm.RESOLVE_NEXT: "Reply sent and ticket resolved.",
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
            action = form.cleaned_data["action"]
            messages.success(request, f"#{ticket.pk}: {SUCCESS_MESSAGES[action]}")
            if action == AgentReplyForm.RESOLVE_NEXT:
                following = next_ticket(request.user, ticket)
                if following is None:
                    messages.info(request, "No other ticket is waiting for you.")
                    return redirect("agent:queue")
                return redirect("agent:ticket", following.pk)
            return redirect(reverse("agent:ticket", args=[ticket.pk]) + "#conversation-end")
    ticket.refresh_from_db()
    return _workspace(request, ticket, form)


@require_POST
@agent_required
def bulk(request: HttpRequest) -> HttpResponse:
    """The queue's bulk bar: apply one action to the ticked tickets, then back to the queue."""
    form = BulkActionForm(request.POST)
    back = _safe_next(request, reverse("agent:queue"))
    if not form.is_valid():
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, f"Nothing changed: {errors}")
        return redirect(back)
    try:
        results = tickets_bulk_apply(actor=request.user, **form.service_arguments())
    except ServiceError as exc:
        messages.error(request, f"Nothing changed: {exc.message}")
        return redirect(back)
    done = [r for r in results if r.ok]
    if done:
        messages.success(request, f"{len(done)} ticket{pluralize(len(done))} changed.")
    for failed in (r for r in results if not r.ok):
        messages.error(request, f"#{failed.ticket_id}: {failed.error}")
    return redirect(back)


@require_POST
@agent_required
def view_save(request: HttpRequest) -> HttpResponse:
    """Save the queue's current view and filters under a name: a chip on the queue page."""
    form = SavedViewForm(request.POST)
    if form.is_valid():
        try:
            saved_view_create(owner=request.user, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"View “{form.cleaned_data['name']}” saved.")
    else:
        messages.error(request, "Give the view a name (up to 60 characters).")
    return redirect(reverse("agent:queue") + "?" + form.data.get("query", ""))


@require_POST
@agent_required
def view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedView, pk=pk, owner=request.user)
    saved.delete()
    messages.success(request, f"View “{saved.name}” removed.")
    return redirect("agent:queue")
