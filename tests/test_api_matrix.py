"""Every endpoint × {anonymous, owner, other customer, agent, admin}.

Alice owns the ticket; Charlie is the other customer. A customer never reads, resolves, rates
or even learns of another customer's ticket: that is a 404, word for word the 404 of a ticket
that does not exist. Role rules (customers don't reply, agents don't rate) are 403s that come
before any lookup, so they reveal nothing either.
"""

import pytest

from tests.api_helpers import (  # noqa: F401  (the autouse fixture)
    _clear_throttle_history,
    answered_ticket,
    api,
    error_of,
    escalated_ticket,
)
from tests.conftest import PASSWORD

ROLES = ["anonymous", "owner", "other_customer", "agent", "admin"]


# (method, path, body, ticket state, expected status per role in ROLES order)
TICKET_ENDPOINTS = {
    "detail": ("get", "/api/tickets/{id}", None, "answered", [401, 200, 404, 200, 200]),
    "resolve": ("post", "/api/tickets/{id}/resolve", None, "answered", [401, 200, 404, 200, 200]),
    "reply": (
        "post",
        "/api/tickets/{id}/reply",
        {"body": "Here is what to do.", "resolve": True},
        "escalated",
        [401, 403, 403, 201, 201],
    ),
    "claim": ("post", "/api/tickets/{id}/claim", None, "escalated", [401, 403, 403, 200, 200]),
    "feedback": (
        "post",
        "/api/feedback/{id}",
        {"rating": 4, "resolved": True},
        "answered",
        [401, 201, 404, 403, 403],
    ),
}

COLLECTION_ENDPOINTS = {
    "list": ("get", "/api/tickets", None, [401, 200, 200, 200, 200]),
    "create": ("post", "/api/tickets", {"message": "My order is late."}, [401, 201, 201, 403, 403]),
    "metrics": ("get", "/api/admin/metrics", None, [401, 403, 403, 403, 200]),
    "schema": ("get", "/api/schema/", None, [200, 200, 200, 200, 200]),
    "docs": ("get", "/api/docs/", None, [200, 200, 200, 200, 200]),
}


def _call(client, method: str, path: str, body):
    return (
        getattr(client, method)(path, body, format="json")
        if body
        else getattr(client, method)(path)
    )


@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
@pytest.mark.parametrize("endpoint", sorted(TICKET_ENDPOINTS))
def test_ticket_endpoints(endpoint, role_index, role, people, alice):
    method, path, body, state, expected = TICKET_ENDPOINTS[endpoint]
    ticket = answered_ticket(alice) if state == "answered" else escalated_ticket(alice)
    response = _call(api(people[role]), method, path.format(id=ticket.pk), body)
    status = expected[role_index]
    if status >= 400:
        error = error_of(response, status)
        if status == 404:
            # Not a hint more than for a ticket that does not exist at all.
            missing = _call(api(people[role]), method, path.format(id=ticket.pk + 1000), body)
            assert missing.json() == response.json()
        elif status == 401:
            assert error["code"] == "not_authenticated"
            assert response["WWW-Authenticate"].startswith("Bearer")
        else:
            assert error["code"] == "permission_denied"
    else:
        assert response.status_code == status, response.content[:500]


@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
@pytest.mark.parametrize("endpoint", sorted(COLLECTION_ENDPOINTS))
def test_collection_endpoints(endpoint, role_index, role, people):
    method, path, body, expected = COLLECTION_ENDPOINTS[endpoint]
    response = _call(api(people[role]), method, path, body)
    status = expected[role_index]
    if status >= 400:
        error_of(response, status)
    else:
        assert response.status_code == status, response.content[:500]


@pytest.mark.parametrize("role", ROLES)
def test_login_and_refresh_work_for_every_role_and_ignore_the_callers_token(role, people):
    user = people[role]
    client = api(people["admin"])  # a valid token for someone else must not matter
    if user is None:
        error_of(
            client.post("/api/auth/login", {"email": "nobody@example.com", "password": "x"}), 401
        )
        error_of(client.post("/api/auth/refresh", {"refresh_token": "not-a-token"}), 401)
        return
    login = client.post("/api/auth/login", {"email": user.email, "password": PASSWORD})
    assert login.status_code == 200
    refreshed = client.post("/api/auth/refresh", {"refresh_token": login.json()["refresh_token"]})
    assert refreshed.status_code == 200


def test_the_list_shows_customers_only_their_own_tickets(alice, charlie, agent, admin_user):
    mine = answered_ticket(alice)
    theirs = escalated_ticket(charlie)
    ids = {
        user.email: {t["id"] for t in api(user).get("/api/tickets").json()["results"]}
        for user in (alice, charlie, agent, admin_user)
    }
    assert ids[alice.email] == {mine.pk}
    assert ids[charlie.email] == {theirs.pk}
    assert ids[agent.email] == ids[admin_user.email] == {mine.pk, theirs.pk}
    # Filters narrow what you may see; they never widen it.
    filtered = api(charlie).get("/api/tickets", {"status": "auto_resolved"}).json()
    assert filtered["results"] == []


def test_a_customer_cannot_rate_or_resolve_someone_elses_ticket_by_guessing(alice, charlie):
    ticket = answered_ticket(alice)
    for path in (f"/api/feedback/{ticket.pk}", f"/api/tickets/{ticket.pk}/resolve"):
        error_of(api(charlie).post(path, {"rating": 1, "resolved": False}, format="json"), 404)
    ticket.refresh_from_db()
    assert ticket.status == "auto_resolved"
    assert not ticket.feedback.exists()
