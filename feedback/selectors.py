"""Reads for the feedback app."""

from feedback.models import Feedback
from tickets.models import EscalationReason, Ticket, TicketStatus
from tickets.selectors import ticket_latest_answer


def reopening_feedback(ticket: Ticket) -> Feedback | None:
    """The customer's "No, I still need help" that brought the ticket back to the agents, while
    it is the current state of things: the ticket is escalated as reopened and no answer came
    after the rating."""
    if ticket.status != TicketStatus.ESCALATED or (
        ticket.escalation_reason != EscalationReason.REOPENED
    ):
        return None
    answer = ticket_latest_answer(ticket)
    if answer is None:
        return None
    return (
        Feedback.objects.filter(ticket=ticket, answer=answer, resolved=False)
        .select_related("answer")
        .first()
    )


def rejected_answer_texts(ticket: Ticket) -> set[str]:
    """The text of every answer on this ticket the customer said did not help."""
    return {
        body.strip()
        for body in Feedback.objects.filter(ticket=ticket, resolved=False).values_list(
            "answer__body", flat=True
        )
    }
