"""Django admin for tickets, kept inside the lifecycle (issue 15 #10).

Status, intent and assignee change only through tickets.services (resolved_at set, every change
audited): the form offers known intents only, status moves by the "Resolve" action, and the
customer's words (the ticket's text, the conversation) are read-only and cannot be deleted.
Tickets are opened by customers and answered in the agents' workspace, not added here.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import Role, User
from common.errors import ServiceError
from tickets.macros import macro_check_body
from tickets.models import AgentPresence, Macro, Message, Tag, Team, Ticket, TicketEvent
from tickets.services import known_intent_slugs, ticket_resolve, ticket_update


class MessageInline(admin.TabularInline):
    """The conversation: read-only; replies are written in the agents' workspace."""

    model = Message
    extra = 0
    can_delete = False
    fields = ("created_at", "author_kind", "author", "internal", "body")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class TicketEventInline(admin.TabularInline):
    """The audit trail: read-only, never added to or edited by hand."""

    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "actor", "field", "old_value", "new_value", "note", "model_version")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class TicketAdminForm(forms.ModelForm):
    intent = forms.ChoiceField(required=False, help_text="One of the desk's intents.")

    class Meta:
        model = Ticket
        fields = ("subject", "intent", "assigned_agent")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        slugs = set(known_intent_slugs())
        if self.instance.intent:
            slugs.add(self.instance.intent)  # a retired intent stays shown, not silently lost
        self.fields["intent"].choices = [("", "(none)")] + [(s, s) for s in sorted(slugs)]
        self.fields["assigned_agent"].queryset = User.objects.filter(
            role__in=[Role.AGENT, Role.ADMIN]
        )


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    form = TicketAdminForm
    list_display = (
        "id",
        "title",
        "customer",
        "status",
        "intent",
        "confidence",
        "escalation_reason",
        "assigned_agent",
        "created_at",
    )
    list_filter = ("status", "escalation_reason", "intent", "created_at")
    search_fields = ("id", "subject", "message", "customer__email")
    raw_id_fields = ("assigned_agent",)
    fields = (
        "customer",
        "subject",
        "message",
        "status",
        "intent",
        "confidence",
        "escalation_reason",
        "assigned_agent",
        "resolved_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "customer",
        "message",
        "status",
        "confidence",
        "escalation_reason",
        "resolved_at",
        "created_at",
        "updated_at",
    )
    date_hierarchy = "created_at"
    list_select_related = ("customer", "assigned_agent")
    inlines = [MessageInline, TicketEventInline]
    actions = ["resolve"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # A customer's words go only through erasure (accounts.privacy), which anonymises.
        return False

    def save_model(self, request: HttpRequest, obj: Ticket, form, change: bool) -> None:
        try:
            ticket_update(
                ticket=obj,
                actor=request.user,
                subject=form.cleaned_data["subject"],
                intent=form.cleaned_data["intent"],
                assigned_agent=form.cleaned_data["assigned_agent"],
            )
        except ServiceError as error:
            # The form already checked intent and subject; what is left is a race or a
            # non-agent assignee: say so rather than fail with a 500.
            self.message_user(request, error.message, messages.ERROR)

    @admin.action(description="Resolve the selected tickets")
    def resolve(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        done = 0
        for ticket in queryset:
            try:
                ticket_resolve(ticket=ticket, actor=request.user)
                done += 1
            except ServiceError:
                pass  # already resolved
        self.message_user(request, f"{done} ticket(s) resolved.", messages.SUCCESS)


from tickets import desk_admin  # noqa: E402,F401  (SLA policies, calendars, rules)

# --- The desk: teams, tags, macros, agents' availability --------------------------------------


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "round_robin", "member_count")
    list_filter = ("round_robin",)
    search_fields = ("name",)
    filter_horizontal = ("members",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":  # only people who work tickets can be in a team
            kwargs["queryset"] = User.objects.filter(role__in=[Role.AGENT, Role.ADMIN])
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="Members")
    def member_count(self, team: Team) -> int:
        return team.members.count()


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


class MacroAdminForm(forms.ModelForm):
    class Meta:
        model = Macro
        fields = ("title", "body", "owner", "set_status", "set_priority", "add_tags")

    def clean_body(self) -> str:
        # The same check as the API and the service: unknown placeholders are refused.
        try:
            return macro_check_body(self.cleaned_data["body"])
        except ServiceError as error:
            raise forms.ValidationError(error.message) from error


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    form = MacroAdminForm
    list_display = ("title", "owner", "set_status", "set_priority")
    list_filter = ("set_status", "set_priority")
    search_fields = ("title", "body")
    raw_id_fields = ("owner",)
    filter_horizontal = ("add_tags",)


@admin.register(AgentPresence)
class AgentPresenceAdmin(admin.ModelAdmin):
    """Who takes round-robin tickets now (agents switch it themselves on their notifications
    page); an admin can send someone away who forgot to."""

    list_display = ("agent", "available", "last_assigned_at")
    list_filter = ("available",)
    fields = ("agent", "available", "last_assigned_at")
    readonly_fields = ("agent", "last_assigned_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
