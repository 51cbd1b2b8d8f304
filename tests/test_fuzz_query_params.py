"""No query string yields a 500, on any page or endpoint (issue 15: "fuzz every query parameter").

The routes are walked from the URL conf (every page, fragment, API endpoint and admin
changelist, with the ids of real objects, as the authorization matrix does), and each is asked
for with generated query strings, as each role that can reach it. The parameter names are those
the code reads, found rather than listed: `GET.get("…")`/`query_params.get("…")` in the source,
the fields of the filter forms, filter sets and query serializers, the admin's own parameters
and each ModelAdmin's filters, plus names hypothesis makes up. The values lean on what has
broken before: non-ASCII digits, huge numbers, the calendar's ends, NUL, empty and long text.

Cheap by design (a few examples per route; ~40 s here); SUPPORTDESK_FUZZ_EXAMPLES digs deeper.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from resolution.api import MetricsQuerySerializer
from resolution.views import MetricsRangeForm
from tests.api_helpers import _clear_throttle_history, answered_ticket, api  # noqa: F401
from tests.test_security_matrix import RULES, _admin_model_keys, _path
from tickets.agent_forms import QueueFilterForm
from tickets.api import TicketFilter
from tickets.paging import TicketCursorPagination as TicketPagination

EXAMPLES = int(os.environ.get("SUPPORTDESK_FUZZ_EXAMPLES", "4"))
ROOT = Path(__file__).resolve().parent.parent
_READS = re.compile(r"""(?:GET|query_params|data)(?:\.get\(|\[)\s*["'](\w+)["']""")


def _names_the_code_reads() -> set[str]:
    names: set[str] = set()
    for app in ("accounts", "tickets", "feedback", "resolution", "supportdesk"):
        for source in (ROOT / app).rglob("*.py"):
            names |= set(_READS.findall(source.read_text(encoding="utf-8")))
    return names


def _admin_names() -> set[str]:
    names = {"q", "o", "p", "e", "all", "_popup", "_to_field", "_changelist_filters"}
    names |= {"app_label", "model_name", "field_name", "term"}  # the autocomplete view
    for model_admin in admin.site._registry.values():
        for spec in model_admin.list_filter:
            field = spec if isinstance(spec, str) else spec[0] if isinstance(spec, tuple) else ""
            if field:
                names |= {field, f"{field}__exact", f"{field}__isnull", f"{field}__gte"}
        if model_admin.date_hierarchy:
            names |= {f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")}
    return names


NAMES = sorted(
    _names_the_code_reads()
    | set(QueueFilterForm.base_fields)
    | set(MetricsRangeForm.base_fields)
    | set(TicketFilter.base_filters)
    | set(MetricsQuerySerializer().fields)
    | {
        TicketPagination.page_query_param,
        TicketPagination.page_size_query_param,
        TicketPagination.cursor_query_param,
        "format",
    }
    | _admin_names()
)

GATES = {"format", "page", "page_size", "cursor", "p", "o", "e", "all", "_to_field", "_popup"}
GATE_VALUES = ["²", "9" * 40, "-1"]

NASTY = [
    "",
    "²",
    "#²",
    "٣",
    "-1",
    "0",
    "9" * 40,
    "#" + "9" * 30,
    "1e309",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "10000-01-01",
    "\x00",
    "a\x00b",
    "' OR 1=1 --",
    "%",
    "_",
    "x" * 1000,
    "true",
    "null",
    "[]",
]
values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(str),
)
names = st.one_of(st.sampled_from(NAMES), st.text(min_size=1, max_size=12))
queries = st.lists(st.tuples(names, values), max_size=4)

ROLES = ["anonymous", "owner", "agent", "admin"]


def _gettable_routes() -> list[str]:
    keys = [key for key in RULES if key not in ("admin:logout", "accounts:logout")]
    return keys + sorted(set(_admin_model_keys().values()))


def _client(key: str, user):
    if key.startswith("api"):
        return api(user)
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _reaching_role(key: str) -> str:
    """The role that gets furthest into the route: the first one its rule lets in (2xx)."""
    outcomes = RULES.get(key, ("get", "", None, ["", "", "", "", "200"]))[3]
    matrix_roles = ["anonymous", "owner", "other_customer", "agent", "admin"]
    for role, outcome in zip(matrix_roles, outcomes, strict=True):
        if outcome.startswith("2") and role != "other_customer":
            return role
    return "admin"


@pytest.mark.parametrize("key", _gettable_routes())
def test_no_query_string_breaks_a_page(key, people, alice):
    ticket = answered_ticket(alice)
    path = _path(key, ticket, alice)
    clients = {role: _client(key, people[role]) for role in ROLES}
    reaching = clients[_reaching_role(key)]

    # Every parameter name at once with each value that has broken something before, as the
    # role that gets furthest in, with and without htmx.
    # Parameters that refuse or reshape the whole request (a bad page, renderer or admin mode)
    # go alone, so they do not hide what the others would do.
    htmx = {"HX-Request": "true", "HX-Target": "ticket-live"}
    # The schema view reads only its renderer and language, and takes ~0.5 s a request.
    schema = key == "api-schema"
    for n, value in enumerate(NASTY[:4] if schema else NASTY):
        together = {name: value for name in NAMES if name not in GATES}
        response = reaching.get(path, together, headers=htmx if n % 2 else {})
        assert response.status_code < 500, (key, together, response.status_code)
    for gate in {"format"} if schema else GATES:
        for value in GATE_VALUES:
            response = reaching.get(path, {gate: value})
            assert response.status_code < 500, (key, gate, value, response.status_code)

    # Then generated mixes of names, values and roles.
    @given(query=queries, role=st.sampled_from(ROLES), htmx=st.booleans())
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    def check(query: list[tuple[str, str]], role: str, htmx: bool) -> None:
        headers = {"HX-Request": "true", "HX-Target": "ticket-live"} if htmx else {}
        response = clients[role].get(path, query, headers=headers)
        assert response.status_code < 500, (key, role, query, response.status_code)

    check()
