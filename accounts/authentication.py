"""The API's authentication: simplejwt's, plus revocation by the user's `tokens_valid_after`,
with the user's row read from a short-lived cache instead of the database on every request
(accounts/auth_cache.py says when it is dropped and why that is safe).

The revocation check compares the token's issue time with a column of that same row, so it
costs nothing more, and it sees a logout or password change as soon as the cache entry is
dropped (at once with the shared cache production uses).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from accounts.auth_cache import cached_user
from accounts.models import User
from accounts.tokens import ISSUED_CLAIM


def _load_user(user_id: object) -> User | None:
    # The password hash stays out of the cache (it is not needed to authenticate a token).
    return User.objects.defer("password").filter(pk=user_id).first()


class RevocableJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token: Token) -> User:
        # simplejwt's own checks (the user exists and is active), with the row from the cache.
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        user = cached_user(user_id, _load_user)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if user.tokens_valid_after is not None:
            issued = validated_token.get(ISSUED_CLAIM, validated_token.get("iat", 0))
            if float(issued) < user.tokens_valid_after.timestamp():
                raise InvalidToken("This token was revoked (logout or password change).")
        return user


class RevocableJWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme: the same bearer JWT as simplejwt's."""

    target_class = RevocableJWTAuthentication
