"""The page behind the "did this solve it?" links of automatic-answer e-mails.

The signed link stands in for a login, for this one answer only. Opening it changes nothing
(mail scanners open links): it shows the rating form with the customer's choice ticked, and
the customer's click on "Send" records it through feedback's one service.
"""

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from channels.services.email_out import read_feedback_token
from common.errors import ServiceError
from feedback.forms import FeedbackForm
from feedback.services import feedback_submit
from tickets.models import Message
from tickets.selectors import ticket_latest_answer


@require_http_methods(["GET", "POST"])
def email_feedback(request: HttpRequest, token: str) -> HttpResponse:
    try:
        ids = read_feedback_token(token)
        answer = Message.objects.select_related("ticket__customer").get(
            pk=ids["m"], ticket_id=ids["t"]
        )
    except (signing.BadSignature, Message.DoesNotExist, KeyError, TypeError):
        return render(request, "channels/email_feedback.html", {"invalid": True}, status=404)
    ticket = answer.ticket
    context = {"ticket": ticket, "answer": answer}
    if not ticket.customer.is_active or ticket_latest_answer(ticket) != answer:
        return render(request, "channels/email_feedback.html", {**context, "stale": True})
    if hasattr(answer, "feedback"):
        return render(request, "channels/email_feedback.html", {**context, "done": True})
    initial = {"resolved": request.GET.get("solved")} if request.method == "GET" else None
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_submit(ticket=ticket, customer=ticket.customer, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            return render(request, "channels/email_feedback.html", {**context, "done": True})
    status = 400 if request.method == "POST" else 200
    return render(request, "channels/email_feedback.html", {**context, "form": form}, status=status)
