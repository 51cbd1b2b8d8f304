"""The customer portal: home, my tickets, new ticket, a ticket's conversation, replies.

Thin views over tickets.services and tickets.selectors. The AI's faces (suggestions while
typing, the rating form) are other apps' URLs pulled in by the templates with hx-get.
"""

import uuid
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from accounts.decorators import customer_required
from common.errors import ServiceError
from tickets.attachments import files_from_uploads
from tickets.forms import ReplyForm, TicketForm, add_service_error
from tickets.models import Ticket, TicketStatus
from tickets.paging import QueuePage
from tickets.selectors import (
    attachment_visible_to,
    conversation_with_files,
    ticket_latest_answer,
    tickets_visible_to,
)
from tickets.services import ticket_customer_reply, ticket_submit

TICKETS_PER_PAGE = 20

_CREATED_MESSAGES = {
    TicketStatus.AUTO_RESOLVED: gettext_lazy("We found an answer to your question: it is below."),
    TicketStatus.ESCALATED: gettext_lazy(
        "Thanks! A person from our support team will answer you here."
    ),
    TicketStatus.RESOLVED: gettext_lazy("Your ticket has been resolved."),
    TicketStatus.OPEN: gettext_lazy("Thanks! We have your ticket and are looking for an answer."),
}


def home(request: HttpRequest) -> HttpResponse:
    """Everyone starts here and goes where their work is."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    if request.user.is_customer:
        return redirect("portal:ticket_list")
    return redirect("agent:queue")


@customer_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    tickets = tickets_visible_to(request.user)
    # By cursor, like the agents' queue and the API: page 250 of a busy customer's list costs
    # what page 1 costs, and a ticket updated meanwhile never shows twice across pages.
    page = QueuePage(tickets, request, ordering=("-updated_at", "-id"), size=TICKETS_PER_PAGE)
    context = {
        "tickets": page.tickets,
        "total": tickets.count(),
        "next_url": f"?cursor={quote(page.next_cursor)}" if page.next_cursor else "",
        "previous_url": f"?cursor={quote(page.previous_cursor)}" if page.previous_cursor else "",
    }
    return render(request, "tickets/ticket_list.html", context)


@customer_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    form = TicketForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.htmx:
        return _validated_field(form, request.htmx.trigger_name)
    if request.method == "POST" and form.is_valid():
        try:
            # The form's one-time `draft` token: a double click returns the first ticket.
            ticket, _created = ticket_submit(
                customer=request.user,
                subject=form.cleaned_data["subject"],
                message=form.cleaned_data["message"],
                idempotency_key=f"portal:{draft}" if (draft := request.POST.get("draft")) else "",
                attachments=files_from_uploads(form.cleaned_data["attachments"]),
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            # The pipeline ran when the ticket was committed (eagerly, unless a broker is
            # configured): reload to tell the customer what happened.
            ticket.refresh_from_db()
            messages.success(request, _CREATED_MESSAGES[ticket.status])
            return redirect("portal:ticket_detail", pk=ticket.pk)
    # `draft` names this compose for the suggestion face, which counts what it showed once.
    draft = request.POST.get("draft") or uuid.uuid4().hex
    return render(request, "tickets/ticket_new.html", {"form": form, "draft": draft})


def _validated_field(form: TicketForm, name: str | None) -> HttpResponse:
    """One field, re-rendered with its errors (inline validation while the customer types)."""
    if name not in form.fields:
        return HttpResponse(status=204)
    form.is_valid()
    # The customer has moved on to another field: the swapped-in one must not take focus back.
    form.fields[name].widget.attrs.pop("autofocus", None)
    return HttpResponse(form[name].as_field_group())


@customer_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(tickets_visible_to(request.user), pk=pk)
    if request.htmx and request.htmx.target == "ticket-live":
        # A poll, or a refresh after feedback: only the part that changes. When a new answer
        # has arrived since the page last saw one, tell the page so the rating form appears.
        context = _live_context(request, ticket)
        response = render(request, "partials/ticket_live.html", context)
        if request.GET.get("seen", "") != context["answer_key"]:
            trigger_client_event(response, "ticket-answered")
        return response
    return _render_detail(request, ticket, ReplyForm())


@customer_required
@require_POST
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(tickets_visible_to(request.user), pk=pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        was = ticket.status
        try:
            ticket_customer_reply(
                ticket=ticket,
                customer=request.user,
                body=form.cleaned_data["message"],
                attachments=files_from_uploads(form.cleaned_data["attachments"]),
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            ticket.refresh_from_db()
            messages.success(request, _reply_message(was, ticket))
            return redirect(reverse("portal:ticket_detail", args=[ticket.pk]) + "#reply")
    return _render_detail(request, ticket, form, status=400)


def _reply_message(was: str, ticket: Ticket) -> str:
    if ticket.status == TicketStatus.ESCALATED and was != TicketStatus.ESCALATED:
        return _("Your reply was sent. A person from our support team will take it from here.")
    if ticket.status == TicketStatus.ESCALATED and ticket.assigned_agent_id:
        return _("Your reply was sent to %(name)s, who is handling your ticket.") % {
            "name": ticket.assigned_agent.get_short_name()
        }
    if ticket.status == TicketStatus.ESCALATED:
        return _("Your reply was sent to our support team.")
    return _("Your reply was added to the ticket.")


def _live_context(request: HttpRequest, ticket: Ticket) -> dict:
    answer = ticket_latest_answer(ticket)
    return {
        "ticket": ticket,
        "conversation": conversation_with_files(request.user, ticket),
        "answer": answer,
        "answer_key": str(answer.pk) if answer else "",
        # Ask again soon while the assistant works; now and then while a person has it.
        "poll_seconds": {TicketStatus.OPEN: 3, TicketStatus.ESCALATED: 20}.get(ticket.status),
    }


def _render_detail(
    request: HttpRequest, ticket: Ticket, reply_form: ReplyForm, status: int = 200
) -> HttpResponse:
    context = {**_live_context(request, ticket), "reply_form": reply_form}
    return render(request, "tickets/ticket_detail.html", context, status=status)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """A ticket's file, for people who may see the ticket (and, for customers, the message):
    always a download, never rendered by the browser as a page of ours."""
    attachment = attachment_visible_to(request.user, pk, attachment_pk)
    if attachment is None:
        raise Http404("No such file.")
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser opened it, it would run nothing and reach nothing of ours.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; media-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response
