"""Every change to a ticket goes through here: portal, API, pipeline and admin actions alike.

Races are settled in the database with conditional UPDATEs (`filter(...).update(...)` returns
how many rows changed), so two agents clicking at once get one winner and one clear Conflict.
"""

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from common.errors import Conflict, InvalidInput, NotAllowed
from tickets.assignment import round_robin_pick
from tickets.attachments import NewFile, attachment_add, attachments_check
from tickets.language import language_detect
from tickets.limits import customer_rate_enforce
from tickets.models import (
    AuthorKind,
    Channel,
    EscalationReason,
    Message,
    Notification,
    Priority,
    SavedView,
    Tag,
    Team,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from tickets.notifications import notification_create
from tickets.signals import (
    message_added,
    ticket_arriving,
    ticket_resolved,
    ticket_status_changed,
    ticket_submitted,
)
from tickets.sla import sla_first_response, sla_recompute, sla_start

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 10_000
MAX_SUBJECT_LENGTH = 200


# What a customer writes (message, subject) is refused in their language; the agents' own
# fields (body, name) stay English like the rest of the agent side.
_EMPTY = {
    "message": gettext_lazy("The message cannot be empty."),
    "subject": gettext_lazy("The subject cannot be empty."),
}
_TOO_LONG = {
    "message": gettext_lazy("The message is too long (%(length)d characters; at most %(max)d)."),
    "subject": gettext_lazy("The subject is too long (%(length)d characters; at most %(max)d)."),
}


def _clean_text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        empty = _EMPTY.get(field, f"The {field} cannot be empty.")
        raise InvalidInput(str(empty), details={field: ["required"]})
    if len(text) > max_length:
        too_long = _TOO_LONG.get(
            field, f"The {field} is too long (%(length)d characters; at most %(max)d)."
        )
        raise InvalidInput(
            str(too_long) % {"length": len(text), "max": max_length},
            details={field: [f"at most {max_length} characters"]},
        )
    return text


def known_intent_slugs() -> set[str]:
    """The intents an agent may choose, supplied by the app that owns them (settings wire it)."""
    return set(import_string(settings.TICKET_INTENT_CHOICES)())


def known_intent_names() -> dict[str, str]:
    """slug -> the intent's name, for dropdowns (settings wire the app that owns intents)."""
    return import_string(settings.TICKET_INTENT_NAMES)()


# --- Audit: every change of status, intent, assignee, team or priority leaves a TicketEvent --

_AUDITED = {
    "status": TicketEvent.Field.STATUS,
    "intent": TicketEvent.Field.INTENT,
    "assigned_agent_id": TicketEvent.Field.ASSIGNEE,
    "team_id": TicketEvent.Field.TEAM,
    "priority": TicketEvent.Field.PRIORITY,
}


def _audit_state(ticket: Ticket) -> dict:
    return {name: getattr(ticket, name) for name in _AUDITED}


def _record(
    ticket: Ticket,
    before: dict,
    *,
    actor: User | None = None,
    note: str = "",
    model_version: int | None = None,
    also_events: Sequence[TicketEvent] = (),
) -> None:
    """A TicketEvent per audited field changed since `before` (in the caller's transaction),
    after `also_events` (earlier changes written in the same statement).

    A status change is also announced (`ticket_status_changed`) once the transaction commits.
    """
    after = _audit_state(ticket)
    if before["status"] != after["status"]:
        old, new = before["status"], after["status"]
        transaction.on_commit(
            lambda: ticket_status_changed.send(
                sender=Ticket,
                ticket=ticket,
                old_status=old,
                new_status=new,
                reason=ticket.escalation_reason if new == TicketStatus.ESCALATED else "",
                actor=actor,
            )
        )
    TicketEvent.objects.bulk_create(
        [
            *also_events,
            *(
                TicketEvent(
                    ticket=ticket,
                    actor=actor,
                    field=field,
                    old_value="" if before[name] is None else str(before[name]),
                    new_value="" if after[name] is None else str(after[name]),
                    note=note,
                    model_version=model_version,
                )
                for name, field in _AUDITED.items()
                if before[name] != after[name]
            ),
        ]
    )


MAX_IDEMPOTENCY_KEY_LENGTH = 128


VOICE_WITHOUT_TRANSCRIPT = "(A voice message: listen to the attached recording.)"


def ticket_submit(
    *,
    customer: User,
    message: str,
    subject: str = "",
    idempotency_key: str = "",
    enforce_limits: bool = True,
    require_verified_email: bool = True,
    attachments: Sequence[NewFile] = (),
    on_stored: Callable[[Ticket, Message], None] | None = None,
    channel: str = Channel.PORTAL,
) -> tuple[Ticket, bool]:
    """Store a new ticket and its first message, once per idempotency key: (ticket, created).

    The same key again (a double click, a client retrying after a timeout) returns the first
    ticket. Two submissions racing with one key meet at the unique constraint: the loser reads
    the winner's ticket. The AI is scheduled by resolution's receiver; in-process, a text
    ticket is analysed before it is stored and decided in the transaction storing it
    (`ticket_arriving`).

    The customer's doors (portal, API) keep `enforce_limits`: a customer who has not confirmed
    their e-mail address is refused (403), and so is one past CUSTOMER_TICKET_RATE (429). The
    e-mail channel passes `require_verified_email=False`: a contact who writes in is answered at
    that address, so a forged sender receives nothing.

    A voice note (an audio file and no text) is transcribed first, outside the transaction
    (settings.TICKET_TRANSCRIBER); the transcript is the ticket's text for the AI. Without a
    transcript the ticket goes straight to a person with the recording.

    `on_stored(ticket, first_message)` runs in the same transaction once a new ticket is
    stored: a channel records where the ticket came from before anyone hears of it.
    """
    files = list(attachments)
    attachments_check(files)
    voice = next((file for file in files if file.is_audio), None)
    transcript = None
    if voice is not None and not (message or "").strip():
        transcriber = import_string(settings.TICKET_TRANSCRIBER)
        transcript = transcriber(
            filename=voice.filename, content_type=voice.content_type, data=voice.data
        )
        message = transcript or VOICE_WITHOUT_TRANSCRIPT
    else:
        voice = None
    return _ticket_store(
        customer=customer,
        message=message,
        subject=subject,
        idempotency_key=idempotency_key,
        files=files,
        voice=voice,
        transcript=transcript,
        on_stored=on_stored,
        enforce_limits=enforce_limits,
        require_verified_email=require_verified_email,
        channel=channel,
    )


def _ticket_store(
    *,
    customer: User,
    message: str,
    subject: str,
    idempotency_key: str,
    files: list[NewFile],
    voice: NewFile | None,
    transcript: str | None,
    on_stored: Callable[[Ticket, Message], None] | None,
    enforce_limits: bool,
    require_verified_email: bool,
    channel: str,
) -> tuple[Ticket, bool]:
    body = _clean_text(message, field="message", max_length=MAX_MESSAGE_LENGTH)
    subject = _clean_text(subject, field="subject", max_length=MAX_SUBJECT_LENGTH, required=False)
    key = (idempotency_key or "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise InvalidInput(
            f"The idempotency key is too long (at most {MAX_IDEMPOTENCY_KEY_LENGTH} characters).",
            details={"idempotency_key": [f"at most {MAX_IDEMPOTENCY_KEY_LENGTH} characters"]},
        )
    if key and (earlier := Ticket.objects.filter(customer=customer, idempotency_key=key).first()):
        return earlier, False
    if enforce_limits and require_verified_email and not customer.is_email_verified:
        raise NotAllowed(
            _("Please confirm your e-mail address first: follow the link we sent you."),
            code="email_unverified",
        )
    if enforce_limits:  # a replay above is free; a new ticket counts
        customer_rate_enforce(
            recent=Ticket.objects.filter(customer=customer),
            setting="CUSTOMER_TICKET_RATE",
            what="new tickets",
        )
    # Sub-millisecond and no I/O once loaded (tickets/language.py).
    language = language_detect(
        " ".join(part for part in (subject, body, transcript or "") if part),
        preferred=customer.language,
    )
    fields = {
        "customer": customer,
        "subject": subject,
        "message": body,
        "idempotency_key": key,
        "channel": channel,
        "language": language,
    }
    store = partial(
        _ticket_insert,
        key=key,
        files=files,
        voice=voice,
        transcript=transcript,
        on_stored=on_stored,
    )
    ticket = Ticket(**fields)
    # A text ticket stored by a caller that holds no transaction may be decided before it is
    # stored (resolution does so when it runs in-process): the analysis runs here, with no
    # transaction open, and its recorders write the decision in the transaction that stores
    # the ticket (one transaction, no lock: no one else can see the row before it commits).
    recorders = []
    if not files and not transaction.get_connection().in_atomic_block:
        recorders = [
            recorder
            for _receiver, recorder in ticket_arriving.send(sender=Ticket, ticket=ticket)
            if recorder is not None
        ]
    if not recorders:
        return store(ticket)
    ticket.decided_on_arrival = True  # resolution's post_save receiver schedules nothing
    try:
        return store(ticket, recorders=recorders)
    except _RecordingFailed:
        # The whole transaction rolled back: the ticket is stored again alone, open, and the
        # pipeline decides it as any stored ticket (an AI failure never drops a ticket).
        logger.exception("Could not record the decision with the new ticket; stored it alone")
        return store(Ticket(**fields))


class _RecordingFailed(Exception):
    """A recorder of ticket_arriving failed inside the transaction storing the ticket."""


@transaction.atomic
def _ticket_insert(
    ticket: Ticket,
    *,
    key: str,
    files: list[NewFile],
    voice: NewFile | None,
    transcript: str | None,
    on_stored: Callable[[Ticket, Message], None] | None,
    recorders: Sequence[Callable[[Ticket], object]] = (),
) -> tuple[Ticket, bool]:
    if not key:  # nothing to race on: no savepoint (two statements fewer)
        ticket.save(force_insert=True)
    else:
        try:
            with transaction.atomic():
                ticket.save(force_insert=True)
        except IntegrityError:
            return Ticket.objects.get(customer=ticket.customer, idempotency_key=key), False
    message = Message.objects.create(
        ticket=ticket, author_kind=AuthorKind.CUSTOMER, author=ticket.customer, body=ticket.message
    )
    TicketEvent.objects.create(
        ticket=ticket,
        actor=ticket.customer,
        field=TicketEvent.Field.CREATED,
        new_value=ticket.status,
    )
    for file in files:
        attachment_add(
            ticket=ticket,
            message=message,
            filename=file.filename,
            data=file.data,
            transcript=(transcript or "") if file is voice else "",
        )
    if voice is not None and not transcript:
        # Nothing for the AI to read: a person listens. (The pipeline skips a decided ticket.)
        ticket_escalate(ticket=ticket, reason=EscalationReason.VOICE_NOT_TRANSCRIBED)
    if on_stored is not None:
        on_stored(ticket, message)
    transaction.on_commit(lambda: ticket_submitted.send(sender=Ticket, ticket=ticket))
    _announce_message(ticket, message)
    for record in recorders:  # after the announcements above: "created" is heard first
        try:
            record(ticket)
        except Exception as exc:
            raise _RecordingFailed from exc
    return ticket, True


def ticket_create(*, customer: User, message: str, subject: str = "") -> Ticket:
    """Store a new ticket and its first message. The AI is scheduled by resolution's receiver.

    For the desk's own imports and demo data: no per-customer limit (customers' doors call
    `ticket_submit`)."""
    return ticket_submit(customer=customer, message=message, subject=subject, enforce_limits=False)[
        0
    ]


def ticket_auto_resolve(
    *,
    ticket: Ticket,
    answer: str,
    intent: str,
    confidence: float,
    model_version: int | None = None,
    also_fields: Sequence[str] = (),
    also_events: Sequence[TicketEvent] = (),
) -> Message:
    """The AI answered. Call inside the pipeline's transaction, with the ticket locked.
    `also_fields`, `also_events`: other changes to the ticket (the admins' rules), saved and
    audited in the same statements."""
    before = _audit_state(ticket)
    message = Message.objects.create(ticket=ticket, author_kind=AuthorKind.ASSISTANT, body=answer)
    _announce_message(ticket, message)
    # What the API shows as the ticket's answer (`with_latest_answer`), known without a re-read.
    ticket.latest_answer = answer
    ticket.status = TicketStatus.AUTO_RESOLVED
    ticket.intent = intent
    ticket.confidence = confidence
    ticket.escalation_reason = ""
    ticket.resolved_at = timezone.now()
    ticket.save(
        update_fields=[
            "status",
            "intent",
            "confidence",
            "escalation_reason",
            "resolved_at",
            "updated_at",
            *also_fields,
        ]
    )
    _record(ticket, before, model_version=model_version, also_events=also_events)
    return message


def ticket_escalate(
    *,
    ticket: Ticket,
    reason: str,
    intent: str | None = None,
    confidence: float | None = None,
    actor: User | None = None,
    model_version: int | None = None,
    also_fields: Sequence[str] = (),
    also_events: Sequence[TicketEvent] = (),
) -> Ticket:
    """Hand the ticket to a person, saying why. `actor`: who did (None: the AI).
    `also_fields`, `also_events`: as for `ticket_auto_resolve`."""
    before = _audit_state(ticket)
    # The SLA clock starts when a ticket first goes to a person, and again when it comes back
    # after being resolved (a new first response is owed).
    fields = sla_start(ticket, restart=ticket.resolved_at is not None)
    ticket.status = TicketStatus.ESCALATED
    ticket.escalation_reason = reason
    ticket.resolved_at = None
    fields += ["status", "escalation_reason", "resolved_at", "updated_at"]
    if intent is not None:
        ticket.intent = intent
        fields.append("intent")
    if confidence is not None:
        ticket.confidence = confidence
        fields.append("confidence")
    if ticket.assigned_agent_id is None and (picked := round_robin_pick(ticket)) is not None:
        ticket.assigned_agent = picked
        fields.append("assigned_agent")
        notification_create(recipient=picked, ticket=ticket, kind=Notification.Kind.ASSIGNED)
    ticket.save(update_fields=list(dict.fromkeys([*fields, *also_fields])))
    _record(
        ticket,
        before,
        actor=actor,
        note=reason,
        model_version=model_version,
        also_events=also_events,
    )
    return ticket


@transaction.atomic
def ticket_customer_reply(
    *, ticket: Ticket, customer: User, body: str, attachments: Sequence[NewFile] = ()
) -> Message:
    """The customer writes again. On an answered ticket that means it is not done: reopen it."""
    text = _clean_text(body, field="message", max_length=MAX_MESSAGE_LENGTH)
    customer_rate_enforce(
        # Every message the customer wrote counts, a new ticket's first one included.
        recent=Message.objects.filter(author=customer, author_kind=AuthorKind.CUSTOMER),
        setting="CUSTOMER_REPLY_RATE",
        what="messages",
    )
    attachments_check(attachments)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    message = Message.objects.create(
        ticket=ticket, author_kind=AuthorKind.CUSTOMER, author=customer, body=text
    )
    for file in attachments:
        attachment_add(ticket=ticket, message=message, filename=file.filename, data=file.data)
    reopened = ticket.status in (TicketStatus.AUTO_RESOLVED, TicketStatus.RESOLVED)
    # The customer answered: the ticket waits on the desk again, not on them.
    ticket.awaiting_customer = False
    if reopened:
        ticket_escalate(ticket=ticket, reason=EscalationReason.REOPENED, actor=customer)
        ticket.save(update_fields=["awaiting_customer"])
    else:
        ticket.save(update_fields=["awaiting_customer", "updated_at"])
    if ticket.assigned_agent_id is not None:
        notification_create(
            recipient=ticket.assigned_agent, ticket=ticket, kind=Notification.Kind.CUSTOMER_REPLY
        )
    _announce_message(ticket, message, reopened=reopened)
    return message


def _announce_message(ticket: Ticket, message: Message, *, reopened: bool = False) -> None:
    """Tell the apps above once the message is committed (channels e-mails answers and calls
    webhooks, the AI records autonomy outcomes). `reopened`: it reopened an answered ticket."""
    transaction.on_commit(
        lambda: message_added.send(
            sender=Message, ticket=ticket, message=message, reopened=reopened
        )
    )


def ticket_claim(*, ticket: Ticket, agent: User) -> Ticket:
    """Assign an escalated ticket to `agent`. A ticket another agent holds is a Conflict."""
    claimed = (
        Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.ESCALATED)
        .filter(assigned_agent__isnull=True)
        .update(assigned_agent=agent, updated_at=timezone.now())
    )
    ticket.refresh_from_db()
    if claimed:
        _record(ticket, {**_audit_state(ticket), "assigned_agent_id": None}, actor=agent)
    if claimed or ticket.assigned_agent_id == agent.pk:
        return ticket
    if ticket.status != TicketStatus.ESCALATED:
        raise Conflict("This ticket is no longer waiting for an agent.", code="not_escalated")
    raise Conflict(
        f"{ticket.assigned_agent.get_full_name()} has already claimed this ticket.",
        code="already_claimed",
    )


def ticket_release(*, ticket: Ticket, agent: User) -> Ticket:
    released = Ticket.objects.filter(pk=ticket.pk, assigned_agent=agent).update(
        assigned_agent=None, updated_at=timezone.now()
    )
    ticket.refresh_from_db()
    if released:
        _record(ticket, {**_audit_state(ticket), "assigned_agent_id": agent.pk}, actor=agent)
    return ticket


@transaction.atomic
def ticket_agent_reply(
    *,
    ticket: Ticket,
    agent: User,
    body: str,
    internal: bool = False,
    resolve: bool = False,
    corrected_intent: str = "",
    add_to_knowledge: bool = False,
    attachments: Sequence[NewFile] = (),
) -> Message:
    """An agent answers (or notes), optionally correcting the intent and resolving.

    Resolving sends `ticket_resolved` after commit, which is how the AI learns from agents.
    """
    text = _clean_text(body, field="body", max_length=MAX_MESSAGE_LENGTH)
    if corrected_intent and corrected_intent not in known_intent_slugs():
        raise InvalidInput(
            f"Unknown intent {corrected_intent!r}.", details={"intent": ["unknown intent"]}
        )
    if internal and (resolve or add_to_knowledge):
        raise InvalidInput("An internal note cannot resolve a ticket or teach the knowledge base.")
    if add_to_knowledge and not resolve:
        # Was silently ignored (issue 18): the answer is taken for the knowledge base only when
        # it settles the ticket, so say so instead of dropping the agent's request.
        raise InvalidInput(
            "An answer goes to the knowledge base when it resolves the ticket: "
            "use “Send and resolve”.",
            details={"add_to_knowledge": ["only with resolve"]},
        )
    attachments_check(attachments)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    before = _audit_state(ticket)
    if resolve and ticket.status == TicketStatus.RESOLVED:
        raise Conflict("This ticket is already resolved.", code="already_resolved")
    # A claimed ticket is its assignee's (and any admin's): another agent may add internal
    # notes, but not speak to the customer, re-classify or resolve it. Unclaimed ones are open
    # to every agent. Checked on the locked row, so a claim a moment ago counts.
    changes_intent = bool(corrected_intent) and corrected_intent != ticket.intent
    if (
        ticket.assigned_agent_id not in (None, agent.pk)
        and not agent.is_admin
        and (resolve or not internal or changes_intent)
    ):
        raise Conflict(
            f"{ticket.assigned_agent.get_full_name()} is working on this ticket: only they "
            "or an admin can answer, re-classify or resolve it. You can add internal notes.",
            code="already_claimed",
        )
    message = Message.objects.create(
        ticket=ticket, author_kind=AuthorKind.AGENT, author=agent, body=text, internal=internal
    )
    for file in attachments:
        attachment_add(ticket=ticket, message=message, filename=file.filename, data=file.data)
    fields = ["updated_at"]
    if changes_intent:
        ticket.intent = corrected_intent
        fields.append("intent")
    if ticket.assigned_agent_id is None and not internal:
        ticket.assigned_agent = agent
        fields.append("assigned_agent")
    if not internal:
        fields += sla_first_response(ticket, at=message.created_at)
        # Answered and still open: the queue's "waiting on customer" until they write back.
        ticket.awaiting_customer = not resolve
        fields.append("awaiting_customer")
    if resolve:
        ticket.status = TicketStatus.RESOLVED
        ticket.resolved_at = timezone.now()
        fields += ["status", "resolved_at"]
    ticket.save(update_fields=fields)
    _record(ticket, before, actor=agent)
    _announce_message(ticket, message, reopened=False)
    if resolve:
        transaction.on_commit(
            lambda: ticket_resolved.send(
                sender=Ticket,
                ticket=ticket,
                agent=agent,
                answer=message,
                corrected_intent=corrected_intent,
                add_to_knowledge=add_to_knowledge,
            )
        )
    return message


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    actor: User,
    subject: str | None = None,
    intent: str | None = None,
    assigned_agent: User | None | bool = False,
) -> Ticket:
    """An admin's edit of a ticket's details (Django admin): subject, intent (a known slug, or
    "" for none), assignee (an agent, or None; False: unchanged). Audited like every change."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    before = _audit_state(ticket)
    fields = ["updated_at"]
    if subject is not None:
        ticket.subject = _clean_text(
            subject, field="subject", max_length=MAX_SUBJECT_LENGTH, required=False
        )
        fields.append("subject")
    if intent is not None and intent != ticket.intent:
        if intent and intent not in known_intent_slugs():
            raise InvalidInput(f"Unknown intent {intent!r}.", details={"intent": ["unknown"]})
        ticket.intent = intent
        fields.append("intent")
    if assigned_agent is not False and assigned_agent != ticket.assigned_agent:
        if assigned_agent is not None and not assigned_agent.is_agent:
            raise InvalidInput(
                "Only agents and admins can be assigned.", details={"assigned_agent": ["agent"]}
            )
        ticket.assigned_agent = assigned_agent
        fields.append("assigned_agent")
    ticket.save(update_fields=fields)
    _record(ticket, before, actor=actor)
    return ticket


@transaction.atomic
def ticket_resolve(*, ticket: Ticket, actor: User, note: str = "resolved by an admin") -> Ticket:
    """Close a ticket without a reply (an admin's action, or an agent's bulk action on tickets
    they may change): status resolved, resolved_at set."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status == TicketStatus.RESOLVED:
        raise Conflict("This ticket is already resolved.", code="already_resolved")
    ticket_change_check(ticket, actor)
    before = _audit_state(ticket)
    ticket.status = TicketStatus.RESOLVED
    ticket.resolved_at = timezone.now()
    ticket.escalation_reason = ""
    ticket.awaiting_customer = False
    ticket.save(
        update_fields=[
            "status",
            "resolved_at",
            "escalation_reason",
            "awaiting_customer",
            "updated_at",
        ]
    )
    _record(ticket, before, actor=actor, note=note)
    return ticket


# --- Fields an agent sets from the queue (one at a time, or many tickets at once) -----------


def ticket_change_check(ticket: Ticket, actor: User) -> None:
    """A ticket another agent holds is theirs (and any admin's), as for replies."""
    if not actor.is_agent:
        raise NotAllowed("Only agents and admins can change tickets.")
    if ticket.assigned_agent_id not in (None, actor.pk) and not actor.is_admin:
        raise Conflict(
            f"{ticket.assigned_agent.get_full_name()} is working on this ticket: only they "
            "or an admin can change it.",
            code="already_claimed",
        )


# --- Assignment, priority and tags (the workspace, the API and the queue's bulk actions) ------


def _require_agent(actor: User) -> None:
    if not (actor.is_active and actor.is_agent):
        raise NotAllowed("Only agents and admins can do this.")


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


# ticket_assign's default: keep this side of the assignment when it still fits the other.
UNCHANGED = _Unchanged()


@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    actor: User,
    agent: User | None | _Unchanged = UNCHANGED,
    team: Team | None | _Unchanged = UNCHANGED,
) -> Ticket:
    """Give the ticket to `agent` and/or `team` (None clears one; both None unassigns).

    Left UNCHANGED, the other side is kept when it still fits: a new team keeps the assignee if
    they are a member (else nobody, or with round-robin on its next available member, for an
    escalated ticket); a new agent keeps the team if they are in it. `agent` must be an active
    agent or admin and, with a team, one of its members.

    A ticket another agent holds is theirs, as for replies: only they or an admin may pass it
    on (Conflict otherwise). The new assignee is notified, unless they assigned themselves.
    """
    _require_agent(actor)
    if isinstance(agent, User) and not (agent.is_active and agent.is_agent):
        raise InvalidInput(
            "Only active agents and admins can be assigned tickets.",
            details={"agent": ["not an agent"]},
        )
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("assigned_agent")
        .get(pk=ticket.pk)
    )
    if ticket.assigned_agent_id not in (None, actor.pk) and not actor.is_admin:
        raise Conflict(
            f"{ticket.assigned_agent.get_full_name()} is working on this ticket: only they or "
            "an admin can pass it on.",
            code="already_claimed",
        )
    before = _audit_state(ticket)

    def is_member(person: User | None, group: Team | None) -> bool:
        return person is None or group is None or group.members.filter(pk=person.pk).exists()

    agent_given = not isinstance(agent, _Unchanged)
    if isinstance(team, _Unchanged):
        team = ticket.team if not isinstance(agent, User) or is_member(agent, ticket.team) else None
    if not agent_given:
        agent = ticket.assigned_agent if is_member(ticket.assigned_agent, team) else None
    elif not is_member(agent, team):
        raise InvalidInput(
            f"{agent.get_full_name()} is not a member of {team.name}.",
            details={"agent": ["not a member of the team"]},
        )
    ticket.team = team
    ticket.assigned_agent = agent
    handed_to_team = not agent_given and agent is None and team is not None
    if handed_to_team and ticket.status == TicketStatus.ESCALATED:
        ticket.assigned_agent = round_robin_pick(ticket)
    ticket.save(update_fields=["team", "assigned_agent", "updated_at"])
    _record(ticket, before, actor=actor)
    new_agent = ticket.assigned_agent
    if new_agent is not None and new_agent.pk not in (before["assigned_agent_id"], actor.pk):
        notification_create(recipient=new_agent, ticket=ticket, kind=Notification.Kind.ASSIGNED)
    return ticket


@transaction.atomic
def ticket_set_priority(*, ticket: Ticket, actor: User, priority: str) -> Ticket:
    _require_agent(actor)
    if priority not in Priority.values:
        raise InvalidInput(
            f"Unknown priority {priority!r}: one of {', '.join(Priority.values)}.",
            details={"priority": ["unknown priority"]},
        )
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    before = _audit_state(ticket)
    if ticket.priority != priority:
        ticket.priority = priority
        # The SLA's due times follow the new priority's policy, from the same start.
        ticket.save(update_fields=["priority", *sla_recompute(ticket), "updated_at"])
        _record(ticket, before, actor=actor)
    return ticket


MAX_TAGS = 20
_TAG_NAME = re.compile(r"^[-\w]{1,50}$")


def clean_tag_names(names: Iterable[str]) -> list[str]:
    """Lower-case slugs, each once, in the order given; anything else is InvalidInput."""
    cleaned: list[str] = []
    for raw in names:
        name = (raw if isinstance(raw, str) else "").strip().lower()
        if not _TAG_NAME.match(name):
            raise InvalidInput(
                f"{raw!r} is not a tag: use 1-50 letters, digits, - or _ (no spaces).",
                details={"tags": ["letters, digits, - or _ only"]},
            )
        if name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > MAX_TAGS:
        raise InvalidInput(
            f"At most {MAX_TAGS} tags on a ticket.", details={"tags": [f"at most {MAX_TAGS}"]}
        )
    return cleaned


def tags_get_or_create(names: Iterable[str]) -> list[Tag]:
    cleaned = clean_tag_names(names)
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=cleaned)}
    for name in cleaned:
        if name not in existing:
            existing[name], _ = Tag.objects.get_or_create(name=name)
    return [existing[name] for name in cleaned]


@transaction.atomic
def ticket_set_tags(
    *,
    ticket: Ticket,
    actor: User | None,
    tags: Iterable[str] | None = None,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
) -> list[str]:
    """Replace the ticket's tags with `tags`, or add and remove some; the names it has after.

    One TicketEvent (field "tags", old and new as comma-separated names) when they changed.
    `actor` None: the desk did it (a macro's or a rule's action on behalf of nobody)."""
    if actor is not None:
        _require_agent(actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    old = sorted(ticket.tags.values_list("name", flat=True))
    if tags is not None:
        wanted = tags_get_or_create(tags)
    else:
        removing = set(clean_tag_names(remove))
        kept = [name for name in old if name not in removing]
        wanted = tags_get_or_create([*kept, *clean_tag_names(add)])
    new = sorted(tag.name for tag in wanted)
    if len(new) > MAX_TAGS:
        raise InvalidInput(
            f"At most {MAX_TAGS} tags on a ticket.", details={"tags": [f"at most {MAX_TAGS}"]}
        )
    if new != old:
        ticket.tags.set(wanted)
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
        TicketEvent.objects.create(
            ticket=ticket,
            actor=actor,
            field=TicketEvent.Field.TAGS,
            old_value=",".join(old)[:254],
            new_value=",".join(new)[:254],
        )
    return new


# --- Saved queue views ---------------------------------------------------------------------

MAX_SAVED_VIEWS = 30
# What a saved view may hold: the queue page's view and filters (never a page's cursor).
SAVED_VIEW_KEYS = (
    "view",
    "q",
    "intent",
    "reason",
    "priority",
    "tag",
    "team",
    "language",
    "assigned",
)


def saved_view_create(*, owner: User, name: str, query: str) -> SavedView:
    """Keep the queue's `query` under `name` for `owner` (a name used again is replaced)."""
    name = _clean_text(name, field="name", max_length=60)
    params = QueryDict(query)
    kept = urlencode([(key, params[key]) for key in SAVED_VIEW_KEYS if params.get(key)])
    if len(kept) > 1000:
        raise InvalidInput("These filters are too long to save.", details={"query": ["long"]})
    with transaction.atomic():
        existing = SavedView.objects.select_for_update().filter(owner=owner)
        if len(existing) >= MAX_SAVED_VIEWS and not any(v.name == name for v in existing):
            raise InvalidInput(
                f"You have {MAX_SAVED_VIEWS} saved views already: remove one first.",
                details={"name": ["too many views"]},
            )
        view, _ = SavedView.objects.update_or_create(
            owner=owner, name=name, defaults={"query": kept}
        )
    return view
