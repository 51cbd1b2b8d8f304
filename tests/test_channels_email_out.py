"""E-mail out, through Django's SMTP backend to a real SMTP server started by the test:
threaded answers, the acknowledgement of escalated e-mail tickets, the signed feedback link,
and the whole conversation end to end (e-mail in, answer out, reply in, agent's answer out,
webhooks signed)."""

import hashlib
import hmac
import re
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.test import Client

from channels.models import WebhookEndpoint
from channels.services.email_in import email_ingest
from channels.services.email_out import feedback_token
from feedback.models import Feedback
from tickets.models import AuthorKind, TicketStatus
from tickets.services import ticket_agent_reply, ticket_create

pytestmark = pytest.mark.django_db

QUESTION = "Where is my order? I would like to know when it arrives."


def customer_email(body: str, *, subject: str = "My order", **headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Bob Buyer <bob@customer.test>"
    message["To"] = "support@supportdesk.local"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="customer.test")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def verify(secret: str, header: str, body: bytes) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(parts["v1"], expected.hexdigest())


def test_the_whole_conversation_by_email(
    trained_model,
    agent,
    smtp_server,
    http_receiver,
    django_capture_on_commit_callbacks,
):
    secret = "a-long-shared-secret-for-tests"
    WebhookEndpoint.objects.create(
        url=http_receiver.url + "/hooks",
        events=["ticket.created", "ticket.auto_resolved", "ticket.escalated", "ticket.resolved"],
        secret=secret,
    )
    # 1. The customer writes an e-mail; the AI answers it by e-mail, in the same thread.
    first = customer_email(QUESTION)
    with django_capture_on_commit_callbacks(execute=True):
        record = email_ingest(raw=first.as_bytes(), source="pipe")
    ticket = record.ticket
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.AUTO_RESOLVED
    (answer,) = smtp_server.wait_for(1)
    assert answer["To"] == "bob@customer.test"
    assert answer["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in answer["References"]
    assert answer["Message-ID"].endswith(".supportdesk@supportdesk.local>")
    assert answer["Reply-To"] == "support@supportdesk.local"
    assert answer["Auto-Submitted"] == "auto-replied"
    assert answer["Subject"] == f"Re: My order [SupportDesk #{ticket.pk}]"
    auto_text = ticket.messages.get(author_kind=AuthorKind.ASSISTANT).body
    assert auto_text.split("\n")[0] in text_of(answer)
    assert "/email/feedback/" in text_of(answer)
    html = answer.get_body(preferencelist=("html",))
    assert html is not None and "Did this solve it?" in html.get_content()

    # 2. The customer replies by e-mail, quoting it: the reply joins the ticket, without the
    #    quote; a person takes over, and the customer hears so by e-mail.
    reply = customer_email(
        "It did not help, the parcel is still not here.\n\n"
        f"On Tue, 1 Dec 2026, Support <support@supportdesk.local> wrote:\n> {auto_text[:40]}\n",
        subject="Re: My order",
        In_Reply_To=answer["Message-ID"],
        References=f"{first['Message-ID']} {answer['Message-ID']}",
    )
    with django_capture_on_commit_callbacks(execute=True):
        replied = email_ingest(raw=reply.as_bytes(), source="pipe")
    assert replied.ticket == ticket and replied.status == "reply"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ESCALATED and ticket.escalation_reason == "reopened"
    ack = smtp_server.wait_for(2)[1]
    assert "a person from our support team will answer" in text_of(ack)
    assert ack["In-Reply-To"] == reply["Message-ID"]

    # 3. The whole conversation is in the portal.
    portal = Client()
    portal.force_login(ticket.customer)
    page = portal.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "know when it arrives" in page
    assert "the parcel is still not here" in page
    assert "wrote:" not in page

    # 4. An agent's reply reaches the customer by e-mail, in the same thread.
    with django_capture_on_commit_callbacks(execute=True):
        ticket_agent_reply(ticket=ticket, agent=agent, body="I have sent a new parcel today.")
    agents = smtp_server.wait_for(3)[2]
    assert "I have sent a new parcel today." in text_of(agents)
    assert agents["In-Reply-To"] == reply["Message-ID"]
    for earlier in (first, answer, reply, ack):
        assert earlier["Message-ID"] in agents["References"]
    assert "Auto-Submitted" not in agents

    # 5. The webhook received signed events for all of it.
    events = sorted(request.json()["event"] for request in http_receiver.requests)
    assert events == ["ticket.auto_resolved", "ticket.created", "ticket.escalated"]
    for request in http_receiver.requests:
        assert verify(secret, request.headers["X-SupportDesk-Signature"], request.body)
        assert request.json()["data"]["ticket"]["id"] == ticket.pk
        assert "Tracking" not in request.body.decode()  # ids and state, not the customer's words


def test_an_escalated_email_ticket_is_acknowledged_but_a_portal_ticket_is_not(
    alice,
    taxonomy,
    smtp_server,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_create(customer=alice, message="My parcel came damaged")  # no model: escalated
        record = email_ingest(raw=customer_email("My parcel came damaged").as_bytes(), source="t")
    record.ticket.refresh_from_db()
    assert record.ticket.status == TicketStatus.ESCALATED
    (ack,) = smtp_server.wait_for(1)
    assert ack["To"] == "bob@customer.test"
    assert "will answer you by e-mail" in text_of(ack)
    assert ack["Auto-Submitted"] == "auto-replied"


def test_the_feedback_link_asks_then_records_through_the_feedback_service(
    trained_model, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = email_ingest(raw=customer_email(QUESTION).as_bytes(), source="t")
    answer = record.ticket.messages.get(author_kind=AuthorKind.ASSISTANT)
    url = f"/email/feedback/{feedback_token(answer)}/"
    client = Client()
    page = client.get(url + "?solved=yes")
    assert page.status_code == 200 and Feedback.objects.count() == 0  # opening changes nothing
    assert re.search(r'value="yes"[^>]*checked', page.content.decode())
    done = client.post(url, {"resolved": "yes", "rating": "5"})
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    feedback = Feedback.objects.get()
    assert feedback.answer == answer and feedback.resolved and feedback.rating == 5
    again = client.post(url, {"resolved": "no", "rating": "1"})
    assert "Thank you" in again.content.decode() and Feedback.objects.count() == 1


def test_a_forged_or_altered_feedback_link_is_refused(
    trained_model, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = email_ingest(raw=customer_email(QUESTION).as_bytes(), source="t")
    token = feedback_token(record.ticket.messages.get(author_kind=AuthorKind.ASSISTANT))
    response = Client().post(f"/email/feedback/{token[:-2]}xx/", {"resolved": "yes", "rating": 5})
    assert response.status_code == 404 and Feedback.objects.count() == 0


def test_a_retried_answer_e_mail_keeps_its_message_id(
    trained_model, django_capture_on_commit_callbacks
):
    """A task retried after a failed send mints no second Message-ID: the insert meets the
    unique (answer, kind) and the first record is used, and the caller's transaction (the
    test's own here) stays usable after that refusal."""
    from channels.models import OutboundEmail
    from channels.services.email_out import answer_email

    with django_capture_on_commit_callbacks(execute=True):
        record = email_ingest(raw=customer_email(QUESTION).as_bytes(), source="t")
    answer = record.ticket.messages.get(author_kind=AuthorKind.ASSISTANT)
    first = answer_email(answer)
    again = answer_email(answer)
    assert again.extra_headers["Message-ID"] == first.extra_headers["Message-ID"]
    assert OutboundEmail.objects.filter(ticket_message=answer).count() == 1
    assert again.subject.startswith("Re: ")  # the customer wrote by e-mail: their subject
