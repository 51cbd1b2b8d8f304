"""The providers' door: django-anymail verifies and normalises their inbound webhooks
(Postmark, Mailgun, SendGrid, Amazon SES) and sends its `inbound` signal; we pass the message
to the one ingest path. The URLs exist only when INBOUND_WEBHOOK_SECRET is set (channels/urls.py).
"""

import contextlib
import logging

from anymail.signals import inbound
from django.dispatch import receiver

from channels.services.email_in import EmailRefused, email_ingest

logger = logging.getLogger(__name__)


@receiver(inbound, dispatch_uid="channels_anymail_inbound")
def handle_inbound(sender, event, esp_name: str, **kwargs) -> None:
    # Too large: logged by the service; answering 200 stops the provider retrying it forever.
    with contextlib.suppress(EmailRefused):
        email_ingest(raw=event.message.as_bytes(), source=f"webhook:{esp_name}"[:32])
