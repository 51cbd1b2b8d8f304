"""Business-time arithmetic: "N working minutes after this moment" on a weekly timetable.

Pure (no database): a `Timetable` is built from a BusinessCalendar by tickets/sla.py.

Hand-written rather than `businesstimedelta`: that package's last release is from 2019, it
needs pytz (Django uses zoneinfo) and has no notion of several spans a day with per-day hours.
The arithmetic is one loop over days; holidays come from the `holidays` package (kept current
upstream) plus the desk's own Holiday rows.

Time zones: the spans are wall-clock times in the calendar's zone; every sum is done on UTC
instants (adding a timedelta to a zoneinfo-aware datetime is wall-clock arithmetic in Python,
which is wrong across a DST change).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A target this far out in calendar days is a misconfiguration (e.g. every day a holiday).
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Timetable:
    zone: ZoneInfo
    # weekday (0 Monday .. 6 Sunday) -> [(start, end), ...], ascending, non-overlapping
    hours: dict[int, list[tuple[time, time]]]
    is_holiday: Callable[[date], bool] = field(default=lambda day: False)

    @classmethod
    def around_the_clock(cls) -> "Timetable":
        return cls(zone=ZoneInfo("UTC"), hours={d: [(time(0), time(0))] for d in range(7)})

    def spans(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working spans of `day` as UTC instants (none on a holiday or closed day)."""
        if self.is_holiday(day):
            return []
        result = []
        for start, end in self.hours.get(day.weekday(), []):
            begin = datetime.combine(day, start, tzinfo=self.zone)
            # "00:00" as an end means midnight at the end of the day.
            finish = datetime.combine(
                day + timedelta(days=1) if end == time(0) else day, end, tzinfo=self.zone
            )
            result.append((begin.astimezone(UTC), finish.astimezone(UTC)))
        return result

    def is_open(self, moment: datetime) -> bool:
        local_day = moment.astimezone(self.zone).date()
        return any(begin <= moment < end for begin, end in self.spans(local_day))


def add_business_minutes(start: datetime, minutes: float, timetable: Timetable) -> datetime:
    """The instant `minutes` working minutes after `start` (an aware datetime), in UTC.

    Outside working hours the clock waits for the next span. Raises ValueError when no working
    time exists within MAX_DAYS (a calendar with no open hours).
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    moment = start.astimezone(UTC)
    remaining = timedelta(minutes=minutes)
    day = moment.astimezone(timetable.zone).date()
    for _ in range(MAX_DAYS):
        for begin, end in timetable.spans(day):
            begin = max(begin, moment)
            if begin >= end:
                continue
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += timedelta(days=1)
    raise ValueError("The business calendar has no working hours within three years.")


def parse_weekly_hours(raw: object) -> dict[int, list[tuple[time, time]]]:
    """Validate a calendar's `weekly_hours` JSON ({"0": [["09:00", "17:00"]], ...}).

    Raises ValueError with a readable message on anything else."""
    if not isinstance(raw, dict):
        raise ValueError('weekly hours must be an object like {"0": [["09:00", "17:00"]]}')
    hours: dict[int, list[tuple[time, time]]] = {}
    for key, spans in raw.items():
        if str(key) not in {str(d) for d in range(7)}:
            raise ValueError(f"weekday {key!r}: use 0 (Monday) to 6 (Sunday)")
        if not isinstance(spans, list):
            raise ValueError(f"weekday {key}: a list of [start, end] pairs")
        parsed = []
        for span in spans:
            if not (isinstance(span, list | tuple) and len(span) == 2):
                raise ValueError(f"weekday {key}: each span is [start, end]")
            try:
                start, end = (time.fromisoformat(str(value)) for value in span)
            except ValueError as error:
                raise ValueError(f"weekday {key}: times as HH:MM ({error})") from error
            if end != time(0) and end <= start:
                raise ValueError(f"weekday {key}: {span[0]}-{span[1]} ends before it starts")
            parsed.append((start, end))
        parsed.sort()
        for (_, end), (start, _) in zip(parsed, parsed[1:], strict=False):
            if end == time(0) or start < end:
                raise ValueError(f"weekday {key}: spans overlap")
        hours[int(key)] = parsed
    if not any(hours.values()):
        raise ValueError("weekly hours: at least one open span")
    return hours
