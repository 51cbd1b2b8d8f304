"""The API's face of accounts: JWT login and refresh, and the role permissions every API uses.

Login: e-mail and password in, a JWT pair out, in the seed's field names.

`POST /api/auth/login` -> {"access_token", "token_type": "bearer", "refresh_token"}
`POST /api/auth/refresh` with {"refresh_token"} (or simplejwt's own "refresh") -> the same shape.

A wrong password, an unknown e-mail and a deactivated account get one and the same 401, so the
endpoint cannot be used to find out who has an account. Failed logins are throttled per client
address and per account by accounts.throttling (the portal's log-in form uses the same service);
successful ones cost nothing and mark the client as one the account's owner uses.

`POST /api/auth/logout` with {"refresh_token"} blacklists it, and every access token the user
holds stops working at once (their other devices refresh). A password change revokes every
token; so does a replayed (already rotated) refresh token, a sign of theft (accounts/services.py).
"""

from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.privacy import user_erase_data, user_export_data
from accounts.services import session_log_out, session_refresh_replayed
from accounts.throttling import LoginThrottle
from accounts.tokens import SessionRefreshToken, SessionTokenRefreshSerializer
from common.api_errors import AUTHENTICATE_HEADER, error_responses
from common.api_fields import StrictCharField

MAX_EMAIL_LENGTH = 254
MAX_PASSWORD_LENGTH = 1024


class IsCustomer(BasePermission):
    message = "Only customers can do this."

    def has_permission(self, request: Request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_customer)


class IsAgent(BasePermission):
    """Agents and admins: the people who work tickets."""

    message = "Only agents and admins can do this."

    def has_permission(self, request: Request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_agent)


class IsAdmin(BasePermission):
    message = "Only admins can do this."

    def has_permission(self, request: Request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_admin)


class InvalidCredentials(exceptions.APIException):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = "Incorrect e-mail or password."
    default_code = "invalid_credentials"


class TokenPairSerializer(serializers.Serializer):
    access_token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`.")
    token_type = serializers.ChoiceField(choices=["bearer"])
    refresh_token = serializers.CharField(help_text="Trade for a new pair at /api/auth/refresh.")


def token_response(access: str, refresh: str) -> Response:
    body = {"access_token": access, "token_type": "bearer", "refresh_token": refresh}
    # Credentials: no cache, shared or private, may keep them (as OAuth 2 requires).
    return Response(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


class LoginSerializer(serializers.Serializer):
    email = StrictCharField(max_length=MAX_EMAIL_LENGTH)
    password = StrictCharField(max_length=MAX_PASSWORD_LENGTH, trim_whitespace=False)


class RefreshSerializer(serializers.Serializer):
    refresh_token = StrictCharField(
        max_length=4096,
        help_text='The refresh token from login. simplejwt\'s name "refresh" is accepted too.',
    )

    def to_internal_value(self, data):
        if isinstance(data, dict) and "refresh_token" not in data and "refresh" in data:
            data = {**data, "refresh_token": data["refresh"]}
        return super().to_internal_value(data)


class _TokenView(APIView):
    # No authentication: a stale Authorization header must not stop anyone logging in again.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        return AUTHENTICATE_HEADER  # so DRF keeps 401 as 401 (not 403) here


class LoginView(_TokenView):
    @extend_schema(
        operation_id="auth_login",
        tags=["auth"],
        summary="Log in with e-mail and password",
        request=LoginSerializer,
        responses={200: TokenPairSerializer, **error_responses(400, 401, 413, 415, 429)},
        examples=[
            OpenApiExample(
                "Credentials",
                value={"email": "alice@example.com", "password": "correct-horse"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        throttle = LoginThrottle.for_attempt(request, serializer.validated_data["email"])
        if (wait := throttle.retry_after()) is not None:
            raise exceptions.Throttled(wait=wait)
        user: User | None = authenticate(
            request._request,
            email=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            throttle.record_failure()
            raise InvalidCredentials()
        throttle.record_success()
        refresh = SessionRefreshToken.for_user(user)
        if jwt_settings.UPDATE_LAST_LOGIN:
            update_last_login(None, user)
        return token_response(str(refresh.access_token), str(refresh))


class RefreshView(_TokenView):
    @extend_schema(
        operation_id="auth_refresh",
        tags=["auth"],
        summary="Trade a refresh token for a new token pair",
        description="The old refresh token stops working (rotation): keep the new one. "
        "Sending an already rotated one again revokes every session of the account.",
        request=RefreshSerializer,
        responses={200: TokenPairSerializer, **error_responses(400, 401, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # simplejwt checks the signature, expiry, blacklist and that the user is still active,
        # and rotates (blacklisting the old token) as SIMPLE_JWT says.
        raw = serializer.validated_data["refresh_token"]
        refreshed = SessionTokenRefreshSerializer(data={"refresh": raw})
        try:
            refreshed.is_valid(raise_exception=True)
        except TokenError as exc:  # bad signature, expired, blacklisted, not a refresh token
            if session_refresh_replayed(raw=raw):
                raise InvalidToken(
                    "This refresh token was already used: every session of the account has "
                    "been revoked. Log in again."
                ) from exc
            raise InvalidToken(exc.args[0]) from exc
        except User.DoesNotExist as exc:  # the account was deleted since login
            raise InvalidToken("The token's user no longer exists.") from exc
        tokens = refreshed.validated_data
        refresh = tokens.get("refresh", serializer.validated_data["refresh_token"])
        return token_response(tokens["access"], refresh)


class LogoutView(_TokenView):
    @extend_schema(
        operation_id="auth_logout",
        tags=["auth"],
        summary="Revoke a refresh token",
        description="The refresh token can no longer be traded for tokens, and access tokens "
        "issued to you so far stop working (other devices refresh theirs).",
        request=RefreshSerializer,
        responses={204: None, **error_responses(400, 401, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            session_log_out(refresh=RefreshToken(serializer.validated_data["refresh_token"]))
        except TokenError as exc:  # bad signature, expired, already revoked
            raise InvalidToken(exc.args[0]) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class EraseSerializer(serializers.Serializer):
    password = StrictCharField(max_length=MAX_PASSWORD_LENGTH, trim_whitespace=False)


class AccountExportView(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(
        operation_id="account_export",
        tags=["account"],
        summary="Everything we hold about you (customers)",
        responses={200: dict, **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return Response(user_export_data(user=request.user), headers={"Cache-Control": "no-store"})


class AccountEraseView(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(
        operation_id="account_erase",
        tags=["account"],
        summary="Erase your data and close your account (customers)",
        description="Your tickets stay, anonymised; your tokens stop working.",
        request=EraseSerializer,
        responses={204: None, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        # A wrong password is a 403 (you may not), not a 400: the input was well-formed.
        serializer = EraseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not request.user.check_password(serializer.validated_data["password"]):
            raise exceptions.PermissionDenied("That is not your password.")
        user_erase_data(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
