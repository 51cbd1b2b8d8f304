from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction

from tickets.models import EscalationReason, Ticket


class AutonomyMode(models.TextChoices):
    """How far the AI may go alone on one intent (resolution/services/autonomy.py)."""

    DESK = "", "Desk default"
    OFF = "off", "Off: always a person"
    DRAFT = "draft", "Draft: an agent reviews the AI's answer"
    AUTO = "auto", "Auto: the AI answers alone"


class Intent(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    threshold_override = models.FloatField(
        null=True, blank=True, help_text="Auto-resolve threshold for this intent (blank: global)."
    )
    always_escalate = models.BooleanField(
        default=False, help_text="Never answer automatically (complaints, legal, …)."
    )
    active = models.BooleanField(default=True)
    # Blank follows the desk: auto under the seed's rule, draft under earned autonomy.
    autonomy = models.CharField(
        max_length=8,
        choices=AutonomyMode.choices,
        default=AutonomyMode.DESK,
        blank=True,
        help_text="Off, draft or auto; blank follows the desk's policy.",
    )

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


def desk_language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


class AnswerTemplate(models.Model):
    intent = models.ForeignKey(Intent, on_delete=models.CASCADE, related_name="templates")
    # The language the body is written in; a ticket in another language falls back to English
    # with a line saying so (resolution/engine/responder.py).
    language = models.CharField(max_length=8, default="en", choices=desk_language_choices)
    body = models.TextField(
        help_text="Django template syntax, without a greeting (the desk adds one per language). "
        "Context: ticket, customer_name, shop (shop.name, shop.orders_url, ... see Shop profile)."
    )
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["intent__slug", "language", "-updated_at"]

    def __str__(self) -> str:
        return f"Template for {self.intent.slug} ({self.language})"


class KnowledgeStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


# What the knowledge index searches or returns: a change to any of them takes a change version.
INDEXED_KNOWLEDGE_FIELDS = frozenset({"question", "answer", "intent", "intent_id", "status"})


class KnowledgeEntry(models.Model):
    question = models.TextField()
    # What customers see of the question (suggestions while they type): written for everyone
    # by a reviewer. `question` may be a customer's own words (an agent's resolved ticket) and
    # is never shown to another customer; without a title the intent's name stands in.
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="The question as every customer sees it in suggestions (no personal details).",
    )
    answer = models.TextField()
    # An entry answers only tickets in its own language. Another language is served by a
    # translation: an entry of its own, linked to its source, reviewed like any other.
    language = models.CharField(
        max_length=8, default="en", choices=desk_language_choices, db_index=True
    )
    translation_of = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="translations"
    )
    intent = models.ForeignKey(
        Intent, on_delete=models.SET_NULL, null=True, blank=True, related_name="knowledge"
    )
    source_ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="knowledge"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(
        max_length=16, choices=KnowledgeStatus.choices, default=KnowledgeStatus.ACTIVE
    )
    # Set on a pending entry whose question is nearly the same as an active entry's.
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    duplicate_similarity = models.FloatField(null=True, blank=True)
    # Why an entry was retired ("" when a person did it or it is not retired).
    retired_reason = models.CharField(max_length=32, blank=True)
    # How often an entry answered by itself is counted from the decisions that did
    # (selectors.with_times_used), not kept here: a counter on the entry was a row every
    # ticket answered from it locked and rewrote in its recording transaction, so a popular
    # entry serialised the desk's decisions.
    times_helpful = models.PositiveIntegerField(default=0)
    times_unhelpful = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The knowledge change counter's value when the entry's text, intent or status last
    # changed (resolution.services.knowledge_changes): how every process's index finds what
    # changed since its snapshot or last look.
    change_version = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "knowledge entries"
        indexes = [
            models.Index(fields=["status"], name="knowledge_status"),
            models.Index(fields=["updated_at"], name="knowledge_updated"),
            # Every process asks every MODEL_RELOAD_SECONDS which entries changed since the
            # version it last saw (services/registry.py): a table scan at 1M entries without it.
            models.Index(fields=["change_version"], name="knowledge_change_version"),
        ]

    def __str__(self) -> str:
        return self.question[:80]

    def save(self, *args, **kwargs) -> None:
        """Saved with the next knowledge change version when anything the index searches may
        change (like auto_now for updated_at: no save can forget it), in one transaction with
        the save so a process that sees the version sees the change."""
        update_fields = kwargs.get("update_fields")
        with transaction.atomic(savepoint=False):
            if update_fields is None or INDEXED_KNOWLEDGE_FIELDS.intersection(update_fields):
                self.change_version = KnowledgeChangeCounter.next_version()
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "change_version"}
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        """Deleted with a KnowledgeDeletion at the next change version (a queryset's delete()
        skips this: use resolution.services.knowledge_changes.knowledge_entries_delete)."""
        with transaction.atomic(savepoint=False):
            KnowledgeDeletion.objects.create(
                entry_id=self.pk, version=KnowledgeChangeCounter.next_version()
            )
            return super().delete(*args, **kwargs)

    @property
    def active(self) -> bool:
        return self.status == KnowledgeStatus.ACTIVE

    @property
    def ratings(self) -> int:
        return self.times_helpful + self.times_unhelpful

    @property
    def helpful_share(self) -> float | None:
        return self.times_helpful / self.ratings if self.ratings else None

    @property
    def public_title(self) -> str:
        """The question as any customer may see it: the reviewed title, else the intent's
        generic name, never the text of the ticket the entry was learned from."""
        if self.title:
            return self.title
        if self.intent_id is not None:
            return self.intent.name
        return GENERIC_TITLE


# Shown for an entry with neither a reviewed title nor an intent.
GENERIC_TITLE = "An answer from our help centre"


class KnowledgeChangeCounter(models.Model):
    """One row: the number of knowledge changes so far, incremented in the same transaction
    as every create, edit, status change and deletion of an entry
    (resolution.services.knowledge_changes). Processes poll this one row to notice changes
    instead of counting the table."""

    version = models.BigIntegerField(default=0)

    COUNTER_ID = 1

    def __str__(self) -> str:
        return f"knowledge change {self.version}"

    @classmethod
    def next_version(cls) -> int:
        """The next change version, taken in the caller's transaction (one query). The
        UPDATE holds the row's lock until that transaction commits, so versions become
        visible in the order they were taken."""
        with connection.cursor() as cursor:
            # UPDATE ... RETURNING: one statement on PostgreSQL and SQLite (>= 3.35) alike.
            cursor.execute(
                f"UPDATE {cls._meta.db_table} SET version = version + 1 "  # noqa: S608 (our table)
                "WHERE id = %s RETURNING version",
                [cls.COUNTER_ID],
            )
            row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        # The first change ever (or a test flushed the table): make the row, then take one.
        cls.objects.get_or_create(pk=cls.COUNTER_ID)
        return cls.next_version()


class KnowledgeDeletion(models.Model):
    """An entry deleted outright, at which change version: a deleted row cannot be found by
    its change_version, so every process's index learns of it here."""

    entry_id = models.BigIntegerField()
    version = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"entry {self.entry_id} deleted at change {self.version}"


class KnowledgeRating(models.Model):
    """One customer's verdict on a knowledge entry's automatic answer, for one ticket.

    The entry's statistics count distinct customers from these rows (one customer asking five
    times and answering "No" five times is one unhappy customer, not five), and the rows say
    which entry a ticket's customer rejected, so it is not suggested on that ticket again.
    """

    entry = models.ForeignKey(
        KnowledgeEntry, on_delete=models.CASCADE, related_name="ratings_given"
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="knowledge_ratings")
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    helpful = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "ticket"], name="one_rating_per_entry_ticket")
        ]
        indexes = [models.Index(fields=["entry", "helpful"], name="knowledgerating_entry")]

    def __str__(self) -> str:
        return (
            f"entry {self.entry_id} {'helpful' if self.helpful else 'unhelpful'} #{self.ticket_id}"
        )


class ExampleSource(models.TextChoices):
    STARTER = "starter", "Starter data"
    AGENT = "agent", "Agent resolution"
    FEEDBACK = "feedback", "Customer feedback"
    IMPORT = "import", "Imported"


class TrainingExample(models.Model):
    text = models.TextField()
    intent = models.ForeignKey(Intent, on_delete=models.CASCADE, related_name="examples")
    source = models.CharField(max_length=16, choices=ExampleSource.choices)
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["source"], name="example_source")]

    def __str__(self) -> str:
        return f"{self.intent.slug}: {self.text[:60]}"


class ModelVersion(models.Model):
    version = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    trained_on = models.JSONField(default=dict, help_text="Example counts by source and intent.")
    metrics = models.JSONField(default=dict)
    artifact = models.BinaryField(help_text="The serialized classifier.")
    # The held-out split scored by the trial model at training time, one entry per example:
    # {"confidence": [...], "correct": [0/1...], "margin": [...]}. The certified threshold is
    # computed from it (resolution/services/policy.py), so changing α needs no retraining.
    calibration = models.JSONField(
        default=dict, blank=True, help_text="Held-out confidence, correctness and margin."
    )
    is_active = models.BooleanField(default=False)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_model_version",
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}" + (" (active)" if self.is_active else "")


def validate_risk_level(value: float) -> None:
    """α and δ are probabilities in (0, 0.5]: 0 is impossible to certify, above 0.5 useless."""
    if not 0 < value <= 0.5:
        raise ValidationError(
            "Enter a value above 0 and at most 0.5 (e.g. 0.02 for 2%).", code="risk_level"
        )


def default_min_margin() -> float:
    from resolution.engine.decision import DEFAULT_MIN_MARGIN

    return DEFAULT_MIN_MARGIN


class ThresholdMode(models.TextChoices):
    FIXED = "fixed", "Fixed threshold (AUTO_RESOLVE_THRESHOLD)"
    CERTIFIED = "certified", "Certified: error rate at most α"


class DecisionPolicy(models.Model):
    """How the desk decides to answer by itself: one row (pk 1), edited by admins.

    In certified mode, the threshold is the lowest one certified on the active model's
    held-out split to keep the error rate among auto-resolved tickets at most α with
    probability at least 1 − δ (resolution/engine/risk.py); an intent's own threshold still
    applies if it is stricter.
    """

    mode = models.CharField(
        max_length=16, choices=ThresholdMode.choices, default=ThresholdMode.FIXED
    )
    alpha = models.FloatField(
        "α (error rate)",
        default=0.02,
        validators=[validate_risk_level],
        help_text="Highest acceptable share of wrong automatic answers, e.g. 0.02 for 2%.",
    )
    delta = models.FloatField(
        "δ (risk of missing α)",
        default=0.1,
        validators=[validate_risk_level],
        help_text="Chance the certificate is wrong, e.g. 0.1: α holds with probability 90%.",
    )
    min_margin = models.FloatField(
        "minimum margin",
        default=default_min_margin,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Escalate when the top two intents are closer than this (0: never).",
    )
    knowledge_agreement = models.BooleanField(
        default=True,
        help_text="Escalate when a close knowledge entry belongs to another intent.",
    )
    earned_autonomy = models.BooleanField(
        "earned autonomy",
        default=False,
        help_text=(
            "Intents answer alone only once promoted to auto on their live precision; "
            "the others draft answers for agents. Recommended in production."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = "decision policy"
        verbose_name_plural = "decision policy"

    def __str__(self) -> str:
        if self.mode == ThresholdMode.CERTIFIED:
            return f"Certified (α {self.alpha:g}, δ {self.delta:g})"
        return "Fixed threshold"

    def save(self, *args, **kwargs) -> None:
        self.pk = 1  # a singleton
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "DecisionPolicy":
        return cls.objects.get_or_create(pk=1)[0]


class DecisionAction(models.TextChoices):
    AUTO_RESOLVE = "auto_resolve", "Auto-resolve"
    ESCALATE = "escalate", "Escalate"


class Decision(models.Model):
    """The audit of one pipeline run: what the AI saw, and why it acted as it did."""

    # Indexed by decision_ticket_created, which leads with it.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="decisions", db_index=False
    )
    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.SET_NULL, null=True, blank=True
    )
    predicted_intent = models.CharField(max_length=64, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    alternatives = models.JSONField(default=list, help_text="Top intents with probabilities.")
    matched_entry = models.ForeignKey(
        KnowledgeEntry, on_delete=models.SET_NULL, null=True, blank=True
    )
    similarity = models.FloatField(null=True, blank=True)
    action = models.CharField(max_length=16, choices=DecisionAction.choices)
    reason_code = models.CharField(max_length=32, choices=EscalationReason.choices, blank=True)
    answer_source = models.CharField(
        max_length=16, blank=True, help_text="knowledge, template, llm"
    )
    thresholds = models.JSONField(default=dict)
    signals = models.JSONField(default=dict, help_text="Every signal the decision weighed.")
    error = models.TextField(blank=True)
    # The answer the AI would have sent, held back for an agent by the intent's draft mode.
    draft = models.TextField(blank=True)
    # The admins' rules (tickets.Rule) that fired on this ticket, before and after the model:
    # [{"id": 3, "name": "VIP customers", "stage": "before_model"}, ...].
    rules_fired = models.JSONField(default=list, blank=True)
    latency_ms = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["ticket", "-created_at"], name="decision_ticket_created")]

    def __str__(self) -> str:
        return f"{self.action} #{self.ticket_id} ({self.reason_code or 'ok'})"


class Deflection(models.Model):
    """A knowledge-base suggestion shown while a customer typed, and whether it answered them.

    `helpful=True` means the customer said the suggestion solved it and did not submit a ticket.
    """

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    entry = models.ForeignKey(KnowledgeEntry, on_delete=models.CASCADE, related_name="deflections")
    query = models.TextField(blank=True)
    helpful = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Deflection by entry {self.entry_id} ({'helpful' if self.helpful else 'shown'})"


class AIResolutionVia(models.TextChoices):
    CONFIRMED = "confirmed", "Customer confirmed"
    QUIET = "quiet", "No follow-up within the window"


class AIResolution(models.Model):
    """An automatic answer that counts as resolving the ticket (see resolution/metrics.py).

    Kept here, not as a ticket status: tickets know nothing of the AI. A later reopening
    leaves the row in place; the metrics count only tickets still auto-resolved.
    """

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="ai_resolution")
    via = models.CharField(max_length=16, choices=AIResolutionVia.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)  # the roll-up's watermark

    def __str__(self) -> str:
        return f"#{self.ticket_id} resolved by AI ({self.via})"


class OutcomeKind(models.TextChoices):
    APPROVED = "approved", "Agent sent the draft as is"
    EDITED = "edited", "Agent edited the draft"
    DISCARDED = "discarded", "Agent discarded the draft"
    CORRECTED = "corrected", "Agent corrected the intent"
    CONFIRMED = "confirmed", "Customer said it solved it"
    REJECTED = "rejected", "Customer said it did not"
    REOPENED = "reopened", "Customer wrote again"


class AutonomyOutcome(models.Model):
    """A verified verdict on one AI answer (a draft or an automatic answer): was it right?

    One per ticket: a later verdict replaces an earlier one (a customer who said "yes" and
    then wrote again counts as reopened). The live precision of each intent is computed from
    these rows (resolution/services/autonomy.py).
    """

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="autonomy_outcome")
    decision = models.ForeignKey(Decision, on_delete=models.SET_NULL, null=True, blank=True)
    intent = models.CharField(max_length=64, help_text="The intent the AI answered as.")
    mode = models.CharField(max_length=8, help_text="draft or auto, when the AI answered.")
    kind = models.CharField(max_length=16, choices=OutcomeKind.choices)
    correct = models.BooleanField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["intent", "updated_at"], name="outcome_intent_updated")]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.intent}: {self.kind}"


class AutonomyChange(models.Model):
    """The audit of an intent's autonomy mode: who (or the circuit breaker) changed it, on what
    evidence. ``actor`` is empty when the breaker acted."""

    intent = models.ForeignKey(Intent, on_delete=models.CASCADE, related_name="autonomy_changes")
    old_mode = models.CharField(max_length=8, blank=True)
    new_mode = models.CharField(max_length=8, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    breaker = models.BooleanField(default=False, help_text="The circuit breaker tripped.")
    verified = models.PositiveIntegerField(default=0)
    precision = models.FloatField(null=True, blank=True)
    lower_bound = models.FloatField(null=True, blank=True)
    target = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        who = "breaker" if self.breaker else "admin"
        return f"{self.intent.slug}: {self.old_mode or 'desk'} -> {self.new_mode or 'desk'} ({who})"


class MetricsCell(models.Model):
    """What a roll-up cell holds: the key after its date (intent, status, escalation reason and
    the tickets' language) and the sums the metrics need."""

    intent = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16)
    escalation_reason = models.CharField(max_length=32, blank=True)
    # The tickets' language (Ticket.language), so the metrics can be read per language.
    language = models.CharField(max_length=8, blank=True)
    tickets = models.PositiveIntegerField(default=0)
    confidence_sum = models.FloatField(default=0.0)
    confidence_count = models.PositiveIntegerField(default=0)
    ai_answered = models.PositiveIntegerField(default=0)
    resolved_confirmed = models.PositiveIntegerField(default=0)
    resolved_quiet = models.PositiveIntegerField(default=0)
    feedback_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    feedback_resolved = models.PositiveIntegerField(default=0)
    ai_rated = models.PositiveIntegerField(default=0)
    ai_confirmed = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class MetricsDay(MetricsCell):
    """One cell of the metrics roll-up: the tickets created on `day` (site time zone) that now
    have this intent, status, escalation reason and language, with the sums the metrics need.

    Maintained by resolution.services.metrics_rollup from the tickets themselves (recomputed per
    day, never incremented), so a cell is always what a fresh count of that day would say.
    """

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "intent", "status", "escalation_reason", "language"],
                name="metricsday_cell_language",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.intent or '-'} {self.status}: {self.tickets}"


class MetricsMonth(MetricsCell):
    """The day cells of one calendar month summed per intent, status, escalation reason and
    language (`month` is its first day): a year's range reads ~12 × 350 of these plus the days
    at its ragged ends instead of ~115k day cells. Recomputed from the month's day cells
    whenever one of its days is, in the same transaction (resolution.services.metrics_rollup)."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "intent", "status", "escalation_reason", "language"],
                name="metricsmonth_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.intent or '-'} {self.status}: {self.tickets}"


class MetricsRollupState(models.Model):
    """The one row saying which days the roll-up covers and up to when it has seen changes."""

    covered_from = models.DateField(null=True)
    covered_to = models.DateField(null=True)
    tickets_seen = models.DateTimeField(null=True)
    feedback_seen = models.DateTimeField(null=True)
    resolutions_seen = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"Metrics roll-up of {self.covered_from}..{self.covered_to}"


class MetricsStaleDay(models.Model):
    """A day whose roll-up a deletion made stale (deletions leave no updated_at to notice)."""

    day = models.DateField(unique=True)

    def __str__(self) -> str:
        return f"Roll-up of {self.day} stale"


class ShopProfile(models.Model):
    """The shop's own name and links, which answers point customers to (one row, edited in the
    admin). Answer templates use them as placeholders ({{ shop.orders_url }}), so an answer
    never sends a customer to a page the shop does not have."""

    name = models.CharField(max_length=120, default="Our shop")
    orders_url = models.URLField(default="https://shop.example.com/account/orders/")
    account_url = models.URLField(default="https://shop.example.com/account/")
    signup_url = models.URLField(default="https://shop.example.com/account/register/")
    login_url = models.URLField(default="https://shop.example.com/account/login/")
    password_reset_url = models.URLField(default="https://shop.example.com/account/password/")
    addresses_url = models.URLField(default="https://shop.example.com/account/addresses/")
    payment_methods_url = models.URLField(default="https://shop.example.com/help/payment/")
    delivery_url = models.URLField(default="https://shop.example.com/help/delivery/")
    returns_url = models.URLField(default="https://shop.example.com/help/returns/")
    newsletter_url = models.URLField(default="https://shop.example.com/account/newsletter/")
    privacy_url = models.URLField(default="https://shop.example.com/account/privacy/")
    reviews_url = models.URLField(default="https://shop.example.com/account/reviews/")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "shop profile"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = 1  # a singleton: there is one shop
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "ShopProfile":
        return cls.objects.get_or_create(pk=1)[0]

    def as_context(self) -> dict[str, str]:
        return {
            field.name: getattr(self, field.name)
            for field in self._meta.fields
            if field.name not in ("id", "updated_at")
        }
