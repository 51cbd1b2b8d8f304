"""The "Did this solve your problem?" face of a ticket, over feedback.services."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django_htmx.http import trigger_client_event

from accounts.decorators import customer_required
from common.errors import ServiceError
from feedback.forms import FeedbackForm
from feedback.models import Feedback
from feedback.services import feedback_submit
from tickets.forms import add_service_error
from tickets.models import Ticket, TicketStatus
from tickets.selectors import ticket_latest_answer, tickets_visible_to


@customer_required
def rate(request: HttpRequest, ticket_pk: int) -> HttpResponse:
    """GET: the panel for the ticket's latest answer; POST: rate it.

    Inside the ticket page (htmx) only the panel is sent; without JavaScript it is a page.
    """
    ticket = get_object_or_404(tickets_visible_to(request.user), pk=ticket_pk)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_submit(
                ticket=ticket,
                customer=request.user,
                rating=form.cleaned_data["rating"],
                resolved=form.cleaned_data["resolved"],
                comment=form.cleaned_data["comment"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            ticket.refresh_from_db()
            if not request.htmx:
                messages.success(request, _thanks(ticket))
                return redirect("portal:ticket_detail", pk=ticket.pk)
            response = render(
                request, "feedback/panel.html", _panel_context(ticket, form, just_rated=True)
            )
            # The ticket page refreshes its status: a "No" has handed the ticket to a person.
            return trigger_client_event(response, "ticket-changed")
    context = _panel_context(ticket, form)
    if request.htmx:
        # 200 even with errors: htmx only swaps successful responses in.
        return render(request, "feedback/panel.html", context)
    status = 400 if form.errors else 200
    return render(request, "feedback/rate.html", context, status=status)


def _panel_context(ticket: Ticket, form: FeedbackForm, *, just_rated: bool = False) -> dict:
    answer = ticket_latest_answer(ticket)
    given = Feedback.objects.filter(answer=answer).first() if answer else None
    return {
        "ticket": ticket,
        "answer": answer,
        "feedback": given,
        "form": form,
        "just_rated": just_rated,
        "handed_to_person": given is not None
        and not given.resolved
        and ticket.status == TicketStatus.ESCALATED,
    }


def _thanks(ticket: Ticket) -> str:
    if ticket.status == TicketStatus.ESCALATED:
        return _("Thanks for telling us. A person from our support team will answer you here.")
    return _("Thanks for your feedback!")
