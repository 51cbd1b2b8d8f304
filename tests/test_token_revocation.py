"""Tokens do not outlive logout and password changes; a replayed rotated refresh token revokes
the sessions it came from (issue 15 #8). Access tokens used to live on for 15 minutes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api_helpers import _clear_throttle_history, api, error_of  # noqa: F401
from tests.conftest import PASSWORD


def log_in(user) -> dict:
    response = api().post("/api/auth/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    return response.json()


def with_token(access: str):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def works(access: str) -> bool:
    response = with_token(access).get("/api/tickets")
    assert response.status_code in (200, 401), response.status_code
    return response.status_code == 200


def refresh(refresh_token: str):
    return api().post("/api/auth/refresh", {"refresh_token": refresh_token})


def test_logout_ends_the_access_token_at_once(alice, charlie):
    pair, theirs = log_in(alice), log_in(charlie)
    assert works(pair["access_token"])
    assert (
        api().post("/api/auth/logout", {"refresh_token": pair["refresh_token"]}).status_code == 204
    )
    assert not works(pair["access_token"])
    assert works(theirs["access_token"])
    # Logging in again right away works (same second and all).
    assert works(log_in(alice)["access_token"])


def test_other_devices_carry_on_after_a_refresh(alice):
    phone, laptop = log_in(alice), log_in(alice)
    api().post("/api/auth/logout", {"refresh_token": phone["refresh_token"]})
    renewed = refresh(laptop["refresh_token"])
    assert renewed.status_code == 200
    assert works(renewed.json()["access_token"])


def test_a_password_change_ends_access_tokens_at_once(alice, django_capture_on_commit_callbacks):
    pair = log_in(alice)
    with django_capture_on_commit_callbacks(execute=True):
        alice.set_password("a-brand-new-passphrase")
        alice.save()
    assert not works(pair["access_token"])
    error_of(refresh(pair["refresh_token"]), 401)


def test_a_replayed_refresh_token_revokes_the_pair_issued_from_it(alice, charlie):
    stolen = log_in(alice)
    theirs = log_in(charlie)
    rotated = refresh(stolen["refresh_token"]).json()  # the thief (or the owner) used it
    assert works(rotated["access_token"])
    error = error_of(refresh(stolen["refresh_token"]), 401)  # ...and it comes back
    assert "already used" in error["message"]
    assert not works(rotated["access_token"])
    error_of(refresh(rotated["refresh_token"]), 401)
    assert works(theirs["access_token"])
    assert works(log_in(alice)["access_token"])  # the owner logs in again


def test_a_forged_refresh_token_revokes_nothing(alice):
    pair = log_in(alice)
    error_of(refresh(pair["refresh_token"][:-4] + "AAAA"), 401)
    assert works(pair["access_token"])


@pytest.mark.django_db
def test_checking_revocation_costs_no_query(alice):
    access = log_in(alice)["access_token"]
    client = with_token(access)
    client.get("/api/tickets")
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/tickets")
    user_reads = [q for q in captured.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    # The user's row (the stamp with it) comes from the cache (accounts/auth_cache.py).
    assert user_reads == []
