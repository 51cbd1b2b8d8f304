"""Per-process caches of the active model and of the knowledge index.

Every web and worker process serves the active ModelVersion and notices a newly promoted one
without a restart: at most every MODEL_RELOAD_SECONDS it asks the database (one indexed
query) which version is active and whether the knowledge base changed, and reloads if so.
"""

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max

from resolution.engine.classifier import IntentClassifier
from resolution.engine.similarity import SimilarityIndex
from resolution.engine.types import KnowledgeItem
from resolution.models import KnowledgeEntry, KnowledgeStatus, ModelVersion

logger = logging.getLogger(__name__)


class NoActiveModel(Exception):
    """No ModelVersion is active: run `manage.py train`."""


@dataclass(frozen=True)
class LoadedModel:
    version_id: int
    version: int
    classifier: IntentClassifier


class _Registry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model: LoadedModel | None = None
        self._model_checked = 0.0
        self._index: SimilarityIndex | None = None
        self._index_key: tuple | None = None
        self._index_checked = 0.0

    def clear(self) -> None:
        with self._lock:
            self._model, self._model_checked = None, 0.0
            self._index, self._index_key, self._index_checked = None, None, 0.0

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

    def index(self) -> SimilarityIndex:
        now = time.monotonic()
        with self._lock:
            if self._index is None or now - self._index_checked >= settings.MODEL_RELOAD_SECONDS:
                active = KnowledgeEntry.objects.filter(status=KnowledgeStatus.ACTIVE)
                key = tuple(active.aggregate(n=Count("id"), changed=Max("updated_at")).values())
                self._index_checked = now
                if key != self._index_key or self._index is None:
                    self._index = SimilarityIndex.build(
                        [
                            KnowledgeItem(id=pk, question=q, answer=a, intent=slug)
                            for pk, q, a, slug in active.values_list(
                                "id", "question", "answer", "intent__slug"
                            )
                        ]
                    )
                    self._index_key = key
            return self._index


registry = _Registry()
