"""Portal forms for accounts, and the renderer every portal form shares.

Forms only check input; creating the user is the user manager's job (see views).
"""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.forms.renderers import DjangoTemplates
from django.template import TemplateDoesNotExist, loader
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.throttling import LoginThrottle, RateLimit


class PortalFormRenderer(DjangoTemplates):
    """Fields render through templates/accounts/form_field.html: label, help, input, errors.

    Django links help text and errors to the input with aria-describedby; the template adds
    the classes the stylesheet knows and marks optional fields in the label. Widgets keep
    Django's own templates; ours come from the project's template dirs.
    """

    field_template_name = "accounts/form_field.html"

    def get_template(self, template_name: str):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return loader.get_template(template_name)


class PortalForm(forms.Form):
    default_renderer = PortalFormRenderer


class ThrottledLoginMixin:
    """Refuse while the (account, client), the client or the account is over its failure count
    (accounts.throttling: the API's rule too), count failures, and remember a client that got
    in. For Django's AuthenticationForm and its admin variant."""

    THROTTLED = _("Too many failed attempts to log in. Please wait a few minutes and try again.")

    def clean(self) -> dict:
        throttle = LoginThrottle.for_attempt(self.request, self.cleaned_data.get("username", ""))
        if throttle.retry_after() is not None:
            # The same words whether or not the account exists.
            raise forms.ValidationError(self.THROTTLED, code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                throttle.record_failure()
            raise
        throttle.record_success()
        return cleaned


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    default_renderer = PortalFormRenderer

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That e-mail address and password do not match an account."),
    }


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """Django admin's log-in page, counted with the portal's and the API's failures."""


class SignupForm(PortalForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    full_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 8 characters; not a common password and not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        # Whether the address has an account is not said here (issue 15 #6): the service
        # e-mails its owner instead, and the page is the same either way.
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class ResetRequestForm(PasswordResetForm):
    """Django's reset request, with at most `reset_email` mails per address: past it the page
    says "sent" as always, and nothing is sent (an inbox cannot be flooded)."""

    default_renderer = PortalFormRenderer

    def send_mail(self, *args, **kwargs) -> None:
        to_email = args[4] if len(args) > 4 else kwargs["to_email"]
        if RateLimit("reset_email").hit(to_email) is None:
            super().send_mail(*args, **kwargs)

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class ResetPasswordForm(SetPasswordForm):
    default_renderer = PortalFormRenderer

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Django's default help text is an HTML list; ours is one plain sentence.
        self.fields["new_password1"].help_text = _(
            "At least 8 characters; not a common password and not only digits."
        )
