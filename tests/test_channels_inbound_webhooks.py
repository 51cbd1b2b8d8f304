"""The providers' door: inbound webhooks through django-anymail, authenticated (basic-auth
secret; Mailgun's HMAC signature too), into the same ingest path as the pipe and IMAP."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.conf import settings
from django.test import Client

from channels.models import InboundEmail
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

RAW = (
    b"From: Bob Buyer <bob@customer.test>\r\nTo: support@supportdesk.local\r\n"
    b"Subject: Refund please\r\nMessage-ID: <abc.1@customer.test>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\nI want a refund for order 42.\r\n"
)


def basic_auth(credentials: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


GOOD = basic_auth(settings.ANYMAIL["WEBHOOK_SECRET"])


def postmark(client: Client, auth: dict):
    payload = {"RawEmail": RAW.decode(), "FromFull": {"Email": "bob@customer.test"}}
    return client.post(
        "/email/inbound/postmark/", json.dumps(payload), content_type="application/json", **auth
    )


def test_postmark_inbound_opens_a_ticket(taxonomy):
    response = postmark(Client(), GOOD)
    assert response.status_code == 200
    record = InboundEmail.objects.get()
    assert record.source == "webhook:Postmark" and record.status == "ticket"
    assert "refund for order 42" in record.ticket.message


@pytest.mark.parametrize("auth", [{}, basic_auth("inbound-user:wrong")])
def test_without_the_secret_nothing_gets_in(taxonomy, auth):
    response = postmark(Client(), auth)
    assert response.status_code in (400, 401, 403)
    assert InboundEmail.objects.count() == 0 and Ticket.objects.count() == 0


def mailgun_form(key: str) -> dict:
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return {
        "timestamp": timestamp,
        "token": token,
        "signature": signature.hexdigest(),
        "body-mime": RAW.decode(),
        "recipient": "support@supportdesk.local",
        "sender": "bob@customer.test",
    }


def test_mailgun_inbound_is_checked_by_its_signature(taxonomy):
    key = settings.ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"]
    forged = Client().post("/email/inbound/mailgun/", mailgun_form("not-the-key"), **GOOD)
    assert forged.status_code == 400 and InboundEmail.objects.count() == 0
    signed = Client().post("/email/inbound/mailgun/", mailgun_form(key), **GOOD)
    assert signed.status_code == 200
    assert InboundEmail.objects.get().status == "ticket"


def test_sendgrid_inbound_raw_mime(taxonomy):
    response = Client().post(
        "/email/inbound/sendgrid/", {"email": RAW.decode(), "charsets": "{}"}, **GOOD
    )
    assert response.status_code == 200
    assert InboundEmail.objects.get().source == "webhook:SendGrid"


def test_a_provider_retrying_the_same_mail_makes_one_ticket(taxonomy):
    client = Client()
    assert postmark(client, GOOD).status_code == 200
    assert postmark(client, GOOD).status_code == 200
    assert Ticket.objects.count() == 1
    assert sorted(InboundEmail.objects.values_list("status", flat=True)) == ["ignored", "ticket"]
