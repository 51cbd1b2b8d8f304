"""API login and refresh: the seed's token shape, one 401 for every bad login, throttling."""

from datetime import timedelta

import jwt
import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tests.api_helpers import _clear_throttle_history, api, error_of  # noqa: F401
from tests.conftest import PASSWORD

LOGIN = "/api/auth/login"
REFRESH = "/api/auth/refresh"


def login(client, email, password):
    return client.post(LOGIN, {"email": email, "password": password})


def test_login_returns_exactly_the_seeds_token_pair(alice):
    response = login(api(), "alice@example.com", PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "refresh_token"}
    assert body["token_type"] == "bearer"
    assert AccessToken(body["access_token"])["user_id"] == str(alice.pk)
    assert RefreshToken(body["refresh_token"])["user_id"] == str(alice.pk)
    assert response["Cache-Control"] == "no-store"


def test_the_access_token_opens_the_api(alice):
    token = login(api(), alice.email, PASSWORD).json()["access_token"]
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/tickets").status_code == 200


def test_the_email_is_case_insensitive_and_trimmed_but_the_password_is_not(alice):
    assert login(api(), " ALICE@Example.com ", PASSWORD).status_code == 200
    error_of(login(api(), alice.email, f" {PASSWORD}"), 401)


def test_wrong_password_unknown_email_and_deactivated_account_look_the_same(alice, charlie):
    charlie.is_active = False
    charlie.save()
    responses = [
        login(api(), "alice@example.com", "wrong-password"),
        login(api(), "nobody@example.com", PASSWORD),
        login(api(), "charlie@example.com", PASSWORD),
    ]
    for response in responses:
        error = error_of(response, 401)
        assert error["code"] == "invalid_credentials"
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert len({r.content for r in responses}) == 1


def test_login_ignores_a_stale_authorization_header(alice):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Bearer expired.or.garbage")
    assert login(client, alice.email, PASSWORD).status_code == 200


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "email"),
        ({"email": "alice@example.com"}, "password"),
        ({"email": 123, "password": PASSWORD}, "email"),
        ({"email": "alice@example.com", "password": None}, "password"),
        ({"email": ["alice@example.com"], "password": PASSWORD}, "email"),
        ({"email": "a" * 300, "password": PASSWORD}, "email"),
        ({"email": "alice@example.com\x00", "password": PASSWORD}, "email"),
    ],
)
def test_login_input_errors_are_400s_naming_the_field(alice, body, field):
    error = error_of(api().post(LOGIN, body), 400)
    assert error["code"] == "invalid"
    assert field in error["details"]


def test_repeated_failures_are_throttled_with_429(alice, settings):
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login": "3/min"},
    }
    for _ in range(3):
        error_of(login(api(), alice.email, "wrong"), 401)
    response = login(api(), alice.email, PASSWORD)  # even the right password, for now
    error = error_of(response, 429)
    assert error["code"] == "throttled"
    assert 0 < error["details"]["retry_after"] <= 60
    assert int(response["Retry-After"]) == error["details"]["retry_after"]


def test_a_made_up_forwarded_for_header_does_not_escape_the_throttle(alice, settings):
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login": "2/min"},
    }
    for n in range(3):
        response = api().post(
            LOGIN,
            {"email": alice.email, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    error_of(response, 429)


def test_successful_logins_do_not_count_toward_the_throttle(alice, settings):
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login": "2/min"},
    }
    for _ in range(5):
        assert login(api(), alice.email, PASSWORD).status_code == 200
    error_of(login(api(), alice.email, "wrong"), 401)
    assert login(api(), alice.email, PASSWORD).status_code == 200


def test_refresh_returns_a_new_pair_in_the_same_shape(alice):
    pair = login(api(), alice.email, PASSWORD).json()
    response = api().post(REFRESH, {"refresh_token": pair["refresh_token"]})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "refresh_token"}
    assert body["token_type"] == "bearer"
    assert body["refresh_token"] != pair["refresh_token"]
    assert AccessToken(body["access_token"])["user_id"] == str(alice.pk)


def test_refresh_accepts_simplejwts_field_name(alice):
    refresh = str(RefreshToken.for_user(alice))
    assert api().post(REFRESH, {"refresh": refresh}).status_code == 200


def test_a_rotated_refresh_token_cannot_be_used_again(alice):
    refresh = login(api(), alice.email, PASSWORD).json()["refresh_token"]
    assert api().post(REFRESH, {"refresh_token": refresh}).status_code == 200
    error = error_of(api().post(REFRESH, {"refresh_token": refresh}), 401)
    assert error["code"] == "token_not_valid"


def test_an_access_token_is_not_a_refresh_token(alice):
    access = str(RefreshToken.for_user(alice).access_token)
    error_of(api().post(REFRESH, {"refresh_token": access}), 401)


def test_refresh_refuses_deactivated_and_deleted_accounts(alice, charlie):
    for user in (alice, charlie):
        refresh = str(RefreshToken.for_user(user))
        if user is alice:
            user.is_active = False
            user.save()
        else:
            user.delete()
        error_of(api().post(REFRESH, {"refresh_token": refresh}), 401)


@pytest.mark.parametrize("body", [{}, {"refresh_token": ""}, {"refresh_token": 42}, []])
def test_refresh_input_errors_are_400s(body):
    error_of(api().post(REFRESH, body), 400)


def _forged(user, *, key: str, algorithm: str = "HS256", **claims) -> str:
    now = timezone.now()
    payload = {
        "token_type": "access",
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "iat": int(now.timestamp()),
        "jti": "f" * 32,
        "user_id": str(user.pk),
        **claims,
    }
    return jwt.encode(payload, key, algorithm=algorithm)


def _expired(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1))
    return str(token)


@pytest.mark.parametrize(
    "header",
    [
        lambda u: f"Bearer {_expired(u)}",
        lambda u: f"Bearer {_forged(u, key='not-our-secret-key-but-long-enough-for-hs256')}",
        lambda u: f"Bearer {_forged(u, key=django_settings.SECRET_KEY, token_type='refresh')}",
        lambda u: f"Bearer {_forged(u, key=django_settings.SECRET_KEY, user_id='999999')}",
        lambda u: "Bearer " + jwt.encode({"user_id": str(u.pk)}, key=None, algorithm="none"),
        lambda u: "Bearer not.a.token",
        lambda u: "Bearer",
        lambda u: "Bearer a b",
    ],
    ids=[
        "expired",
        "forged",
        "refresh-as-access",
        "no-such-user",
        "alg-none",
        "garbage",
        "empty",
        "two-parts",
    ],
)
def test_bad_tokens_are_401s_in_the_error_shape(alice, header):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=header(alice))
    response = client.get("/api/tickets")
    error_of(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_non_bearer_scheme_is_simply_not_authenticated(alice):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Basic YWxpY2U6c2VjcmV0")
    assert error_of(client.get("/api/tickets"), 401)["code"] == "not_authenticated"


def test_a_deactivated_users_access_token_stops_working(alice):
    client = api(alice)
    alice.is_active = False
    alice.save()
    error_of(client.get("/api/tickets"), 401)
