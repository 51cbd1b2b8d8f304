from django.contrib import admin

from tickets.models import Message, Ticket, TicketEvent


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ("created_at", "author_kind", "author", "internal", "body")
    readonly_fields = ("created_at",)
    raw_id_fields = ("author",)


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


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
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
    raw_id_fields = ("customer", "assigned_agent")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"
    list_select_related = ("customer", "assigned_agent")
    inlines = [MessageInline, TicketEventInline]
