"""Customers hear about answers by e-mail: sent after commit by a task, plain text plus an
escaped HTML part, and their own words cannot add headers or markup."""

import pytest
from django.core import mail

from channels.services.email_out import answer_email
from resolution.services.pipeline import run_pipeline
from tickets.services import ticket_agent_reply, ticket_create

pytestmark = pytest.mark.django_db


def test_an_auto_answer_is_mailed_after_commit(
    alice, trained_model, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(customer=alice, message="Where is my order? I'd like to track it.")
    ticket.refresh_from_db()
    assert ticket.status == "auto_resolved"
    (email,) = mail.outbox
    assert email.to == [alice.email]
    assert email.subject == f"[SupportDesk #{ticket.pk}] Your ticket has an answer"
    answer = ticket.messages.get(author_kind="assistant")
    assert answer.body in email.body
    assert f"http://127.0.0.1:8000/tickets/{ticket.pk}/" in email.body
    raw = email.message()
    assert raw.get_content_type() == "multipart/alternative"
    html = email.alternatives[0]
    assert html.mimetype == "text/html" and f"/tickets/{ticket.pk}/" in html.content


def test_nothing_is_sent_before_the_transaction_commits(
    alice, trained_model, django_capture_on_commit_callbacks
):
    ticket = ticket_create(customer=alice, message="Where is my order? I'd like to track it.")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_pipeline(ticket.pk)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_an_agent_reply_is_mailed_but_an_internal_note_is_not(
    alice, agent, taxonomy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(customer=alice, message="My parcel came damaged")
    assert mail.outbox == []  # no model: escalated, nothing said to the customer yet
    with django_capture_on_commit_callbacks(execute=True):
        ticket_agent_reply(ticket=ticket, agent=agent, body="Checking the photos", internal=True)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        ticket_agent_reply(ticket=ticket, agent=agent, body="A new one is on its way.")
    (email,) = mail.outbox
    assert "An agent answered" in email.body and "A new one is on its way." in email.body


def test_the_customers_text_cannot_inject_headers_or_html(alice, agent, taxonomy):
    hostile = "Help\r\nBcc: victim@example.com\nContent-Type: text/html\n\n<script>x()</script>"
    ticket = ticket_create(customer=alice, message=hostile, subject="Hi\nBcc: victim@example.com")
    message = ticket_agent_reply(ticket=ticket, agent=agent, body="Answer <b>here</b>")
    email = answer_email(message)
    email.send()
    raw = mail.outbox[0].message()
    assert raw.get_all("Bcc") is None
    assert mail.outbox[0].bcc == [] and mail.outbox[0].to == [alice.email]
    assert raw["Subject"] == f"[SupportDesk #{ticket.pk}] Your ticket has an answer"
    assert raw.get_content_type() == "multipart/alternative"
    assert "Answer <b>here</b>" in mail.outbox[0].body  # shown as typed, never rendered
    html = mail.outbox[0].alternatives[0].content
    assert "Answer &lt;b&gt;here&lt;/b&gt;" in html and "<b>here" not in html
