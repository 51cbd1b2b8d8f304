"""How channels hears about tickets: tickets' signals (sent after commit) and feedback rows.

Each receiver only queues a task (an e-mail, webhook deliveries); the work runs in a worker.
A broker outage is logged and never breaks the ticket change that was announced.
"""

import logging
from collections.abc import Callable

from celery import current_app, current_task
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from channels.after_response import run_after_response
from feedback.models import Feedback
from tickets.models import AuthorKind, Message, Notification, Ticket, TicketStatus
from tickets.signals import (
    agent_notified,
    message_added,
    rule_webhook,
    sla_alert,
    ticket_resolved,
    ticket_status_changed,
    ticket_submitted,
)

logger = logging.getLogger(__name__)

_STATUS_EVENTS = {
    TicketStatus.AUTO_RESOLVED: "ticket.auto_resolved",
    TicketStatus.ESCALATED: "ticket.escalated",
    TicketStatus.RESOLVED: "ticket.resolved",
}


def _in_a_worker() -> bool:
    """Whether this runs inside a task a Celery worker took from the broker."""
    return current_task is not None and not current_task.request.is_eager


def _queue(task, *args, in_process: Callable[[], object] | None = None) -> None:
    """Queue `task(*args)`. `in_process`: the same work from the objects in hand, run instead
    when there is no broker (Celery would run the task here anyway, reading by id again what
    the request has just written; without the task's retries: a failure is logged), or inside
    a worker's task (the worker's batch after its commit: a task of its own per answer cost a
    message, a read by id and an ack; if it fails, the task is queued after all, for its
    retries)."""

    def enqueue() -> None:
        try:
            if in_process is not None and current_app.conf.task_always_eager:
                in_process()
                return
            if in_process is not None and _in_a_worker():
                try:
                    in_process()
                    return
                except Exception:
                    logger.warning(
                        "%s%s failed in the worker; queued", task.name, args, exc_info=True
                    )
            task.delay(*args)
        except Exception:
            logger.exception("Could not queue %s%s", task.name, args)

    # Without a broker, `delay` would send the e-mail right here, inside the request.
    run_after_response(enqueue)


def ticket_data(ticket: Ticket) -> dict:
    """What a webhook says about a ticket: ids and state, not the customer's words (an
    integrator reads those through the API, with its own authorization)."""
    return {
        "ticket": {
            "id": ticket.pk,
            "customer_id": ticket.customer_id,
            "status": ticket.status,
            "intent": ticket.intent,
            "confidence": ticket.confidence,
            "escalation_reason": ticket.escalation_reason,
            "created_at": ticket.created_at.isoformat() if ticket.created_at else None,
            "resolved_at": ticket.resolved_at.isoformat() if ticket.resolved_at else None,
        }
    }


@receiver(message_added, dispatch_uid="channels_email_answer")
def email_answer(sender, message: Message, **kwargs) -> None:
    if message.internal or message.author_kind == AuthorKind.CUSTOMER:
        return
    from channels.services.email_out import email_send_answer_for
    from channels.tasks import send_answer_email

    _queue(send_answer_email, message.pk, in_process=lambda: email_send_answer_for(message))


@receiver(agent_notified, dispatch_uid="channels_email_agent_notice")
def email_agent_notice(sender, notification: Notification, **kwargs) -> None:
    from channels.tasks import send_notification_email

    _queue(send_notification_email, notification.pk)


@receiver(ticket_resolved, dispatch_uid="channels_email_survey")
def email_survey(sender, ticket: Ticket, **kwargs) -> None:
    """An agent resolved it: ask the customer how we did (feedback's satisfaction survey)."""
    from channels.tasks import send_survey_email

    _queue(send_survey_email, ticket.pk)


@receiver(ticket_submitted, dispatch_uid="channels_ticket_created")
def announce_created(sender, ticket: Ticket, **kwargs) -> None:
    from channels.services.webhooks import webhook_publish

    webhook_publish(event="ticket.created", data=ticket_data(ticket))


@receiver(ticket_status_changed, dispatch_uid="channels_status_changed")
def announce_status(sender, ticket: Ticket, new_status: str, **kwargs) -> None:
    from channels.services.webhooks import webhook_publish
    from channels.tasks import send_acknowledgement_email

    if new_status == TicketStatus.ESCALATED:
        _queue(send_acknowledgement_email, ticket.pk)
    if event := _STATUS_EVENTS.get(new_status):
        webhook_publish(event=event, data=ticket_data(ticket))


@receiver(post_save, sender=Feedback, dispatch_uid="channels_feedback_received")
def announce_feedback(sender, instance: Feedback, created: bool, raw: bool, **kwargs) -> None:
    if not created or raw:
        return

    def publish() -> None:
        from channels.services.webhooks import webhook_publish

        webhook_publish(
            event="feedback.received",
            data={
                "feedback": {
                    "id": instance.pk,
                    "ticket_id": instance.ticket_id,
                    "answer_id": instance.answer_id,
                    "rating": instance.rating,
                    "resolved": instance.resolved,
                }
            },
        )

    transaction.on_commit(publish)


@receiver(sla_alert, dispatch_uid="channels_sla_alert")
def announce_sla(sender, ticket: Ticket, target: str, kind: str, due, **kwargs) -> None:
    """The SLA sweep's warnings and breaches (sent after its commit): a webhook event, and for
    a breach an e-mail to the ticket's agent (else its team, else the admins)."""
    from channels.services.webhooks import webhook_publish
    from channels.tasks import send_sla_breach_email

    if kind == "breach":
        _queue(send_sla_breach_email, ticket.pk, target)

    event = "ticket.sla_breached" if kind == "breach" else "ticket.sla_warning"
    data = ticket_data(ticket)
    data["sla"] = {"target": target, "due": due.isoformat(), "priority": ticket.priority}
    webhook_publish(event=event, data=data)


@receiver(rule_webhook, dispatch_uid="channels_rule_webhook")
def announce_rule(sender, ticket: Ticket, rule_id: int, rule_name: str, event: str, **kw) -> None:
    """A rule's "webhook" action (sent after the pipeline's commit)."""
    from channels.services.webhooks import webhook_publish

    data = ticket_data(ticket)
    data["rule"] = {"id": rule_id, "name": rule_name, "label": event}
    webhook_publish(event="rule.fired", data=data)
