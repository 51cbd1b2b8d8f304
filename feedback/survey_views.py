"""The satisfaction survey's page, behind the signed link (e-mail and the ticket's page).

No login: the signature names the ticket. Opening the link changes nothing (mail scanners open
links): it shows the form with the score from the e-mail's link ticked, and the customer's
"Send" records it. A tampered or expired link gets a clear page, not an error.

The page speaks the language the desk writes to the ticket's customer in (the survey e-mail's),
not the browser's: the link is often opened from a phone or a shared computer. A language the
visitor picked with the switcher still wins.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from common.errors import ServiceError
from feedback.csat import SurveyLinkInvalid, survey_answer, survey_can_change, survey_ticket
from feedback.forms import SurveyForm
from feedback.models import SatisfactionRating
from tickets.models import Ticket
from tickets.selectors import ticket_language

TEMPLATE = "feedback/survey.html"


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    try:
        ticket = survey_ticket(token)
    except SurveyLinkInvalid as error:
        return render(request, TEMPLATE, {"invalid": str(error)}, status=400)
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return _survey(request, ticket)
    with translation.override(ticket_language(ticket)):
        return _survey(request, ticket)


def _survey(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    rating = SatisfactionRating.objects.filter(ticket=ticket).first()
    context = {"ticket": ticket, "rating": rating}
    if rating is not None and not survey_can_change(rating):
        return render(request, TEMPLATE, {**context, "closed": True})
    if request.method == "GET":
        score = request.GET.get("score", "")
        initial = {"score": int(score)} if score in {"1", "2", "3", "4", "5"} else {}
        if rating is not None:
            initial = {"score": rating.score, "comment": rating.comment, **initial}
        return render(request, TEMPLATE, {**context, "form": SurveyForm(initial=initial)})
    form = SurveyForm(request.POST)
    if form.is_valid():
        try:
            rating = survey_answer(ticket=ticket, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            return render(request, TEMPLATE, {**context, "rating": rating, "done": True})
    return render(request, TEMPLATE, {**context, "form": form}, status=400)
