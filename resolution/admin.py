from django.conf import settings
from django.contrib import admin, messages
from django.db import models

from resolution.models import (
    AnswerTemplate,
    Decision,
    DecisionPolicy,
    Intent,
    KnowledgeEntry,
    KnowledgeStatus,
    ModelVersion,
    ShopProfile,
    TrainingExample,
)
from resolution.selectors import with_times_used
from resolution.services.knowledge_changes import (
    knowledge_entries_delete,
    knowledge_entries_set_status,
)


class AnswerTemplateInline(admin.StackedInline):
    model = AnswerTemplate
    extra = 0


@admin.register(Intent)
class IntentAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "threshold_override", "always_escalate", "autonomy", "active")
    list_filter = ("always_escalate", "autonomy", "active")
    # Changed on the autonomy page (ai:autonomy), where promotion to auto must be earned.
    readonly_fields = ("autonomy",)
    list_editable = ("threshold_override", "always_escalate", "active")
    search_fields = ("slug", "name", "description")
    inlines = [AnswerTemplateInline]


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(admin.ModelAdmin):
    list_display = ("intent", "language", "active", "updated_at")
    list_filter = ("language", "active", "intent")
    search_fields = ("body", "intent__slug")


@admin.register(ShopProfile)
class ShopProfileAdmin(admin.ModelAdmin):
    """The shop's name and links that answers point to: one row, edited in place."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def changelist_view(self, request, extra_context=None):
        # One shop: its list is its form (saving returns here, to the form again).
        return self.change_view(request, str(ShopProfile.load().pk), extra_context=extra_context)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        from resolution.services.answer_context import shop_profile

        super().save_model(request, obj, form, change)
        shop_profile.clear()  # this process answers with the new links at once


@admin.register(KnowledgeEntry)
class KnowledgeEntryAdmin(admin.ModelAdmin):
    list_display = (
        "question_preview",
        "intent",
        "status",
        "times_used",
        "times_helpful",
        "times_unhelpful",
        "helpful_share",
        "retired_reason",
        "duplicate_of",
        "created_at",
    )
    list_filter = ("status", "language", "retired_reason", "intent")
    search_fields = ("question", "answer")
    raw_id_fields = ("source_ticket", "created_by", "translation_of")
    readonly_fields = (
        "times_used",
        "times_helpful",
        "times_unhelpful",
        "duplicate_of",
        "duplicate_similarity",
        "retired_reason",
        "created_at",
        "updated_at",
        "change_version",
    )
    actions = ["approve", "retire", "draft_translations"]

    @admin.action(description="Draft translations into the other languages (LLM, for review)")
    def draft_translations(self, request, queryset) -> None:
        """Pending translations drafted by the optional LLM, reviewed like any entry. Without
        an LLM, add a translation by hand: a new entry in its language, "Translation of" set."""
        from common.errors import ServiceError
        from resolution.engine.llm import DisabledLLM, llm_from_settings
        from resolution.services.translations import knowledge_translation_draft

        llm = llm_from_settings(
            settings.LLM_BASE_URL,
            settings.LLM_MODEL,
            settings.LLM_API_KEY,
            settings.LLM_TIMEOUT_SECONDS,
        )
        if isinstance(llm, DisabledLLM):
            self.message_user(
                request,
                "No LLM is configured (LLM_BASE_URL, LLM_MODEL): add translations by hand, as "
                "entries in their language with 'Translation of' set.",
                messages.WARNING,
            )
            return
        drafted = failed = 0
        for entry in queryset.filter(translation_of=None)[:20]:  # each is an LLM call
            have = set(entry.translations.values_list("language", flat=True))
            for language, _ in settings.LANGUAGES:
                if language == entry.language or language in have:
                    continue
                try:
                    made = knowledge_translation_draft(
                        source_id=entry.pk, language=language, created_by=request.user, llm=llm
                    )
                except ServiceError:
                    made = None
                drafted, failed = drafted + bool(made), failed + (not made)
        self.message_user(
            request, f"{drafted} translations drafted for review; {failed} could not be drafted."
        )

    def save_model(self, request, obj: KnowledgeEntry, form, change: bool) -> None:
        """An admin's edit is stored scrubbed, like every other way knowledge is written."""
        from resolution.services.review import entry_people
        from resolution.services.scrubbing import knowledge_text_scrub

        scrubbed = knowledge_text_scrub(
            question=obj.question, answer=obj.answer, people=entry_people(obj)
        )
        obj.question, obj.answer = scrubbed.question.text, scrubbed.answer.text
        if scrubbed.question.changed or scrubbed.answer.changed:
            self.message_user(
                request, "Personal data was replaced by placeholders or generic words."
            )
        super().save_model(request, obj, form, change)

    @admin.display(description="question")
    def question_preview(self, entry: KnowledgeEntry) -> str:
        return str(entry)

    def get_queryset(self, request):
        return with_times_used(super().get_queryset(request))

    @admin.display(description="times used", ordering="times_used")
    def times_used(self, entry: KnowledgeEntry) -> int:
        return entry.times_used

    @admin.display(description="helpful")
    def helpful_share(self, entry: KnowledgeEntry) -> str:
        share = entry.helpful_share
        return "—" if share is None else f"{share:.0%}"

    @admin.action(description="Approve (use for automatic answers)")
    def approve(self, request, queryset) -> None:
        """Pending entries go through the review service (it refuses near-duplicates);
        retired ones are put back as they are."""
        from common.errors import ServiceError
        from resolution.services.review import knowledge_entry_approve

        for entry in queryset.filter(status="pending"):
            try:
                knowledge_entry_approve(entry_id=entry.pk, reviewer=request.user)
            except ServiceError as exc:
                self.message_user(request, f"#{entry.pk}: {exc}", level=messages.WARNING)
        knowledge_entries_set_status(
            entry_ids=queryset.values_list("pk", flat=True),
            status=KnowledgeStatus.ACTIVE,
            only_from=KnowledgeStatus.RETIRED,
        )

    @admin.action(description="Retire (stop using)")
    def retire(self, request, queryset) -> None:
        knowledge_entries_set_status(
            entry_ids=queryset.values_list("pk", flat=True), status=KnowledgeStatus.RETIRED
        )

    def delete_model(self, request, obj: KnowledgeEntry) -> None:
        knowledge_entries_delete(entry_ids=[obj.pk])

    def delete_queryset(self, request, queryset) -> None:
        knowledge_entries_delete(entry_ids=queryset.values_list("pk", flat=True))


@admin.register(TrainingExample)
class TrainingExampleAdmin(admin.ModelAdmin):
    list_display = ("text", "intent", "source", "created_at")
    list_filter = ("source", "intent")
    search_fields = ("text",)
    raw_id_fields = ("ticket",)


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "is_active", "created_at", "accuracy", "macro_f1")
    list_filter = ("is_active",)
    readonly_fields = ("version", "created_at", "trained_on", "metrics", "is_active")
    exclude = ("artifact",)
    actions = ["make_active"]

    @admin.display(description="held-out macro-F1")
    def macro_f1(self, version: ModelVersion) -> str:
        value = version.metrics.get("macro_f1")
        return f"{value:.3f}" if isinstance(value, int | float) else "—"

    @admin.action(description="Make this the active version")
    def make_active(self, request, queryset) -> None:
        """Roll back (or forward): every process serves it within MODEL_RELOAD_SECONDS."""
        from resolution.services.training import promote

        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one version.", level=messages.ERROR)
            return
        version = queryset.get()
        promote(version)
        self.message_user(request, f"v{version.version} is now the active model.")

    @admin.display(description="held-out accuracy")
    def accuracy(self, version: ModelVersion) -> str:
        value = version.metrics.get("accuracy")
        return f"{value:.1%}" if isinstance(value, int | float) else "—"


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """The audit trail: read-only for everyone."""

    list_display = (
        "ticket",
        "action",
        "reason_code",
        "checks_fired",
        "predicted_intent",
        "confidence",
        "similarity",
        "model_version",
        "latency_ms",
        "created_at",
    )
    list_filter = ("action", "reason_code", "predicted_intent", "created_at")
    search_fields = ("ticket__id", "predicted_intent", "error")
    readonly_fields = ("checks_fired",)
    date_hierarchy = "created_at"
    list_select_related = ("ticket", "model_version")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="checks fired")
    def checks_fired(self, decision: Decision) -> str:
        """Every decision check that fired, in order; the first gave the reason."""
        fired = (decision.signals or {}).get("fired")
        if fired is None:
            return "—"
        return ", ".join(fired) or "none (auto-resolved)"


@admin.register(DecisionPolicy)
class DecisionPolicyAdmin(admin.ModelAdmin):
    """The one policy row: fixed or certified threshold, α, δ, margin, knowledge agreement."""

    fields = (
        "mode",
        "alpha",
        "delta",
        "min_margin",
        "knowledge_agreement",
        "earned_autonomy",
        "confirm_none",
        "certified_threshold",
        "updated_at",
        "updated_by",
    )
    readonly_fields = ("certified_threshold", "updated_at", "updated_by")

    def get_form(self, request, obj=None, change=False, **kwargs):
        from resolution.policy_panel import DecisionPolicyForm

        kwargs["form"] = DecisionPolicyForm
        return super().get_form(request, obj, change, **kwargs)

    list_display = ("__str__", "min_margin", "knowledge_agreement", "updated_at", "updated_by")

    def has_add_permission(self, request) -> bool:
        return not DecisionPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        from resolution.services.policy import policy_cache

        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        policy_cache.clear()  # this process at once; the others within MODEL_RELOAD_SECONDS

    @admin.display(description="certified threshold of the active model")
    def certified_threshold(self, policy: DecisionPolicy) -> str:
        from resolution.services.policy import describe_certificate

        return describe_certificate(policy)
