"""Property-based run of the published OpenAPI schema against the app itself (schemathesis).

Every operation gets generated requests, valid and invalid (schemathesis' coverage phase of
boundary cases, then random ones); every response must be free of server errors and match the
schema: documented status code, content type and body; valid input must not be refused and
invalid input must not be accepted. Kept small (a handful of examples per operation) so the
suite stays fast; raise SCHEMATHESIS_EXAMPLES locally to dig deeper.
"""

import os

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import RefreshToken

from tests.api_helpers import (  # noqa: F401
    _clear_throttle_history,
    answered_ticket,
    escalated_ticket,
)

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))


# Loaded at import, straight from the app's own /api/schema/ (serving it needs no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
schema.config.generation.update(
    # Unknown query parameters are ignored, as HTTP APIs do (cache busters and the like); the
    # schema does not forbid them, so an API accepting them violates nothing.
    allow_extra_parameters=False,
    # The test sends a real token for the role it plays (below); generated ones are noise.
    with_security_parameters=False,
)


# Each operation runs as the role that can actually use it, so generated input reaches the
# validation and the service rather than stopping at a 403; who may do what is the matrix's job
# (test_api_matrix.py).
AGENT_WORK = {"/api/tickets/{id}/reply", "/api/tickets/{id}/claim", "/api/admin/metrics"}


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Like Django's test client: a finished request must not close the test's connection.

    Outside the test client, request_finished closes connections that are not in autocommit
    mode, which the test's transaction never is (SQLite's in-memory database shrugs it off;
    PostgreSQL does not).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def desk(alice, admin_user, wsgi_keeps_the_test_connection) -> dict:
    # Tickets the generated ids may hit (the generator tries small ids early).
    answered_ticket(alice)
    escalated_ticket(alice)
    return {"customer": alice, "admin": admin_user}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run and machine
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_honours_its_schema(case, desk):
    user = desk["admin"] if case.operation.path in AGENT_WORK else desk["customer"]
    token = RefreshToken.for_user(user).access_token
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})


def test_the_schema_generates_without_warnings(tmp_path):
    # A warning means spectacular guessed (an undocumented field, a clashing enum name): the
    # schema would then say less than the API does.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "api.yaml")
    assert "/api/tickets/{id}/resolve" in (tmp_path / "api.yaml").read_text()


def test_a_replys_intent_is_one_of_the_known_slugs(client, db):
    # Issue 15 #12: the server accepts only known slugs (or "" to keep the intent), so the
    # schema must say so rather than "any string".
    from resolution.models import Intent

    Intent.objects.create(slug="track_order", name="Track an order")
    Intent.objects.create(slug="get_refund", name="Get a refund")
    Intent.objects.create(slug="old_one", name="Retired", active=False)
    published = client.get("/api/schema/", {"format": "json"}).json()
    intent = published["components"]["schemas"]["TicketReply"]["properties"]["intent"]
    slugs, blank = intent["oneOf"]
    assert sorted(slugs["enum"]) == ["get_refund", "track_order"], intent
    assert blank == {"type": "string", "maxLength": 0}
