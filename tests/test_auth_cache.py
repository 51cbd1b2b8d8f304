"""The API reads its user from a short-lived cache (accounts/auth_cache.py); every change that
matters to authentication is seen by the next request, not AUTH_USER_CACHE_SECONDS later."""

import pickle

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.auth_cache import _key
from accounts.models import Role
from accounts.verification import user_verify_email, verification_tokens
from tests.api_helpers import _clear_throttle_history, api, error_of  # noqa: F401
from tests.conftest import PASSWORD


def token_client(user):
    response = api().post("/api/auth/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    return client


def user_reads(client, path: str = "/api/tickets") -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    reads = [q for q in captured.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    return response.status_code, len(reads)


def test_the_second_request_reads_no_user_row(alice):
    client = token_client(alice)
    assert user_reads(client) == (200, 1)
    assert user_reads(client) == (200, 0)


def test_with_the_cache_off_every_request_reads_the_row(alice, settings):
    settings.AUTH_USER_CACHE_SECONDS = 0
    client = token_client(alice)
    assert user_reads(client) == (200, 1)
    assert user_reads(client) == (200, 1)


def test_a_deactivated_user_is_refused_at_the_next_request(alice):
    client = token_client(alice)
    assert client.get("/api/tickets").status_code == 200
    alice.is_active = False
    alice.save()  # as the admin's form does
    error_of(client.get("/api/tickets"), 401)


def test_a_deleted_user_is_refused_at_the_next_request(alice):
    client = token_client(alice)
    assert client.get("/api/tickets").status_code == 200
    alice.delete()
    error_of(client.get("/api/tickets"), 401)


def test_a_role_change_counts_at_the_next_request(alice):
    client = token_client(alice)
    assert client.post("/api/tickets", {"message": "Hello"}).status_code in (200, 201)
    alice.role = Role.AGENT
    alice.save(update_fields=["role"])
    # Agents do not open tickets: the new role is already the one checked.
    error_of(client.post("/api/tickets", {"message": "Hello again"}), 403)


def test_confirming_the_address_counts_at_the_next_request(alice):
    alice.email_verified_at = None
    alice.save()
    client = token_client(alice)
    error_of(client.post("/api/tickets", {"message": "Hello"}), 403)
    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    assert user_verify_email(uidb64=uid, token=verification_tokens.make_token(alice))
    assert client.post("/api/tickets", {"message": "Hello"}).status_code == 201


def test_the_cache_holds_no_password_hash(alice):
    client = token_client(alice)
    assert client.get("/api/tickets").status_code == 200
    cached = cache.get(_key(alice.pk))
    assert cached is not None and cached.pk == alice.pk
    assert "password" not in cached.__dict__
    assert alice.password.encode() not in pickle.dumps(cached)


def test_each_token_gets_its_own_users_row(alice, charlie):
    mine, theirs = token_client(alice), token_client(charlie)
    created = mine.post("/api/tickets", {"message": "Where is my parcel?"}).json()["id"]
    for _ in range(2):  # uncached, then cached
        assert [t["id"] for t in mine.get("/api/tickets").json()["results"]] == [created]
        assert theirs.get("/api/tickets").json()["results"] == []
