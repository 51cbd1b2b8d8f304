"""Celery tasks of channels: each loads by id and calls a service."""

import logging
import smtplib

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_answer_email(message_id: int) -> bool:
    from channels.services.email_out import email_send_answer

    return email_send_answer(message_id=message_id)


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_acknowledgement_email(ticket_id: int) -> bool:
    from channels.services.email_out import email_send_acknowledgement

    return email_send_acknowledgement(ticket_id=ticket_id)


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int) -> bool:
    from channels.services.email_agents import email_send_notification

    return email_send_notification(notification_id=notification_id)


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_survey_email(ticket_id: int) -> bool:
    from channels.services.email_survey import email_send_survey

    return email_send_survey(ticket_id=ticket_id)


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_sla_breach_email(ticket_id: int, target: str) -> bool:
    from channels.services.sla_email import email_sla_breach

    return email_sla_breach(ticket_id=ticket_id, target=target)


@shared_task
def deliver_webhook(delivery_id: int) -> None:
    from channels.services.webhooks import webhook_deliver

    webhook_deliver(delivery_id=delivery_id)


@shared_task
def retry_due_webhook_deliveries() -> int:
    """Beat's sweep: deliveries whose retry is due (or whose task was lost)."""
    from channels.services.webhooks import due_deliveries, webhook_deliver

    due = due_deliveries()
    for delivery_id in due:
        webhook_deliver(delivery_id=delivery_id)
    return len(due)


@shared_task
def poll_mailboxes() -> int:
    """Beat: read every active IMAP mailbox once. One mailbox's failure does not stop the rest."""
    from channels.models import Mailbox
    from channels.services.imap import mailbox_poll

    imported = 0
    for mailbox in Mailbox.objects.filter(active=True):
        imported += mailbox_poll(mailbox=mailbox)
    return imported
