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
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from accounts.throttling import parse_rate
from common.errors import RateLimited


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
    values = {"limit": limit, "what": what, "period": _PERIODS[window], "minutes": minutes}
    sent = _SENT.get(what, _SENT_OTHER) % values
    again = (
        ngettext(
            "Please try again in %(minutes)d minute.",
            "Please try again in %(minutes)d minutes.",
            minutes,
        )
        % values
    )
    raise RateLimited(f"{sent} {again}", retry_after=wait)


# The customer reads these (portal and API) in their language: one sentence per kind of row,
# so that each language can agree its words with the number.
_SENT = {
    "new tickets": ngettext_lazy(
        "You have sent %(limit)d new ticket recently, the most we accept in %(period)s.",
        "You have sent %(limit)d new tickets recently, the most we accept in %(period)s.",
        "limit",
    ),
    "messages": ngettext_lazy(
        "You have sent %(limit)d message recently, the most we accept in %(period)s.",
        "You have sent %(limit)d messages recently, the most we accept in %(period)s.",
        "limit",
    ),
    "ratings": ngettext_lazy(
        "You have sent %(limit)d rating recently, the most we accept in %(period)s.",
        "You have sent %(limit)d ratings recently, the most we accept in %(period)s.",
        "limit",
    ),
}
_SENT_OTHER = "You have sent %(limit)d %(what)s recently, the most we accept in %(period)s."
_PERIODS = {
    1: gettext_lazy("a second"),
    60: gettext_lazy("a minute"),
    3600: gettext_lazy("an hour"),
    86400: gettext_lazy("a day"),
}
