"""Failed-login counting: one service behind the portal's log-in form and the API's login.

Failures are counted twice, per client address and per account (the e-mail as typed, hashed,
whether or not such an account exists), in a sliding window: the `login` rate in
REST_FRAMEWORK's DEFAULT_THROTTLE_RATES (e.g. "10/min"). Either count over the limit refuses
further attempts, even with the right password, until the window has moved on. An unknown
e-mail is counted and refused exactly like a real one, so the lockout reveals nothing about
who has an account. Successful logins cost nothing.

The client address comes from DRF's throttle identity, which trusts X-Forwarded-For only as
far as NUM_PROXIES says (a made-up header cannot dodge the count).
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

SCOPE = "login"
_DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _rate() -> tuple[int, int] | None:
    """(attempts, seconds) from settings, read at call time so test overrides apply."""
    rate = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(SCOPE)
    if not rate:
        return None
    count, period = rate.split("/")
    return int(count), _DURATIONS[period[0]]


def client_address(request: HttpRequest | None) -> str:
    return BaseThrottle().get_ident(request) if request is not None else "unknown"


@dataclass
class LoginThrottle:
    keys: tuple[str, ...]

    @classmethod
    def for_attempt(cls, request: HttpRequest | None, email: str) -> "LoginThrottle":
        account = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()
        return cls(
            keys=(f"{SCOPE}-fail:ip:{client_address(request)}", f"{SCOPE}-fail:account:{account}")
        )

    def retry_after(self) -> int | None:
        """Seconds until another attempt is allowed; None when one is allowed now."""
        rate = _rate()
        if rate is None:
            return None
        limit, window = rate
        now = time.time()
        waits = []
        for key in self.keys:
            recent = [t for t in cache.get(key, []) if t > now - window]
            if len(recent) >= limit:
                waits.append(max(1, int(min(recent) + window - now) + 1))
        return min(max(waits), window) if waits else None

    def record_failure(self) -> None:
        rate = _rate()
        if rate is None:
            return
        _, window = rate
        now = time.time()
        for key in self.keys:
            recent = [t for t in cache.get(key, []) if t > now - window]
            cache.set(key, [now, *recent], window)
