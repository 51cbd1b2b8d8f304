"""Per-process caches of the active model and of the knowledge index.

Every web and worker process serves the active ModelVersion and notices a newly promoted one
without a restart: at most every MODEL_RELOAD_SECONDS it asks the database (one indexed
query) which version is active and whether the knowledge base changed, and reloads if so.

The knowledge index follows the knowledge base incrementally: entries changed since the last
look are added (or replaced) or discarded in place. A full rebuild (new vocabulary, the
backend chosen again for the size) happens when the changes since the last one pass
SIMILARITY_REBUILD_DRIFT, when the counts disagree (a deleted row), or in the
`refresh_knowledge_index` task. A large rebuild runs in a background thread while the old
index keeps answering; a small one (under REBUILD_INLINE_MAX_ENTRIES) simply runs inline.
"""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connections
from django.db.models import Count, Max
from django.utils import timezone

from resolution.engine.classifier import IntentClassifier
from resolution.engine.embeddings import EmbeddingsUnavailable
from resolution.engine.similarity import SimilarityIndex
from resolution.engine.types import KnowledgeItem
from resolution.models import KnowledgeEntry, KnowledgeStatus, ModelVersion

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
# Changes are looked for from a little before the last look, so an entry whose transaction
# committed late (an earlier updated_at than one already seen) is not missed.
SYNC_OVERLAP = timedelta(seconds=60)


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
        self._index_key: tuple | None = None
        self._index_checked = 0.0
        self._index_options: dict | None = None
        self._synced_from = None  # look for changes with updated_at from here on
        self._rebuilding: threading.Thread | None = None
        self.rebuilds = 0  # full builds of the knowledge index by this process

    def clear(self) -> None:
        with self._lock:
            self._model, self._model_checked = None, 0.0
            self._index, self._index_key, self._index_checked = None, None, 0.0
            self._index_options, self._synced_from = None, None

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
                key = self._key()
                if self._index is None or options != self._index_options:
                    # Nothing else to serve meanwhile; a change during the build shows up as a
                    # new key at the next look.
                    self._install(*self._build(options), key)
                elif key != self._index_key:
                    self._catch_up(key)
            return self._index

    def fresh_index(self) -> SimilarityIndex:
        """The index with every committed change applied now, not up to
        MODEL_RELOAD_SECONDS late (the duplicate check when approving an entry)."""
        with self._lock:
            self._index_checked = float("-inf")
        return self.index()

    def refresh_index(self) -> int:
        """For the periodic task: catch up, and rebuild afresh (so entries added in place get
        the vocabulary and IDF of the whole base) if anything changed since the last full
        build and the rebuild is cheap, or PERIODIC_REBUILD_MIN_DRIFT of it changed. Returns
        the index's size."""
        index = self.index()
        if index.changes and (
            len(index) <= PERIODIC_REBUILD_MAX_ENTRIES or index.drift >= PERIODIC_REBUILD_MIN_DRIFT
        ):
            index = self.rebuild_index()
        return len(index)

    def rebuild_index(self) -> SimilarityIndex:
        """Build the index afresh from the database and swap it in (the old one answers
        meanwhile), then apply what changed during the build."""
        key = self._key()
        built = self._build(index_options())
        with self._lock:
            self._install(*built, key)
            now = self._key()
            if now != key:
                self._catch_up(now)
            return self._index

    @staticmethod
    def _key() -> tuple:
        return tuple(_active_entries().aggregate(n=Count("id"), changed=Max("updated_at")).values())

    def _build(self, options: dict) -> tuple:
        started = timezone.now()
        rows = _active_entries().values_list("id", "question", "answer", "intent__slug", "language")
        index = build_index([_item(*row) for row in rows.iterator(chunk_size=10_000)], options)
        return index, options, started

    def _install(self, index: SimilarityIndex, options: dict, started, key: tuple) -> None:
        """Serve ``index``, built from the database as it was at ``started`` and ``key``."""
        self._index, self._index_options, self._index_key = index, options, key
        self._synced_from = started - SYNC_OVERLAP
        self.rebuilds += 1
        logger.info("Knowledge index built: %s entries, %s search", len(index), index.backend)

    def _catch_up(self, key: tuple) -> None:
        """Apply the entries changed since the last look; rebuild if that is not enough."""
        size = key[0]
        if size <= REBUILD_INLINE_MAX_ENTRIES:
            # Cheap to rebuild, and a small base's vocabulary misses many new entries' words.
            self._install(*self._build(self._index_options), key)
            return
        index, looked = self._index, timezone.now()
        changed = KnowledgeEntry.objects.filter(updated_at__gte=self._synced_from).values_list(
            "id", "question", "answer", "intent__slug", "language", "status"
        )
        added, gone = [], []
        for pk, question, answer, slug, language, status in changed:
            if status == KnowledgeStatus.ACTIVE:
                added.append(_item(pk, question, answer, slug, language))
            else:
                gone.append(pk)
        index.discard(gone)
        usable = index.add([item for item in added if index.get(item.id) != item])
        self._index_key, self._synced_from = key, looked - SYNC_OVERLAP
        if (
            not usable
            or len(index) != size  # an entry deleted outright, or a change missed
            or index.drift > settings.SIMILARITY_REBUILD_DRIFT
            or index.backend != _wanted_backend(self._index_options, size)
        ):
            self._rebuild_soon(size)

    def _rebuild_soon(self, size: int) -> None:
        if size <= REBUILD_BACKGROUND_MIN_ENTRIES:
            self._install(*self._build(self._index_options), self._key())
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
