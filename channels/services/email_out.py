"""E-mail out: the answers a customer can see (automatic or an agent's) and, for tickets that
came by e-mail, the acknowledgement that a person will answer. One path for every answer e-mail.

Sent by tasks after the transaction commits (channels/receivers.py, channels/tasks.py), never
inside a request. Each e-mail has a Message-ID we mint and record (OutboundEmail) before it
leaves, In-Reply-To/References naming the conversation so far, and a Reply-To that comes back
to the desk, so the customer's reply threads into the ticket.

Plain text plus an HTML part rendered by the template engine with autoescaping: the customer's
and agents' words appear as text, never as markup. Header values made from customer text are
flattened to one line first (`one_line`), so they cannot add headers.
"""

import re
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from channels.models import InboundEmail, OutboundEmail
from channels.services import addresses
from tickets.models import AuthorKind, Message, Ticket, TicketStatus
from tickets.selectors import ticket_language

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")
FEEDBACK_SALT = "channels.email-feedback"
MAX_REFERENCES = 20


def one_line(text: str, limit: int = 80) -> str:
    """Text safe for a header: control characters and line breaks become single spaces."""
    flat = " ".join(_CONTROL.sub(" ", text or "").split())
    return flat[:limit] + ("…" if len(flat) > limit else "")


def came_by_email(ticket: Ticket) -> bool:
    return InboundEmail.objects.filter(ticket=ticket).exists()


@dataclass(frozen=True)
class Thread:
    """The e-mails of a ticket so far, as one e-mail more needs them."""

    by_email: bool  # the customer has written to this ticket by e-mail
    headers: dict[str, str]  # In-Reply-To and References, empty for a first e-mail


# The customer's e-mails and ours (sent; agents' notices are not part of the customer's
# thread), oldest first. Written as SQL: the ORM's UNION of the two took ~1 ms of CPU to
# compile, more than the rest of the e-mail's queries together (issue 19, bench/post_cost.py).
_THREAD_SQL = """
    SELECT received_at, id, message_id, 1 FROM channels_inboundemail
     WHERE ticket_id = %s
    UNION ALL
    SELECT created_at, id, message_id, 0 FROM channels_outboundemail
     WHERE ticket_id = %s AND sent_at IS NOT NULL AND kind <> %s
    ORDER BY 1, 2
"""


def _thread(ticket: Ticket) -> Thread:
    """In-Reply-To: the customer's latest e-mail (else our latest); References: the thread."""
    with connection.cursor() as cursor:
        cursor.execute(_THREAD_SQL, [ticket.pk, ticket.pk, OutboundEmail.Kind.AGENT_NOTICE])
        rows = cursor.fetchall()
    by_email = any(inbound for *_, inbound in rows)
    named = [(message_id, inbound) for _, _, message_id, inbound in rows if message_id]
    if not named:  # an e-mail without a Message-ID cannot be named
        return Thread(by_email=by_email, headers={})
    thread = [message_id for message_id, _ in named]
    theirs = [message_id for message_id, inbound in named if inbound]
    in_reply_to = theirs[-1] if theirs else thread[-1]
    # The first message and the latest ones: what RFC 5322 asks when trimming References.
    references = thread if len(thread) <= MAX_REFERENCES else thread[:1] + thread[-19:]
    return Thread(
        by_email=by_email,
        headers={"In-Reply-To": in_reply_to, "References": " ".join(references)},
    )


def _subject(ticket: Ticket, default: str, thread: Thread) -> str:
    """Mail clients thread by subject too: an e-mail ticket's answer keeps the customer's
    subject ("Re: …"). A portal ticket's subject holds only the ticket number."""
    tag = f"[SupportDesk #{ticket.pk}]"
    if ticket.subject and thread.by_email:
        subject = one_line(ticket.subject, 150)
        return f"{subject} {tag}" if subject.lower().startswith("re:") else f"Re: {subject} {tag}"
    return f"{tag} {default}"


def feedback_token(message: Message) -> str:
    return signing.dumps({"t": message.ticket_id, "m": message.pk}, salt=FEEDBACK_SALT)


def read_feedback_token(token: str) -> dict:
    """{"t": ticket id, "m": answer id}; BadSignature (incl. expired) when not ours or too old."""
    max_age = settings.EMAIL_FEEDBACK_LINK_DAYS * 86400
    return signing.loads(token, salt=FEEDBACK_SALT, max_age=max_age)


def _url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _email(
    *, ticket: Ticket, subject: str, template: str, context: dict, message_id: str, auto: bool
) -> EmailMultiAlternatives:
    """`subject`: what the e-mail is about, for a ticket the customer has not e-mailed."""
    customer = ticket.customer
    thread = _thread(ticket)
    name = one_line(customer.get_short_name(), 60)
    context = {
        **context,
        "ticket": ticket,
        "name": name,
        "greeting": _("Hello %(name)s,") % {"name": name} if name else _("Hello,"),
        "ticket_url": _url(reverse("portal:ticket_detail", args=[ticket.pk])),
    }
    headers = {"Message-ID": message_id, **thread.headers}
    headers["X-Auto-Response-Suppress"] = "All"  # no out-of-office replies to the desk
    if auto:
        headers["Auto-Submitted"] = "auto-replied"  # RFC 3834: a machine answered
    email = EmailMultiAlternatives(
        subject=_subject(ticket, subject, thread),
        body=render_to_string(f"channels/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[customer.email],
        reply_to=[addresses.reply_address(ticket.pk)],
        headers=headers,
    )
    email.attach_alternative(
        render_to_string(f"channels/email/{template}.html", context), "text/html"
    )
    return email


def _record(*, ticket: Ticket, message: Message | None, kind: str, to: str) -> OutboundEmail:
    """The Message-ID for this e-mail, minted once: a retried send reuses it."""
    # Insert first: a first send (nearly every one) costs one statement. A retried or racing
    # send of the same answer meets the unique (ticket_message, kind) and takes the row
    # there. Inside a caller's transaction a savepoint keeps it usable after that refusal;
    # outside one (a task, after a response) the statement is its own transaction.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with guard:
            return OutboundEmail.objects.create(
                ticket=ticket,
                ticket_message=message,
                kind=kind,
                to=to,
                message_id=addresses.mint_message_id(),
            )
    except IntegrityError:
        return OutboundEmail.objects.get(ticket_message=message, kind=kind)


def answer_email(message: Message) -> EmailMultiAlternatives | None:
    """The e-mail telling the customer about `message`, or None if it is not for them; in the
    language the desk writes to them in (tickets.selectors.ticket_language)."""
    with translation.override(ticket_language(message.ticket)):
        return _answer_email(message)


def _answer_email(message: Message) -> EmailMultiAlternatives | None:
    if message.internal or message.author_kind not in (AuthorKind.ASSISTANT, AuthorKind.AGENT):
        return None
    ticket = message.ticket
    customer = ticket.customer
    if not customer.email or not customer.is_active:
        return None
    automatic = message.author_kind == AuthorKind.ASSISTANT
    context = {
        "message": message,
        "who": _("Our automatic assistant") if automatic else _("An agent"),
        "automatic": automatic,
        "resolved": ticket.status == TicketStatus.RESOLVED,
    }
    if automatic:
        token = feedback_token(message)
        link = _url(reverse("channels:email_feedback", args=[token]))
        context["solved_url"] = f"{link}?solved=yes"
        context["not_solved_url"] = f"{link}?solved=no"
    record = _record(
        ticket=ticket, message=message, kind=OutboundEmail.Kind.ANSWER, to=customer.email
    )
    return _email(
        ticket=ticket,
        subject=_("Your ticket has an answer"),
        template="answer",
        context=context,
        message_id=record.message_id,
        auto=automatic,
    )


def acknowledgement_email(ticket: Ticket) -> EmailMultiAlternatives | None:
    """For an e-mail ticket handed to a person: we have it, a person will answer."""
    with translation.override(ticket_language(ticket)):
        return _acknowledgement_email(ticket)


def _acknowledgement_email(ticket: Ticket) -> EmailMultiAlternatives | None:
    customer = ticket.customer
    if not customer.email or not customer.is_active or not came_by_email(ticket):
        return None
    record = _record(
        ticket=ticket, message=None, kind=OutboundEmail.Kind.ACKNOWLEDGEMENT, to=customer.email
    )
    return _email(
        ticket=ticket,
        subject=_("A person will answer"),
        template="acknowledgement",
        context={},
        message_id=record.message_id,
        auto=True,
    )


def _send(email: EmailMultiAlternatives | None) -> bool:
    if email is None:
        return False
    email.send(fail_silently=False)
    with connection.cursor() as cursor:
        sent_at = connection.ops.adapt_datetimefield_value(timezone.now())  # as the ORM stores it
        cursor.execute(_MARK_SENT_SQL, [sent_at, email.extra_headers["Message-ID"]])
    return True


# Written as SQL for the same reason as _THREAD_SQL: the ORM's filter().update() took ~0.5 ms
# of CPU to build this one statement, after every answer (issue 19, bench/post_cost.py).
_MARK_SENT_SQL = "UPDATE channels_outboundemail SET sent_at = %s WHERE message_id = %s"


def email_send_answer(*, message_id: int) -> bool:
    """Send the e-mail for one answer. Returns whether an e-mail went out."""
    message = Message.objects.select_related("ticket__customer").filter(pk=message_id).first()
    return email_send_answer_for(message) if message else False


def email_send_answer_for(message: Message) -> bool:
    """The same for an answer in hand, with its ticket and customer (no read by id)."""
    return _send(answer_email(message))


def email_send_acknowledgement(*, ticket_id: int) -> bool:
    ticket = Ticket.objects.select_related("customer").filter(pk=ticket_id).first()
    if ticket is None or ticket.status != TicketStatus.ESCALATED:
        return False  # answered meanwhile: the answer's own e-mail says more
    return _send(acknowledgement_email(ticket))
