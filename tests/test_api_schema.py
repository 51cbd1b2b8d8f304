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
from django.core.wsgi import get_wsgi_application
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


# Each operation runs as the role that can actually use it, so generated input reaches the
# validation and the service rather than stopping at a 403; who may do what is the matrix's job
# (test_api_matrix.py).
AGENT_WORK = {"/api/tickets/{id}/reply", "/api/tickets/{id}/claim", "/api/admin/metrics"}


@pytest.fixture
def desk(alice, admin_user) -> dict:
    # Tickets the generated ids may hit (the generator tries small ids early).
    answered_ticket(alice)
    escalated_ticket(alice)
    return {"customer": alice, "admin": admin_user}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_honours_its_schema(case, desk):
    user = desk["admin"] if case.operation.path in AGENT_WORK else desk["customer"]
    token = RefreshToken.for_user(user).access_token
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
