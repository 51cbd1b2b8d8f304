"""Deployment checks of the accounts app (shown by `manage.py check --deploy`).

Login throttles and lockouts count attempts in the default cache (accounts/throttling.py). A
per-process cache gives every gunicorn worker its own count, so N workers allow N times the
limit (issue 15: 23-30 guesses a minute through 3 workers instead of 10); a dummy cache keeps
no count at all. Production must point CACHE_URL at a shared cache (Redis).
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Backends whose counts are not shared between the processes of one deployment.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "kept in each process's memory",
    "django.core.cache.backends.dummy.DummyCache": "a dummy cache that keeps nothing",
}

W001 = "accounts.W001"


@register(Tags.security, Tags.caches, deploy=True)
def check_shared_cache_for_limits(app_configs: Sequence[Any] | None, **kwargs: Any) -> list:
    if settings.DEBUG:
        return []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    why = PER_PROCESS_CACHES.get(backend)
    if why is None:
        return []
    return [
        Warning(
            f"The default cache is {why} ({backend}): login limits and lockouts are then "
            "counted per process, so each gunicorn worker allows the full limit again.",
            hint="Set CACHE_URL to a cache all processes share, e.g. redis://redis:6379/1.",
            id=W001,
        )
    ]
