"""Writing the shared knowledge index snapshot (resolution.engine.snapshot) from the database.

Called by `manage.py build_knowledge_index`, by the periodic `refresh_knowledge_index` task
when the changes call for it (services/registry.py), and after an erasure that touched
knowledge: the snapshot holds the entries' text, so a new one is written without the erased
text and every older one is removed (an erased entry is already never returned: each process
drops it at its next look through the change counter).
"""

import logging
import time

from resolution.engine.similarity import SimilarityIndex
from resolution.engine.snapshot import (
    KEEP_PREVIOUS,
    building_lock,
    prune_snapshots,
    read_meta,
    write_snapshot,
)
from resolution.services.knowledge_changes import knowledge_version_current
from resolution.services.registry import (
    _active_entries,
    _item,
    _wanted_backend,
    index_options,
    snapshot_dir,
)

logger = logging.getLogger(__name__)


def knowledge_snapshot_build(*, keep_previous: int = KEEP_PREVIOUS, wait: bool = True) -> dict:
    """Build the TF-IDF index of the active entries and make it the current snapshot; older
    snapshots beyond ``keep_previous`` are removed. Returns its metadata plus the seconds it
    took. Needs memory for one full build (docs/OPERATIONS.md); the processes serving
    searches meanwhile keep the old snapshot. One build at a time: ``wait`` False raises
    SnapshotBusy if another is running."""
    with building_lock(snapshot_dir(), wait=wait):
        return _build(keep_previous)


def _build(keep_previous: int) -> dict:
    started = time.perf_counter()
    options = index_options()
    # The version first: a change committed while the rows are read is applied again by each
    # process when it catches up from this version (adding or discarding twice is harmless).
    version = knowledge_version_current()
    rows = _active_entries().values_list("id", "question", "answer", "intent__slug")
    items = [_item(*row) for row in rows.iterator(chunk_size=10_000)]
    index = SimilarityIndex.build(
        items, backend=_wanted_backend(options, len(items)), featurizer="tfidf"
    )
    path = write_snapshot(index, snapshot_dir(), version=version)
    prune_snapshots(snapshot_dir(), keep_previous=keep_previous)
    meta = read_meta(snapshot_dir()) or {"name": path.name}
    meta["seconds"] = round(time.perf_counter() - started, 1)
    logger.info(
        "Knowledge index snapshot %s: %s entries at change %s in %.1f s",
        path.name,
        len(items),
        version,
        meta["seconds"],
    )
    return meta


def knowledge_snapshot_rebuild_after_erasure() -> None:
    """After the caller's transaction commits, rewrite the snapshot (if there is one) without
    the erased text and keep no older one."""
    if read_meta(snapshot_dir()) is None:
        return
    from resolution.tasks import rebuild_knowledge_snapshot  # tasks import the services

    rebuild_knowledge_snapshot.delay_on_commit(keep_previous=0)
