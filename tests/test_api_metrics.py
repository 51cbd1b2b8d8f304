"""resolution.metrics and GET /api/admin/metrics, on a small desk whose numbers we know."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import Feedback
from resolution.metrics import escalation_reasons, intent_breakdown, metrics_daily, metrics_summary
from resolution.models import Deflection, Intent, KnowledgeEntry
from tests.api_helpers import (  # noqa: F401
    _clear_throttle_history,
    answered_ticket,
    api,
    error_of,
    escalated_ticket,
    open_ticket,
)
from tickets.models import AuthorKind, Message, Ticket

METRICS = "/api/admin/metrics"
MARCH_1, MARCH_3 = date(2026, 3, 1), date(2026, 3, 3)


def _on(day: date, *objects) -> None:
    for obj in objects:
        type(obj).objects.filter(pk=obj.pk).update(created_at=f"{day.isoformat()}T12:00:00Z")


def _rate(ticket: Ticket, rating: int, resolved: bool) -> None:
    answer = ticket.messages.filter(author_kind__in=["assistant", "agent"]).latest("id")
    Feedback.objects.create(ticket=ticket, answer=answer, rating=rating, resolved=resolved)


@pytest.fixture
def desk(alice, agent):
    """March 1: answered (rated 5, solved), answered then reopened (rated 2), escalated.
    March 3: resolved by an agent (rated 4, solved), still open. Two suggestions, one helpful.
    """
    Intent.objects.create(slug="track_order", name="Track an order")
    solved = answered_ticket(alice, intent="track_order", confidence=0.9)
    _rate(solved, 5, True)
    reopened = answered_ticket(alice, intent="track_order", confidence=0.8)
    _rate(reopened, 2, False)
    Ticket.objects.filter(pk=reopened.pk).update(status="escalated", escalation_reason="reopened")
    low = escalated_ticket(alice, reason="low_confidence")  # get_refund, 0.41
    _on(MARCH_1, solved, reopened, low)

    by_agent = escalated_ticket(alice, reason="no_answer")
    Ticket.objects.filter(pk=by_agent.pk).update(status="resolved", confidence=0.59)
    Message.objects.create(
        ticket=by_agent, author_kind=AuthorKind.AGENT, author=agent, body="Refunded."
    )
    _rate(by_agent, 4, True)
    still_open = open_ticket(alice)
    _on(MARCH_3, by_agent, still_open)

    entry = KnowledgeEntry.objects.create(question="Where is my parcel?", answer="Track it.")
    shown = Deflection.objects.create(entry=entry, query="parcel?", helpful=False)
    helped = Deflection.objects.create(entry=entry, query="parcel where", helpful=True)
    _on(MARCH_1, shown, helped)


def test_summary_of_the_whole_desk(desk):
    summary = metrics_summary(date_from=None, date_to=None)
    assert summary["tickets"] == {
        "total": 5,
        "by_status": {"open": 1, "auto_resolved": 1, "escalated": 2, "resolved": 1},
        "decided": 4,
        "ai_answered": 2,
        "reopened": 1,
    }
    assert summary["auto_resolution_rate"] == 0.25
    assert summary["escalation_rate"] == 0.75
    assert summary["feedback"] == {
        "count": 3,
        "average_rating": 3.67,
        "resolved_count": 2,
        "ai_rated": 2,
        "ai_confirmed": 1,
        "feedback_confirmed_resolution_rate": 0.5,
    }
    assert summary["deflections"] == {"shown": 2, "helpful": 1}
    assert [r["reason"] for r in summary["escalation_reasons"]] == [
        "low_confidence",
        "no_answer",
        "reopened",
    ]


def test_the_date_range_selects_tickets_by_creation_day(desk):
    summary = metrics_summary(date_from=MARCH_3, date_to=MARCH_3)
    assert summary["tickets"]["total"] == 2
    assert summary["tickets"]["by_status"] == {
        "open": 1,
        "auto_resolved": 0,
        "escalated": 0,
        "resolved": 1,
    }
    assert summary["auto_resolution_rate"] == 0.0
    assert summary["feedback"]["average_rating"] == 4.0
    assert summary["feedback"]["feedback_confirmed_resolution_rate"] is None  # no AI answers
    assert summary["deflections"] == {"shown": 0, "helpful": 0}

    empty = metrics_summary(date_from=date(2030, 1, 1), date_to=None)
    assert empty["tickets"]["total"] == 0
    assert empty["auto_resolution_rate"] is None and empty["feedback"]["average_rating"] is None


def test_intent_breakdown(desk):
    rows = {row["intent"]: row for row in intent_breakdown(date_from=None, date_to=None)}
    assert set(rows) == {"track_order", "get_refund", ""}
    track = rows["track_order"]
    assert (track["name"], track["total"], track["mean_confidence"]) == ("Track an order", 2, 0.85)
    assert track["auto_resolution_rate"] == 0.5
    assert track["average_rating"] == 3.5
    assert rows["get_refund"]["name"] == "get_refund"  # no Intent row: the slug stands in
    assert rows["get_refund"]["mean_confidence"] == 0.5
    assert rows[""]["name"] == "Unclassified"


def test_escalation_reasons_have_labels(desk):
    assert escalation_reasons(date_from=MARCH_1, date_to=MARCH_1) == [
        {"reason": "low_confidence", "label": "Low confidence", "count": 1},
        {"reason": "reopened", "label": "Reopened by the customer", "count": 1},
    ]


def test_daily_series_includes_quiet_days(desk):
    days = metrics_daily(date_from=None, date_to=None)
    assert [d["date"] for d in days] == [MARCH_1, date(2026, 3, 2), MARCH_3]
    first, quiet, third = days
    assert (first["total"], first["auto_resolution_rate"], first["average_rating"]) == (
        3,
        round(1 / 3, 4),
        3.5,
    )
    assert first["feedback_count"] == 2
    assert quiet["total"] == 0 and quiet["auto_resolution_rate"] is None
    assert third["by_status"]["open"] == 1
    assert metrics_daily(date_from=date(2030, 1, 1), date_to=date(2029, 1, 1)) == []
    assert len(metrics_daily(date_from=date(2026, 2, 27), date_to=MARCH_1)) == 3


def test_the_number_of_queries_does_not_grow_with_the_desk(desk, alice):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            metrics_summary(date_from=None, date_to=None)
            metrics_daily(date_from=None, date_to=None)
        return len(queries)

    count()  # the first read creates the roll-up's state and covers the desk's days
    before = count()
    for n in range(20):
        _rate(answered_ticket(alice, intent=f"intent_{n % 4}"), 1 + n % 5, n % 2 == 0)
    # Each read first brings the daily roll-up up to date (lock, one union of changes, the
    # changed days recomputed in five queries and their months in three, the state saved),
    # then sums its cells (whole months and the days at the range's ends), plus the SLA
    # attainment and the CSAT figures (a few grouped counts each).
    assert count() == before <= 44


def test_the_endpoint_returns_the_summary(desk, admin_user):
    response = api(admin_user).get(METRICS, {"from": "2026-03-01", "to": "2026-03-01"})
    assert response.status_code == 200
    body = response.json()
    assert (body["date_from"], body["date_to"]) == ("2026-03-01", "2026-03-01")
    assert body["tickets"]["total"] == 3
    assert body["feedback"]["feedback_confirmed_resolution_rate"] == 0.5
    assert body["deflections"]["helpful"] == 1
    assert {row["intent"] for row in body["intents"]} == {"track_order", "get_refund"}
    whole = api(admin_user).get(METRICS).json()
    assert whole["tickets"]["total"] == 5 and whole["date_from"] is None


@pytest.mark.parametrize(
    "params,field",
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"to": ""}, "to"),
        ({"from": "2026-3-1"}, "from"),
    ],
)
def test_bad_dates_are_400s(admin_user, params, field):
    error = error_of(api(admin_user).get(METRICS, params), 400)
    assert field in error["details"]


def test_a_reversed_range_is_empty_like_the_ticket_lists_filters(desk, admin_user):
    body = api(admin_user).get(METRICS, {"from": "2026-03-05", "to": "2026-03-01"}).json()
    assert body["tickets"]["total"] == 0 and body["auto_resolution_rate"] is None
