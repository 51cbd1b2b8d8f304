"""The API's desk fields: assign (agents/teams), priority and tags (PATCH and filters).

Customers can neither set nor read the desk's labels; bad input is a 400 in the error shape."""

import pytest

from tests.api_helpers import api, error_of, escalated_ticket
from tickets.models import Notification, Team, TicketEvent
from tickets.services import ticket_claim, ticket_set_tags


@pytest.fixture
def ticket(alice):
    return escalated_ticket(alice)


def assign(user, ticket, body):
    return api(user).post(f"/api/tickets/{ticket.pk}/assign", body)


def test_an_agent_assigns_to_another_agent_and_to_a_team(ticket, agent, agent2):
    response = assign(agent, ticket, {"agent": agent2.pk})
    assert response.status_code == 200
    assert response.json()["assigned_agent"] == {"id": agent2.pk, "name": "Arthur Agent"}
    assert Notification.objects.get().recipient == agent2
    team = Team.objects.create(name="Billing")
    team.members.add(agent2)
    body = assign(agent2, ticket, {"team": team.pk}).json()
    assert body["team"] == {"id": team.pk, "name": "Billing"}
    assert body["assigned_agent"]["id"] == agent2.pk  # a member: kept


def test_null_unassigns(ticket, agent):
    assign(agent, ticket, {"agent": agent.pk})
    client = api(agent)
    response = client.post(
        f"/api/tickets/{ticket.pk}/assign", "null", content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["assigned_agent"], response.json()["team"]) == (None, None)


def test_customers_and_strangers_cannot_assign(ticket, alice, charlie, agent):
    error_of(assign(alice, ticket, {"agent": agent.pk}), 403)
    error_of(assign(charlie, ticket, {"agent": agent.pk}), 403)
    error_of(assign(None, ticket, {"agent": agent.pk}), 401)
    ticket.refresh_from_db()
    assert ticket.assigned_agent is None


@pytest.mark.parametrize(
    "body",
    [{"agent": 999_999}, {"agent": "x"}, {"team": 999_999}, {"agent": [1]}, ["agent"]],
)
def test_bad_assign_input_is_a_400(ticket, agent, body):
    error_of(assign(agent, ticket, body), 400)


def test_a_customer_cannot_be_assigned(ticket, agent, alice):
    error = error_of(assign(agent, ticket, {"agent": alice.pk}), 400)
    assert "agent" in error["details"]


def test_another_agents_ticket_is_a_409(ticket, agent, agent2):
    ticket_claim(ticket=ticket, agent=agent2)
    assert error_of(assign(agent, ticket, {"agent": agent.pk}), 409)["code"] == "already_claimed"


def test_a_missing_or_unseen_ticket_is_a_404(agent):
    error_of(api(agent).post("/api/tickets/999999/assign", {"agent": agent.pk}), 404)


def test_agents_set_priority_and_tags_and_each_is_audited(ticket, agent):
    response = api(agent).patch(
        f"/api/tickets/{ticket.pk}", {"priority": "high", "tags": ["VIP", "refund"]}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["priority"], response.json()["tags"]) == ("high", ["refund", "vip"])
    fields = set(TicketEvent.objects.filter(ticket=ticket).values_list("field", flat=True))
    assert {"priority", "tags"} <= fields


@pytest.mark.parametrize(
    "body",
    [
        {"priority": "whenever"},
        {"priority": None},
        {"tags": "vip"},
        {"tags": ["two words"]},
        {"tags": [""]},
        {"tags": [f"t{n}" for n in range(21)]},
    ],
)
def test_bad_fields_are_a_400_and_change_nothing(ticket, agent, body):
    error_of(api(agent).patch(f"/api/tickets/{ticket.pk}", body), 400)
    ticket.refresh_from_db()
    assert ticket.priority == "normal" and not ticket.tags.exists()


def test_customers_cannot_set_fields_nor_read_tags_or_team(ticket, alice, agent):
    error_of(api(alice).patch(f"/api/tickets/{ticket.pk}", {"priority": "urgent"}), 403)
    ticket_set_tags(ticket=ticket, actor=agent, tags=["difficult"])
    Team.objects.create(name="Billing")
    listed = api(alice).get("/api/tickets").json()["results"][0]
    detail = api(alice).get(f"/api/tickets/{ticket.pk}").json()
    for body in (listed, detail):
        assert (body["tags"], body["team"], body["priority"]) == ([], None, "normal")
    assert api(agent).get(f"/api/tickets/{ticket.pk}").json()["tags"] == ["difficult"]


def test_the_list_filters_by_priority_tags_and_team(alice, agent):
    first, second, third = (escalated_ticket(alice) for _ in range(3))
    ticket_set_tags(ticket=first, actor=agent, tags=["vip", "refund"])
    ticket_set_tags(ticket=second, actor=agent, tags=["vip"])
    api(agent).patch(f"/api/tickets/{third.pk}", {"priority": "urgent"})

    def ids(query: str) -> list[int]:
        response = api(agent).get(f"/api/tickets?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("tags=vip") == [second.pk, first.pk]
    assert ids("tags=vip,refund") == [first.pk]
    assert ids("priority=urgent") == [third.pk]
    error_of(api(agent).get("/api/tickets?priority=whenever"), 400)
    error_of(api(agent).get("/api/tickets?tags=two%20words"), 400)
    error_of(api(agent).get("/api/tickets?tags="), 400)


def test_agents_list_the_teams_and_their_members_to_assign_to(agent, agent2, alice):
    team = Team.objects.create(name="Billing", round_robin=True)
    team.members.add(agent2)
    body = api(agent).get("/api/teams").json()
    assert body == [
        {
            "id": team.pk,
            "name": "Billing",
            "round_robin": True,
            "members": [{"id": agent2.pk, "name": "Arthur Agent"}],
        }
    ]
    error_of(api(alice).get("/api/teams"), 403)
    error_of(api(None).get("/api/teams"), 401)
