"""Portal sign-up, log-in, log-out, password reset (Django's auth views, our templates), and
the customer's privacy page (export and erase their data)."""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from accounts.decorators import customer_required
from accounts.forms import (
    LoginForm,
    PortalForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignupForm,
)
from accounts.middleware import supported_language
from accounts.models import User
from accounts.privacy import user_erase_data, user_export_data
from accounts.services import user_set_language
from accounts.throttling import RateLimit, client_address
from accounts.verification import user_send_verification, user_sign_up, user_verify_email


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The language switcher: Django's set_language (cookie, safe redirect back), and for a
    signed-in person the choice kept on their account, so it follows them to every device
    and to the e-mails the desk sends them."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and supported_language(language):
        user_set_language(user=request.user, language=language)
    return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): a link or an image tag cannot log anyone out."""


TOO_MANY_FROM_HERE = gettext_lazy(
    "Too many requests from your network. Please wait a while and try again."
)


@sensitive_post_parameters("password")
def signup(request: HttpRequest) -> HttpResponse:
    """The same answer for every address, taken or not (accounts.verification)."""
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if RateLimit("signup_client").hit(client_address(request)) is not None:
            form.add_error(None, TOO_MANY_FROM_HERE)
        else:
            user_sign_up(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
                language=supported_language(request.LANGUAGE_CODE) or "",
            )
            return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form})


@require_GET
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html")


@require_GET
def verify(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Confirm the address. No log-in here: mail scanners open links too."""
    user = user_verify_email(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "accounts/verify_failed.html", status=400)
    messages.success(request, _("Thanks, your e-mail address is confirmed."))
    return redirect("portal:home" if request.user.is_authenticated else "accounts:login")


@require_POST
@customer_required
def verify_resend(request: HttpRequest) -> HttpResponse:
    user_send_verification(user=request.user)
    # The same words whether or not a mail went out (the address may have had its share).
    messages.success(
        request,
        _("We have sent a new link to %(email)s if it needed one.") % {"email": request.user.email},
    )
    return redirect("portal:ticket_new")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = ResetRequestForm
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: ResetRequestForm) -> HttpResponse:
        # Per address: the form sends at most `reset_email` mails. Per client, here.
        if RateLimit("reset_client").hit(client_address(self.request)) is not None:
            form.add_error(None, TOO_MANY_FROM_HERE)
            return self.form_invalid(form)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = ResetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class EraseForm(PortalForm):
    password = forms.CharField(
        label="Your password, to confirm",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


@customer_required
def privacy(request: HttpRequest) -> HttpResponse:
    """Download my data; delete my data (tickets anonymised, account closed)."""
    form = EraseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user_erase_data(user=request.user)
        logout(request)
        messages.success(request, _("Your data has been erased and your account closed."))
        return redirect("accounts:login")
    return render(
        request, "accounts/privacy.html", {"form": form}, status=400 if form.errors else 200
    )


@customer_required
@require_GET
def privacy_export(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(user_export_data(user=request.user), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="supportdesk-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response
