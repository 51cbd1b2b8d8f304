from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from tickets.models import Message, Ticket


class Feedback(models.Model):
    """The customer's verdict on one answer of a ticket.

    One per answer: a ticket answered automatically and later by an agent can be rated twice,
    once per answer; rating the same answer again is refused (409 in the API).
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="feedback")
    answer = models.OneToOneField(
        Message, on_delete=models.CASCADE, related_name="feedback", help_text="The answer rated."
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    resolved = models.BooleanField(help_text="Did the answer solve the customer's problem?")
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ on #{self.ticket_id}"
