"""channels' pages: the e-mail feedback link, and the providers' inbound webhooks.

The inbound webhook URLs (/email/inbound/<provider>/) exist only when INBOUND_WEBHOOK_SECRET is
set: anymail checks it as HTTP basic auth on every call (and Mailgun's signature when
MAILGUN_WEBHOOK_SIGNING_KEY is set), so an unset secret must not mean an open door.
"""

import importlib.util

from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.conf import settings
from django.urls import path

from channels import views

app_name = "channels"

urlpatterns = [
    path("feedback/<str:token>/", views.email_feedback, name="email_feedback"),
]

if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    urlpatterns += [
        path("inbound/postmark/", PostmarkInboundWebhookView.as_view(), name="inbound_postmark"),
        path("inbound/sendgrid/", SendGridInboundWebhookView.as_view(), name="inbound_sendgrid"),
    ]
    # Amazon SES's view needs boto3 (django-anymail[amazon-ses]), not installed by default.
    if importlib.util.find_spec("boto3") is not None:
        from anymail.webhooks.amazon_ses import AmazonSESInboundWebhookView

        urlpatterns.append(
            path(
                "inbound/amazon_ses/",
                AmazonSESInboundWebhookView.as_view(),
                name="inbound_amazon_ses",
            )
        )
    if settings.ANYMAIL.get("MAILGUN_WEBHOOK_SIGNING_KEY"):
        urlpatterns.append(
            path("inbound/mailgun/", MailgunInboundWebhookView.as_view(), name="inbound_mailgun")
        )
