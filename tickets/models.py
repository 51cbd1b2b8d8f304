from django.conf import settings
from django.db import models
from django.db.models import Q
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


class Ticket(models.Model):
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets"
    )
    subject = models.CharField(max_length=200, blank=True)
    message = models.TextField(help_text="The customer's original text.")
    # The intent's slug, not a foreign key: tickets sit below resolution and never import it.
    intent = models.CharField(max_length=64, blank=True, db_index=True)
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
    language = models.CharField(max_length=8, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Indexed: the metrics roll-up finds the tickets changed since its last look by it.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
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
            # The agents' queue: escalated tickets oldest first. The filter columns ride along
            # (PostgreSQL INCLUDE), so counting a filtered queue reads only this index.
            models.Index(
                fields=["created_at", "id"],
                name="ticket_escalated_queue_cover",
                condition=Q(status="escalated"),
                include=["intent", "escalation_reason", "assigned_agent"],
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


class AuthorKind(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    ASSISTANT = "assistant", "Automatic answer"
    AGENT = "agent", "Agent"


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
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

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
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
