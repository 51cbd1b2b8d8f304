"""SLAs: due times on tickets, first response, priority changes, the sweep and attainment."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from channels.models import WebhookEndpoint
from resolution.metrics import summary
from tests.api_helpers import api, open_ticket
from tests.conftest import make_user
from tickets.models import BusinessCalendar, Priority, SlaPolicy, Ticket, TicketEvent, TicketStatus
from tickets.rules import rule_save
from tickets.services import ticket_agent_reply, ticket_escalate, ticket_resolve
from tickets.sla import sla_attainment, sla_state, sla_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def around_the_clock(db):
    """The seeded policies without a calendar: due times are plain minutes after the start."""
    SlaPolicy.objects.update(calendar=None)
    return {p.priority: p for p in SlaPolicy.objects.all()}


def to_person(customer, **fields) -> Ticket:
    ticket = open_ticket(customer, **fields)
    ticket_escalate(ticket=ticket, reason="low_confidence")
    ticket.refresh_from_db()
    return ticket


def test_a_sensible_default_policy_is_seeded():
    policies = {p.priority: p for p in SlaPolicy.objects.select_related("calendar")}
    assert set(policies) == set(Priority.values)
    assert policies["urgent"].first_response_minutes < policies["low"].first_response_minutes
    calendar = BusinessCalendar.objects.get(name="Office hours")
    assert calendar.weekly_hours["0"] == [["09:00", "17:00"]] and "5" not in calendar.weekly_hours
    assert all(p.calendar == calendar for p in policies.values())


def test_the_clock_starts_when_a_ticket_goes_to_a_person(alice, around_the_clock):
    ticket = open_ticket(alice)
    assert ticket.first_response_due is None and ticket.resolution_due is None
    ticket_escalate(ticket=ticket, reason="low_confidence")
    ticket.refresh_from_db()
    normal = around_the_clock["normal"]
    start = ticket.sla_started_at
    assert start is not None
    assert ticket.first_response_due == start + timedelta(minutes=normal.first_response_minutes)
    assert ticket.resolution_due == start + timedelta(minutes=normal.resolution_minutes)


def test_due_times_follow_business_hours(alice):
    ticket = to_person(alice)
    # Office hours: the due time falls on a weekday between 9:00 and 17:00 (UTC).
    for due in (ticket.first_response_due, ticket.resolution_due):
        assert due.weekday() < 5 and 9 <= due.hour <= 17


def test_a_priority_change_recomputes_the_due_times(alice, admin_user, around_the_clock):
    ticket = to_person(alice)
    Ticket.objects.filter(pk=ticket.pk).update(sla_notified="first_response:warning")
    rule_save(
        name="urgent",
        stage="after_model",
        conditions=[],
        actions=[{"type": "set_priority", "value": "urgent"}],
    )
    from tickets.rules import rules_apply, rules_matching

    ticket.refresh_from_db()
    rules_apply(ticket, rules_matching(ticket, stage="after_model"))
    ticket.refresh_from_db()
    urgent = around_the_clock["urgent"]
    assert ticket.priority == "urgent"
    assert ticket.first_response_due == ticket.sla_started_at + timedelta(
        minutes=urgent.first_response_minutes
    )
    assert ticket.sla_notified == ""  # new targets: warnings again


def test_a_public_reply_meets_the_first_response_and_a_note_does_not(alice, agent):
    ticket = to_person(alice)
    ticket_agent_reply(ticket=ticket, agent=agent, body="Looking into it", internal=True)
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None
    message = ticket_agent_reply(ticket=ticket, agent=agent, body="Here is what happened")
    ticket.refresh_from_db()
    assert ticket.first_responded_at == message.created_at
    ticket_agent_reply(ticket=ticket, agent=agent, body="And one more thing")
    ticket.refresh_from_db()
    assert ticket.first_responded_at == message.created_at  # the first one counts


def test_a_reopened_ticket_starts_a_new_clock(alice, admin_user):
    ticket = to_person(alice)
    first_start = ticket.sla_started_at
    ticket_resolve(ticket=ticket, actor=admin_user)
    Ticket.objects.filter(pk=ticket.pk).update(sla_started_at=first_start - timedelta(days=3))
    ticket.refresh_from_db()
    ticket_escalate(ticket=ticket, reason="reopened", actor=alice)
    ticket.refresh_from_db()
    assert ticket.sla_started_at > first_start - timedelta(days=3) + timedelta(days=2)
    # Escalated again while still with a person: the clock keeps running.
    started = ticket.sla_started_at
    ticket_escalate(ticket=ticket, reason="ai_error")
    ticket.refresh_from_db()
    assert ticket.sla_started_at == started


def test_api_shows_the_due_times(alice, agent, around_the_clock):
    ticket = to_person(alice)
    body = api(agent).get(f"/api/tickets/{ticket.pk}").json()
    assert body["first_response_due"] is not None and body["resolution_due"] is not None
    assert body["first_responded_at"] is None
    listed = api(alice).get("/api/tickets").json()
    row = next(r for r in listed["results"] if r["id"] == ticket.pk)
    assert row["resolution_due"] == body["resolution_due"]


def test_queue_state_is_ok_due_soon_or_breached(alice, settings):
    settings.SLA_WARNING_MINUTES = 60
    ticket = to_person(alice)
    now = timezone.now()
    ticket.first_response_due = now + timedelta(hours=3)
    assert sla_state(ticket, now=now).state == "ok"
    ticket.first_response_due = now + timedelta(minutes=30)
    assert sla_state(ticket, now=now).state == "due_soon"
    ticket.first_response_due = now - timedelta(minutes=1)
    state = sla_state(ticket, now=now)
    assert state.state == "breached" and state.target == "first_response"
    ticket.first_responded_at = now
    ticket.resolution_due = now + timedelta(days=1)
    assert sla_state(ticket, now=now).target == "resolution"
    ticket.status = TicketStatus.RESOLVED
    assert sla_state(ticket, now=now) is None


def test_the_sweep_warns_then_announces_the_breach_once(
    alice, settings, http_receiver, django_capture_on_commit_callbacks
):
    settings.SLA_WARNING_MINUTES = 60
    WebhookEndpoint.objects.create(
        url=http_receiver.url + "/sla",
        events=["ticket.sla_warning", "ticket.sla_breached"],
        secret="0123456789abcdef-secret",
    )
    ticket = to_person(alice)
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due=now + timedelta(minutes=30), resolution_due=now + timedelta(days=2)
    )
    on_time = to_person(alice)
    Ticket.objects.filter(pk=on_time.pk).update(
        first_response_due=now + timedelta(hours=5), resolution_due=now + timedelta(days=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep(now=now) == {"warning": 1, "breach": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep(now=now) == {"warning": 0, "breach": 0}  # once
    later = now + timedelta(minutes=31)
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep(now=later) == {"warning": 0, "breach": 1}
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep(now=later + timedelta(minutes=5)) == {"warning": 0, "breach": 0}
    events = TicketEvent.objects.filter(ticket=ticket, field=TicketEvent.Field.SLA)
    assert [e.new_value for e in events] == ["first_response:warning", "first_response:breach"]
    assert not TicketEvent.objects.filter(ticket=on_time, field=TicketEvent.Field.SLA).exists()
    kinds = [r.headers["X-SupportDesk-Event"] for r in http_receiver.requests]
    assert kinds == ["ticket.sla_warning", "ticket.sla_breached"]
    payload = http_receiver.requests[-1].json()["data"]
    assert payload["ticket"]["id"] == ticket.pk
    assert payload["sla"]["target"] == "first_response"


def test_the_sweep_ignores_answered_and_closed_tickets(alice, agent):
    now = timezone.now()
    answered = to_person(alice)
    ticket_agent_reply(ticket=answered, agent=agent, body="Done", resolve=True)
    Ticket.objects.update(
        first_response_due=now - timedelta(hours=1), resolution_due=now - timedelta(hours=1)
    )
    assert sla_sweep(now=now) == {"warning": 0, "breach": 0}


def test_the_sweep_is_a_periodic_task(settings):
    from tickets.tasks import sla_sweep as task

    assert settings.CELERY_BEAT_SCHEDULE["sla-sweep"]["task"] == task.name
    assert task.delay().get() == {"warning": 0, "breach": 0}


def test_attainment_counts_met_and_breached_targets(alice, agent, around_the_clock):
    now = timezone.now()
    met = to_person(alice)
    ticket_agent_reply(ticket=met, agent=agent, body="Sorted", resolve=True)
    late = to_person(alice, priority="high")
    ticket_agent_reply(ticket=late, agent=agent, body="Sorry for the wait")
    Ticket.objects.filter(pk=late.pk).update(
        first_response_due=now - timedelta(hours=1), resolution_due=now - timedelta(minutes=1)
    )
    running = to_person(alice)  # nothing settled yet: not counted
    assert running.first_response_due > now
    result = sla_attainment(Ticket.objects.all(), now=now)
    assert result["tickets"] == 3
    assert result["first_response"] == {"met": 1, "breached": 1, "attainment": 0.5}
    assert result["resolution"] == {"met": 1, "breached": 1, "attainment": 0.5}
    rows = {row["priority"]: row for row in result["by_priority"]}
    assert rows["high"]["first_response"]["breached"] == 1
    assert rows["normal"]["first_response"]["met"] == 1
    assert rows["urgent"]["tickets"] == 0 and rows["urgent"]["first_response"]["attainment"] is None
    assert summary()["sla"]["first_response"]["met"] == 1
    (week,) = result["by_week"]  # all made this week
    assert week["tickets"] == 3 and week["first_response"]["breached"] == 1
    assert week["week_of"].weekday() == 0


def test_attainment_per_week(alice, agent, around_the_clock):
    old = to_person(alice)
    ticket_agent_reply(ticket=old, agent=agent, body="Sorted", resolve=True)
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=14))
    to_person(alice)
    weeks = sla_attainment(Ticket.objects.all())["by_week"]
    assert [w["tickets"] for w in weeks] == [1, 1]
    assert weeks[0]["week_of"] < weeks[1]["week_of"]
    assert weeks[0]["resolution"]["attainment"] == 1.0


def test_metrics_api_and_page_show_attainment(alice, agent, admin_user, client, around_the_clock):
    ticket = to_person(alice)
    ticket_agent_reply(ticket=ticket, agent=agent, body="Sorted", resolve=True)
    body = api(admin_user).get("/api/admin/metrics").json()
    assert body["sla"]["resolution"] == {"met": 1, "breached": 0, "attainment": 1.0}
    assert body["sla"]["by_priority"][0].keys() >= {"priority", "label", "first_response"}
    client.force_login(admin_user)
    page = client.get(reverse("ai:metrics")).content.decode()
    assert "SLA targets met" in page and 'id="sla-attainment"' in page


def test_admins_manage_calendars_and_policies_in_django_admin(admin_user, client):
    client.force_login(admin_user)
    assert client.get("/admin/tickets/slapolicy/").status_code == 200
    assert client.get("/admin/tickets/businesscalendar/add/").status_code == 200
    response = client.post(
        "/admin/tickets/businesscalendar/add/",
        {
            "name": "Madrid",
            "time_zone": "Europe/Madrid",
            "weekly_hours": '{"0": [["17:00", "09:00"]]}',
            "country": "ES",
            "subdivision": "",
            "holidays-TOTAL_FORMS": "0",
            "holidays-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and "ends before it starts" in response.content.decode()
    assert not BusinessCalendar.objects.filter(name="Madrid").exists()


def test_agents_cannot_edit_policies(agent, client):
    client.force_login(agent)
    assert client.get("/admin/tickets/slapolicy/").status_code in (302, 403)


def test_the_agents_workspace_shows_the_next_target(alice, agent, client, settings):
    settings.SLA_WARNING_MINUTES = 60
    ticket = to_person(alice)
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due=timezone.now() - timedelta(minutes=5)
    )
    client.force_login(agent)
    page = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    assert 'data-sla="breached"' in page and "Overdue" in page
    # Customers never see the desk's targets.
    client.force_login(alice)
    own = client.get(reverse("portal:ticket_detail", args=[ticket.pk]))
    assert own.status_code == 200 and "data-sla" not in own.content.decode()


def test_a_breach_is_emailed_to_the_agent_then_the_team_then_the_admins(
    alice, agent, admin_user, smtp_server, django_capture_on_commit_callbacks
):
    from tickets.models import Team

    now = timezone.now()
    mine = to_person(alice)
    Ticket.objects.filter(pk=mine.pk).update(assigned_agent=agent)
    team_member = make_user("tess@example.com", "agent")
    billing = Team.objects.create(name="Billing")
    billing.members.add(team_member)
    teams = to_person(alice)
    Ticket.objects.filter(pk=teams.pk).update(team=billing)
    nobodys = to_person(alice)
    Ticket.objects.update(first_response_due=now - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep(now=now)["breach"] == 3
    messages = smtp_server.wait_for(3)
    by_ticket = {int(m["Subject"].split("#")[1].split("]")[0]): m for m in messages}
    assert by_ticket[mine.pk]["To"] == agent.email
    assert by_ticket[teams.pk]["To"] == "tess@example.com"
    assert by_ticket[nobodys.pk]["To"] == admin_user.email
    text = by_ticket[mine.pk].get_content()
    assert "missed its first reply target" in text
    assert f"/agent/tickets/{mine.pk}/" in text
    assert "parcel" not in text.lower()  # none of the customer's words
