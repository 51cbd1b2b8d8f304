"""Per-process caches of the active model and of the knowledge index.

Every web and worker process serves the active ModelVersion and notices a newly promoted one
without a restart: at most every MODEL_RELOAD_SECONDS it asks the database (one indexed
query) which version is active and whether the knowledge base changed, and reloads if so.

The knowledge index comes from the shared snapshot when there is one (KNOWLEDGE_INDEX_DIR,
written by `manage.py build_knowledge_index` or the `refresh_knowledge_index` task;
resolution.engine.snapshot): memory-mapped, so every process shares one copy and answers
within a second of starting. Without one, the process builds its own.

Either way it follows the knowledge base incrementally: the one-row change counter
(services/knowledge_changes.py) tells a process that something changed, and the entries and
deletions past the version it last saw are added (or replaced) or discarded in place. A
process's own index is rebuilt in full (new vocabulary, the backend chosen again for the size)
when the changes pass SIMILARITY_REBUILD_DRIFT or in the periodic task; a large rebuild runs
in a background thread while the old index keeps answering, a small one (under
REBUILD_INLINE_MAX_ENTRIES) simply runs inline. A snapshot index is never rebuilt by the
process: the periodic task writes a new snapshot, which every process then loads.
"""

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

from resolution.engine.classifier import IntentClassifier
from resolution.engine.embeddings import EmbeddingsUnavailable
from resolution.engine.similarity import SimilarityIndex
from resolution.engine.snapshot import FORMAT as SNAPSHOT_FORMAT
from resolution.engine.snapshot import SnapshotBusy, SnapshotError, read_meta, read_snapshot
from resolution.engine.types import KnowledgeItem
from resolution.models import KnowledgeDeletion, KnowledgeEntry, KnowledgeStatus, ModelVersion
from resolution.services.knowledge_changes import knowledge_version_current

logger = logging.getLogger(__name__)

# Up to this many active entries, any change rebuilds the index inline (well under a second)
# rather than adding to it: a small base's vocabulary misses many of a new entry's words.
REBUILD_INLINE_MAX_ENTRIES = 5_000
# From this many, a rebuild the changes call for runs in a background thread while the old
# index keeps answering (100,000 entries take ~20 s to build, 1M some minutes).
REBUILD_BACKGROUND_MIN_ENTRIES = 5_000
# The periodic task rebuilds after any change up to this size (~25 s of CPU at 100,000
# entries), and above it once this share of the entries changed (1M entries: ~4 minutes).
PERIODIC_REBUILD_MAX_ENTRIES = 100_000
PERIODIC_REBUILD_MIN_DRIFT = 0.01


class NoActiveModel(Exception):
    """No ModelVersion is active: run `manage.py train`."""


@dataclass(frozen=True)
class LoadedModel:
    version_id: int
    version: int
    classifier: IntentClassifier


def _active_entries():
    return KnowledgeEntry.objects.filter(status=KnowledgeStatus.ACTIVE)


def _item(pk, question, answer, slug, language="en") -> KnowledgeItem:
    return KnowledgeItem(id=pk, question=question, answer=answer, intent=slug, language=language)


def index_options() -> dict:
    """How the knowledge index is built, from settings (SIMILARITY_INDEX and friends)."""
    return {
        "backend": settings.SIMILARITY_INDEX,
        "ann_min_entries": settings.SIMILARITY_ANN_MIN_ENTRIES,
        "featurizer": "tfidf" if settings.INTENT_FEATURIZER == "tfidf" else "embeddings",
    }


def build_index(items: list[KnowledgeItem], options: dict | None = None) -> SimilarityIndex:
    """A similarity index over ``items`` as the settings say (TF-IDF if embeddings are
    configured but the optional extra is missing, with a warning)."""
    options = options or index_options()
    try:
        return SimilarityIndex.build(items, **options)
    except EmbeddingsUnavailable as exc:
        logger.warning("Knowledge index falls back to TF-IDF: %s", exc)
        return SimilarityIndex.build(items, **{**options, "featurizer": "tfidf"})


def snapshot_dir() -> Path:
    """Where the shared knowledge index snapshots live (KNOWLEDGE_INDEX_DIR)."""
    return Path(settings.KNOWLEDGE_INDEX_DIR)


def _usable_snapshot(options: dict) -> dict | None:
    """The current snapshot's metadata if the settings' index can come from it (TF-IDF)."""
    if options["featurizer"] != "tfidf":
        return None
    meta = read_meta(snapshot_dir())
    return meta if meta is not None and meta.get("format") == SNAPSHOT_FORMAT else None


def _snapshots_wanted(options: dict, active: int, current: str | None) -> bool:
    """Whether the periodic task keeps a shared snapshot: TF-IDF, and one exists already (made
    by `build_knowledge_index`) or the base reached KNOWLEDGE_INDEX_SNAPSHOT_MIN_ENTRIES."""
    if options["featurizer"] != "tfidf":
        return False
    return current is not None or active >= settings.KNOWLEDGE_INDEX_SNAPSHOT_MIN_ENTRIES


def _wanted_backend(options: dict, size: int) -> str:
    if options["backend"] != "auto":
        return options["backend"]
    return "ann" if size >= options["ann_min_entries"] else "exact"


class _Registry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model: LoadedModel | None = None
        self._model_checked = 0.0
        self._index: SimilarityIndex | None = None
        self._index_checked = 0.0
        self._index_options: dict | None = None
        self._seen_version = 0  # the knowledge change version the index holds everything up to
        self._snapshot: str | None = None  # the shared snapshot the index was loaded from
        self._rebuilding: threading.Thread | None = None
        self.rebuilds = 0  # full builds of the knowledge index by this process
        self.snapshot_loads = 0  # shared snapshots this process loaded

    def clear(self) -> None:
        with self._lock:
            self._model, self._model_checked = None, 0.0
            self._index, self._index_checked, self._index_options = None, 0.0, None
            self._seen_version, self._snapshot = 0, None

    def model(self) -> LoadedModel:
        now = time.monotonic()
        with self._lock:
            if self._model is None or now - self._model_checked >= settings.MODEL_RELOAD_SECONDS:
                active = ModelVersion.objects.filter(is_active=True).values("id", "version").first()
                self._model_checked = now
                if active is None:
                    self._model = None
                elif self._model is None or self._model.version_id != active["id"]:
                    artifact = ModelVersion.objects.values_list("artifact", flat=True).get(
                        pk=active["id"]
                    )
                    classifier = IntentClassifier.from_bytes(bytes(artifact))
                    self._model = LoadedModel(active["id"], active["version"], classifier)
                    logger.info("Loaded model v%s", active["version"])
            if self._model is None:
                raise NoActiveModel("No trained model is active; run `manage.py train`.")
            return self._model

    # --- The knowledge index ----------------------------------------------------------------

    def index(self) -> SimilarityIndex:
        now = time.monotonic()
        with self._lock:
            if self._index is None or now - self._index_checked >= settings.MODEL_RELOAD_SECONDS:
                self._index_checked = now
                options = index_options()
                version = knowledge_version_current()  # one row, not a count of the table
                snapshot = _usable_snapshot(options)
                snapshot_name = snapshot["name"] if snapshot else None
                if (
                    self._index is None
                    or options != self._index_options
                    or snapshot_name != self._snapshot
                ):
                    # Nothing else to serve meanwhile; a change during the build shows up as a
                    # new version at the next look.
                    self._load(options, snapshot, version)
                elif version != self._seen_version:
                    self._catch_up(version)
            return self._index

    def fresh_index(self) -> SimilarityIndex:
        """The index with every committed change applied now, not up to
        MODEL_RELOAD_SECONDS late (the duplicate check when approving an entry)."""
        with self._lock:
            self._index_checked = float("-inf")
        return self.index()

    @property
    def snapshot(self) -> str | None:
        """The name of the shared snapshot this process's index was loaded from, if any."""
        return self._snapshot

    def refresh_index(self) -> int:
        """For the periodic task: catch up, and rebuild afresh (so entries added in place get
        the vocabulary and IDF of the whole base) if anything changed since the last full
        build and the rebuild is cheap, or PERIODIC_REBUILD_MIN_DRIFT of it changed; also when
        the index and the table disagree on the count (a row deleted around the services).

        With snapshots (one exists, or the base has KNOWLEDGE_INDEX_SNAPSHOT_MIN_ENTRIES), the
        rebuild writes a new shared snapshot, which every process loads at its next look.
        Returns the index's size."""
        index = self.index()
        active = _active_entries().count()  # once per task run, not per process every 5 s
        due = len(index) != active or (
            index.changes
            and (
                len(index) <= PERIODIC_REBUILD_MAX_ENTRIES
                or index.drift >= PERIODIC_REBUILD_MIN_DRIFT
            )
        )
        if _snapshots_wanted(index_options(), active, self._snapshot):
            if due or self._snapshot is None:
                # Imported here: knowledge_snapshots builds on this module's helpers.
                from resolution.services.knowledge_snapshots import knowledge_snapshot_build

                try:
                    knowledge_snapshot_build(wait=False)
                except SnapshotBusy:
                    logger.info("A knowledge index snapshot is being built elsewhere; skipped")
                index = self.fresh_index()
        elif due:
            index = self.rebuild_index()
        return len(index)

    def rebuild_index(self) -> SimilarityIndex:
        """Build the index afresh from the database and swap it in (the old one answers
        meanwhile), then apply what changed during the build."""
        built = self._build(index_options())
        with self._lock:
            self._install(*built)
            now = knowledge_version_current()
            if now != self._seen_version:
                self._catch_up(now)
            return self._index

    def _build(self, options: dict) -> tuple:
        # The version first: changes committed while the rows are read are applied again at
        # the next look (adding or discarding an entry twice changes nothing).
        version = knowledge_version_current()
        rows = _active_entries().values_list("id", "question", "answer", "intent__slug", "language")
        index = build_index([_item(*row) for row in rows.iterator(chunk_size=10_000)], options)
        return index, options, version

    def _load(self, options: dict, snapshot: dict | None, version: int) -> None:
        """Serve the shared snapshot (caught up to ``version``) if there is one, else build."""
        if snapshot is not None:
            backend = _wanted_backend(options, snapshot["entries"])
            try:
                index, meta = read_snapshot(snapshot_dir(), backend=backend)
            except SnapshotError as exc:
                logger.warning("Knowledge index snapshot not used: %s", exc)
            else:
                self._install(index, options, meta["version"], snapshot=meta["name"])
                self.snapshot_loads += 1
                if version != self._seen_version:
                    self._catch_up(version)
                return
        self._install(*self._build(options))

    def _install(
        self, index: SimilarityIndex, options: dict, version: int, snapshot: str | None = None
    ) -> None:
        """Serve ``index``, which holds every change up to ``version``."""
        self._index, self._index_options = index, options
        self._seen_version, self._snapshot = version, snapshot
        if snapshot is None:
            self.rebuilds += 1
        logger.info(
            "Knowledge index %s: %s entries, %s search",
            f"loaded from snapshot {snapshot}" if snapshot else "built",
            len(index),
            index.backend,
        )

    def _catch_up(self, version: int) -> None:
        """Apply the entries changed and deleted since the version last seen; rebuild if that
        is not enough (a process's own index only: a snapshot is rebuilt by the task)."""
        index = self._index
        if self._snapshot is None and len(index) <= REBUILD_INLINE_MAX_ENTRIES:
            # Cheap to rebuild, and a small base's vocabulary misses many new entries' words.
            self._install(*self._build(self._index_options))
            return
        changed = KnowledgeEntry.objects.filter(change_version__gt=self._seen_version).values_list(
            "id", "question", "answer", "intent__slug", "language", "status"
        )
        added, gone = (
            [],
            list(
                KnowledgeDeletion.objects.filter(version__gt=self._seen_version).values_list(
                    "entry_id", flat=True
                )
            ),
        )
        for pk, question, answer, slug, language, status in changed:
            if status == KnowledgeStatus.ACTIVE:
                added.append(_item(pk, question, answer, slug, language))
            else:
                gone.append(pk)
        index.discard(gone)
        usable = index.add([item for item in added if index.get(item.id) != item])
        self._seen_version = version
        if self._snapshot is not None:
            return  # the periodic task writes the next snapshot (refresh_index)
        if (
            not usable
            or index.drift > settings.SIMILARITY_REBUILD_DRIFT
            or index.backend != _wanted_backend(self._index_options, len(index))
        ):
            self._rebuild_soon(len(index))

    def _rebuild_soon(self, size: int) -> None:
        if size <= REBUILD_BACKGROUND_MIN_ENTRIES:
            self._install(*self._build(self._index_options))
            return
        if self._rebuilding is not None and self._rebuilding.is_alive():
            return
        self._rebuilding = threading.Thread(
            target=self._rebuild_in_background, name="knowledge-index-rebuild", daemon=True
        )
        self._rebuilding.start()

    def _rebuild_in_background(self) -> None:
        try:
            self.rebuild_index()
        except Exception:
            logger.exception("Rebuilding the knowledge index failed; the old one stays")
        finally:
            connections.close_all()  # this thread's own connections


registry = _Registry()
