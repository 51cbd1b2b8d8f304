"""The API's authentication: simplejwt's, plus revocation by the user's `tokens_valid_after`.

simplejwt already reads the user's row on every request (is it active?), so comparing the
token's issue time with a column of that row costs no query: no cache needed, and it holds
across every process whatever the cache.
"""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.tokens import Token

from accounts.models import User
from accounts.tokens import ISSUED_CLAIM


class RevocableJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token: Token) -> User:
        user = super().get_user(validated_token)
        if user.tokens_valid_after is not None:
            issued = validated_token.get(ISSUED_CLAIM, validated_token.get("iat", 0))
            if float(issued) < user.tokens_valid_after.timestamp():
                raise InvalidToken("This token was revoked (logout or password change).")
        return user


class RevocableJWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme: the same bearer JWT as simplejwt's."""

    target_class = RevocableJWTAuthentication
