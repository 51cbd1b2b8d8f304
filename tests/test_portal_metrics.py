"""The admins' metrics page and its server-rendered SVG charts."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Feedback
from resolution.models import Intent
from resolution.templatetags.charts import (
    hbars_geometry,
    line_geometry,
    nice_ceiling,
    stacked_bars_geometry,
)
from tickets.models import Ticket
from tickets.services import (
    ticket_agent_reply,
    ticket_auto_resolve,
    ticket_create,
    ticket_escalate,
)

from .conftest import PASSWORD

URL = reverse("ai:metrics")


def logged_in(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


@pytest.fixture
def desk(alice, agent):
    """A few days of tickets: answered, escalated, resolved by an agent, rated."""
    Intent.objects.create(slug="track_order", name="Track an order")
    Intent.objects.create(slug="payment_issue", name="Payment issue")
    today = timezone.now()
    answered = ticket_create(customer=alice, message="Where is my parcel?")
    answer = ticket_auto_resolve(
        ticket=answered, answer="It ships tomorrow.", intent="track_order", confidence=0.91
    )
    Feedback.objects.create(ticket=answered, answer=answer, rating=5, resolved=True)
    waiting = ticket_create(customer=alice, message="Charged twice")
    ticket_escalate(ticket=waiting, reason="low_confidence", intent="payment_issue", confidence=0.4)
    done = ticket_create(customer=alice, message="Refund?")
    ticket_escalate(ticket=done, reason="sensitive_intent", intent="payment_issue", confidence=0.8)
    ticket_agent_reply(ticket=done, agent=agent, body="Refunded.", resolve=True)
    Ticket.objects.filter(pk=done.pk).update(created_at=today - timedelta(days=3))
    old = ticket_create(customer=alice, message="Long ago")
    Ticket.objects.filter(pk=old.pk).update(created_at=today - timedelta(days=90))


# --- who may see it ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ["alice", "agent"])
def test_customers_and_agents_are_forbidden(client, request, role):
    user = request.getfixturevalue(role)
    assert logged_in(client, user).get(URL).status_code == 403


def test_admins_see_the_metrics(client, admin_user):
    response = logged_in(client, admin_user).get(URL)
    assert response.status_code == 200
    assert b"<h1>Metrics</h1>" in response.content


# --- the date range ------------------------------------------------------------------------------


def test_the_default_range_is_the_last_30_days(client, admin_user):
    response = logged_in(client, admin_user).get(URL)
    today = timezone.localdate()
    assert response.context["date_from"] == today - timedelta(days=29)
    assert response.context["date_to"] == today
    assert f'value="{today.isoformat()}"' in response.content.decode()


def test_a_chosen_range_is_used(client, admin_user):
    response = logged_in(client, admin_user).get(
        URL, {"date_from": "2024-03-01", "date_to": "2024-03-07"}
    )
    assert response.context["date_from"] == date(2024, 3, 1)
    assert len(response.context["outcome_rows"]) == 7


@pytest.mark.parametrize(
    "query, error",
    [
        ({"date_from": "2024-03-07", "date_to": "2024-03-01"}, "on or before the end date"),
        ({"date_from": "2020-01-01", "date_to": "2024-01-01"}, "at most 366 days"),
        ({"date_from": "yesterday", "date_to": "2024-01-01"}, "Enter a valid date."),
    ],
)
def test_a_bad_range_is_explained_and_the_default_shown(client, admin_user, query, error):
    response = logged_in(client, admin_user).get(URL, query)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert response.context["date_to"] == timezone.localdate()


# --- the charts ----------------------------------------------------------------------------------


def test_the_page_draws_every_chart_as_svg(client, admin_user, desk):
    content = logged_in(client, admin_user).get(URL).content.decode()
    assert content.count('<svg class="chart__svg') == 6
    for title in [
        "Tickets per day by outcome",
        "Auto-resolution rate per day",
        "Escalation reasons",
        "Average rating per day",
        "Tickets per intent",
        "Mean confidence per intent",
    ]:
        assert title in content
    assert "http://" not in content.split("<main", 1)[1]  # nothing loaded from elsewhere


def test_the_charts_show_the_ranges_figures(client, admin_user, desk):
    response = logged_in(client, admin_user).get(URL)
    content = response.content.decode()
    summary = response.context["summary"]
    assert summary["tickets"]["total"] == 3  # the 90-day-old ticket is out of range
    assert "1 answered automatically</title>" in content
    assert "1 resolved by an agent</title>" in content
    assert "Low confidence" in content
    assert "Sensitive intent" in content
    assert "Payment issue: 2</title>" in content
    assert "5.0<span" in content  # the average rating card


def test_an_empty_range_still_renders(client, admin_user):
    response = logged_in(client, admin_user).get(
        URL, {"date_from": "2001-01-01", "date_to": "2001-01-03"}
    )
    assert response.status_code == 200
    assert "No data in this range." in response.content.decode()


def test_the_scale_rounds_up_to_five_integer_ticks():
    assert [nice_ceiling(v) for v in (0, 3, 5, 6, 11, 21, 60, 101)] == [
        5,
        5,
        5,
        10,
        20,
        50,
        100,
        200,
    ]


def test_stacked_bars_are_proportional_and_stack_upwards():
    rows = [
        {"date": date(2024, 3, 1), "values": {"a": 5, "b": 5}},
        {"date": date(2024, 3, 2), "values": {"a": 0, "b": 0}},
    ]
    chart = stacked_bars_geometry(rows, [("a", "A"), ("b", "B")])
    first, empty = chart["bars"]
    a, b = first["segments"]
    assert a.height == b.height == pytest.approx(chart["frame"].plot_height / 2)
    assert b.y + b.height == pytest.approx(a.y)  # b sits on a
    assert empty["segments"] == []
    assert [tick.label for tick in chart["frame"].ticks] == ["0", "2", "4", "6", "8", "10"]


def test_a_line_breaks_where_a_day_has_no_value():
    points = [
        (date(2024, 3, 1), 0.5),
        (date(2024, 3, 2), 1.0),
        (date(2024, 3, 3), None),
        (date(2024, 3, 4), 0.0),
    ]
    chart = line_geometry(points, ceiling=1, fmt=str)
    assert len(chart["paths"]) == 2
    assert chart["paths"][0].startswith("M")
    assert len(chart["dots"]) == 3


def test_horizontal_bars_scale_to_the_largest_value():
    chart = hbars_geometry([{"label": "x" * 40, "value": 4}, {"label": "y", "value": 2}])
    big, small = chart["rows"]
    assert big["width"] == pytest.approx(chart["span"])
    assert small["width"] == pytest.approx(chart["span"] / 2)
    assert big["short_label"].endswith("…")
