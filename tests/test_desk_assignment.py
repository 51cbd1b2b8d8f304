"""Assignment to agents and teams, round-robin, priority and tags: the services every door calls
(workspace, API, the queue's bulk actions), each change audited and the assignee notified."""

import pytest

from common.errors import Conflict, InvalidInput, NotAllowed
from tests.api_helpers import escalated_ticket, open_ticket
from tickets.assignment import agent_set_available
from tickets.models import Notification, Team, TicketEvent
from tickets.services import (
    ticket_assign,
    ticket_claim,
    ticket_customer_reply,
    ticket_escalate,
    ticket_release,
    ticket_set_priority,
    ticket_set_tags,
)


@pytest.fixture
def billing(agent, agent2) -> Team:
    team = Team.objects.create(name="Billing")
    team.members.add(agent, agent2)
    return team


def events(ticket, field: str) -> list[tuple]:
    return list(
        TicketEvent.objects.filter(ticket=ticket, field=field).values_list(
            "actor__email", "old_value", "new_value"
        )
    )


def test_an_agent_assigns_a_ticket_to_another_agent_who_is_notified(alice, agent, agent2):
    ticket = escalated_ticket(alice)
    ticket = ticket_assign(ticket=ticket, actor=agent, agent=agent2)
    assert ticket.assigned_agent == agent2
    assert events(ticket, "assigned_agent") == [("agnes@example.com", "", str(agent2.pk))]
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind) == (agent2, "assigned")


def test_assigning_to_yourself_notifies_nobody(alice, agent):
    ticket_assign(ticket=escalated_ticket(alice), actor=agent, agent=agent)
    assert not Notification.objects.exists()


def test_a_team_and_a_member_together_and_unassigning_clears_both(alice, agent, billing):
    ticket = ticket_assign(ticket=escalated_ticket(alice), actor=agent, agent=agent, team=billing)
    assert (ticket.team, ticket.assigned_agent) == (billing, agent)
    assert events(ticket, "team") == [("agnes@example.com", "", str(billing.pk))]
    ticket = ticket_assign(ticket=ticket, actor=agent, agent=None)  # the team keeps it
    assert (ticket.team, ticket.assigned_agent) == (billing, None)
    ticket = ticket_assign(ticket=ticket, actor=agent, agent=None, team=None)
    assert (ticket.team, ticket.assigned_agent) == (None, None)
    assert len(events(ticket, "team")) == 2


def test_a_new_team_keeps_a_member_and_drops_an_outsider(alice, agent, agent2, billing):
    support = Team.objects.create(name="Support")
    support.members.add(agent)
    ticket = ticket_assign(ticket=escalated_ticket(alice), actor=agent, agent=agent)
    ticket = ticket_assign(ticket=ticket, actor=agent, team=support)
    assert (ticket.team, ticket.assigned_agent) == (support, agent)
    ticket = ticket_assign(ticket=ticket, actor=agent, agent=agent2)  # not in Support
    assert (ticket.team, ticket.assigned_agent) == (None, agent2)
    solo = Team.objects.create(name="Solo")
    ticket = ticket_assign(ticket=ticket, actor=agent2, team=solo)
    assert (ticket.team, ticket.assigned_agent) == (solo, None)


def test_only_members_of_the_team_and_only_agents_can_be_assigned(alice, charlie, agent):
    team = Team.objects.create(name="Empty")
    ticket = escalated_ticket(alice)
    with pytest.raises(InvalidInput, match="not a member"):
        ticket_assign(ticket=ticket, actor=agent, agent=agent, team=team)
    with pytest.raises(InvalidInput, match="Only active agents"):
        ticket_assign(ticket=ticket, actor=agent, agent=charlie)
    with pytest.raises(NotAllowed):
        ticket_assign(ticket=ticket, actor=alice, agent=agent)
    ticket.refresh_from_db()
    assert (ticket.assigned_agent, ticket.team) == (None, None)


def test_another_agents_ticket_is_passed_on_only_by_them_or_an_admin(
    alice, agent, agent2, admin_user
):
    ticket = ticket_claim(ticket=escalated_ticket(alice), agent=agent2)
    with pytest.raises(Conflict, match="Arthur Agent"):
        ticket_assign(ticket=ticket, actor=agent, agent=agent)
    assert ticket_assign(ticket=ticket, actor=admin_user, agent=agent).assigned_agent == agent
    assert ticket_assign(ticket=ticket, actor=agent, agent=agent2).assigned_agent == agent2


def test_claim_and_release_stay_consistent_with_assignment(alice, agent, agent2):
    ticket = ticket_assign(ticket=escalated_ticket(alice), actor=agent, agent=agent)
    with pytest.raises(Conflict):
        ticket_claim(ticket=ticket, agent=agent2)
    ticket = ticket_release(ticket=ticket, agent=agent)
    assert ticket.assigned_agent is None
    assert ticket_claim(ticket=ticket, agent=agent2).assigned_agent == agent2


def test_round_robin_gives_a_teams_escalations_to_available_members_in_turn(
    alice, agent, agent2, billing
):
    billing.round_robin = True
    billing.save()
    agent_set_available(agent=agent, available=True)
    agent_set_available(agent=agent2, available=True)
    owners = []
    for _ in range(4):
        ticket = open_ticket(alice, team=billing)
        ticket_escalate(ticket=ticket, reason="low_confidence")
        ticket.refresh_from_db()
        owners.append(ticket.assigned_agent)
    assert owners[0] != owners[1] and owners[:2] == owners[2:]
    assert Notification.objects.filter(kind="assigned").count() == 4


def test_round_robin_skips_agents_who_are_away_and_is_off_unless_switched_on(
    alice, agent, agent2, billing, settings
):
    agent_set_available(agent=agent, available=True)
    ticket = open_ticket(alice, team=billing)
    ticket_escalate(ticket=ticket, reason="low_confidence")
    assert ticket.assigned_agent is None  # the team's switch is off

    settings.DESK_ROUND_ROBIN = True
    agent_set_available(agent=agent2, available=False)
    for _ in range(2):
        ticket = open_ticket(alice)
        ticket_escalate(ticket=ticket, reason="low_confidence")
        assert ticket.assigned_agent == agent


def test_assigning_to_a_round_robin_team_picks_its_next_member(alice, agent, agent2, billing):
    billing.round_robin = True
    billing.save()
    agent_set_available(agent=agent2, available=True)
    ticket = ticket_assign(ticket=escalated_ticket(alice), actor=agent, team=billing)
    assert (ticket.team, ticket.assigned_agent) == (billing, agent2)


def test_a_customer_reply_notifies_the_assignee(alice, agent):
    ticket = ticket_claim(ticket=escalated_ticket(alice), agent=agent)
    ticket_customer_reply(ticket=ticket, customer=alice, body="Any news?")
    assert Notification.objects.get().kind == "customer_reply"


def test_priority_is_set_audited_and_checked(alice, agent):
    ticket = escalated_ticket(alice)
    ticket = ticket_set_priority(ticket=ticket, actor=agent, priority="urgent")
    assert ticket.priority == "urgent"
    assert events(ticket, "priority") == [("agnes@example.com", "normal", "urgent")]
    ticket_set_priority(ticket=ticket, actor=agent, priority="urgent")
    assert len(events(ticket, "priority")) == 1  # no change, no event
    with pytest.raises(InvalidInput):
        ticket_set_priority(ticket=ticket, actor=agent, priority="whenever")
    with pytest.raises(NotAllowed):
        ticket_set_priority(ticket=ticket, actor=alice, priority="low")


def test_tags_are_replaced_added_and_removed_with_one_event_each(alice, agent):
    ticket = escalated_ticket(alice)
    assert ticket_set_tags(ticket=ticket, actor=agent, tags=["VIP", "refund", "vip"]) == [
        "refund",
        "vip",
    ]
    assert ticket_set_tags(ticket=ticket, actor=agent, add=["late"], remove=["vip"]) == [
        "late",
        "refund",
    ]
    assert events(ticket, "tags") == [
        ("agnes@example.com", "", "refund,vip"),
        ("agnes@example.com", "refund,vip", "late,refund"),
    ]


@pytest.mark.parametrize("bad", ["two words", "", "x" * 51, "<b>"])
def test_a_bad_tag_is_refused_and_changes_nothing(alice, agent, bad):
    ticket = escalated_ticket(alice)
    ticket_set_tags(ticket=ticket, actor=agent, tags=["keep"])
    with pytest.raises(InvalidInput):
        ticket_set_tags(ticket=ticket, actor=agent, tags=["ok", bad])
    assert list(ticket.tags.values_list("name", flat=True)) == ["keep"]
