"""Ratings of a knowledge entry by many distinct customers, spread over time, for the tests
of retirement (each rating needs a customer and a ticket)."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Role
from resolution.models import KnowledgeEntry, KnowledgeRating
from tests.conftest import make_user
from tickets.models import Ticket


def add_ratings(
    entry: KnowledgeEntry, *, helpful: int, unhelpful: int, span_hours: float = 48.0
) -> None:
    """`helpful` + `unhelpful` ratings by as many new customers, the first `span_hours` ago."""
    total = helpful + unhelpful
    start = timezone.now() - timedelta(hours=span_hours)
    for i in range(total):
        customer = make_user(f"rater{entry.pk}-{i}@example.com", Role.CUSTOMER)
        ticket = Ticket.objects.create(customer=customer, message=entry.question)
        rating = KnowledgeRating.objects.create(
            entry=entry, ticket=ticket, customer=customer, helpful=i < helpful
        )
        when = start + timedelta(hours=span_hours * i / max(total - 1, 1))
        KnowledgeRating.objects.filter(pk=rating.pk).update(created_at=when)
