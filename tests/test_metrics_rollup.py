"""The daily metrics roll-up always says what a fresh count of the tickets would say."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resolution.metrics import metrics_daily, metrics_summary
from resolution.models import MetricsDay, MetricsRollupState
from resolution.services import metrics_rollup
from resolution.services.metrics_rollup import rollup_refresh
from tests.api_helpers import answered_ticket
from tests.test_api_metrics import MARCH_1, MARCH_3, _rate, desk  # noqa: F401 (desk: a fixture)
from tests.test_concurrency import _race
from tickets.models import Message, Ticket
from tickets.services import ticket_customer_reply


def fresh() -> tuple[dict, list[dict]]:
    """The figures computed from nothing: roll-up and its state thrown away first."""
    MetricsDay.objects.all().delete()
    MetricsRollupState.objects.all().delete()
    return both()


def both() -> tuple[dict, list[dict]]:
    return metrics_summary(date_from=None, date_to=None), metrics_daily(
        date_from=None, date_to=None
    )


@pytest.mark.usefixtures("desk")
def test_after_changes_on_old_and_new_days_the_figures_equal_a_fresh_count(alice):
    before, _ = both()
    solved = Ticket.objects.filter(status="auto_resolved").get()
    # March 1's answered ticket is reopened by its customer, today a new one is answered and
    # rated, and March 3's open ticket is deleted.
    ticket_customer_reply(ticket=solved, customer=alice, body="It did not help after all.")
    _rate(answered_ticket(alice, intent="track_order"), 3, False)
    Ticket.objects.filter(created_at__date=MARCH_3, status="open").delete()

    after = both()

    assert after[0]["tickets"] != before["tickets"]
    assert after[0]["tickets"]["by_status"]["open"] == 0
    assert after[0]["tickets"]["reopened"] == 2
    assert after == fresh()


@pytest.mark.usefixtures("desk")
def test_a_rating_given_weeks_later_counts_on_its_tickets_day(agent):
    old = metrics_summary(date_from=MARCH_1, date_to=MARCH_1)["feedback"]["count"]
    ticket = Ticket.objects.get(created_at__date=MARCH_1, escalation_reason="low_confidence")
    Message.objects.create(ticket=ticket, author_kind="agent", author=agent, body="Done.")

    _rate(ticket, 1, False)

    assert metrics_summary(date_from=MARCH_1, date_to=MARCH_1)["feedback"]["count"] == old + 1


@pytest.mark.usefixtures("desk")
def test_a_range_wider_than_the_covered_days_is_computed_on_demand():
    march_3 = metrics_summary(date_from=MARCH_3, date_to=MARCH_3)["tickets"]["total"]
    whole = metrics_summary(date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))

    assert (march_3, whole["tickets"]["total"]) == (2, 5)
    state = MetricsRollupState.objects.get()
    assert state.covered_from == date(2026, 1, 1)


@pytest.mark.usefixtures("desk")
def test_with_nothing_changed_a_refresh_is_a_handful_of_queries(monkeypatch):
    rollup_refresh(date_from=MARCH_1, date_to=MARCH_3)
    monkeypatch.setattr(metrics_rollup, "CHANGE_OVERLAP", timedelta(0))
    rollup_refresh(date_from=MARCH_1, date_to=MARCH_3)

    with CaptureQueriesContext(connection) as queries:
        assert rollup_refresh(date_from=MARCH_1, date_to=MARCH_3) == 0

    # savepoint, the state's lock, the union of changes, the state saved, release
    assert len(queries) <= 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_neither_fail_nor_double_count(alice):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): SQLite serialises writers")
    for _ in range(6):
        answered_ticket(alice, intent="track_order")

    results = _race(*[rollup_refresh] * 4)

    assert not [r for r in results if isinstance(r, Exception)]
    assert metrics_summary(date_from=None, date_to=None)["tickets"]["total"] == 6


@pytest.mark.usefixtures("desk")
def test_a_deleted_ticket_leaves_the_figures_though_it_left_no_timestamp(monkeypatch):
    monkeypatch.setattr(metrics_rollup, "CHANGE_OVERLAP", timedelta(0))
    assert metrics_summary(date_from=MARCH_3, date_to=MARCH_3)["tickets"]["total"] == 2

    Ticket.objects.filter(created_at__date=MARCH_3, status="open").delete()

    assert metrics_summary(date_from=MARCH_3, date_to=MARCH_3)["tickets"]["total"] == 1


def _by_cell(groups: list[dict]) -> dict:
    return {(g["intent"], g["status"], g["escalation_reason"]): g for g in groups}


def test_ranges_read_from_month_cells_equal_the_day_cells(alice, agent):
    from datetime import datetime

    from django.utils import timezone

    from resolution import metrics
    from resolution.models import MetricsMonth

    days = [date(2026, 1, 31), date(2026, 2, 1), date(2026, 2, 15), date(2026, 2, 28)]
    days += [date(2026, 3, 1), date(2026, 4, 30)]
    for n, day in enumerate(days):
        ticket = answered_ticket(alice, intent=f"intent_{n % 2}")
        if n % 3 == 0:
            _rate(ticket, 4, True)
        noon = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=12)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=noon)
    fresh()
    assert MetricsMonth.objects.filter(month=date(2026, 2, 1)).exists()
    ranges = [
        (None, None),
        (date(2026, 1, 15), date(2026, 3, 1)),  # ragged both ends, one whole month inside
        (date(2026, 2, 1), date(2026, 2, 28)),  # exactly one month
        (date(2026, 2, 2), date(2026, 2, 27)),  # inside one month
        (date(2026, 2, 1), date(2026, 4, 30)),  # whole months only
        (date(2026, 1, 31), None),
        (None, date(2026, 2, 15)),
    ]
    for date_from, date_to in ranges:
        from_months = metrics._range_groups(date_from, date_to)
        from_days = metrics._groups(metrics._day_cells(date_from, date_to))
        assert _by_cell(from_months) == _by_cell(from_days), (date_from, date_to)
    # A change to a day re-sums its month in the same refresh.
    february = Ticket.objects.filter(created_at__date=date(2026, 2, 15)).get()
    ticket_customer_reply(ticket=february, customer=alice, body="Not solved.")
    whole = (date(2026, 2, 1), date(2026, 2, 28))
    assert _by_cell(metrics._range_groups(*whole)) == _by_cell(
        metrics._groups(metrics._day_cells(*whole))
    )
    assert metrics.summary(date_from=whole[0], date_to=whole[1])["tickets"]["reopened"] == 1


@pytest.mark.usefixtures("desk")
def test_ranges_of_centuries_and_at_the_calendars_ends_are_answered():
    from resolution import metrics

    for date_from, date_to in [
        (date(513, 1, 11), date(8691, 11, 30)),
        (date(9999, 12, 5), date.max),
        (date.min, date(1, 1, 31)),
    ]:
        assert metrics.summary(date_from=date_from, date_to=date_to)["tickets"]["total"] >= 0
    everything = metrics.summary(date_from=date(513, 1, 11), date_to=date(8691, 11, 30))
    assert everything["tickets"] == metrics.summary()["tickets"]
