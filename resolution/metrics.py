"""The desk's numbers, for the metrics API and the admin's metrics page.

Every figure is about a cohort: the tickets *created* in the date range (both ends inclusive,
in the site's time zone). Feedback counts toward the ticket it rates, so "average rating for
March" is the rating of March's tickets, whenever the customer gave it. Deflections have no
ticket and count by the day the suggestion was shown.

Words used below:
- decided: the pipeline (or a person) acted on the ticket, i.e. its status is no longer open.
- auto-resolved: status auto_resolved now, i.e. the AI answered and nobody reopened it.
- escalated: the ticket needed a person (status escalated, or resolved by an agent).
  Among decided tickets, the auto-resolution and escalation rates add up to 1.
- AI-answered: the AI posted an answer, whatever happened next (reopened ones included).
- feedback-confirmed resolution rate: of the AI's answers that were rated, the share the
  customer said solved the problem.
- resolved by AI: an auto-resolved ticket the customer confirmed ("resolved" on the automatic
  answer), or one with no follow-up within AI_RESOLUTION_WINDOW_HOURS (the periodic task
  `close_quiet_auto_resolved_tickets` records those); a ticket reopened since does not count.
  `ai_resolution_rate` is its share of decided tickets; `auto_resolution_rate` still counts
  every ticket currently auto-resolved, including those whose window is still running.

The figures are sums over the daily roll-up (resolution.services.metrics_rollup: per day of
creation, intent, status and escalation reason), brought up to date before each read, so a year
on a desk of a million tickets sums a few thousand cells instead of counting a million tickets.
All aggregation happens in the database; the Python here only reshapes the grouped rows.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum

from resolution.csat_metrics import csat_summary
from resolution.models import Deflection, Intent, MetricsDay, MetricsMonth
from resolution.services.metrics_rollup import (
    SUMS,
    created_in,
    month_start,
    next_month,
    rollup_refresh,
)
from tickets.models import EscalationReason, Ticket, TicketStatus
from tickets.sla import sla_attainment

STATUSES: list[str] = [choice.value for choice in TicketStatus]


def _ratio(part: int | None, whole: int | None) -> float | None:
    """part / whole, rounded for display; None when there is nothing to divide by."""
    if not whole:
        return None
    return round((part or 0) / whole, 4)


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _status_counts(row: dict[str, Any]) -> dict[str, int]:
    return {status: row.get(status) or 0 for status in STATUSES}


def _rates(counts: dict[str, int]) -> dict[str, float | None]:
    decided = sum(counts.values()) - counts[TicketStatus.OPEN]
    escalated = counts[TicketStatus.ESCALATED] + counts[TicketStatus.RESOLVED]
    return {
        "auto_resolution_rate": _ratio(counts[TicketStatus.AUTO_RESOLVED], decided),
        "escalation_rate": _ratio(escalated, decided),
    }


def _cached(
    name: str,
    compute: Callable[[], Any],
    date_from: date | None,
    date_to: date | None,
    language: str | None = None,
):
    """`compute()`, kept METRICS_CACHE_SECONDS in the cache per range (0: always computed).

    On a desk of a million tickets a year's figures take seconds of database time (see
    docs/BENCHMARKS.md): admins reloading the page must not pay that, nor load the database
    with it, each time. The cost is figures up to that many seconds old.
    """
    seconds = settings.METRICS_CACHE_SECONDS
    if not seconds:
        return compute()
    key = f"metrics:{name}:{date_from}:{date_to}:{language or ''}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def metrics_summary(
    *, date_from: date | None = None, date_to: date | None = None, language: str | None = None
) -> dict:
    """Everything the metrics endpoint returns (see `summary`), cached per METRICS_CACHE_SECONDS."""
    return _cached(
        "summary",
        lambda: summary(date_from=date_from, date_to=date_to, language=language),
        date_from,
        date_to,
        language,
    )


def metrics_daily(
    *, date_from: date | None = None, date_to: date | None = None, language: str | None = None
) -> list[dict]:
    """The daily series (see `daily`), cached per METRICS_CACHE_SECONDS."""
    return _cached(
        "daily",
        lambda: daily(date_from=date_from, date_to=date_to, language=language),
        date_from,
        date_to,
        language,
    )


def _cells(
    date_from: date | None, date_to: date | None, language: str | None = None
) -> QuerySet[MetricsDay]:
    """The roll-up cells of the range (of one language's tickets if `language`), brought up
    to date first (a bare queryset: no default ordering in GROUP BY)."""
    rollup_refresh(date_from=date_from, date_to=date_to)
    return _day_cells(date_from, date_to, language)


def _day_cells(
    date_from: date | None, date_to: date | None, language: str | None = None
) -> QuerySet[MetricsDay]:
    cells = MetricsDay.objects.order_by()
    if language:
        cells = cells.filter(language=language)
    if date_from:
        cells = cells.filter(day__gte=date_from)
    if date_to:
        cells = cells.filter(day__lte=date_to)
    return cells


def _range_groups(
    date_from: date | None, date_to: date | None, language: str | None = None
) -> list[dict]:
    """The range's cells summed per (intent, status, reason), brought up to date first: the
    whole months inside the range from the month cells, the days at its ragged ends from the
    day cells, each summed by the database (a year: ~4k month cells and up to ~60 days' cells
    instead of ~115k day cells), the few hundred sums merged here."""
    rollup_refresh(date_from=date_from, date_to=date_to)
    whole_from = date_from and (
        date_from if date_from.day == 1 else next_month(month_start(date_from))
    )
    # The first month after the range's whole months (the month of date_to unless date_to
    # is its last day).
    whole_to = date_to and date_to < date.max and month_start(date_to + timedelta(days=1))
    if whole_from and whole_to and whole_from >= whole_to:
        return _groups(_day_cells(date_from, date_to, language))  # no whole month inside
    months = MetricsMonth.objects.order_by()
    if language:
        months = months.filter(language=language)
    parts: list[QuerySet] = []
    if whole_from:
        months = months.filter(month__gte=whole_from)
        if whole_from != date_from:
            parts.append(_day_cells(date_from, whole_from - timedelta(days=1), language))
    if whole_to:
        months = months.filter(month__lt=whole_to)
        if whole_to != date_to + timedelta(days=1):
            parts.append(_day_cells(whole_to, date_to, language))
    merged: dict[tuple, dict] = {}
    for part in [months, *parts]:
        for group in _groups(part):
            key = (group["intent"], group["status"], group["escalation_reason"], group["language"])
            if key not in merged:
                merged[key] = group
            else:
                for name in SUMS:
                    merged[key][name] += group[name]
    return list(merged.values())


def _mean(total: float | None, count: int | None) -> float | None:
    return total / count if count else None


def _groups(cells: QuerySet[MetricsDay]) -> list[dict]:
    """The range's cells summed per (intent, status, reason, language): one scan of the roll-up,
    from which the summary, the intents, the reasons and the languages are all added up in
    Python (a few hundred rows), rather than one scan each."""
    return list(
        cells.values("intent", "status", "escalation_reason", "language").annotate(
            **{name: Sum(name, default=0) for name in SUMS}
        )
    )


def _total(groups: Iterable[dict]) -> dict[str, Any]:
    """The sums of `groups`, with the tickets counted per status too."""
    total: Counter = Counter()
    for group in groups:
        total.update({name: group[name] for name in SUMS})
        total[group["status"]] += group["tickets"]
    return total


def summary(
    *, date_from: date | None = None, date_to: date | None = None, language: str | None = None
) -> dict:
    """Everything the metrics endpoint returns, for the tickets created in the range.

    Keys: date_from, date_to, tickets (total, by_status, decided, ai_answered, reopened),
    auto_resolution_rate, escalation_rate, ai_resolution_rate, resolved_by_ai (total,
    confirmed, no_follow_up), feedback (count, average_rating,
    resolved_count, ai_rated, ai_confirmed, feedback_confirmed_resolution_rate),
    deflections (shown, helpful), intents (see `intent_breakdown`), escalation_reasons, sla
    (first-response and resolution targets met / breached / attainment, overall and per
    priority), csat (see feedback/csat.py), languages (per language: total, by_status, rates).
    With `language`, only that language's tickets count (deflections, which have no ticket,
    and the SLA and CSAT figures are not split).
    Ratios are floats in [0, 1] or None when their denominator is zero.
    """
    groups = _range_groups(date_from, date_to, language)
    row = _total(groups)
    counts = _status_counts(row)
    reopened = sum(
        g["tickets"] for g in groups if g["escalation_reason"] == EscalationReason.REOPENED
    )
    resolved_by_ai = row["resolved_confirmed"] + row["resolved_quiet"]

    deflections = Deflection.objects.filter(created_in("created_at", date_from, date_to)).order_by()
    deflected = deflections.aggregate(
        shown=Count("id"), helpful=Count("id", filter=Q(helpful=True))
    )

    return {
        "date_from": date_from,
        "date_to": date_to,
        "tickets": {
            "total": row["tickets"],
            "by_status": counts,
            "decided": row["tickets"] - counts[TicketStatus.OPEN],
            "ai_answered": row["ai_answered"],
            "reopened": reopened,
        },
        **_rates(counts),
        "ai_resolution_rate": _ratio(resolved_by_ai, row["tickets"] - counts[TicketStatus.OPEN]),
        "resolved_by_ai": {
            "total": resolved_by_ai,
            "confirmed": row["resolved_confirmed"],
            "no_follow_up": row["resolved_quiet"],
        },
        "feedback": {
            "count": row["feedback_count"],
            "average_rating": _rounded(_mean(row["rating_sum"], row["feedback_count"]), 2),
            "resolved_count": row["feedback_resolved"],
            "ai_rated": row["ai_rated"],
            "ai_confirmed": row["ai_confirmed"],
            "feedback_confirmed_resolution_rate": _ratio(row["ai_confirmed"], row["ai_rated"]),
        },
        "deflections": {"shown": deflected["shown"], "helpful": deflected["helpful"]},
        "intents": _intent_breakdown(groups),
        "escalation_reasons": _escalation_reasons(groups),
        # SLA targets met among the range's tickets that went to a person (tickets/sla.py).
        "sla": sla_attainment(Ticket.objects.filter(created_in("created_at", date_from, date_to))),
        # The satisfaction survey after agents resolve (feedback/csat.py), kept apart from the
        # ratings of answers above.
        "csat": csat_summary(date_from=date_from, date_to=date_to),
        "languages": _language_breakdown(groups),
    }


def _language_breakdown(groups: list[dict]) -> list[dict]:
    """Per language, busiest first: volume, statuses and rates ("" = not detected)."""
    per_language: dict[str, list[dict]] = {}
    for group in groups:
        per_language.setdefault(group["language"], []).append(group)
    rows = []
    for code, members in per_language.items():
        counts = _status_counts(_total(members))
        rows.append(
            {"language": code, "total": sum(counts.values()), "by_status": counts, **_rates(counts)}
        )
    return sorted(rows, key=lambda row: (-row["total"], row["language"]))


def intent_breakdown(*, date_from: date | None = None, date_to: date | None = None) -> list[dict]:
    """Per intent, busiest first: volume, statuses, rates, mean confidence, average rating.

    Tickets the AI could not classify have intent "" (named "Unclassified").
    """
    return _intent_breakdown(_range_groups(date_from, date_to))


def _intent_breakdown(groups: list[dict]) -> list[dict]:
    per_intent: dict[str, list[dict]] = {}
    for group in groups:
        per_intent.setdefault(group["intent"], []).append(group)
    totals = {intent: _total(rows) for intent, rows in per_intent.items()}
    order = sorted(
        (t for t in totals.items() if t[1]["tickets"]), key=lambda t: (-t[1]["tickets"], t[0])
    )
    names = _intent_names(intent for intent, _ in order)
    result = []
    for intent, row in order:
        counts = _status_counts(row)
        result.append(
            {
                "intent": intent,
                "name": names.get(intent) or intent or "Unclassified",
                "total": row["tickets"],
                "by_status": counts,
                **_rates(counts),
                "mean_confidence": _rounded(_mean(row["confidence_sum"], row["confidence_count"])),
                "average_rating": _rounded(_mean(row["rating_sum"], row["feedback_count"]), 2),
            }
        )
    return result


def _intent_names(slugs: Iterable[str]) -> dict[str, str]:
    return dict(Intent.objects.filter(slug__in=list(slugs)).values_list("slug", "name"))


def escalation_reasons(*, date_from: date | None = None, date_to: date | None = None) -> list[dict]:
    """Why tickets went to people, most frequent first: [{reason, label, count}].

    The ticket's current reason: an answered ticket the customer reopened counts as
    "reopened", not as whatever the AI said first.
    """
    return _escalation_reasons(_range_groups(date_from, date_to))


def _escalation_reasons(groups: list[dict]) -> list[dict]:
    labels = dict(EscalationReason.choices)
    counts: Counter = Counter()
    for group in groups:
        if group["escalation_reason"]:
            counts[group["escalation_reason"]] += group["tickets"]
    return [
        {"reason": reason, "label": labels.get(reason, reason), "count": count}
        for reason, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        if count
    ]


def daily(
    *, date_from: date | None = None, date_to: date | None = None, language: str | None = None
) -> list[dict]:
    """One row per day of the range, oldest first, days without tickets included (zeros).

    Each row: date, total, by_status, auto_resolution_rate, escalation_rate, average_rating,
    feedback_count. With an open-ended range, the series starts at the first day with a ticket
    and ends at the last.
    """
    rows: dict[date, Counter] = {}
    for group in (
        _cells(date_from, date_to, language)
        .values("day", "status")
        .annotate(
            tickets=Sum("tickets", default=0),
            feedback_count=Sum("feedback_count", default=0),
            rating_sum=Sum("rating_sum", default=0),
        )
    ):
        row = rows.setdefault(group["day"], Counter())
        row.update(
            {
                "total": group["tickets"],
                group["status"]: group["tickets"],
                "feedback_count": group["feedback_count"],
                "rating_sum": group["rating_sum"],
            }
        )
    rows = {day: row for day, row in rows.items() if row["total"] or row["feedback_count"]}
    days = list(rows)
    first = date_from or (min(days) if days else None)
    last = date_to or (max(days) if days else None)
    if first is None or last is None or first > last:
        return []
    series = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        row = rows.get(day, {})
        counts = _status_counts(row)
        series.append(
            {
                "date": day,
                "total": row.get("total", 0),
                "by_status": counts,
                **_rates(counts),
                "average_rating": _rounded(
                    _mean(row.get("rating_sum"), row.get("feedback_count")), 2
                ),
                "feedback_count": row.get("feedback_count", 0),
            }
        )
    return series
