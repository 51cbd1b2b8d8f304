"""JWTs that can be revoked before they expire (issue 15 #8).

simplejwt's access tokens copy the refresh token's `iat`, and both have one-second resolution,
so neither says exactly when an access token was made. Ours carry `issued` (seconds, with
microseconds) set when the access token is made; accounts/authentication.py refuses one issued
before its user's `tokens_valid_after`.
"""

from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

ISSUED_CLAIM = "issued"


class SessionRefreshToken(RefreshToken):
    @property
    def access_token(self) -> AccessToken:
        access = super().access_token
        access[ISSUED_CLAIM] = access.current_time.timestamp()
        return access


class SessionTokenRefreshSerializer(TokenRefreshSerializer):
    token_class = SessionRefreshToken
