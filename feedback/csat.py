"""The satisfaction survey (CSAT): after an agent resolves a ticket, the customer gets a signed
link (e-mail and the ticket's page) to rate the service from 1 to 5, with an optional comment.

The signature stands in for a login, for this ticket's survey only (Django's signing, salted;
settings.CSAT_LINK_DAYS old at most). One answer per ticket, which the customer may change for
settings.CSAT_CHANGE_HOURS after first giving it.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Conflict, InvalidInput
from feedback.models import SatisfactionRating
from tickets.models import Ticket, TicketEvent, TicketStatus

SURVEY_SALT = "feedback.csat"
MAX_COMMENT_LENGTH = 2_000


class SurveyLinkInvalid(Exception):
    """Tampered with, too old, or for a ticket that is gone."""


def survey_token(ticket: Ticket) -> str:
    return signing.dumps({"t": ticket.pk}, salt=SURVEY_SALT, compress=True)


def survey_ticket(token: str) -> Ticket:
    """The ticket a survey link is for; SurveyLinkInvalid when it is not ours or too old."""
    try:
        data = signing.loads(token, salt=SURVEY_SALT, max_age=settings.CSAT_LINK_DAYS * 86400)
        ticket = Ticket.objects.select_related("customer").get(pk=int(data["t"]))
    except signing.SignatureExpired as error:
        raise SurveyLinkInvalid(_("This survey link has expired.")) from error
    except (signing.BadSignature, Ticket.DoesNotExist, KeyError, TypeError, ValueError) as error:
        raise SurveyLinkInvalid(_("This survey link is not valid.")) from error
    if not ticket.customer.is_active:
        raise SurveyLinkInvalid(_("This survey link is not valid."))
    return ticket


def _resolver(ticket: Ticket):
    """The agent who last resolved the ticket (the audit trail's latest move to resolved)."""
    event = (
        TicketEvent.objects.filter(
            ticket=ticket, field=TicketEvent.Field.STATUS, new_value=TicketStatus.RESOLVED
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return event.actor if event and event.actor else ticket.assigned_agent


def survey_can_change(rating: SatisfactionRating) -> bool:
    return timezone.now() - rating.created_at <= timedelta(hours=settings.CSAT_CHANGE_HOURS)


@transaction.atomic
def survey_answer(*, ticket: Ticket, score: int, comment: str = "") -> SatisfactionRating:
    """Record (or, within the window, change) the customer's rating of `ticket`."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput(
            _("The rating must be a whole number from 1 to 5."), details={"score": ["1-5"]}
        )
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidInput(
            _("The comment is too long (at most %(max)d characters).")
            % {"max": MAX_COMMENT_LENGTH},
            details={"comment": [f"at most {MAX_COMMENT_LENGTH} characters"]},
        )
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status != TicketStatus.RESOLVED:
        raise Conflict(
            _("This ticket is open again: the survey waits until it is resolved."),
            code="not_resolved",
        )
    existing = SatisfactionRating.objects.filter(ticket=ticket).first()
    if existing is not None:
        if not survey_can_change(existing):
            raise Conflict(
                _("Thank you: your rating is recorded, and it is too late to change it."),
                code="survey_closed",
            )
        existing.score, existing.comment = score, comment
        existing.save(update_fields=["score", "comment", "updated_at"])
        return existing
    agent = _resolver(ticket)
    try:
        with transaction.atomic():
            return SatisfactionRating.objects.create(
                ticket=ticket,
                agent=agent,
                team_id=ticket.team_id,
                intent=ticket.intent,
                score=score,
                comment=comment,
            )
    except IntegrityError as error:  # two clicks raced: the first one counts
        raise Conflict(_("Your rating is already recorded."), code="survey_exists") from error
