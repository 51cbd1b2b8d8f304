"""How resolution hears about events in the apps below it.

The post_save receiver only *schedules* the pipeline, after the transaction commits: it never
runs the model and never saves the ticket (no recursion, no half-committed reads). Raw saves
(fixtures) and updates do nothing; bulk imports call the pipeline explicitly.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from feedback.models import Feedback
from tickets.models import AuthorKind, Ticket
from tickets.signals import message_added, ticket_arriving, ticket_resolved

logger = logging.getLogger(__name__)


# Services are imported inside the receivers: app loading stays light and free of import cycles.


def _schedule_resolution(ticket: Ticket) -> None:
    from resolution.tasks import queue_batch_task, resolve_ticket

    try:
        if resolve_ticket.app.conf.task_always_eager:
            # No broker: decide it now, in this process, on the instance just stored. It is
            # not read again, and the request that stored it sees the decision on it.
            from resolution.services.pipeline import run_pipeline

            run_pipeline(ticket.pk, ticket=ticket)
        elif settings.RESOLVE_ONE_TASK_PER_BATCH:
            queue_batch_task()  # unless one is queued already, which will read this ticket
        else:
            resolve_ticket.delay(ticket.pk)
    except Exception:  # broker down (or the in-process run failed): the ticket is stored;
        # the sweep decides it later
        logger.exception("Could not schedule resolution of ticket %s", ticket.pk)


@receiver(ticket_arriving, dispatch_uid="resolution_decide_on_arrival")
def decide_on_arrival(sender, ticket: Ticket, **kwargs):
    """No broker: analyse the ticket before it is stored and return the recorder that writes the
    decision in the storing transaction (one transaction, no lock, no re-read). With a broker
    the worker decides it. Any failure here leaves the ticket to the usual path below."""
    from resolution.tasks import resolve_ticket

    if not resolve_ticket.app.conf.task_always_eager:
        return None
    from resolution.services.pipeline import decide_before_store

    try:
        return decide_before_store(ticket)
    except Exception:
        logger.exception("Could not decide the arriving ticket; it is decided once stored")
        return None


@receiver(post_save, sender=Ticket, dispatch_uid="resolution_schedule_new_ticket")
def schedule_new_ticket(sender, instance: Ticket, created: bool, raw: bool, **kwargs) -> None:
    if getattr(instance, "decided_on_arrival", False):
        return  # its decision is recorded in the transaction storing it
    if created and not raw:
        transaction.on_commit(lambda: _schedule_resolution(instance))


@receiver(ticket_resolved, dispatch_uid="resolution_learn_from_agent")
def learn_from_agent(sender, ticket, agent, answer, corrected_intent, add_to_knowledge, **kwargs):
    from resolution.services.learning import learn_from_resolution

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
        from resolution.services.ratings import record_answer_feedback

        record_answer_feedback(
            ticket=instance.ticket, answer=instance.answer, helpful=instance.resolved
        )


@receiver(post_save, sender=Feedback, dispatch_uid="resolution_autonomy_feedback")
def autonomy_feedback(sender, instance: Feedback, created: bool, raw: bool, **kwargs) -> None:
    if created and not raw:
        from resolution.services.autonomy import outcome_from_feedback

        outcome_from_feedback(
            ticket=instance.ticket, answer=instance.answer, resolved=instance.resolved
        )


@receiver(message_added, dispatch_uid="resolution_autonomy_message")
def autonomy_message(sender, ticket, message, reopened: bool, **kwargs) -> None:
    """An agent's reply judges a draft; a customer's reopening judges an automatic answer."""
    if message.internal or message.author_kind not in (AuthorKind.AGENT, AuthorKind.CUSTOMER):
        return  # automatic answers and notes judge nothing (and cost no query)
    if message.author_kind == AuthorKind.CUSTOMER and not reopened:
        return  # a new ticket's first words, or more on an open one, judge nothing either
    from resolution.services.autonomy import outcome_from_message

    try:
        outcome_from_message(ticket=ticket, message=message, reopened=reopened)
    except Exception:  # after commit: the message is saved; a lost verdict must not 500 it
        logger.exception("Could not record the autonomy outcome of ticket %s", ticket.pk)


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
