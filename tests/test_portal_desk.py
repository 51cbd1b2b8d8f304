"""The agent's desk in the workspace: assign, priority and tags, macros in the reply box,
customer context, the notifications bell and availability. Authorization and bad input."""

import pytest

from feedback.csat import survey_answer
from tests.api_helpers import escalated_ticket
from tests.conftest import PASSWORD
from tickets.macros import macro_create
from tickets.models import AgentPresence, Notification, Team, TicketEvent
from tickets.services import ticket_agent_reply, ticket_assign, ticket_claim


def login(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


@pytest.fixture
def ticket(alice):
    return escalated_ticket(alice)


def test_the_workspace_shows_the_desk_and_the_customer_context(client, alice, agent, ticket):
    older = escalated_ticket(alice, reason="no_answer")
    older.subject = "An older question"
    older.save()
    ticket_agent_reply(ticket=older, agent=agent, body="Done.", resolve=True)
    survey_answer(ticket=older, score=4, comment="Nice")
    page = login(client, agent).get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert 'id="assign-form"' in page and 'id="fields-form"' in page
    assert f'href="/agent/tickets/{older.pk}/"' in page and "An older question" in page
    assert "satisfaction 4.0 of 5" in page and "Nice" in page
    assert "Portal" in page  # the channel it came by


def test_an_agent_assigns_from_the_workspace_and_the_assignee_is_notified(
    client, ticket, agent, agent2
):
    team = Team.objects.create(name="Billing")
    team.members.add(agent2)
    response = login(client, agent).post(
        f"/agent/tickets/{ticket.pk}/assign/", {"agent": agent2.pk, "team": team.pk}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.assigned_agent, ticket.team) == (agent2, team)
    assert Notification.objects.get().recipient == agent2


def test_bad_or_refused_assignments_are_messages_not_500s(client, ticket, agent, agent2, alice):
    ticket_claim(ticket=ticket, agent=agent2)
    login(client, agent)
    for body in ({"agent": "nope"}, {"agent": alice.pk}, {"agent": agent.pk}):
        response = client.post(f"/agent/tickets/{ticket.pk}/assign/", body, follow=True)
        assert response.status_code == 200
        assert b"alert--error" in response.content
    ticket.refresh_from_db()
    assert ticket.assigned_agent == agent2


def test_priority_and_tags_are_set_shown_and_audited(client, ticket, agent):
    login(client, agent)
    client.post(f"/agent/tickets/{ticket.pk}/fields/", {"priority": "urgent", "tags": "vip, late"})
    ticket.refresh_from_db()
    assert ticket.priority == "urgent"
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["late", "vip"]
    assert TicketEvent.objects.filter(ticket=ticket, field__in=["priority", "tags"]).count() == 2
    queue = client.get("/agent/").content.decode()
    assert "badge--priority-urgent" in queue and ">vip<" in queue
    response = client.post(
        f"/agent/tickets/{ticket.pk}/fields/",
        {"priority": "asap", "tags": "two words"},
        follow=True,
    )
    assert b"Not saved" in response.content
    ticket.refresh_from_db()
    assert ticket.priority == "urgent"


def test_customers_and_visitors_cannot_reach_the_desk(client, ticket, alice, agent):
    urls = [
        f"/agent/tickets/{ticket.pk}/assign/",
        f"/agent/tickets/{ticket.pk}/fields/",
        "/agent/availability/",
        "/agent/notifications/read/",
    ]
    for url in urls:
        assert client.post(url, {"agent": agent.pk}).status_code == 302  # to log in
    login(client, alice)
    for url in urls:
        assert client.post(url, {"agent": agent.pk, "priority": "low"}).status_code == 403
    assert client.get("/agent/notifications/").status_code == 403
    ticket.refresh_from_db()
    assert (ticket.assigned_agent, ticket.priority) == (None, "normal")


def test_a_macro_fills_the_reply_box_and_its_actions_apply_on_send(client, ticket, agent):
    macro = macro_create(
        author=agent,
        title="Refund sent",
        body="Hello {{ customer.first_name }}, your refund for #{{ ticket.id }} is on its way.",
        set_status="resolved",
        set_priority="low",
        add_tags=["refund"],
    )
    login(client, agent)
    page = client.get(f"/agent/tickets/{ticket.pk}/?macro={macro.pk}").content.decode()
    text = f"Hello Alice, your refund for #{ticket.pk} is on its way."
    assert text in page and f'name="macro" value="{macro.pk}"' in page
    client.post(
        f"/agent/tickets/{ticket.pk}/reply/",
        {"body": text + " Regards", "macro": macro.pk, "action": "reply"},
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("resolved", "low")
    assert list(ticket.tags.values_list("name", flat=True)) == ["refund"]


def test_another_agents_personal_macro_is_neither_shown_nor_applied(client, ticket, agent, agent2):
    theirs = macro_create(author=agent2, title="Theirs", body="Secret", set_priority="urgent")
    login(client, agent)
    page = client.get(f"/agent/tickets/{ticket.pk}/?macro={theirs.pk}").content.decode()
    assert "Secret" not in page and "Theirs" not in page
    response = client.post(f"/agent/tickets/{ticket.pk}/reply/", {"body": "Hi", "macro": theirs.pk})
    assert response.status_code == 200  # the form again, with the error
    ticket.refresh_from_db()
    assert ticket.priority == "normal" and ticket.messages.count() == 1


def test_the_bell_counts_unread_notifications_and_reading_clears_them(
    client, ticket, agent, agent2
):
    ticket_assign(ticket=ticket, actor=agent2, agent=agent)
    login(client, agent)
    page = client.get("/agent/").content.decode()
    assert 'id="notifications-unread">1<' in page
    listing = client.get("/agent/notifications/").content.decode()
    assert f"#{ticket.pk}" in listing and "Assigned to you" in listing
    notification = Notification.objects.get()
    response = client.post("/agent/notifications/read/", {"id": notification.pk})
    assert response["Location"] == f"/agent/tickets/{ticket.pk}/"
    assert 'id="notifications-unread"' not in client.get("/agent/").content.decode()


def test_opening_the_ticket_marks_its_notifications_read(client, ticket, alice, agent, agent2):
    other = escalated_ticket(alice)
    ticket_assign(ticket=ticket, actor=agent2, agent=agent)
    ticket_assign(ticket=other, actor=agent2, agent=agent)
    login(client, agent).get(f"/agent/tickets/{ticket.pk}/")
    unread = Notification.objects.filter(read_at__isnull=True)
    assert list(unread.values_list("ticket_id", flat=True)) == [other.pk]


def test_an_agent_cannot_read_anothers_notification(client, ticket, agent, agent2):
    ticket_assign(ticket=ticket, actor=agent, agent=agent2)
    login(client, agent)
    notification = Notification.objects.get()
    assert client.post("/agent/notifications/read/", {"id": notification.pk}).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_an_agent_sets_their_availability(client, agent):
    login(client, agent)
    client.post("/agent/availability/", {"available": "yes"})
    assert AgentPresence.objects.get(agent=agent).available is True
    response = client.post("/agent/availability/", {"available": "maybe"}, follow=True)
    assert b"Choose available or away" in response.content
    client.post("/agent/availability/", {"available": "no", "next": "https://evil.test/"})
    assert AgentPresence.objects.get(agent=agent).available is False


def test_admins_manage_teams_and_macros_in_django_admin(client, admin_user, agent, alice):
    login(client, admin_user)
    response = client.post(
        "/admin/tickets/team/add/", {"name": "Billing", "round_robin": "on", "members": [agent.pk]}
    )
    assert response.status_code == 302, response.content[:2000]
    team = Team.objects.get()
    assert (team.round_robin, list(team.members.all())) == (True, [agent])
    refused = client.post("/admin/tickets/team/add/", {"name": "Customers", "members": [alice.pk]})
    assert refused.status_code == 200 and not Team.objects.filter(name="Customers").exists()
    bad_macro = client.post(
        "/admin/tickets/macro/add/", {"title": "Bad", "body": "Hi {{ customer.password }}"}
    )
    assert bad_macro.status_code == 200 and b"Unknown placeholder" in bad_macro.content
