"""Inputs an outside review found to cause server errors (issue 15, finding 7)."""

import pytest
from django.urls import reverse

from tests.api_helpers import api, error_of, escalated_ticket
from tests.conftest import PASSWORD


@pytest.mark.parametrize("q", ["²", "#²", "#" + "9" * 40, "9" * 40])
def test_the_queue_search_takes_any_text(client, agent, alice, q):
    escalated_ticket(alice)
    assert client.login(email=agent.email, password=PASSWORD)
    response = client.get(reverse("agent:queue"), {"q": q})
    assert response.status_code == 200


def test_a_ticket_number_still_finds_its_ticket(client, agent, alice):
    wanted = escalated_ticket(alice)
    assert client.login(email=agent.email, password=PASSWORD)
    response = client.get(reverse("agent:queue"), {"q": f"#{wanted.pk}"})
    assert [t.pk for t in response.context["tickets"]] == [wanted.pk]


@pytest.mark.parametrize(
    "query",
    [{"to": "9999-12-31"}, {"from": "9999-12-31"}, {"from": "0001-01-01", "to": "9999-12-31"}],
)
def test_the_metrics_api_takes_the_last_day_of_the_calendar(admin_user, alice, query):
    escalated_ticket(alice)
    response = api(admin_user).get("/api/admin/metrics", query)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["tickets"]["total"] == (0 if query.get("from") == "9999-12-31" else 1)


def test_the_metrics_page_takes_the_last_day_of_the_calendar(client, admin_user):
    assert client.login(email=admin_user.email, password=PASSWORD)
    response = client.get(
        reverse("ai:metrics"), {"date_from": "9999-12-01", "date_to": "9999-12-31"}
    )
    assert response.status_code == 200


def test_a_date_that_is_not_one_is_a_clear_400(admin_user):
    error = error_of(api(admin_user).get("/api/admin/metrics", {"to": "10000-01-01"}), 400)
    assert "to" in error["details"]


@pytest.mark.parametrize(
    "path, query",
    [
        ("/admin/tickets/ticket/", {"assigned_agent": "9" * 40}),
        ("/admin/tickets/ticket/", {"created_at__year": "9" * 40}),
        ("/admin/resolution/decision/", {"created_at__year": "-" + "9" * 30}),
    ],
)
def test_the_admin_refuses_numbers_no_column_holds_with_a_400(client, admin_user, path, query):
    client.force_login(admin_user)
    response = client.get(path, query)
    assert response.status_code == 400
    assert "out of range" in response.content.decode()
    assert client.get(path, {"created_at__year": "2026"}).status_code == 200
