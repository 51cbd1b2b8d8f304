"""Small tables read on every ticket (active rules, webhook endpoints), cached until they change.

The pipeline's hot path reads them for each ticket; they change a few times a month. The rows
are kept in Django's cache with no timeout and dropped by the model's save and delete signals,
at once and again after the commit (a reader between the two would cache the old rows).
With a per-process cache (locmem) another process notices a change only through its own
signals: production's shared cache (CACHE_URL, docs/OPERATIONS.md) reaches every process.
"""

from collections.abc import Callable

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save


def cached_rows(key: str, load: Callable[[], list]) -> list:
    return cache.get_or_set(key, load, timeout=None)


def drop_when_changed(model: type[models.Model], key: str) -> None:
    """Forget `key` whenever a row of `model` is saved or deleted."""

    def dropped(**kwargs) -> None:
        cache.delete(key)
        transaction.on_commit(lambda: cache.delete(key))

    for signal in (post_save, post_delete):
        signal.connect(dropped, sender=model, weak=False, dispatch_uid=f"row_cache:{key}")
