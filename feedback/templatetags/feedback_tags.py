"""The customer's "No" where agents work: `{% reopen_reason ticket %}` at the top of the agent
workspace (a tag, so the tickets app's page needs no import of feedback)."""

from django import template
from django.urls import reverse

from feedback.csat import survey_token
from feedback.models import Feedback, SatisfactionRating
from feedback.selectors import reopening_feedback
from tickets.models import Ticket, TicketStatus

register = template.Library()


@register.inclusion_tag("feedback/reopen_reason.html")
def reopen_reason(ticket: Ticket) -> dict:
    return {"feedback": reopening_feedback(ticket)}


@register.inclusion_tag("feedback/survey_link.html")
def survey_link(ticket: Ticket) -> dict:
    """On a resolved ticket's page: the customer's way into the satisfaction survey."""
    if ticket.status != TicketStatus.RESOLVED:
        return {"url": None}
    rating = SatisfactionRating.objects.filter(ticket=ticket).first()
    return {"url": reverse("feedback:survey", args=[survey_token(ticket)]), "rating": rating}


CUSTOMER_RATINGS_SHOWN = 5


@register.inclusion_tag("feedback/customer_ratings.html")
def customer_ratings(customer) -> dict:
    """The customer's satisfaction surveys and answer ratings, for the agents' workspace."""
    surveys = list(
        SatisfactionRating.objects.filter(ticket__customer=customer).order_by("-created_at")[
            :CUSTOMER_RATINGS_SHOWN
        ]
    )
    answers = list(
        Feedback.objects.filter(ticket__customer=customer).values_list("rating", flat=True)[:50]
    )
    return {
        "surveys": surveys,
        "survey_average": sum(r.score for r in surveys) / len(surveys) if surveys else None,
        "answers": answers,
        "answer_average": sum(answers) / len(answers) if answers else None,
    }
