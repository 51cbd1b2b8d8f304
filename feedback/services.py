"""Customers rate answers. "Not resolved" hands the ticket back to a person."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from common.errors import Conflict, InvalidInput
from feedback.models import Feedback
from tickets.limits import customer_rate_enforce
from tickets.models import EscalationReason, Ticket, TicketStatus
from tickets.selectors import ticket_latest_answer
from tickets.services import ticket_escalate

MAX_COMMENT_LENGTH = 2_000


@transaction.atomic
def feedback_submit(
    *, ticket: Ticket, customer: User, rating: int, resolved: bool, comment: str = ""
) -> Feedback:
    """Rate the ticket's latest answer, once. An unhelpful answer reopens the ticket."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput(
            _("The rating must be a whole number from 1 to 5."), details={"rating": ["1-5"]}
        )
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidInput(
            _("The comment is too long (at most %(max)d characters).")
            % {"max": MAX_COMMENT_LENGTH},
            details={"comment": [f"at most {MAX_COMMENT_LENGTH} characters"]},
        )
    customer_rate_enforce(
        recent=Feedback.objects.filter(ticket__customer=customer),
        setting="CUSTOMER_FEEDBACK_RATE",
        what="ratings",
    )
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    answer = ticket_latest_answer(ticket)
    if answer is None:
        raise Conflict(_("This ticket has no answer to rate yet."), code="no_answer")
    if Feedback.objects.filter(answer=answer).exists():
        raise Conflict(_("You have already rated this answer."), code="feedback_exists")
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                ticket=ticket, answer=answer, rating=rating, resolved=resolved, comment=comment
            )
    except IntegrityError as exc:  # a double submit raced past the check above
        raise Conflict(_("You have already rated this answer."), code="feedback_exists") from exc
    if not resolved and ticket.status in (TicketStatus.AUTO_RESOLVED, TicketStatus.RESOLVED):
        ticket_escalate(ticket=ticket, reason=EscalationReason.REOPENED, actor=customer)
    return feedback
