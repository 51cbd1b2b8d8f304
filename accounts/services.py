"""Account services: revoking a user's API sessions (issue 15 #8); contacts who write in by
e-mail; the language a person reads the desk in."""

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, UntypedToken

from accounts.auth_cache import user_cache_forget
from accounts.models import User


def user_revoke_refresh_tokens(*, user: User) -> int:
    """Blacklist every refresh token issued to `user` that is not blacklisted yet."""
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    revoked = [BlacklistedToken(token=token) for token in outstanding]
    BlacklistedToken.objects.bulk_create(revoked, ignore_conflicts=True)
    return len(revoked)


def user_revoke_access_tokens(*, user: User) -> None:
    """Every access token issued to `user` until now stops working at once (rather than
    within ACCESS_TOKEN_LIFETIME). Their other devices simply refresh."""
    User.objects.filter(pk=user.pk).update(tokens_valid_after=timezone.now())
    user_cache_forget(user.pk)  # an update() sends no post_save: drop the API's cached row


@transaction.atomic
def user_revoke_tokens(*, user: User) -> None:
    """Every session of `user`: access and refresh tokens alike (a password change, a
    replayed refresh token)."""
    user_revoke_refresh_tokens(user=user)
    user_revoke_access_tokens(user=user)


def session_log_out(*, refresh: RefreshToken) -> None:
    """The refresh token can no longer be traded, and no access token issued so far works."""
    refresh.blacklist()
    if (user := User.objects.filter(pk=refresh.get("user_id")).first()) is not None:
        user_revoke_access_tokens(user=user)


def session_refresh_replayed(*, raw: str) -> bool:
    """`raw` failed to refresh. If it is a genuine refresh token that was already rotated or
    logged out, someone is replaying it (a stolen copy, or the thief's one was used first):
    revoke every session of its user, the family the pair came from included. True then."""
    try:
        token = UntypedToken(raw)  # signature and expiry; no blacklist check (it just failed)
    except TokenError:  # forged or expired: not a replay, nothing to revoke
        return False
    if token.get("token_type") != "refresh":
        return False
    if not BlacklistedToken.objects.filter(token__jti=token.get("jti")).exists():
        return False
    if (user := User.objects.filter(pk=token.get("user_id")).first()) is not None:
        user_revoke_tokens(user=user)
    return True


def user_get_or_create_contact(*, email: str, full_name: str = "") -> tuple[User, bool]:
    """The account of the person writing from `email` (by e-mail, say), created if new.

    A new contact is a customer with a random password nobody knows: it can claim a portal
    login through the password reset (Django's reset skips accounts with an *unusable*
    password, so it must be a usable, random one). (user, created).
    """
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    try:
        with transaction.atomic():
            return (
                User.objects.create_user(
                    email=email, password=secrets.token_urlsafe(32), full_name=full_name[:150]
                ),
                True,
            )
    except IntegrityError:  # two e-mails from a new sender at once: the other one created it
        return User.objects.get(email__iexact=email), False


def user_set_language(*, user: User, language: str) -> None:
    """Remember the language a person reads the desk in ("" = follow the browser)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unsupported language: {language!r}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
