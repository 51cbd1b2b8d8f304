"""Customer portal forms. They check the shape of the input; the services decide the rest."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts.forms import PortalForm
from common.errors import ServiceError
from tickets.services import MAX_MESSAGE_LENGTH, MAX_SUBJECT_LENGTH


def add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Show a service's refusal on the form: beside the field it names, else above the form."""
    fields = [name for name in error.details if name in form.fields]
    for name in fields:
        form.add_error(name, error.message)
    if not fields:
        form.add_error(None, error.message)


# Inline validation: when a field loses focus with a changed value, htmx posts the form to the
# same URL and swaps in the re-rendered field (label, input, errors).
_VALIDATE_ON_CHANGE = {
    "hx-post": reverse_lazy("portal:ticket_new"),
    "hx-trigger": "change",
    "hx-swap": "outerHTML",
    "hx-sync": "closest form:abort",
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe); the services check them."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _attachments_field(label: str) -> MultipleFileField:
    return MultipleFileField(
        label=label,
        help_text=_("Pictures, PDF, text or a voice recording; up to 10 MB each."),
    )


class TicketForm(PortalForm):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=MAX_SUBJECT_LENGTH,
        required=False,
        help_text=_("A few words, e.g. “Where is my order?”"),
        widget=forms.TextInput(
            attrs={**_VALIDATE_ON_CHANGE, "hx-target": "#id_subject_field", "autofocus": True}
        ),
    )
    message = forms.CharField(
        label=_("How can we help?"),
        max_length=MAX_MESSAGE_LENGTH,
        # Not required on its own: a voice note may stand in for the text (see clean()).
        required=False,
        help_text=_("Describe the problem in your own words: order numbers and dates help."),
        widget=forms.Textarea(
            attrs={**_VALIDATE_ON_CHANGE, "hx-target": "#id_message_field", "rows": 7}
        ),
    )
    attachments = _attachments_field(_("Attach files or a voice note"))

    def clean(self) -> dict:
        data = super().clean()
        files = data.get("attachments") or []
        voice = any((f.content_type or "").startswith(("audio/", "video/webm")) for f in files)
        if not data.get("message") and not voice and "message" not in self.errors:
            self.add_error("message", _("Please tell us what you need help with."))
        return data


class ReplyForm(PortalForm):
    # Named like the service's field so its errors land beside this box.
    message = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_MESSAGE_LENGTH,
        error_messages={"required": _("Write a reply before sending it.")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = _attachments_field(_("Attach files"))
