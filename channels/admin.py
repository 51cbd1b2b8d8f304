"""Django admin for channels: mailboxes to poll, webhook endpoints, and the read-only logs of
e-mails received and sent and of webhook deliveries."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from channels.models import (
    InboundEmail,
    Mailbox,
    OutboundEmail,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from channels.services.imap import mailbox_poll
from channels.services.webhooks import UnsafeAddress, check_address


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class MailboxForm(forms.ModelForm):
    oauth2_token_url = forms.URLField(
        required=False, assume_scheme="https", help_text=Mailbox.oauth2_token_url.field.help_text
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "active",
            "host",
            "port",
            "security",
            "username",
            "auth",
            "secret_env",
            "oauth2_token_url",
            "oauth2_client_id",
            "oauth2_client_secret_env",
            "oauth2_scope",
            "folder",
            "move_to",
        ]


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ("name", "active", "host", "username", "auth", "folder", "last_polled_at")
    readonly_fields = ("last_polled_at", "last_error")
    actions = ["poll_now"]

    @admin.action(description="Read these mailboxes now")
    def poll_now(self, request: HttpRequest, queryset) -> None:
        for mailbox in queryset:
            count = mailbox_poll(mailbox=mailbox)
            level = messages.ERROR if mailbox.last_error else messages.SUCCESS
            self.message_user(
                request, f"{mailbox}: {count} imported. {mailbox.last_error}".strip(), level
            )


@admin.register(InboundEmail)
class InboundEmailAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "source", "sender", "subject", "status", "note", "ticket")
    list_filter = ("status", "source")
    search_fields = ("sender", "message_id", "subject")
    raw_id_fields = ("ticket", "ticket_message")


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "to", "ticket", "message_id", "sent_at")
    list_filter = ("kind",)
    search_fields = ("to", "message_id")
    raw_id_fields = ("ticket", "ticket_message")


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )
    secret = forms.CharField(
        min_length=16, max_length=200, widget=forms.PasswordInput(render_value=True)
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "events", "secret", "active")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            check_address(url)
        except UnsafeAddress as error:
            raise forms.ValidationError(str(error)) from error
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "events", "active", "created_at")

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "event",
        "endpoint",
        "status",
        "attempts",
        "response_code",
        "error",
    )
    list_filter = ("status", "event")
