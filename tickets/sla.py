"""SLAs: due times per ticket from its priority's policy, in business hours, and the sweep.

The clock starts when a ticket goes to a person (`ticket_escalate` calls `sla_start`); a reopened
ticket starts a new clock. The first public agent reply meets the first-response target; the
resolution meets the other. A priority change recomputes both from the same start. The sweep
(Celery beat, `tickets.tasks.sla_sweep`) announces each warning and breach once: an audit
event on the ticket and the `sla_alert` signal (channels turns it into a webhook event).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as public_holidays
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from tickets.business_hours import Timetable, add_business_minutes, parse_weekly_hours
from tickets.models import (
    BusinessCalendar,
    Priority,
    SlaPolicy,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from tickets.signals import sla_alert

FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
SLA_FIELDS = [
    "sla_started_at",
    "first_response_due",
    "resolution_due",
    "first_responded_at",
    "sla_notified",
]


def timetable_for(calendar: BusinessCalendar | None) -> Timetable:
    """The calendar as pure arithmetic input (holidays: the country's plus the desk's own)."""
    if calendar is None:
        return Timetable.around_the_clock()
    own = set(calendar.holidays.values_list("date", flat=True))
    country = _country_holidays(calendar.country.upper(), calendar.subdivision.upper())

    def is_holiday(day: date) -> bool:
        return day in own or (country is not None and day in country)

    return Timetable(
        zone=ZoneInfo(calendar.time_zone),
        hours=parse_weekly_hours(calendar.weekly_hours),
        is_holiday=is_holiday,
    )


@lru_cache(maxsize=32)
def _country_holidays(country: str, subdivision: str) -> public_holidays.HolidayBase | None:
    # The `holidays` object fills in years lazily as dates are asked about.
    if not country:
        return None
    return public_holidays.country_holidays(country, subdiv=subdivision or None)


def validate_calendar(*, time_zone: str, weekly_hours: object, country: str, subdivision: str):
    """Raise ValueError with a readable message when a calendar cannot be used."""
    try:
        ZoneInfo(time_zone)
    except (ValueError, KeyError, OSError) as error:
        raise ValueError(f"Unknown time zone {time_zone!r}.") from error
    parse_weekly_hours(weekly_hours)
    if country:
        try:
            public_holidays.country_holidays(country.upper(), subdiv=subdivision.upper() or None)
        except NotImplementedError as error:
            raise ValueError(f"No public holidays known for {country!r}: {error}") from error


def policy_for(priority: str) -> SlaPolicy | None:
    return (
        SlaPolicy.objects.select_related("calendar").filter(priority=priority, active=True).first()
    )


def due_times(
    *, priority: str, started: datetime, policy: SlaPolicy | None = None
) -> tuple[datetime | None, datetime | None]:
    """(first response due, resolution due) for a clock started at `started`."""
    policy = policy or policy_for(priority)
    if policy is None:
        return None, None
    timetable = timetable_for(policy.calendar)
    return (
        add_business_minutes(started, policy.first_response_minutes, timetable),
        add_business_minutes(started, policy.resolution_minutes, timetable),
    )


def sla_start(ticket: Ticket, *, restart: bool, now: datetime | None = None) -> list[str]:
    """Start (or with `restart`, start again) the ticket's clock; returns the fields changed.
    Called by ticket_escalate; the caller saves."""
    if ticket.sla_started_at is not None and not restart:
        return []
    ticket.sla_started_at = now or timezone.now()
    ticket.first_responded_at = None
    ticket.sla_notified = ""
    ticket.first_response_due, ticket.resolution_due = due_times(
        priority=ticket.priority, started=ticket.sla_started_at
    )
    return SLA_FIELDS


def sla_recompute(ticket: Ticket) -> list[str]:
    """The priority changed: new due times from the same start (the caller saves)."""
    if ticket.sla_started_at is None:
        return []
    ticket.first_response_due, ticket.resolution_due = due_times(
        priority=ticket.priority, started=ticket.sla_started_at
    )
    ticket.sla_notified = ""
    return ["first_response_due", "resolution_due", "sla_notified"]


def sla_first_response(ticket: Ticket, *, at: datetime) -> list[str]:
    """An agent replied publicly: the first-response target is met (once per clock)."""
    if ticket.sla_started_at is None or ticket.first_responded_at is not None:
        return []
    ticket.first_responded_at = at
    return ["first_responded_at"]


@dataclass(frozen=True)
class SlaState:
    """What the queue shows: the next target, when it is due, and ok / due_soon / breached."""

    target: str
    due: datetime
    state: str


def sla_state(ticket: Ticket, *, now: datetime | None = None) -> SlaState | None:
    if ticket.status != TicketStatus.ESCALATED:
        return None
    if ticket.first_responded_at is None and ticket.first_response_due is not None:
        target, due = FIRST_RESPONSE, ticket.first_response_due
    elif ticket.resolution_due is not None:
        target, due = RESOLUTION, ticket.resolution_due
    else:
        return None
    now = now or timezone.now()
    if due <= now:
        state = "breached"
    elif due - now <= timedelta(minutes=settings.SLA_WARNING_MINUTES):
        state = "due_soon"
    else:
        state = "ok"
    return SlaState(target=target, due=due, state=state)


def _announce(ticket: Ticket, target: str, kind: str, due: datetime) -> None:
    token = f"{target}:{kind}"
    claimed = Ticket.objects.filter(pk=ticket.pk, sla_notified=ticket.sla_notified).update(
        sla_notified=f"{ticket.sla_notified} {token}".strip()
    )
    if not claimed:  # another sweep got there first
        return
    TicketEvent.objects.create(
        ticket=ticket,
        field=TicketEvent.Field.SLA,
        new_value=token,
        note=f"due {due.isoformat(timespec='minutes')}",
    )
    transaction.on_commit(
        lambda: sla_alert.send(sender=Ticket, ticket=ticket, target=target, kind=kind, due=due)
    )


def sla_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Announce every target about to be missed (within SLA_WARNING_MINUTES) or missed, once.

    Only tickets with a person (escalated) are looked at; counts what was announced."""
    now = now or timezone.now()
    soon = now + timedelta(minutes=settings.SLA_WARNING_MINUTES)
    counts = {"warning": 0, "breach": 0}
    candidates = Ticket.objects.filter(status=TicketStatus.ESCALATED).filter(
        Q(first_responded_at__isnull=True, first_response_due__lte=soon)
        & ~Q(sla_notified__contains=f"{FIRST_RESPONSE}:breach")
        | Q(resolution_due__lte=soon) & ~Q(sla_notified__contains=f"{RESOLUTION}:breach")
    )
    for ticket in candidates.only("id", "status", "sla_notified", *SLA_FIELDS).iterator():
        targets = [(RESOLUTION, ticket.resolution_due)]
        if ticket.first_responded_at is None:
            targets.insert(0, (FIRST_RESPONSE, ticket.first_response_due))
        for target, due in targets:
            if due is None or due > soon:
                continue
            kind = "breach" if due <= now else "warning"
            if f"{target}:{kind}" in ticket.sla_notified.split():
                continue
            with transaction.atomic():
                _announce(ticket, target, kind, due)
            ticket.refresh_from_db(fields=["sla_notified"])
            counts[kind] += 1
    return counts


def _share(met: int, breached: int) -> float | None:
    return round(met / (met + breached), 4) if met + breached else None


def _settled_counts(now: datetime) -> dict:
    """Count(...) annotations: tickets, first-response and resolution targets met / breached."""
    answered, resolved = Q(first_responded_at__isnull=False), Q(resolved_at__isnull=False)
    return {
        "tickets": Count("id"),
        "first_met": Count(
            "id", filter=answered & Q(first_responded_at__lte=F("first_response_due"))
        ),
        "first_breached": Count(
            "id",
            filter=answered & Q(first_responded_at__gt=F("first_response_due"))
            | ~answered & Q(first_response_due__lte=now),
        ),
        "resolution_met": Count("id", filter=resolved & Q(resolved_at__lte=F("resolution_due"))),
        "resolution_breached": Count(
            "id",
            filter=resolved & Q(resolved_at__gt=F("resolution_due"))
            | ~resolved & Q(resolution_due__lte=now),
        ),
    }


def sla_attainment(tickets: QuerySet[Ticket], *, now: datetime | None = None) -> dict:
    """How many of `tickets` met their targets: overall, per priority and per week of creation
    (one grouped query over the tickets that went to a person, read through their partial
    index; the priorities and weeks are added up here from its few hundred rows).

    A target counts once it is settled: met (answered / resolved by its due time) or breached
    (answered late, or still unanswered past it). Targets still running are "pending"; the
    share met is met / (met + breached), None when nothing is settled."""
    now = now or timezone.now()
    counts = _settled_counts(now)
    cells = (
        tickets.filter(sla_started_at__isnull=False)
        .annotate(week=TruncWeek("created_at"))
        .values("priority", "week")
        .annotate(**counts)
        .order_by()
    )
    by_priority = {priority: dict.fromkeys(counts, 0) for priority in Priority.values}
    by_week: dict[date, dict] = {}
    for cell in cells:
        week = by_week.setdefault(_as_date(cell["week"]), dict.fromkeys(counts, 0))
        for key in counts:
            by_priority.setdefault(cell["priority"], dict.fromkeys(counts, 0))[key] += cell[key]
            week[key] += cell[key]
    totals = {key: sum(row[key] for row in by_priority.values()) for key in counts}
    return {
        "by_priority": [
            _attainment_row(by_priority[priority], priority=priority, label=label)
            for priority, label in Priority.choices
        ],
        "by_week": [_attainment_row(by_week[week], week_of=week) for week in sorted(by_week)],
        **_attainment_row(totals),
    }


def _as_date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _attainment_row(row: dict, **extra) -> dict:
    return {
        **extra,
        "tickets": row["tickets"],
        "first_response": {
            "met": row["first_met"],
            "breached": row["first_breached"],
            "attainment": _share(row["first_met"], row["first_breached"]),
        },
        "resolution": {
            "met": row["resolution_met"],
            "breached": row["resolution_breached"],
            "attainment": _share(row["resolution_met"], row["resolution_breached"]),
        },
    }
