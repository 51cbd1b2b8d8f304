"""Failed-login counting, one service behind every log-in door: the portal's form, the API's
login and Django admin's log-in page. Plus `RateLimit`, the counter behind sign-up and
password-reset limits.

Failures are counted in sliding windows, three ways, so that an attacker cannot lock the owner
out (issue 15 #5):
- per (account, client): the `login` rate (LOGIN_THROTTLE_RATE, 10/min). Past
  LOGIN_PROGRESSIVE_AFTER failures each further attempt from that client waits twice as long as
  the one before (1 s, 2 s, 4 s, ...): guessing slows to a crawl long before the limit.
- per client, whatever the account: `login_client` (LOGIN_CLIENT_THROTTLE_RATE, 30/min), so one
  address cannot spray guesses over many accounts.
- per account, from everywhere: `login_account` (LOGIN_ACCOUNT_THROTTLE_RATE, 100/hour), a
  higher ceiling against guessing from many addresses. It refuses only clients that have not
  logged in to that account successfully in the last LOGIN_KNOWN_CLIENT_DAYS: the owner, from
  where they usually log in, keeps getting in while a botnet is refused.
The account is the e-mail as typed, hashed, whether or not such an account exists: an unknown
e-mail is counted and refused exactly like a real one, so the lockout reveals nothing about who
has an account. Successful logins cost nothing.

The client is DRF's throttle identity, which trusts X-Forwarded-For only as far as NUM_PROXIES
says (a made-up header cannot dodge the count). Counts live in the cache: CACHE_URL must be a
shared cache (Redis) when several processes serve the site.
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


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """ "10/min" -> (10, 60); "" or None -> None (no limit). DRF's rate format."""
    if not rate:
        return None
    count, period = rate.split("/")
    return int(count), _DURATIONS[period[0]]


def _rate(scope: str) -> tuple[int, int] | None:
    """(attempts, seconds) from settings, read at call time so test overrides apply."""
    return parse_rate(settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(scope))


def client_address(request: HttpRequest | None) -> str:
    return BaseThrottle().get_ident(request) if request is not None else "unknown"


def _digest(text: str) -> str:
    return hashlib.sha256((text or "").strip().lower().encode()).hexdigest()


def _recent(key: str, window: int, now: float) -> list[float]:
    return [t for t in cache.get(key, []) if t > now - window]


@dataclass
class LoginThrottle:
    account: str
    client: str

    @classmethod
    def for_attempt(cls, request: HttpRequest | None, email: str) -> "LoginThrottle":
        return cls(account=_digest(email), client=client_address(request))

    @property
    def _pair_key(self) -> str:
        return f"{SCOPE}-fail:pair:{self.account}:{self.client}"

    @property
    def _client_key(self) -> str:
        return f"{SCOPE}-fail:ip:{self.client}"

    @property
    def _account_key(self) -> str:
        return f"{SCOPE}-fail:account:{self.account}"

    @property
    def _known_key(self) -> str:
        return f"{SCOPE}-ok:{self.account}:{self.client}"

    def _counted(self) -> list[tuple[str, str]]:
        """(cache key, rate scope) of the counts that apply to this attempt."""
        counted = [(self._pair_key, "login"), (self._client_key, "login_client")]
        if not cache.get(self._known_key):
            counted.append((self._account_key, "login_account"))
        return counted

    def retry_after(self) -> int | None:
        """Seconds until another attempt is allowed; None when one is allowed now."""
        now = time.time()
        waits = []
        for key, scope in self._counted():
            if (rate := _rate(scope)) is None:
                continue
            limit, window = rate
            recent = _recent(key, window, now)
            if len(recent) >= limit:
                waits.append(min(window, max(1, int(min(recent) + window - now) + 1)))
            if scope == "login" and (delay := self._progressive_wait(recent, now)):
                waits.append(delay)
        return max(waits) if waits else None

    @staticmethod
    def _progressive_wait(recent: list[float], now: float) -> int | None:
        free = settings.LOGIN_PROGRESSIVE_AFTER
        if len(recent) < free or not recent:
            return None
        delay = 2 ** (len(recent) - free)
        left = max(recent) + delay - now
        return max(1, int(left) + 1) if left > 0 else None

    def record_failure(self) -> None:
        now = time.time()
        for key, scope in (
            (self._pair_key, "login"),
            (self._client_key, "login_client"),
            (self._account_key, "login_account"),
        ):
            if (rate := _rate(scope)) is None:
                continue
            window = rate[1]
            cache.set(key, [now, *_recent(key, window, now)], window)

    def record_success(self) -> None:
        """This client now knows the password: the account-wide ceiling no longer applies to it,
        and its own failures are forgiven."""
        cache.set(self._known_key, True, settings.LOGIN_KNOWN_CLIENT_DAYS * 86400)
        cache.delete(self._pair_key)


class RateLimit:
    """At most `rate` hits per identity (e.g. a client address, an e-mail address) in a fixed
    window. Counted with cache.add + cache.incr, which are atomic in Redis and locmem, so
    concurrent requests cannot slip past together (a read-modify-write list could)."""

    def __init__(self, scope: str) -> None:
        self.scope = scope

    def hit(self, identity: str) -> int | None:
        """Count one hit; the seconds to wait if it is over the limit (it is then not done)."""
        if (rate := _rate(self.scope)) is None:
            return None
        limit, window = rate
        now = time.time()
        start = int(now // window) * window
        key = f"rl:{self.scope}:{_digest(identity)}:{start}"
        cache.add(key, 0, window + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, window + 1)
            count = 1
        if count > limit:
            return max(1, int(start + window - now) + 1)
        return None
