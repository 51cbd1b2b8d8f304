"""seed_demo's month of history: spread over the days, every kind of outcome, metrics right."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role, User
from feedback.models import Feedback
from resolution.metrics import daily, summary
from resolution.services.demo import demo_users
from resolution.services.demo_history import load_demo_history
from resolution.services.metrics_rollup import local_day, rollup_refresh
from tickets.models import Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(trained_model):
    agent = demo_users()[Role.AGENT]
    # The roll-up has already looked at the desk (as the metrics page or periodic task would),
    # so back-dated tickets must be found by something other than "changed since".
    rollup_refresh()
    now = timezone.now()
    made = load_demo_history(agent=agent, tickets=50, days=30, now=now)
    return made, now


def test_tickets_are_spread_over_the_month(history):
    made, now = history
    tickets = Ticket.objects.all()
    assert tickets.count() == made == 50
    days = {local_day(t.created_at) for t in tickets}
    assert len(days) >= 15
    assert all(now - timedelta(days=31) <= t.created_at <= now for t in tickets)
    # Every row of a ticket moved with it: no message before its ticket, none left at "now".
    for ticket in tickets:
        for message in ticket.messages.all():
            assert ticket.created_at <= message.created_at <= now
    assert not Message.objects.filter(created_at__gt=now).exists()
    assert not TicketEvent.objects.filter(created_at__gt=now).exists()


def test_every_kind_of_outcome_is_there(history):
    statuses = Counter(Ticket.objects.values_list("status", flat=True))
    assert statuses["auto_resolved"] and statuses["resolved"]
    assert statuses["auto_resolved"] > statuses["resolved"]
    assert Feedback.objects.filter(rating__gte=4).exists()
    assert (
        Ticket.objects.filter(escalation_reason="rule").exists()
        or Ticket.objects.filter(tags__name__in=["billing", "key-account"]).exists()
    )
    assert TicketEvent.objects.filter(field="rule").exists()
    assert len(set(Ticket.objects.values_list("priority", flat=True))) >= 2
    assert len(set(Ticket.objects.values_list("channel", flat=True))) >= 2
    assert User.objects.filter(role=Role.AGENT).count() >= 2


def test_sla_outcomes_are_recorded_in_the_past(history):
    _, now = history
    with_person = Ticket.objects.filter(sla_started_at__isnull=False)
    assert with_person.exists()
    for ticket in with_person:
        assert ticket.sla_started_at >= ticket.created_at
        assert ticket.first_response_due > ticket.sla_started_at
        if ticket.first_responded_at:
            assert ticket.first_responded_at >= ticket.sla_started_at
    sla = summary()["sla"]
    assert sla["first_response"]["met"] + sla["first_response"]["breached"] > 0


def test_the_metrics_roll_up_counts_back_dated_days(history):
    series = daily()
    by_day = {row["date"]: row["total"] for row in series}
    fresh = Counter(local_day(t.created_at) for t in Ticket.objects.all())
    assert {day: n for day, n in by_day.items() if n} == dict(fresh)
    assert len([n for n in by_day.values() if n]) >= 15
    assert summary()["tickets"]["total"] == 50


def test_the_history_is_repeatable(trained_model):
    agent = demo_users()[Role.AGENT]
    now = timezone.now()
    load_demo_history(agent=agent, tickets=10, seed=7, now=now)
    first = sorted(Ticket.objects.values_list("created_at", "message"))
    Ticket.objects.all().delete()
    load_demo_history(agent=agent, tickets=10, seed=7, now=now)
    assert sorted(Ticket.objects.values_list("created_at", "message")) == first
