"""How resolution hears about events in the apps below it.

The post_save receiver only *schedules* the pipeline, after the transaction commits: it never
runs the model and never saves the ticket (no recursion, no half-committed reads). Raw saves
(fixtures) and updates do nothing; bulk imports call the pipeline explicitly.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from feedback.models import Feedback
from tickets.models import Ticket
from tickets.signals import ticket_resolved

logger = logging.getLogger(__name__)


# Services are imported inside the receivers: app loading stays light and free of import cycles.


def _schedule_resolution(ticket_id: int) -> None:
    try:
        from resolution.tasks import resolve_ticket

        resolve_ticket.delay(ticket_id)
    except Exception:  # broker down: the ticket is stored; the sweep decides it later
        logger.exception("Could not schedule resolution of ticket %s", ticket_id)


@receiver(post_save, sender=Ticket, dispatch_uid="resolution_schedule_new_ticket")
def schedule_new_ticket(sender, instance: Ticket, created: bool, raw: bool, **kwargs) -> None:
    if created and not raw:
        transaction.on_commit(lambda: _schedule_resolution(instance.pk))


@receiver(ticket_resolved, dispatch_uid="resolution_learn_from_agent")
def learn_from_agent(sender, ticket, agent, answer, corrected_intent, add_to_knowledge, **kwargs):
    from resolution.services.knowledge import learn_from_resolution

    learn_from_resolution(
        ticket=ticket,
        agent=agent,
        answer=answer,
        corrected_intent=corrected_intent,
        add_to_knowledge=add_to_knowledge,
    )


@receiver(post_save, sender=Feedback, dispatch_uid="resolution_count_feedback")
def count_feedback(sender, instance: Feedback, created: bool, raw: bool, **kwargs) -> None:
    if created and not raw:
        from resolution.services.knowledge import record_answer_feedback

        record_answer_feedback(
            ticket=instance.ticket, answer=instance.answer, helpful=instance.resolved
        )


@receiver(post_delete, sender=Ticket, dispatch_uid="resolution_rollup_ticket_deleted")
def rollup_ticket_deleted(sender, instance: Ticket, **kwargs) -> None:
    # A deletion leaves no timestamp for the metrics roll-up to notice: mark its day.
    from resolution.services.metrics_rollup import rollup_mark_stale

    rollup_mark_stale(created_at=instance.created_at)


@receiver(post_delete, sender=Feedback, dispatch_uid="resolution_rollup_feedback_deleted")
def rollup_feedback_deleted(sender, instance: Feedback, **kwargs) -> None:
    from resolution.services.metrics_rollup import rollup_mark_stale

    # Deleted with its ticket, the ticket's own deletion marks the day.
    created = Ticket.objects.filter(pk=instance.ticket_id).values_list("created_at", flat=True)
    if created:
        rollup_mark_stale(created_at=created[0])
