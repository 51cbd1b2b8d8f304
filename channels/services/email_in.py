"""E-mail in: one path behind every door (`manage.py ingest_email`, the IMAP poller, the
providers' inbound webhooks). `email_ingest` stores the raw message first, in its own
transaction, and only then reads it: whatever happens after, the e-mail is not lost.

A person's new e-mail opens a ticket through tickets' `ticket_submit`, like the portal and the
API; a reply is added through `ticket_customer_reply`, like the portal's reply form. Mail a
machine wrote (auto-replies, bounces, lists, our own mail coming back) is kept and ignored:
it never opens a ticket and is never answered.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction

from accounts.models import User
from accounts.services import user_get_or_create_contact
from channels.models import InboundEmail, Mailbox, OutboundEmail
from channels.services import addresses
from channels.services.email_parse import ParsedEmail, parse_email
from common.errors import ServiceError
from tickets.attachments import NewFile, attachments_check
from tickets.models import Channel, Message, Ticket
from tickets.services import (
    MAX_MESSAGE_LENGTH,
    MAX_SUBJECT_LENGTH,
    ticket_customer_reply,
    ticket_submit,
)

logger = logging.getLogger(__name__)

TRUNCATED = "\n\n[… the e-mail was longer; the whole message is kept with the ticket]"
NO_TEXT = "(The e-mail had no text.)"


class EmailRefused(Exception):
    """Not stored: too large. The door says so to the sender (a pipe exits non-zero)."""


@dataclass
class _Outcome:
    status: str
    note: str = ""
    ticket: Ticket | None = None
    message: Message | None = None


def email_ingest(*, raw: bytes, source: str, mailbox: Mailbox | None = None) -> InboundEmail:
    """Store one RFC 822 message and act on it. Never raises for bad mail (only EmailRefused)."""
    if len(raw) > settings.INBOUND_EMAIL_MAX_BYTES:
        logger.warning(
            "Refused an e-mail from %s: %d bytes, over INBOUND_EMAIL_MAX_BYTES (%d)",
            source,
            len(raw),
            settings.INBOUND_EMAIL_MAX_BYTES,
        )
        raise EmailRefused(f"The e-mail is larger than {settings.INBOUND_EMAIL_MAX_BYTES} bytes.")
    record = InboundEmail(source=source[:32], size=len(raw))
    record.raw.save("message.eml", ContentFile(raw), save=False)
    record.save()
    try:
        outcome = _process(record, raw, mailbox)
    except Exception as error:  # kept raw, marked, logged: an operator can look and replay
        logger.exception("E-mail %s from %s could not be processed", record.pk, source)
        outcome = _Outcome(InboundEmail.Status.FAILED, f"{type(error).__name__}: {error}")
    _settle(record, outcome)
    if outcome.status == InboundEmail.Status.IGNORED:
        logger.info("E-mail %s from %s ignored: %s", record.pk, record.sender, outcome.note)
    return record


def _settle(record: InboundEmail, outcome: _Outcome) -> None:
    record.status = outcome.status
    record.note = outcome.note[:255]
    record.ticket = outcome.ticket
    record.ticket_message = outcome.message
    record.save(update_fields=["status", "note", "ticket", "ticket_message"])


def _process(record: InboundEmail, raw: bytes, mailbox: Mailbox | None) -> _Outcome:
    own = addresses.own_addresses() | ({mailbox.username.lower()} if mailbox else set())
    parsed = parse_email(raw, own_addresses=own, own_id_suffix=addresses.own_message_id_suffix())
    # PostgreSQL text cannot hold NUL bytes, which hostile headers may carry.
    for name in ("message_id", "sender", "sender_name", "subject"):
        setattr(parsed, name, getattr(parsed, name).replace("\x00", ""))
    record.message_id = parsed.message_id[:255]
    record.sender = parsed.sender[:254]
    record.subject = parsed.subject[:255]
    record.save(update_fields=["message_id", "sender", "subject"])
    if parsed.automatic:
        return _Outcome(InboundEmail.Status.IGNORED, parsed.automatic)
    try:
        validate_email(parsed.sender)
    except ValidationError:
        return _Outcome(InboundEmail.Status.IGNORED, "no valid sender address")
    if parsed.message_id and (
        InboundEmail.objects.filter(
            message_id=parsed.message_id,
            status__in=[InboundEmail.Status.TICKET, InboundEmail.Status.REPLY],
        )
        .exclude(pk=record.pk)
        .exists()
    ):
        return _Outcome(InboundEmail.Status.IGNORED, "duplicate (this Message-ID was read before)")
    customer, _created = user_get_or_create_contact(
        email=parsed.sender, full_name=parsed.sender_name
    )
    if not customer.is_active or not customer.is_customer:
        return _Outcome(InboundEmail.Status.IGNORED, "sender is not an active customer")
    try:
        return _to_ticket(record, parsed, customer)
    except ServiceError as error:  # e.g. a ticket rule refused it: kept, and said why
        return _Outcome(InboundEmail.Status.FAILED, f"refused: {error}")


def thread_of(parsed: ParsedEmail, customer: User) -> Ticket | None:
    """The customer's ticket this e-mail answers: by the Message-IDs it cites, else by the signed
    reply address, else by the subject's [SupportDesk #id]. Only the sender's own ticket
    counts: someone else's reply opens their own ticket and sees nothing of this one."""
    cited = [*parsed.in_reply_to, *parsed.references][-50:]
    ticket_id = None
    if cited:
        ticket_id = (
            OutboundEmail.objects.filter(message_id__in=cited)
            .values_list("ticket_id", flat=True)
            .first()
        ) or (
            InboundEmail.objects.filter(message_id__in=cited, ticket__isnull=False)
            .values_list("ticket_id", flat=True)
            .first()
        )
    ticket_id = (
        ticket_id
        or addresses.ticket_from_reply_address(parsed.recipients)
        or addresses.ticket_from_subject(parsed.subject)
    )
    if ticket_id is None:
        return None
    return Ticket.objects.filter(pk=ticket_id, customer=customer).first()


def _fit(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_MESSAGE_LENGTH:
        return text[: MAX_MESSAGE_LENGTH - len(TRUNCATED)] + TRUNCATED
    return text


def _accepted(parsed: ParsedEmail) -> tuple[list[NewFile], list[str]]:
    """The attachments the desk takes, and a note for each it does not (the raw keeps them)."""
    accepted, refused = [], []
    for part in parsed.attachments:
        file = NewFile(filename=part.filename, data=part.payload)
        try:
            attachments_check([file])
        except ServiceError as error:
            refused.append(f"{part.filename[:40]}: {error}")
        else:
            accepted.append(file)
    return accepted[: settings.ATTACHMENT_MAX_PER_MESSAGE], refused


def _to_ticket(record: InboundEmail, parsed: ParsedEmail, customer: User) -> _Outcome:
    ticket = thread_of(parsed, customer)
    files, refused = _accepted(parsed)
    note = f"{len(refused)} attachment(s) not kept: " + "; ".join(refused) if refused else ""
    text = _fit(parsed.reply_text)
    if ticket is not None:
        with transaction.atomic():
            message = ticket_customer_reply(
                ticket=ticket, customer=customer, body=text or NO_TEXT, attachments=files
            )
            outcome = _Outcome(InboundEmail.Status.REPLY, note, ticket, message)
            _settle(record, outcome)  # linked before commit: the answer threads under it
        return outcome

    def link(ticket: Ticket, message: Message) -> None:
        # In ticket_submit's transaction: the answer e-mail, sent once it commits, threads
        # under this e-mail's Message-ID, and an escalation knows to acknowledge by e-mail.
        _settle(record, _Outcome(InboundEmail.Status.TICKET, note, ticket, message))

    voice_only = not text and any(file.is_audio for file in files)
    # The Message-ID as idempotency key: the same e-mail read twice is one ticket.
    key = "email:" + hashlib.sha256(parsed.message_id.encode()).hexdigest()
    ticket, _created = ticket_submit(
        customer=customer,
        # A voice note alone: no text, so ticket_submit transcribes the recording.
        message="" if voice_only else (text or _fit(parsed.subject) or NO_TEXT),
        subject=" ".join(parsed.subject.split())[:MAX_SUBJECT_LENGTH],
        idempotency_key=key if parsed.message_id else "",
        attachments=files,
        on_stored=link,
        channel=Channel.EMAIL,
        # The contact is answered at this address: a forged sender receives nothing.
        require_verified_email=False,
    )
    message = ticket.messages.order_by("created_at", "id").first()
    return _Outcome(InboundEmail.Status.TICKET, note, ticket, message)
