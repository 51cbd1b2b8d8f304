from django.conf import settings
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


class SatisfactionRating(models.Model):
    """The customer's answer to the satisfaction survey (CSAT) sent after an agent resolved the
    ticket: how they found the service as a whole, not one answer (that is Feedback, which also
    rates the AI's answers). One per ticket; the customer may change it for a while.

    Who resolved it, their team and the intent are copied at the time of the survey, so the
    per-agent, per-team and per-intent figures do not move when the ticket is reassigned later.
    """

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="satisfaction")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        "tickets.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    intent = models.CharField(max_length=64, blank=True)
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1 (bad) to 5 (good)."
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="satisfaction_score_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"CSAT {self.score} on #{self.ticket_id}"

    @property
    def satisfied(self) -> bool:
        """CSAT counts 4 and 5 as satisfied (the usual top-two-box measure)."""
        return self.score >= 4
