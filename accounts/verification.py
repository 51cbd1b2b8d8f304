"""Self-service sign-up with a confirmed e-mail address (issue 15 #3, #6).

Sign-up answers every address the same way ("check your e-mail"), so it cannot be used to find
out who has an account: a new address gets an account and a confirmation link; an address that
already has an account gets no second one, and its owner gets an e-mail saying someone tried
(with links to log in or reset the password). Mails to one address are limited
(`signup_email` rate), so neither kind can be used to flood someone's inbox.

Until the link is followed the customer can log in but cannot open tickets
(`tickets.services.ticket_submit` checks `User.is_email_verified`). The link works once: the
token covers the confirmation time, which following it sets.
"""

import logging
import smtplib

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.auth_cache import user_cache_forget
from accounts.models import Role, User
from accounts.throttling import RateLimit

logger = logging.getLogger(__name__)
signup_email_limit = RateLimit("signup_email")


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "supportdesk.accounts.verification"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{user.pk}{user.email}{user.email_verified_at}{timestamp}"


verification_tokens = EmailVerificationTokenGenerator()


def _mail(*, user_email: str, template: str, context: dict, language: str = "") -> None:
    """Send now, as Django's password reset does, in the person's language ("" = the one
    active). A mail server that fails loses no account: it is logged, and the customer can
    ask for the link again."""
    with translation.override(language or translation.get_language()):
        subject = render_to_string(f"accounts/{template}_subject.txt", context).strip()
        body = render_to_string(f"accounts/{template}_email.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user_email])
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not send the %s e-mail", template)


def _url(name: str, **kwargs) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def user_sign_up(
    *, email: str, password: str, full_name: str = "", language: str = ""
) -> User | None:
    """A new, unconfirmed customer and a confirmation e-mail; or, when the address has an
    account already, a heads-up to its owner and None. The caller shows the same page.
    ``language``: the one the customer signed up in, kept for the desk's e-mails to them."""
    email = User.objects.normalize_email(email).strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        make_password(password)  # as long as a new account's hashing: timing tells nothing
        if signup_email_limit.hit(email) is None:
            _mail(
                user_email=existing.email,
                template="signup_existing",
                language=existing.language,
                context={
                    "email": existing.email,
                    "login_url": _url("accounts:login"),
                    "reset_url": _url("accounts:password_reset"),
                },
            )
        return None
    # Sign-up only ever makes customers; agents and admins are created by an admin.
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        role=Role.CUSTOMER,
        email_verified_at=None,
        language=language,
    )
    user_send_verification(user=user)
    return user


def user_send_verification(*, user: User) -> bool:
    """E-mail `user` a confirmation link, unless the address had its share of mails lately."""
    if user.is_email_verified or signup_email_limit.hit(user.email) is not None:
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = verification_tokens.make_token(user)
    _mail(
        user_email=user.email,
        template="verify",
        language=user.language,
        context={"email": user.email, "url": _url("accounts:verify", uidb64=uid, token=token)},
    )
    return True


def user_verify_email(*, uidb64: str, token: str) -> User | None:
    """Confirm the address the link was sent to; None when the link is wrong, used or old."""
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    if not verification_tokens.check_token(user, token):
        return None
    User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(
        email_verified_at=timezone.now()
    )
    user_cache_forget(user.pk)  # the API may open tickets now: drop its cached row
    user.refresh_from_db()
    return user
