"""E-mail in: one ingest path opens tickets (through ticket_submit) and threads replies;
machine-written mail is kept and ignored; malformed, huge or hostile mail never crashes and
is never lost."""

import io
import sys
import zipfile
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import User
from channels.models import InboundEmail, OutboundEmail
from channels.services.addresses import reply_address
from channels.services.email_in import EmailRefused, email_ingest
from tickets.models import Attachment, AuthorKind, Ticket, TicketStatus
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db


def an_email(
    body: str = "Hello, where is my order? The tracking page has not moved for a week.",
    *,
    sender: str = "Bob Buyer <bob@customer.test>",
    subject: str = "Where is my order?",
    to: str = "support@supportdesk.local",
    headers: dict | None = None,
    html: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="customer.test")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def ingest(message: EmailMessage | bytes, source: str = "test") -> InboundEmail:
    raw = message if isinstance(message, bytes) else message.as_bytes()
    return email_ingest(raw=raw, source=source)


def test_a_new_senders_email_opens_a_ticket_like_the_portal(
    trained_model, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = ingest(
            an_email(
                "Hello, where is my order? The tracking page has not moved for a week.\n\n"
                "Best regards,\nBob\n--\nBob Buyer, Buyer & Co"
            )
        )
    assert record.status == InboundEmail.Status.TICKET
    bob = User.objects.get(email="bob@customer.test")
    assert bob.is_customer and bob.full_name == "Bob Buyer"
    assert bob.has_usable_password()  # so the password reset can give Bob a portal login
    ticket = record.ticket
    assert ticket.customer == bob and ticket.subject == "Where is my order?"
    assert "tracking page" in ticket.message and "Buyer & Co" not in ticket.message
    assert record.ticket_message == ticket.messages.get(author_kind=AuthorKind.CUSTOMER)
    # The pipeline ran on it once committed, as on any ticket.
    ticket.refresh_from_db()
    assert ticket.status != TicketStatus.OPEN
    # The raw e-mail is kept as received.
    assert b"Buyer & Co" in record.raw.read()


def test_the_same_email_read_twice_is_one_ticket(taxonomy):
    message = an_email()
    first = ingest(message)
    again = ingest(message)
    assert again.status == InboundEmail.Status.IGNORED and "duplicate" in again.note
    assert Ticket.objects.count() == 1 and first.ticket_id is not None


def test_a_reply_threads_by_in_reply_to_and_loses_the_quoted_history(taxonomy):
    first = ingest(an_email())
    ticket = first.ticket
    ours = OutboundEmail.objects.create(
        ticket=ticket, kind="answer", to="bob@customer.test", message_id="<1.2.supportdesk@x>"
    )
    reply = an_email(
        "It still has not arrived.\n\nOn Mon, 1 Dec 2026, Support <support@supportdesk.local>"
        " wrote:\n> Your order is on its way.\n> Best, Support\n",
        subject="Re: Where is my order?",
        headers={"In-Reply-To": ours.message_id, "References": ours.message_id},
    )
    record = ingest(reply)
    assert record.status == InboundEmail.Status.REPLY and record.ticket == ticket
    message = record.ticket_message
    assert message.body == "It still has not arrived."
    assert Ticket.objects.count() == 1


def test_a_reply_threads_by_the_signed_reply_address_or_the_subject_token(settings, taxonomy):
    settings.EMAIL_REPLY_PLUS_TOKEN = True
    ticket = ingest(an_email()).ticket
    by_address = ingest(an_email("More details", subject="Hi", to=reply_address(ticket.pk)))
    assert by_address.ticket == ticket
    by_subject = ingest(an_email("And more", subject=f"Re: [SupportDesk #{ticket.pk}] Hi"))
    assert by_subject.ticket == ticket
    forged = f"support+t{ticket.pk}-000000000000@supportdesk.local"
    assert ingest(an_email("Forged", subject="Hi", to=forged)).ticket != ticket


def test_someone_elses_reply_never_joins_a_customers_ticket(alice, taxonomy):
    ticket = ticket_create(customer=alice, message="My parcel is damaged", subject="Damaged")
    record = ingest(
        an_email(
            "Let me add to this ticket",
            sender="mallory@evil.test",
            subject=f"Re: [SupportDesk #{ticket.pk}] Damaged",
        )
    )
    assert record.status == InboundEmail.Status.TICKET
    assert record.ticket != ticket and record.ticket.customer.email == "mallory@evil.test"
    assert ticket.messages.count() == 1


@pytest.mark.parametrize(
    ("headers", "sender", "why"),
    [
        ({"Auto-Submitted": "auto-replied"}, "bob@customer.test", "auto-submitted"),
        ({"Precedence": "bulk"}, "bob@customer.test", "precedence"),
        ({"X-Autoreply": "yes"}, "bob@customer.test", "auto-reply"),
        ({"Return-Path": "<>"}, "bob@customer.test", "bounce"),
        ({}, "MAILER-DAEMON@mx.customer.test", "bounce"),
        ({"List-Id": "<news.customer.test>"}, "bob@customer.test", "mailing list"),
        ({}, "support@supportdesk.local", "loop"),
    ],
)
def test_machine_written_mail_never_opens_a_ticket_or_gets_an_answer(
    trained_model, headers, sender, why, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = ingest(an_email(sender=sender, headers=headers))
    assert record.status == InboundEmail.Status.IGNORED and why in record.note
    assert Ticket.objects.count() == 0 and mail.outbox == []
    assert record.raw.read()  # kept all the same


def test_our_own_message_coming_back_is_a_loop(taxonomy):
    message = an_email()
    del message["Message-ID"]
    message["Message-ID"] = "<123.456.789.supportdesk@supportdesk.local>"
    record = ingest(message)
    assert record.status == InboundEmail.Status.IGNORED and "loop" in record.note


def test_staff_writing_in_do_not_become_customers(agent, taxonomy):
    record = ingest(an_email(sender=agent.email))
    assert record.status == InboundEmail.Status.IGNORED and Ticket.objects.count() == 0


def test_html_only_mail_is_read_as_text_without_its_scripts(taxonomy):
    message = EmailMessage()
    message["From"] = "bob@customer.test"
    message["Subject"] = "Refund"
    message.set_content(
        "<html><head><script>steal()</script><style>p{}</style></head><body>"
        "<p>I want a <b>refund</b> for order 42</p><img src=x onerror=alert(1)></body></html>",
        subtype="html",
    )
    ticket = ingest(message).ticket
    assert "refund for order 42" in ticket.message
    assert "steal" not in ticket.message and "<" not in ticket.message


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage that is no e-mail at all \x00",
        b"From: bob@customer.test\r\nSubject: =?x-unknown?B?SGVsbG8=?=\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nHi \xff\xfe there\r\n",
        b"From: bob@customer.test\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"!!!not base64!!!\r\n--b",  # no closing boundary
        b"From: =?utf-8?q?=00=0D=0ABcc:_x@y?= <bob@customer.test>\r\nSubject: \x00\r\n\r\nhi",
        b"From: bob@customer.test\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n"
        + b"--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n" * 300,
    ],
    ids=["empty", "binary", "bad-charset", "broken-mime", "nul-headers", "deep-nesting"],
)
def test_malformed_mail_is_stored_and_never_crashes(taxonomy, raw):
    record = ingest(raw)
    assert record.pk and record.status in {
        InboundEmail.Status.TICKET,
        InboundEmail.Status.IGNORED,
        InboundEmail.Status.FAILED,
    }
    record.refresh_from_db()
    assert record.raw.read() == raw


def test_a_failure_while_processing_keeps_the_mail(taxonomy, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the database hiccuped")

    monkeypatch.setattr("channels.services.email_in.ticket_submit", broken)
    record = ingest(an_email())
    assert record.status == InboundEmail.Status.FAILED and "hiccuped" in record.note
    assert record.raw.read().startswith(b"From:") or b"Message-ID" in record.raw.read()


def test_mail_over_the_size_limit_is_refused_with_a_log_line(settings, taxonomy, caplog):
    settings.INBOUND_EMAIL_MAX_BYTES = 1000
    with pytest.raises(EmailRefused):
        ingest(an_email("x" * 2000))
    assert "Refused an e-mail" in caplog.text and InboundEmail.objects.count() == 0


def test_attachments_are_kept_checked_and_a_zip_bomb_is_not_unpacked(taxonomy):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * 50_000_000)  # 50 MB that pack into ~50 kB
    message = an_email()
    message.add_attachment(
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n",
        maintype="application",
        subtype="pdf",
        filename="../../invoice.pdf",
    )
    message.add_attachment(
        bomb.getvalue(), maintype="application", subtype="zip", filename="bomb.zip"
    )
    message.add_attachment(  # a script claiming to be a picture
        b"<script>alert(1)</script>", maintype="image", subtype="png", filename="cat.png"
    )
    record = ingest(message)
    assert record.status == InboundEmail.Status.TICKET
    pdf, script = Attachment.objects.filter(ticket=record.ticket).order_by("id")
    assert pdf.filename == "invoice.pdf" and pdf.content_type == "application/pdf"
    assert pdf.message == record.ticket_message
    # Typed by its bytes, not by the sender's word: text, served only as a download.
    assert script.filename == "cat.png" and script.content_type == "text/plain"
    assert "1 attachment(s) not kept" in record.note and "application/zip" in record.note


def test_a_25_mb_attachment_is_refused_but_the_mail_is_kept(settings, taxonomy):
    message = an_email()
    message.add_attachment(
        b"%PDF-1.4\n" + b"0" * (25 * 1024 * 1024),
        maintype="application",
        subtype="pdf",
        filename="scan.pdf",
    )
    record = ingest(message)
    assert record.status == InboundEmail.Status.TICKET and "too large" in record.note
    assert record.size > 25 * 1024 * 1024 and Attachment.objects.count() == 0


def _run_pipe(monkeypatch, raw: bytes) -> tuple[int, str]:
    stdin = io.TextIOWrapper(io.BytesIO(raw))
    monkeypatch.setattr(sys, "stdin", stdin)
    out = io.StringIO()
    try:
        call_command("ingest_email", stdout=out, stderr=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def test_the_postfix_pipe_command_reads_stdin(taxonomy, monkeypatch):
    code, output = _run_pipe(monkeypatch, an_email().as_bytes())
    assert code == 0 and "ticket" in output
    record = InboundEmail.objects.get()
    assert record.source == "pipe" and record.ticket is not None


def test_the_pipe_bounces_mail_that_is_too_large(settings, taxonomy, monkeypatch):
    settings.INBOUND_EMAIL_MAX_BYTES = 500
    code, output = _run_pipe(monkeypatch, an_email("y" * 5000).as_bytes())
    assert code == 65 and "larger than" in output
    assert InboundEmail.objects.count() == 0
