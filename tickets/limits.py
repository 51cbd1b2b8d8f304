"""Per-customer limits on what a customer submits: tickets, replies, ratings (issue 15 #3).

One new account once opened 150 tickets in 4.6 s. The services that every door calls (portal,
API, later e-mail) check these limits, so no door is forgotten. The count is the customer's own
rows in the database within the window: exact, shared by every process whatever the cache, and
one indexed query. Two requests racing at the very limit may both pass; one extra row is not
worth a lock.

Rates are settings ("N/min|hour|day"; empty switches a limit off): CUSTOMER_TICKET_RATE,
CUSTOMER_REPLY_RATE, CUSTOMER_FEEDBACK_RATE.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.throttling import parse_rate
from tickets.errors import RateLimited


def customer_rate_enforce(*, recent: QuerySet, setting: str, what: str) -> None:
    """Raise RateLimited when `recent` (the customer's rows of one kind, with `created_at`)
    already holds as many rows inside the window as the rate in `setting` allows."""
    rate = parse_rate(getattr(settings, setting))
    if rate is None:
        return
    limit, window = rate
    now = timezone.now()
    times = list(
        recent.filter(created_at__gt=now - timedelta(seconds=window))
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(times) < limit:
        return
    # A limit of 0 allows nothing: no row to wait for, the whole window.
    oldest = times[-1] if times else now
    wait = max(1, math.ceil((oldest + timedelta(seconds=window) - now).total_seconds()))
    minutes = math.ceil(wait / 60)
    raise RateLimited(
        f"You have sent {limit} {what} recently, the most we accept in "
        f"{_period(window)}. Please try again in {minutes} minute{'s' if minutes > 1 else ''}.",
        retry_after=wait,
    )


def _period(seconds: int) -> str:
    return {1: "a second", 60: "a minute", 3600: "an hour", 86400: "a day"}[seconds]
