"""Celery tasks of the tickets app: thin wrappers around tickets/notifications.py."""

import logging
import smtplib

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    max_retries=5,
)
def notify_customer_of_answer(message_id: int) -> bool:
    from tickets.notifications import send_answer_email

    return send_answer_email(message_id)


def schedule_answer_notification(message_id: int) -> None:
    """Queue the e-mail; a broker outage must not break the answer itself."""
    try:
        notify_customer_of_answer.delay(message_id)
    except Exception:
        logger.exception("Could not schedule the notification for message %s", message_id)
