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

All aggregation happens in the database (a handful of grouped queries per call); the Python
here only reshapes the grouped rows.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from feedback.models import Feedback
from resolution.models import AIResolutionVia, Deflection, Intent
from tickets.models import AuthorKind, EscalationReason, Message, Ticket, TicketStatus

STATUSES: list[str] = [choice.value for choice in TicketStatus]
# Status -> the aggregate's name; one Count(filter=...) per status in a single query.
_STATUS_COUNTS = {status: Count("id", filter=Q(status=status)) for status in TicketStatus.values}


def _ratio(part: int | None, whole: int | None) -> float | None:
    """part / whole, rounded for display; None when there is nothing to divide by."""
    if not whole:
        return None
    return round((part or 0) / whole, 4)


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


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


def _tickets(date_from: date | None, date_to: date | None) -> QuerySet[Ticket]:
    # A bare queryset: the model's default ordering would leak into GROUP BY.
    return Ticket.objects.filter(created_in("created_at", date_from, date_to)).order_by()


def _feedback(date_from: date | None, date_to: date | None) -> QuerySet[Feedback]:
    return Feedback.objects.filter(created_in("ticket__created_at", date_from, date_to)).order_by()


def _status_counts(row: dict[str, Any]) -> dict[str, int]:
    return {status: row.get(status) or 0 for status in STATUSES}


def _rates(counts: dict[str, int]) -> dict[str, float | None]:
    decided = sum(counts.values()) - counts[TicketStatus.OPEN]
    escalated = counts[TicketStatus.ESCALATED] + counts[TicketStatus.RESOLVED]
    return {
        "auto_resolution_rate": _ratio(counts[TicketStatus.AUTO_RESOLVED], decided),
        "escalation_rate": _ratio(escalated, decided),
    }


def _cached(name: str, compute: Callable[[], Any], date_from: date | None, date_to: date | None):
    """`compute()`, kept METRICS_CACHE_SECONDS in the cache per range (0: always computed).

    On a desk of a million tickets a year's figures take seconds of database time (see
    docs/BENCHMARKS.md): admins reloading the page must not pay that, nor load the database
    with it, each time. The cost is figures up to that many seconds old.
    """
    seconds = settings.METRICS_CACHE_SECONDS
    if not seconds:
        return compute()
    key = f"metrics:{name}:{date_from}:{date_to}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def metrics_summary(*, date_from: date | None = None, date_to: date | None = None) -> dict:
    """Everything the metrics endpoint returns (see `summary`), cached per METRICS_CACHE_SECONDS."""
    return _cached(
        "summary", lambda: summary(date_from=date_from, date_to=date_to), date_from, date_to
    )


def metrics_daily(*, date_from: date | None = None, date_to: date | None = None) -> list[dict]:
    """The daily series (see `daily`), cached per METRICS_CACHE_SECONDS."""
    return _cached("daily", lambda: daily(date_from=date_from, date_to=date_to), date_from, date_to)


def summary(*, date_from: date | None = None, date_to: date | None = None) -> dict:
    """Everything the metrics endpoint returns, for the tickets created in the range.

    Keys: date_from, date_to, tickets (total, by_status, decided, ai_answered, reopened),
    auto_resolution_rate, escalation_rate, ai_resolution_rate, resolved_by_ai (total,
    confirmed, no_follow_up), feedback (count, average_rating,
    resolved_count, ai_rated, ai_confirmed, feedback_confirmed_resolution_rate),
    deflections (shown, helpful), intents (see `intent_breakdown`), escalation_reasons.
    Ratios are floats in [0, 1] or None when their denominator is zero.
    """
    tickets = _tickets(date_from, date_to)
    row = tickets.aggregate(
        total=Count("id"),
        reopened=Count("id", filter=Q(escalation_reason=EscalationReason.REOPENED)),
        **_STATUS_COUNTS,
    )
    # A semi-join over the automatic answers (a partial index holds just them), not an EXISTS
    # per ticket inside the aggregate: the database cannot turn that one into a join.
    row["ai_answered"] = (
        Message.objects.filter(author_kind=AuthorKind.ASSISTANT, ticket__in=tickets.values("id"))
        .order_by()
        .values("ticket_id")
        .distinct()
        .count()
    )
    counts = _status_counts(row)
    still_auto = Q(status=TicketStatus.AUTO_RESOLVED)
    by_ai = tickets.filter(still_auto).aggregate(
        confirmed=Count("id", filter=Q(ai_resolution__via=AIResolutionVia.CONFIRMED)),
        quiet=Count("id", filter=Q(ai_resolution__via=AIResolutionVia.QUIET)),
    )
    resolved_by_ai = by_ai["confirmed"] + by_ai["quiet"]

    ai_answer = Q(answer__author_kind=AuthorKind.ASSISTANT)
    feedback = _feedback(date_from, date_to).aggregate(
        count=Count("id"),
        average_rating=Avg("rating"),
        resolved_count=Count("id", filter=Q(resolved=True)),
        ai_rated=Count("id", filter=ai_answer),
        ai_confirmed=Count("id", filter=ai_answer & Q(resolved=True)),
    )

    deflections = Deflection.objects.filter(created_in("created_at", date_from, date_to)).order_by()
    deflected = deflections.aggregate(
        shown=Count("id"), helpful=Count("id", filter=Q(helpful=True))
    )

    return {
        "date_from": date_from,
        "date_to": date_to,
        "tickets": {
            "total": row["total"],
            "by_status": counts,
            "decided": row["total"] - counts[TicketStatus.OPEN],
            "ai_answered": row["ai_answered"],
            "reopened": row["reopened"],
        },
        **_rates(counts),
        "ai_resolution_rate": _ratio(resolved_by_ai, row["total"] - counts[TicketStatus.OPEN]),
        "resolved_by_ai": {
            "total": resolved_by_ai,
            "confirmed": by_ai["confirmed"],
            "no_follow_up": by_ai["quiet"],
        },
        "feedback": {
            "count": feedback["count"],
            "average_rating": _rounded(feedback["average_rating"], 2),
            "resolved_count": feedback["resolved_count"],
            "ai_rated": feedback["ai_rated"],
            "ai_confirmed": feedback["ai_confirmed"],
            "feedback_confirmed_resolution_rate": _ratio(
                feedback["ai_confirmed"], feedback["ai_rated"]
            ),
        },
        "deflections": {"shown": deflected["shown"], "helpful": deflected["helpful"]},
        "intents": intent_breakdown(date_from=date_from, date_to=date_to),
        "escalation_reasons": escalation_reasons(date_from=date_from, date_to=date_to),
    }


def intent_breakdown(*, date_from: date | None = None, date_to: date | None = None) -> list[dict]:
    """Per intent, busiest first: volume, statuses, rates, mean confidence, average rating.

    Tickets the AI could not classify have intent "" (named "Unclassified").
    """
    rows = (
        _tickets(date_from, date_to)
        .values("intent")
        .annotate(total=Count("id"), mean_confidence=Avg("confidence"), **_STATUS_COUNTS)
        .order_by("-total", "intent")
    )
    ratings = dict(
        _feedback(date_from, date_to)
        .values("ticket__intent")
        .annotate(average=Avg("rating"))
        .values_list("ticket__intent", "average")
    )
    names = _intent_names(row["intent"] for row in rows)
    result = []
    for row in rows:
        counts = _status_counts(row)
        result.append(
            {
                "intent": row["intent"],
                "name": names.get(row["intent"]) or row["intent"] or "Unclassified",
                "total": row["total"],
                "by_status": counts,
                **_rates(counts),
                "mean_confidence": _rounded(row["mean_confidence"]),
                "average_rating": _rounded(ratings.get(row["intent"]), 2),
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
    labels = dict(EscalationReason.choices)
    rows = (
        _tickets(date_from, date_to)
        .exclude(escalation_reason="")
        .values("escalation_reason")
        .annotate(count=Count("id"))
        .order_by("-count", "escalation_reason")
    )
    return [
        {
            "reason": row["escalation_reason"],
            "label": labels.get(row["escalation_reason"], row["escalation_reason"]),
            "count": row["count"],
        }
        for row in rows
    ]


def daily(*, date_from: date | None = None, date_to: date | None = None) -> list[dict]:
    """One row per day of the range, oldest first, days without tickets included (zeros).

    Each row: date, total, by_status, auto_resolution_rate, escalation_rate, average_rating,
    feedback_count. With an open-ended range, the series starts at the first day with a ticket
    and ends at the last.
    """
    rows = {
        row["day"]: row
        for row in _tickets(date_from, date_to)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(total=Count("id"), **_STATUS_COUNTS)
    }
    ratings = {
        row["day"]: row
        for row in _feedback(date_from, date_to)
        .annotate(day=TruncDate("ticket__created_at"))
        .values("day")
        .annotate(average=Avg("rating"), count=Count("id"))
    }
    days = [day for day in (*rows, *ratings) if day is not None]
    first = date_from or (min(days) if days else None)
    last = date_to or (max(days) if days else None)
    if first is None or last is None or first > last:
        return []
    series = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        row = rows.get(day, {})
        counts = _status_counts(row)
        rating = ratings.get(day, {})
        series.append(
            {
                "date": day,
                "total": row.get("total", 0),
                "by_status": counts,
                **_rates(counts),
                "average_rating": _rounded(rating.get("average"), 2),
                "feedback_count": rating.get("count", 0),
            }
        )
    return series
