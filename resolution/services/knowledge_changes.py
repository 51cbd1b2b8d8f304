"""The knowledge change counter: how every process's knowledge index learns what changed.

Every create, edit, status change and deletion of a knowledge entry takes the next version
inside its own transaction and stamps it on the entries it writes
(``KnowledgeEntry.change_version``; a deletion leaves a ``KnowledgeDeletion`` row): saving or
deleting an entry does so by itself (KnowledgeEntry.save / delete); the services that write
with update() or bulk_create() call ``knowledge_version_next()``. A process polls the one
counter row (``knowledge_version_current()``) and, when it moved, reads only the entries and
deletions past the version it last saw (services/registry.py), instead of counting the table.

Why this is correct under concurrency: taking a version is an UPDATE of the counter row, which
holds that row's lock until the transaction commits, so versions become visible in the order
they were taken. A reader that saw version V therefore sees every change stamped up to V.
Statistics (times_used, ratings) do not take a version: they do not change what is searched.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from resolution.models import (
    KnowledgeChangeCounter,
    KnowledgeDeletion,
    KnowledgeEntry,
)


def knowledge_version_next() -> int:
    """The next change version, taken in the caller's transaction (one query). Saving an entry
    takes one by itself (KnowledgeEntry.save); update() and bulk_create() callers stamp it."""
    return KnowledgeChangeCounter.next_version()


def knowledge_version_current() -> int:
    """The latest committed change version (0 before any change)."""
    version = (
        KnowledgeChangeCounter.objects.filter(pk=KnowledgeChangeCounter.COUNTER_ID)
        .values_list("version", flat=True)
        .first()
    )
    return int(version or 0)


@transaction.atomic
def knowledge_entries_delete(*, entry_ids: Iterable[int]) -> int:
    """Delete entries outright, leaving the deletion for every process's index to see.
    Returns how many were deleted. (Retiring is the usual way out; this is the admin's.)"""
    ids = list(
        KnowledgeEntry.objects.select_for_update()
        .filter(pk__in=list(entry_ids))
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    version = knowledge_version_next()
    KnowledgeDeletion.objects.bulk_create(
        [KnowledgeDeletion(entry_id=pk, version=version) for pk in ids]
    )
    KnowledgeEntry.objects.filter(pk__in=ids).delete()
    return len(ids)


@transaction.atomic
def knowledge_entries_set_status(
    *, entry_ids: Iterable[int], status: str, only_from: str | None = None
) -> int:
    """Put entries in ``status`` (an admin's bulk retire or restore), under one change version;
    ``only_from`` limits it to entries now in that status. Returns how many changed."""
    entries = KnowledgeEntry.objects.filter(pk__in=list(entry_ids))
    if only_from is not None:
        entries = entries.filter(status=only_from)
    return entries.update(
        status=status,
        retired_reason="",
        updated_at=timezone.now(),
        change_version=knowledge_version_next(),
    )
