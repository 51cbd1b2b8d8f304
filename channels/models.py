"""Channels: e-mail in and out, and webhooks out. Tickets and their messages live in tickets;
these rows say how a message came or went (the raw e-mail, the Message-IDs that thread a
conversation) and what the desk told other systems.
"""

from django.conf import settings
from django.db import models


class Mailbox(models.Model):
    """An IMAP mailbox the poller reads (Django admin → Channels → Mailboxes).

    Secrets are not stored here: `secret_env` names the environment variable that holds the
    password (password login) or the OAuth2 refresh token (XOAUTH2).
    """

    class Security(models.TextChoices):
        SSL = "ssl", "TLS from the start (port 993)"
        STARTTLS = "starttls", "STARTTLS (port 143)"
        NONE = "none", "None (local test servers only)"

    class Auth(models.TextChoices):
        PASSWORD = "password", "Password"
        XOAUTH2 = "xoauth2", "OAuth2 (XOAUTH2: Gmail, Microsoft 365)"

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(max_length=8, choices=Security.choices, default=Security.SSL)
    username = models.CharField(max_length=254)
    auth = models.CharField(max_length=8, choices=Auth.choices, default=Auth.PASSWORD)
    secret_env = models.CharField(
        "secret's environment variable",
        max_length=100,
        help_text="Name of the environment variable holding the password, or the OAuth2 "
        "refresh token for XOAUTH2.",
    )
    oauth2_token_url = models.URLField(
        blank=True,
        help_text="XOAUTH2: the token endpoint, e.g. https://oauth2.googleapis.com/token or "
        "https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token",
    )
    oauth2_client_id = models.CharField(max_length=255, blank=True)
    oauth2_client_secret_env = models.CharField(
        max_length=100, blank=True, help_text="XOAUTH2: variable holding the client secret."
    )
    oauth2_scope = models.CharField(
        max_length=255,
        blank=True,
        help_text="XOAUTH2: e.g. https://mail.google.com/ or "
        "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
    )
    folder = models.CharField(max_length=255, default="INBOX")
    move_to = models.CharField(
        "move imported mail to",
        max_length=255,
        blank=True,
        help_text="A folder to move each imported message to; empty: mark it read and leave it.",
    )
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return self.name


class InboundEmail(models.Model):
    """One e-mail as received, kept raw (storage API) whatever became of it."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received (not processed yet)"
        TICKET = "ticket", "Opened a ticket"
        REPLY = "reply", "Added to a ticket"
        IGNORED = "ignored", "Ignored (automatic, duplicate or not from a customer)"
        FAILED = "failed", "Failed (kept; see note)"

    source = models.CharField(max_length=32, help_text="pipe, imap:<mailbox>, webhook:<esp>")
    raw = models.FileField(upload_to="mail/inbound/%Y/%m/", max_length=255)
    size = models.PositiveBigIntegerField()
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    sender = models.EmailField(max_length=254, blank=True, db_index=True)
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    note = models.CharField(max_length=255, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_emails",
    )
    ticket_message = models.ForeignKey(
        "tickets.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.sender or '?'}: {self.subject[:60]} ({self.status})"


class OutboundEmail(models.Model):
    """An e-mail the desk sent (or is sending) about a ticket: its Message-ID threads replies."""

    class Kind(models.TextChoices):
        ANSWER = "answer", "Answer"
        ACKNOWLEDGEMENT = "ack", "A person will answer"
        # To the customer after an agent resolved: the satisfaction survey's rating link.
        SURVEY = "survey", "Satisfaction survey"
        # To an agent (assigned to them, their customer replied): not part of the customer's
        # conversation, so never named in its In-Reply-To/References.
        AGENT_NOTICE = "notice", "Notice to an agent"

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="outbound_emails"
    )
    ticket_message = models.ForeignKey(
        "tickets.Message", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    message_id = models.CharField(max_length=255, unique=True)
    to = models.EmailField(max_length=254)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # A retried task re-sends with the same Message-ID instead of a second e-mail.
            models.UniqueConstraint(
                fields=["ticket_message", "kind"],
                condition=models.Q(ticket_message__isnull=False),
                name="outbound_email_once_per_message",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for #{self.ticket_id} {self.message_id}"


class WebhookEvent(models.TextChoices):
    TICKET_CREATED = "ticket.created", "ticket.created"
    TICKET_AUTO_RESOLVED = "ticket.auto_resolved", "ticket.auto_resolved"
    TICKET_ESCALATED = "ticket.escalated", "ticket.escalated"
    TICKET_RESOLVED = "ticket.resolved", "ticket.resolved"
    FEEDBACK_RECEIVED = "feedback.received", "feedback.received"
    # The SLA sweep (tickets/sla.py): a target is about to be missed, or was missed.
    SLA_WARNING = "ticket.sla_warning", "ticket.sla_warning"
    SLA_BREACHED = "ticket.sla_breached", "ticket.sla_breached"
    # An admin's rule with a "webhook" action fired (tickets/rules.py).
    RULE_FIRED = "rule.fired", "rule.fired"


class WebhookEndpoint(models.Model):
    """Where the desk POSTs events (Django admin, or POST /api/admin/webhooks)."""

    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, help_text='Event names, e.g. ["ticket.created"]')
    secret = models.CharField(
        max_length=200, help_text="Signs each delivery (HMAC-SHA256); shared with the receiver."
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint, with every attempt's outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up)"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=32, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
