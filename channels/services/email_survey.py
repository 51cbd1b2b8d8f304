"""E-mail out: the satisfaction survey, after an agent resolved a ticket (feedback/csat.py).

Five links, one per score, each opening the survey's page with that score ticked (opening it
records nothing, as mail scanners open links; the customer's "Send" does). In the ticket's
e-mail thread, like the answers, and in their language (tickets.selectors.ticket_language).
"""

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from channels.models import OutboundEmail
from channels.services.email_out import _email, _record, _send, _url
from feedback.csat import survey_token
from feedback.forms import SCORE_CHOICES
from feedback.models import SatisfactionRating
from tickets.models import Ticket, TicketStatus
from tickets.selectors import ticket_language


def survey_email(ticket: Ticket) -> EmailMultiAlternatives | None:
    with translation.override(ticket_language(ticket)):
        return _survey_email(ticket)


def _survey_email(ticket: Ticket) -> EmailMultiAlternatives | None:
    customer = ticket.customer
    if not customer.email or not customer.is_active:
        return None
    link = _url(reverse("feedback:survey", args=[survey_token(ticket)]))
    record = _record(ticket=ticket, message=None, kind=OutboundEmail.Kind.SURVEY, to=customer.email)
    return _email(
        ticket=ticket,
        subject=_("How did we do?"),
        template="survey",
        context={
            "survey_url": link,
            "scores": [
                (score, str(label), f"{link}?score={score}") for score, label in SCORE_CHOICES
            ],
        },
        message_id=record.message_id,
        auto=True,
    )


def email_send_survey(*, ticket_id: int) -> bool:
    """Once per resolution: not when the ticket was reopened meanwhile or is rated already."""
    ticket = Ticket.objects.select_related("customer").filter(pk=ticket_id).first()
    if ticket is None or ticket.status != TicketStatus.RESOLVED:
        return False
    if SatisfactionRating.objects.filter(ticket=ticket).exists():
        return False
    return _send(survey_email(ticket))
