"""Approximate nearest neighbours over dense unit vectors (FAISS HNSW, inner product).

Candidate generation for the similarity index over sentence embeddings, from
SIMILARITY_ANN_MIN_ENTRIES entries on: the caller re-scores the candidates exactly, so this
only has to put the true nearest entries among the first hundred or so. A vector's FAISS id
is its row position, in the order vectors were added; HNSW cannot delete, so callers mask
removed rows out and over-fetch.

faiss is imported lazily: exact search (small knowledge bases, the tests) never needs it.
"""

from __future__ import annotations

import threading

import numpy as np

# HNSW graph degree and build effort: common middle-of-the-road values, not tuned here (the
# embeddings path was not benchmarked at scale; tests check its recall on synthetic vectors).
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80


class AnnIndex:
    """An HNSW graph of float32 unit vectors, searched by inner product (= cosine)."""

    def __init__(self, dimensions: int) -> None:
        import faiss

        self.dimensions = dimensions
        self._index = faiss.IndexHNSWFlat(dimensions, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        self._index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        # FAISS's add mutates the graph that a concurrent search walks: one at a time.
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(vectors):
            with self._lock:
                self._index.add(vectors)

    def search(self, vector: np.ndarray, n: int, *, ef: int | None = None) -> np.ndarray:
        """Row positions of up to ``n`` nearest vectors, best first."""
        import faiss

        n = min(n, len(self))
        if n <= 0:
            return np.zeros(0, dtype=np.int64)
        query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
        params = faiss.SearchParametersHNSW(efSearch=max(ef or 0, n))
        with self._lock:
            _, ids = self._index.search(query, n, params=params)
        ids = ids[0]
        return ids[ids >= 0]
