"""Account services: revoking a user's API sessions; contacts who write in by e-mail."""

import secrets

from django.db import IntegrityError, transaction
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import User


def user_revoke_refresh_tokens(*, user: User) -> int:
    """Blacklist every refresh token issued to `user` that is not blacklisted yet."""
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    revoked = [BlacklistedToken(token=token) for token in outstanding]
    BlacklistedToken.objects.bulk_create(revoked, ignore_conflicts=True)
    return len(revoked)


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
