"""Daily roll-ups of the desk's tickets, so the metrics of any date range read a few thousand
summed cells instead of counting a million tickets (docs/BENCHMARKS.md, "Metrics roll-ups").

A cell (MetricsDay) holds, for the tickets created on one day that now have one intent, status,
escalation reason and language, the counts and sums the metrics need. Cells are never
incremented: a day is always recomputed from its tickets in one grouped pass and replaced in one
transaction, so concurrent writers cannot make a cell drift, and the roll-up of a day equals a
fresh count.

Which days to recompute (`rollup_refresh`):
- days the roll-up does not cover yet (it covers one contiguous span of days, extended on
  demand to the range asked for);
- days of tickets changed since the last look (Ticket.updated_at moves on every status,
  intent or answer), of feedback given and of AI resolutions recorded since then, looked for
  from CHANGE_OVERLAP before the last look so a late-committing transaction is not missed;
- days marked stale by a deletion (MetricsStaleDay), which leaves no timestamp behind.
The metrics call it before reading, and the periodic task `refresh_metrics_rollup` keeps it
current so that call finds little to do.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from feedback.models import Feedback
from resolution.models import (
    AIResolution,
    AIResolutionVia,
    MetricsDay,
    MetricsMonth,
    MetricsRollupState,
    MetricsStaleDay,
)
from tickets.models import AuthorKind, Message, Ticket, TicketStatus

# A transaction that stamped updated_at this long before it committed is still seen.
CHANGE_OVERLAP = timedelta(seconds=60)
CELL = ("day", "intent", "status", "escalation_reason", "language")
SUMS = (
    "tickets",
    "confidence_sum",
    "confidence_count",
    "ai_answered",
    "resolved_confirmed",
    "resolved_quiet",
    "feedback_count",
    "rating_sum",
    "feedback_resolved",
    "ai_rated",
    "ai_confirmed",
)


def local_day(instant: datetime) -> date:
    return timezone.localtime(instant).date()


def _day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the site's time zone, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def created_in(field: str, date_from: date | None, date_to: date | None) -> Q:
    """`field` falls on one of the days date_from..date_to (site time zone), written as a range
    of instants rather than `__date` lookups, so the database can use the index on `field`
    instead of converting every row's timestamp to a date."""
    condition = Q()
    if date_from:
        condition &= Q(**{f"{field}__gte": _day_start(date_from)})
    # The last representable day has no "next midnight" (date.max + 1 day overflows): a range
    # ending there is open-ended, which is what it means anyway.
    if date_to and date_to < date.max:
        condition &= Q(**{f"{field}__lt": _day_start(date_to + timedelta(days=1))})
    return condition


def _on_days(field: str, runs: list[tuple[date, date]]) -> Q:
    """`field` falls on a day of one of the runs."""
    condition = Q()
    for first, last in runs:
        condition |= created_in(field, first, last)
    return condition


def _runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Sorted days as runs of consecutive days: [(first, last), …]."""
    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


def _cells(runs: list[tuple[date, date]]) -> list[MetricsDay]:
    """The roll-up cells of the runs of days, computed from the tickets in three grouped
    queries (tickets, automatic answers, feedback), merged by cell."""
    cells: dict[tuple, dict] = {}

    def add(rows, prefix: str = "") -> None:
        for row in rows:
            key = tuple(row.pop(prefix + name) for name in CELL)
            cell = cells.setdefault(key, dict.fromkeys(SUMS, 0))
            for name, value in row.items():
                cell[name] += value or 0

    tickets = Ticket.objects.filter(_on_days("created_at", runs)).order_by()
    auto = Q(status=TicketStatus.AUTO_RESOLVED)
    add(
        tickets.annotate(day=TruncDate("created_at"))
        .values(*CELL)
        .annotate(
            tickets=Count("id"),
            confidence_sum=Sum("confidence"),
            confidence_count=Count("confidence"),
            resolved_confirmed=Count(
                "id", filter=auto & Q(ai_resolution__via=AIResolutionVia.CONFIRMED)
            ),
            resolved_quiet=Count("id", filter=auto & Q(ai_resolution__via=AIResolutionVia.QUIET)),
        )
    )
    answered = (
        Message.objects.filter(
            _on_days("ticket__created_at", runs), author_kind=AuthorKind.ASSISTANT
        )
        .order_by()
        .values(
            day=TruncDate("ticket__created_at"),
            intent=F("ticket__intent"),
            status=F("ticket__status"),
            escalation_reason=F("ticket__escalation_reason"),
            language=F("ticket__language"),
        )
        .annotate(ai_answered=Count("ticket_id", distinct=True))
    )
    add(answered)
    ai_answer = Q(answer__author_kind=AuthorKind.ASSISTANT)
    add(
        Feedback.objects.filter(_on_days("ticket__created_at", runs))
        .order_by()
        .values(
            day=TruncDate("ticket__created_at"),
            intent=F("ticket__intent"),
            status=F("ticket__status"),
            escalation_reason=F("ticket__escalation_reason"),
            language=F("ticket__language"),
        )
        .annotate(
            feedback_count=Count("id"),
            rating_sum=Sum("rating"),
            feedback_resolved=Count("id", filter=Q(resolved=True)),
            ai_rated=Count("id", filter=ai_answer),
            ai_confirmed=Count("id", filter=ai_answer & Q(resolved=True)),
        )
    )
    return [MetricsDay(**dict(zip(CELL, key, strict=True)), **sums) for key, sums in cells.items()]


def _replace_days(runs: list[tuple[date, date]]) -> None:
    """Recompute the cells of these runs of days and replace them, then the month cells of
    the months they fall in (call in a transaction): eight queries for any number of runs."""
    if not runs:
        return
    on_runs = Q()
    for first, last in runs:
        on_runs |= Q(day__gte=first, day__lte=last)
    MetricsDay.objects.filter(on_runs).delete()
    MetricsDay.objects.bulk_create(_cells(runs), batch_size=2_000)
    _replace_months(runs)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after `day`'s (date.max after December 9999: no such day)."""
    if (day.year, day.month) == (date.max.year, date.max.month):
        return date.max
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _replace_months(runs: list[tuple[date, date]]) -> None:
    """Re-sum the month cells of every month a run touches from its day cells: one condition
    per run (a run of centuries is still one range, not one condition per month)."""
    on_months, on_days = Q(), Q()
    for first, last in runs:
        on_months |= Q(month__gte=month_start(first), month__lte=month_start(last))
        on_days |= Q(day__gte=month_start(first), day__lt=next_month(month_start(last)))
    MetricsMonth.objects.filter(on_months).delete()
    rows = (
        MetricsDay.objects.filter(on_days)
        .order_by()
        .values(*CELL[1:], month=TruncMonth("day"))
        .annotate(**{name: Sum(name) for name in SUMS})
    )
    MetricsMonth.objects.bulk_create((MetricsMonth(**row) for row in rows), batch_size=2_000)


def _changed_days(state: MetricsRollupState) -> set[date]:
    """Days whose tickets changed since the state's last look (see the module's docstring),
    in one query: a union of index range scans."""
    looks = [MetricsStaleDay.objects.order_by().values_list("day")]
    for manager, changed, created, seen in (
        (Ticket.objects, "updated_at", "created_at", state.tickets_seen),
        (Feedback.objects, "created_at", "ticket__created_at", state.feedback_seen),
        (AIResolution.objects, "created_at", "ticket__created_at", state.resolutions_seen),
    ):
        if seen is not None:
            looks.append(
                manager.filter(**{f"{changed}__gte": seen - CHANGE_OVERLAP})
                .order_by()
                .annotate(created_day=TruncDate(created))
                .values_list("created_day")
            )
    return {day for (day,) in looks[0].union(*looks[1:])}


def _first_ticket_day() -> date | None:
    first = Ticket.objects.order_by().aggregate(first=Min("created_at"))["first"]
    return local_day(first) if first else None


@transaction.atomic
def rollup_refresh(*, date_from: date | None = None, date_to: date | None = None) -> int:
    """Bring the roll-up up to date for the days date_from..date_to (open ends: the first day
    with a ticket, today); returns how many runs of days were recomputed.

    Refreshers queue on the state row's lock, so two never recompute the same day at once.
    """
    state = MetricsRollupState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        state, _ = MetricsRollupState.objects.get_or_create(pk=1)
        state = MetricsRollupState.objects.select_for_update().get(pk=1)
    now = timezone.now()
    today = timezone.localdate()
    changed = _changed_days(state) if state.covered_from is not None else set()
    first = date_from or (
        state.covered_from if state.covered_from is not None else _first_ticket_day()
    )
    if date_from is None and state.covered_from is not None and changed:
        first = min(first, *changed)  # a ticket dated before the covered span (an import)
    last = min(date_to or today, today)
    runs: list[tuple[date, date]] = []
    if first is not None and first <= last:
        if state.covered_from is None:
            runs.append((first, last))
            state.covered_from, state.covered_to = first, last
            # A first build (or a rebuild after the state was thrown away): no month cell may
            # survive from days outside the new span.
            MetricsMonth.objects.all().delete()
        else:
            # One contiguous covered span: the gap between it and the range is computed too.
            if first < state.covered_from:
                runs.append((first, state.covered_from - timedelta(days=1)))
                state.covered_from = first
            if last > state.covered_to:
                runs.append((state.covered_to + timedelta(days=1), last))
                state.covered_to = last
    stale = {day for day in changed if _covered(state, day) and not _in_runs(day, runs)}
    runs += _runs(stale)
    _replace_days(runs)
    if changed:
        MetricsStaleDay.objects.filter(day__in=changed).delete()
    state.tickets_seen = state.feedback_seen = state.resolutions_seen = now
    state.save()
    return len(runs)


def _in_runs(day: date, runs: list[tuple[date, date]]) -> bool:
    return any(first <= day <= last for first, last in runs)


def _covered(state: MetricsRollupState, day: date) -> bool:
    return state.covered_from is not None and state.covered_from <= day <= state.covered_to


def rollup_mark_stale(*, created_at: datetime) -> None:
    """A ticket created at `created_at` (or something counted with it) was deleted."""
    MetricsStaleDay.objects.get_or_create(day=local_day(created_at))
