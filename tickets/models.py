from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TicketStatus(models.TextChoices):
    # Customers read these in their language (the portal's ticket pages).
    OPEN = "open", _("Open")
    AUTO_RESOLVED = "auto_resolved", _("Answered automatically")
    ESCALATED = "escalated", _("With an agent")
    RESOLVED = "resolved", _("Resolved")


class EscalationReason(models.TextChoices):
    LOW_CONFIDENCE = "low_confidence", "Low confidence"
    NO_ANSWER = "no_answer", "No answer known"
    SENSITIVE_INTENT = "sensitive_intent", "Sensitive intent"
    CUSTOMER_REQUESTED_HUMAN = "customer_requested_human", "Customer asked for a person"
    AI_ERROR = "ai_error", "AI error"
    REOPENED = "reopened", "Reopened by the customer"
    LOW_MARGIN = "low_margin", "Two intents too close to call"
    KNOWLEDGE_CONFLICT = "knowledge_conflict", "Knowledge points to another intent"
    NOT_CERTIFIED = "not_certified", "No threshold meets the error target"
    # The intent's autonomy mode (resolution's per-intent copilot/autopilot) held the answer back.
    AUTONOMY_OFF = "autonomy_off", "AI answers are off for this intent"
    DRAFT = "draft", "AI draft for an agent to review"
    NO_CONTENT = "no_content", "Nothing to act on"
    PATH_FAILED = "path_failed", "The standard answer already failed"
    NEGATED_INTENT = "negated_intent", "Picked by what the customer does not want"
    SEVERAL_REQUESTS = "several_requests", "More than one request"
    OUT_OF_DISTRIBUTION = "out_of_distribution", "Unlike anything the model learned"
    VIEWS_DISAGREE = "views_disagree", "Readings of the text disagree"
    VOICE_NOT_TRANSCRIBED = "voice_not_transcribed", "Voice note without a transcript"
    # Written in a language the desk is not configured to serve (settings.DESK_LANGUAGES).
    UNSUPPORTED_LANGUAGE = "unsupported_language", "A language the desk does not serve"
    # An admin's rule (trigger) said this kind of ticket always goes to a person.
    RULE = "rule", "A rule sends it to a person"


class Channel(models.TextChoices):
    """Where a ticket came in; set once, when it is stored."""

    PORTAL = "portal", "Portal"
    API = "api", "API"
    EMAIL = "email", "E-mail"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class Team(models.Model):
    """A group of agents tickets can be assigned to (Zendesk's "group")."""

    name = models.CharField(max_length=80, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")
    # Escalated tickets of this team go in turn to its members who are available
    # (tickets/assignment.py); off: they wait in the team's queue for someone to claim them.
    round_robin = models.BooleanField(
        default=False, help_text="Hand escalated tickets to available members in turn."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A label agents and rules put on tickets; names are lower-case, without spaces."""

    name = models.SlugField(max_length=50, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# How long the AI usually needs to decide a ticket, with a wide margin (a decision is ~3 ms; a
# queued one waits for a worker).
AI_EXPECTED_SECONDS = 120


class Ticket(models.Model):
    # No index of its own: ticket_customer_created leads with it (every write to the table pays
    # for each index, and a ticket is inserted and then updated by its decision).
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    subject = models.CharField(max_length=200, blank=True)
    message = models.TextField(help_text="The customer's original text.")
    # The intent's slug, not a foreign key: tickets sit below resolution and never import it.
    # Indexed by ticket_intent_created, which leads with it.
    intent = models.CharField(max_length=64, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=TicketStatus.choices, default=TicketStatus.OPEN
    )
    escalation_reason = models.CharField(
        max_length=32, choices=EscalationReason.choices, blank=True
    )
    assigned_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.PORTAL)
    # The language the customer wrote in (an ISO 639-1 code, e.g. "es"); "" until detected.
    # Indexed in Meta: matched by equality only, so without db_index's LIKE (pattern ops) twin.
    language = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Indexed: the metrics roll-up finds the tickets changed since its last look by it.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # SLA (tickets/sla.py): the clock starts when the ticket goes to a person; the due times
    # follow the ticket's priority's policy in business hours. Null: no clock running.
    sla_started_at = models.DateTimeField(null=True, blank=True)
    first_response_due = models.DateTimeField(null=True, blank=True, db_index=True)
    resolution_due = models.DateTimeField(null=True, blank=True, db_index=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    # What the SLA sweep already announced, e.g. "first_response:warning resolution:breach"
    # (so each warning and breach is announced once; cleared when the clock restarts).
    sla_notified = models.CharField(max_length=100, blank=True, editable=False)
    # An agent answered and the customer has not written since: the queue's "waiting on the
    # customer" view. Kept by tickets.services (agent reply sets it, customer reply clears it)
    # so the view is an indexed filter, not a "whose message is newest" subquery per row.
    awaiting_customer = models.BooleanField(default=False)
    # The client's Idempotency-Key (API) or the compose form's one-time token (portal): a
    # second submission with the same key returns the first ticket instead of a duplicate.
    idempotency_key = models.CharField(max_length=128, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="ticket_customer_idempotency_key",
            )
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="ticket_status_created"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_created"),
            models.Index(fields=["intent", "created_at"], name="ticket_intent_created"),
            models.Index(fields=["language"], name="ticket_language"),
            # SLA attainment (tickets/sla.py) reads only the tickets that went to a person.
            models.Index(
                fields=["created_at"],
                name="ticket_sla_created",
                condition=Q(sla_started_at__isnull=False),
                include=[
                    "priority",
                    "first_response_due",
                    "resolution_due",
                    "first_responded_at",
                    "resolved_at",
                ],
            ),
            # The agents' queue: escalated tickets oldest first. The filter columns ride along
            # (PostgreSQL INCLUDE), so counting a filtered queue reads only this index; issue
            # 18's views and filters (waiting, priority, team, language) ride along too.
            models.Index(
                fields=["created_at", "id"],
                name="ticket_escalated_queue_cover2",
                condition=Q(status="escalated"),
                include=[
                    "intent",
                    "escalation_reason",
                    "assigned_agent",
                    "awaiting_customer",
                    "priority",
                    "team",
                    "language",
                ],
            ),
            # "Mine": an agent's escalated tickets, oldest first (the covering index above has
            # the assignee only as a passenger: finding one agent's read all 95k entries).
            models.Index(
                fields=["assigned_agent", "created_at", "id"],
                name="ticket_escalated_assignee",
                condition=Q(status="escalated"),
            ),
            # A priority within a status (urgent escalated, urgent solved), newest or oldest.
            models.Index(
                fields=["status", "priority", "created_at"], name="ticket_status_priority_created"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def title(self) -> str:
        if self.subject:
            return self.subject
        first_line = self.message.strip().splitlines()[0] if self.message.strip() else ""
        return first_line[:80] + ("…" if len(first_line) > 80 else "")

    @property
    def is_decided(self) -> bool:
        return self.status != TicketStatus.OPEN

    @property
    def is_slow_to_decide(self) -> bool:
        """Still open past the few seconds the AI takes: the page says so instead of
        promising "a few seconds" for ever (the worker may be down or busy)."""
        waited = timezone.now() - self.created_at
        return self.status == TicketStatus.OPEN and waited.total_seconds() > AI_EXPECTED_SECONDS


class SavedView(models.Model):
    """An agent's named queue view: the queue page's query string (view and filters), kept so
    a click on its chip brings the same list back."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=60)
    # The query string as the queue page reads it, e.g. "view=mine&priority=high".
    query = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="savedview_owner_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner_id})"


class AuthorKind(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    ASSISTANT = "assistant", "Automatic answer"
    AGENT = "agent", "Agent"


class Message(models.Model):
    # Indexed by message_ticket_created, which leads with it.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    author_kind = models.CharField(max_length=16, choices=AuthorKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    body = models.TextField()
    internal = models.BooleanField(default=False, help_text="An agents-only note.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_created"),
            # The automatic answers alone: "AI-answered" in the metrics is a join over these.
            models.Index(
                fields=["ticket"],
                name="message_assistant_ticket",
                condition=Q(author_kind="assistant"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_author_kind_display()} on #{self.ticket_id}"


class TicketEvent(models.Model):
    """The audit trail of a ticket: who changed its status, intent or assignee, and when.

    Written by tickets.services (one helper, `_record`) in the same transaction as the change.
    `actor` is empty when the AI changed the ticket; `model_version` then names the model (its
    ModelVersion id) that decided. Kept when a customer's data is erased.
    """

    class Field(models.TextChoices):
        CREATED = "created", "Created"
        STATUS = "status", "Status"
        INTENT = "intent", "Intent"
        ASSIGNEE = "assigned_agent", "Assignee"
        TEAM = "team", "Team"
        PRIORITY = "priority", "Priority"
        TAGS = "tags", "Tags"
        SLA = "sla", "SLA"
        RULE = "rule", "Rule"

    # Indexed by ticketevent_ticket_created, which leads with it.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    field = models.CharField(max_length=16, choices=Field.choices)
    old_value = models.CharField(max_length=254, blank=True)
    new_value = models.CharField(max_length=254, blank=True)
    note = models.CharField(max_length=64, blank=True, help_text="E.g. the escalation reason.")
    model_version = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticketevent_ticket_created")]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.field}: {self.old_value!r} -> {self.new_value!r}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Storage names carry no customer text: a random name under the ticket's folder."""
    import uuid

    return f"attachments/{instance.ticket_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file a customer or agent attached to a message (portal, API or e-mail).

    Stored through Django's storage API (STORAGES["default"]: local files, or S3 with
    django-storages); served only through tickets' download view, as a download.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", null=True, blank=True
    )
    file = models.FileField(upload_to=attachment_path, max_length=255)
    filename = models.CharField(max_length=255, help_text="The name it was sent with.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    # A voice note's text, from the transcription provider (channels); "" when none.
    transcript = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.filename} on #{self.ticket_id}"

    @property
    def is_audio(self) -> bool:
        return self.content_type.startswith("audio/")


def default_weekly_hours() -> dict:
    """Monday to Friday, 09:00-17:00 (weekday numbers as in date.weekday(): 0 is Monday)."""
    return {str(day): [["09:00", "17:00"]] for day in range(5)}


class BusinessCalendar(models.Model):
    """When the desk works: weekly hours in a time zone, less public and the desk's holidays.

    `weekly_hours` maps a weekday ("0" Monday .. "6" Sunday) to a list of ["HH:MM", "HH:MM"]
    spans; a day not listed is closed. `country` (and `subdivision`) add that country's public
    holidays from the `holidays` package; Holiday rows add the desk's own days off.
    """

    name = models.CharField(max_length=80, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    weekly_hours = models.JSONField(default=default_weekly_hours)
    country = models.CharField(
        max_length=3, blank=True, help_text='ISO country code for public holidays, e.g. "US".'
    )
    subdivision = models.CharField(max_length=10, blank=True, help_text='E.g. "CA" or "BY".')

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_calendar_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class SlaPolicy(models.Model):
    """The targets for one priority: first public reply and resolution, in business minutes."""

    priority = models.CharField(max_length=8, choices=Priority.choices, unique=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Empty: the clock runs around the clock (24/7).",
    )
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        ordering = ["priority"]

    def __str__(self) -> str:
        first, resolution = self.first_response_minutes, self.resolution_minutes
        return f"{self.get_priority_display()}: {first} / {resolution} min"


class RuleStage(models.TextChoices):
    BEFORE_MODEL = "before_model", "On submit, before the AI"
    AFTER_MODEL = "after_model", "After the AI decided"


class Rule(models.Model):
    """An admin's trigger: when every condition holds, the actions run (tickets/rules.py).

    `conditions`: [{"field": ..., "op": ..., "value": ...}], all must hold (none: always).
    `actions`: [{"type": ..., "value": ...}]. Rules run by `position`, then id.
    """

    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    stage = models.CharField(
        max_length=16, choices=RuleStage.choices, default=RuleStage.BEFORE_MODEL
    )
    conditions = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class AgentPresence(models.Model):
    """Whether an agent takes new tickets now (they switch it in the agents' pages), and when
    round-robin last gave them one: the next goes to whoever waited longest."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="presence",
    )
    available = models.BooleanField(default=False)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.agent} ({'available' if self.available else 'away'})"


class Notification(models.Model):
    """Something an agent should know about a ticket: shown under the bell in the agents' pages
    and e-mailed (channels sends it after commit)."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Assigned to you"
        CUSTOMER_REPLY = "customer_reply", "The customer replied"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The bell's count: an agent's unread ones.
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_unread",
                condition=Q(read_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: #{self.ticket_id} for {self.recipient_id}"


class Macro(models.Model):
    """A canned reply: a body with placeholders ({{ customer.name }}…) and field changes applied
    when the reply is sent. Shared (owner empty) or personal to its owner."""

    title = models.CharField(max_length=100)
    body = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
        help_text="Empty: every agent sees it.",
    )
    # Field actions; empty means "leave as it is".
    set_status = models.CharField(
        max_length=16,
        blank=True,
        choices=[("resolved", "Resolved")],
        help_text="Resolve the ticket when the reply is sent.",
    )
    set_priority = models.CharField(max_length=8, blank=True, choices=Priority.choices)
    add_tags = models.ManyToManyField(Tag, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title
