"""Nearest knowledge-base entries by cosine similarity: exact, or approximate at scale.

Two representations of a question (``featurizer``):

- ``tfidf`` (default): word (1-2) and character (2-5) n-grams of the normalized questions, each
  block L2-normalized and weighted so the whole row has unit length: the cosine is the mean of
  the word cosine and the character cosine. Word n-grams reward the same phrasing; character
  n-grams forgive typos and inflections ("refunded" / "refund").
- ``embeddings``: sentence embeddings (``resolution.engine.embeddings``), unit vectors.

Two ways to search (``backend``), chosen by size unless forced:

- ``exact``: every entry is scored. A TF-IDF search reads the postings of the query's n-grams
  (~19 per entry, most of them common character n-grams) and sorts partially: 0.7 ms at
  10,000 entries, 12-15 ms at 100,000 on the 2-core box.
- ``ann``: candidates first, then exactly re-scored, so a score means the same cosine
  whichever backend found it (the similarity thresholds stay valid). For TF-IDF the
  candidates are the entries sharing the query's *rarest* n-grams (their postings read up to
  POSTINGS_BUDGET_SHARE of the entry count), best ANN_CANDIDATES by that partial score; for
  embeddings, a FAISS HNSW graph (``vector_index``). Recall against exact search, and why not
  a dense LSA projection in FAISS for TF-IDF: bench/pipeline.py, docs/BENCHMARKS.md.

The index grows in place (``add``: new questions are transformed with the vocabulary and IDF
of the last full build) and forgets entries (``discard``: masked out). ``drift``
says how far it has moved from its last full build; the caller rebuilds past a bound
(resolution.services.registry). Searches and changes are serialized by a lock.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .text import TOKEN_PATTERN, normalize
from .types import KnowledgeItem, Match

logger = logging.getLogger(__name__)

BACKENDS = ("auto", "exact", "ann")
FEATURIZERS = ("tfidf", "embeddings")
# "auto" switches to the approximate index at this many entries (SIMILARITY_ANN_MIN_ENTRIES).
DEFAULT_ANN_MIN_ENTRIES = 20_000
# Entries proposed per approximate search, then re-scored exactly; more = better recall.
ANN_CANDIDATES = 128
ANN_EF_SEARCH = 128  # HNSW search breadth (embeddings)
# TF-IDF candidates: the postings read per query, as a share of the entries (at least the
# minimum), taking the query's rarest n-grams first, and at least this many n-grams.
POSTINGS_BUDGET_SHARE = 0.1
POSTINGS_BUDGET_MIN = 5_000
MIN_CANDIDATE_NGRAMS = 8


def tfidf_vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """The two unfitted vectorizers: word (1-2) and character (2-5) n-grams."""
    return (
        TfidfVectorizer(
            ngram_range=(1, 2), token_pattern=TOKEN_PATTERN, sublinear_tf=True, dtype=np.float32
        ),
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32
        ),
    )


class _Tfidf:
    """The TF-IDF featurizer: two fitted vectorizers, joined into one unit-length row."""

    def __init__(self, vectorizers: Sequence[TfidfVectorizer]):
        self._vectorizers = tuple(vectorizers)
        self._analyzers = [v.build_analyzer() for v in vectorizers]
        self._vocabularies = [v.vocabulary_ for v in vectorizers]
        self._idf = [v.idf_.astype(np.float32) for v in vectorizers]
        sizes = [len(v.vocabulary_) for v in vectorizers]
        self._offsets = np.cumsum([0, *sizes])[:-1]
        self.n_features = int(sum(sizes))
        self._scale = np.float32(1.0 / math.sqrt(len(vectorizers)))
        self.n_blocks = len(vectorizers)
        # Feature ids from here on are character n-grams (the second block).
        self.char_offset = int(self._offsets[1]) if len(vectorizers) > 1 else self.n_features

    @classmethod
    def fit(cls, docs: list[str]) -> tuple[_Tfidf, sp.csr_matrix] | None:
        """The featurizer fitted on ``docs``, and their rows; None for an empty vocabulary."""
        vectorizers = tfidf_vectorizers()
        blocks = []
        for vectorizer in vectorizers:
            try:
                blocks.append(vectorizer.fit_transform(docs))
            except ValueError:  # empty vocabulary, e.g. questions of single letters
                return None
        featurizer = cls(vectorizers)
        return featurizer, featurizer._join(blocks)

    def rows(self, docs: list[str]) -> sp.csr_matrix:
        """Many documents at once (scikit-learn's transform), one unit-length row each."""
        # Each block is already L2-normalized; scaling by 1/sqrt(n) makes the joined row unit
        # length (a row that is empty in one block stays shorter, which fairly lowers scores).
        return self._join([v.transform(docs) for v in self._vectorizers])

    def _join(self, blocks: list[sp.csr_matrix]) -> sp.csr_matrix:
        matrix = sp.hstack(blocks, format="csr", dtype=np.float32)
        matrix.data *= self._scale
        matrix.sort_indices()
        return matrix

    def query(self, doc: str) -> tuple[np.ndarray, np.ndarray] | None:
        """One document as (sorted feature ids, weights); the same numbers as ``rows``.

        Written out rather than calling ``transform``: scikit-learn's per-call overhead is
        ~0.3 ms a vectorizer, more than the rest of a search.
        """
        all_ids, all_weights = [], []
        for analyzer, vocabulary, idf, offset in zip(
            self._analyzers, self._vocabularies, self._idf, self._offsets, strict=True
        ):
            ids = [vocabulary[g] for g in analyzer(doc) if g in vocabulary]
            if not ids:
                continue
            ids, counts = np.unique(np.asarray(ids, dtype=np.int64), return_counts=True)
            weights = (1.0 + np.log(counts.astype(np.float32))) * idf[ids]
            weights *= self._scale / np.float32(np.linalg.norm(weights))
            all_ids.append(ids + offset)
            all_weights.append(weights.astype(np.float32))
        if not all_ids:
            return None
        return np.concatenate(all_ids), np.concatenate(all_weights)


class _SparseRows:
    """TF-IDF rows: the full build's matrix plus the rows added since, kept apart.

    Held twice: entries x features (a candidate's exact score is one row times the query) and
    features x entries (the postings: a query touches only those of its own n-grams).
    """

    def __init__(
        self,
        base: sp.csr_matrix,
        postings: sp.csr_matrix | None = None,
        df: np.ndarray | None = None,
    ):
        """``postings`` and ``df`` are computed from ``base`` unless given (a snapshot)."""
        self._base = base
        if postings is None:
            postings = base.T.tocsr()
            postings.sort_indices()
        self._postings = postings
        # How many entries hold each n-gram: a query's rare n-grams find its neighbours
        # cheaply, its common ones (" th", "my") touch most entries for little weight.
        self._df = np.diff(self._postings.indptr) if df is None else df
        self._added = sp.csr_matrix((0, base.shape[1]), dtype=np.float32)
        self._added_postings = self._added.T.tocsr()
        self._query: np.ndarray | None = None
        self._scratch: np.ndarray | None = None

    def __len__(self) -> int:
        return self._base.shape[0] + self._added.shape[0]

    @property
    def n_features(self) -> int:
        return self._base.shape[1]

    def append(self, rows: sp.csr_matrix) -> None:
        self._added = sp.vstack([self._added, rows], format="csr", dtype=np.float32)
        self._added_postings = self._added.T.tocsr()

    def score_all(self, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        # (the query's postings).T @ weights: one pass over them, into a dense result.
        parts = [self._postings[ids].T @ weights]
        if self._added.shape[0]:
            parts.append(self._added_postings[ids].T @ weights)
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def candidates(self, ids: np.ndarray, weights: np.ndarray, n: int, budget: int) -> np.ndarray:
        """Rows likely to be the query's nearest: scored on its rarest n-grams only.

        The query's n-grams are taken rarest first while their postings total at most
        ``budget`` (at least MIN_CANDIDATE_NGRAMS of them): the common n-grams left out add a
        small, nearly even amount to most entries, so the ranking by the rest keeps the true
        nearest among the first ``n`` (recall in docs/BENCHMARKS.md). The caller holds the
        index's lock (a scratch array is shared between searches).
        """
        df = self._df[ids]
        order = np.argsort(df, kind="stable")
        within = int(np.searchsorted(np.cumsum(df[order]), budget, "right"))
        keep = np.sort(order[: max(MIN_CANDIDATE_NGRAMS, within)])
        ids, weights = ids[keep], weights[keep]
        entries, values = [], []
        for postings, offset in ((self._postings, 0), (self._added_postings, self._base.shape[0])):
            if postings.shape[1]:
                chosen = postings[ids]
                entries.append(chosen.indices + offset)
                values.append(chosen.data * np.repeat(weights, np.diff(chosen.indptr)))
        entries, values = np.concatenate(entries), np.concatenate(values)
        if not len(entries):
            return np.zeros(0, dtype=np.int64)
        # Sum the values per entry without an entries-sized array to clear: each posting
        # points at the last posting of the same entry (written to a scratch array indexed by
        # entry), and the sums collect there.
        if self._scratch is None or len(self._scratch) < len(self):
            self._scratch = np.empty(len(self), dtype=np.int32)
        positions = np.arange(len(entries), dtype=np.int32)
        self._scratch[entries] = positions
        last = self._scratch[entries]
        sums = np.bincount(last, weights=values, minlength=len(entries))
        distinct = np.flatnonzero(last == positions)
        rows, scores = entries[distinct], sums[distinct]
        if len(rows) > n:
            rows = rows[np.argpartition(-scores, n - 1)[:n]]
        return rows.astype(np.int64)

    def row(self, position: int) -> sp.csr_matrix:
        """One entry's row (1 x features)."""
        n_base = self._base.shape[0]
        if position < n_base:
            return self._base[position]
        return self._added[position - n_base]

    def score_some(self, ids: np.ndarray, weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact scores of the given rows only (the caller holds the index's lock)."""
        if self._query is None:  # a dense query, reused: zeroing millions of floats per
            self._query = np.zeros(self.n_features, dtype=np.float32)  # search is slow
        self._query[ids] = weights
        try:
            n_base = self._base.shape[0]
            scores = np.empty(len(rows), dtype=np.float32)
            in_base = rows < n_base
            for mask, matrix, offset in (
                (in_base, self._base, 0),
                (~in_base, self._added, n_base),
            ):
                if mask.any():
                    scores[mask] = matrix[rows[mask] - offset] @ self._query
        finally:
            self._query[ids] = 0.0
        return scores


class _DenseRows:
    """Unit vectors in a growable buffer (amortized appends)."""

    def __init__(self, vectors: np.ndarray):
        self._buffer = np.ascontiguousarray(vectors, dtype=np.float32)
        self._n = len(vectors)

    def __len__(self) -> int:
        return self._n

    @property
    def vectors(self) -> np.ndarray:
        return self._buffer[: self._n]

    def append(self, vectors: np.ndarray) -> None:
        needed = self._n + len(vectors)
        if needed > len(self._buffer):
            grown = np.zeros((max(needed, 2 * len(self._buffer)), vectors.shape[1]), np.float32)
            grown[: self._n] = self.vectors
            self._buffer = grown
        self._buffer[self._n : needed] = vectors
        self._n = needed


class SimilarityIndex:
    """Knowledge items searchable by cosine similarity; see the module docstring."""

    def __init__(
        self,
        items: Sequence[KnowledgeItem],
        *,
        featurizer: str = "tfidf",
        tfidf: _Tfidf | None = None,
        encoder=None,
        rows: _SparseRows | _DenseRows | None = None,
        backend: str = "exact",
        positions=None,
    ):
        """``items`` and ``positions`` (id -> row position; a dict by default) may be stored
        lazily (resolution.engine.snapshot): anything with a list's and a dict's methods
        used here."""
        if positions is None:
            self._items = list(items)
            self._positions = {item.id: i for i, item in enumerate(self._items)}
        else:
            self._items, self._positions = items, positions
        self._alive = np.ones(len(self._items), dtype=bool)
        self.featurizer = featurizer
        self._tfidf = tfidf
        self._encoder = encoder
        self._rows = rows
        self._ann = None
        self._lock = threading.RLock()
        self.built_size = len(self._items)
        self.changes = 0  # entries added or discarded since the full build
        self.backend = "exact"
        if backend == "ann" and rows is not None:
            self._start_ann()

    @classmethod
    def build(
        cls,
        items: Iterable[KnowledgeItem],
        *,
        backend: str = "auto",
        ann_min_entries: int = DEFAULT_ANN_MIN_ENTRIES,
        featurizer: str = "tfidf",
        encoder=None,
    ) -> SimilarityIndex:
        """An index over ``items``; ``backend`` "auto" is approximate from ``ann_min_entries``.

        ``featurizer`` "embeddings" uses ``encoder`` (default: the optional extra's, from
        ``resolution.engine.embeddings.get_encoder``; EmbeddingsUnavailable without it).
        """
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
        if featurizer not in FEATURIZERS:
            raise ValueError(f"featurizer must be one of {FEATURIZERS}, not {featurizer!r}")
        items = list(items)
        if backend == "auto":
            backend = "ann" if len(items) >= ann_min_entries else "exact"
        if featurizer == "embeddings":
            if encoder is None:
                from .embeddings import get_encoder

                encoder = get_encoder()
            vectors = encoder.encode([item.question for item in items])
            return cls(
                items,
                featurizer=featurizer,
                encoder=encoder,
                rows=_DenseRows(vectors),
                backend=backend,
            )
        docs = [normalize(item.question) for item in items]
        fitted = _Tfidf.fit(docs) if any(docs) else None
        if fitted is None:
            return cls(items)
        tfidf, rows = fitted
        return cls(items, tfidf=tfidf, rows=_SparseRows(rows), backend=backend)

    def _start_ann(self) -> None:
        if isinstance(self._rows, _SparseRows):
            self.backend = "ann"  # candidates from the rare n-grams' postings; no extra index
            return
        from .vector_index import AnnIndex

        try:
            ann = AnnIndex(self._rows.vectors.shape[1])  # imports faiss
        except ImportError:
            logger.warning("faiss is not installed: the similarity index searches exactly")
            return
        ann.add(self._rows.vectors)
        self._ann = ann
        self.backend = "ann"

    # --- Size and contents ----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._positions)

    @property
    def items(self) -> tuple[KnowledgeItem, ...]:
        """The live items, in the order they were added."""
        with self._lock:
            return tuple(self._items[i] for i in sorted(self._positions.values()))

    def get(self, entry_id: int) -> KnowledgeItem | None:
        """The live item with this id, as the index holds it (None if absent)."""
        with self._lock:
            position = self._positions.get(entry_id)
            return None if position is None else self._items[position]

    @property
    def drift(self) -> float:
        """Entries added or discarded since the last full build, as a share of its size."""
        return self.changes / max(self.built_size, 1)

    # --- Changes --------------------------------------------------------------------------

    def add(self, items: Iterable[KnowledgeItem]) -> bool:
        """Add (or replace, by id) items without a rebuild, in the vocabulary of the last full
        build. False if this index has none (built from no usable text): build a new one."""
        items = list(items)
        if not items:
            return True
        if self._rows is None:
            return False
        if isinstance(self._rows, _DenseRows):
            new_rows = self._encoder.encode([item.question for item in items])
        else:
            new_rows = self._tfidf.rows([normalize(item.question) for item in items])
        with self._lock:
            start = len(self._items)
            for offset, item in enumerate(items):
                old = self._positions.get(item.id)
                if old is not None:
                    self._alive[old] = False
                self._positions[item.id] = start + offset
            self._items.extend(items)
            self._alive = np.concatenate([self._alive, np.ones(len(items), dtype=bool)])
            self._rows.append(new_rows)
            if self._ann is not None:
                self._ann.add(new_rows)
            self.changes += len(items)
        return True

    def discard(self, ids: Iterable[int]) -> None:
        """Forget entries by id (masked out of every search; unknown ids are ignored)."""
        with self._lock:
            for entry_id in ids:
                position = self._positions.pop(entry_id, None)
                if position is not None:
                    self._alive[position] = False
                    self.changes += 1

    # --- Search ---------------------------------------------------------------------------

    def search(self, text: str, k: int = 3, *, exact: bool = False) -> list[Match]:
        """Up to ``k`` entries most similar to ``text``, best first; [] for an empty index.

        ``exact`` scores every entry even when the index is approximate (for measuring).
        """
        if self._rows is None or k <= 0 or not self._positions:
            return []
        if isinstance(self._rows, _DenseRows):
            if not normalize(text):
                return []
            query = self._encoder.encode([text])[0]
        else:
            doc = normalize(text)
            query = self._tfidf.query(doc) if doc else None
            if query is None:
                return []
        with self._lock:
            if self.backend == "ann" and not exact:
                rows, scores = self._candidates(query, k)
            else:
                rows, scores = self._score_all(query)
            k = min(k, len(scores))
            if k == 0:
                return []
            top = np.argpartition(-scores, k - 1)[:k]
            top = top[np.argsort(-scores[top], kind="stable")]
            return [
                Match(item=self._items[rows[i]], score=float(min(max(scores[i], 0.0), 1.0)))
                for i in top
                if scores[i] > 0
            ]

    def _score_all(self, query) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(self._rows, _DenseRows):
            scores = self._rows.vectors @ query
        else:
            scores = self._rows.score_all(*query)
        scores = np.where(self._alive, scores, -1.0)
        return np.arange(len(scores)), scores

    def _candidates(self, query, k: int) -> tuple[np.ndarray, np.ndarray]:
        # Over-fetch in proportion to the masked-out rows still in the index.
        alive_share = max(len(self._positions) / max(len(self._items), 1), 0.25)
        wanted = math.ceil(max(ANN_CANDIDATES, 4 * k) / alive_share)
        if isinstance(self._rows, _DenseRows):
            rows = self._ann.search(query, wanted, ef=max(ANN_EF_SEARCH, wanted))
        else:
            budget = max(POSTINGS_BUDGET_MIN, int(POSTINGS_BUDGET_SHARE * len(self._items)))
            rows = self._rows.candidates(*query, wanted, budget)
        rows = rows[self._alive[rows]]
        if isinstance(self._rows, _DenseRows):
            scores = self._rows.vectors[rows] @ query
        else:
            scores = self._rows.score_some(*query, rows)
        return rows, scores

    def view_scores(self, text: str, entry_id: int) -> dict[str, float]:
        """How similar ``text`` is to one entry under each view the index has: for TF-IDF the
        word n-gram cosine ("words") and the character n-gram cosine ("chars"), whose mean is
        the search score; for embeddings the one cosine ("embeddings"). {} for an entry the
        index does not hold.

        One view can be fooled where the other is not: shared rare words with a different
        meaning ("gift cards in Japan" / "gift wrap in Japan") score high in words only, a
        different word order of near-identical spelling in characters only.
        """
        with self._lock:
            position = self._positions.get(entry_id)
            if position is None or self._rows is None:
                return {}
            if isinstance(self._rows, _DenseRows):
                vector = self._rows.vectors[position]
            else:
                row = self._rows.row(position)
        if isinstance(self._rows, _DenseRows):
            if not normalize(text):
                return {"embeddings": 0.0}
            return {"embeddings": float(self._encoder.encode([text])[0] @ vector)}
        doc = normalize(text)
        query = self._tfidf.query(doc) if doc else None
        if query is None:
            return {"words": 0.0, "chars": 0.0}
        ids, weights = query
        _, in_query, in_row = np.intersect1d(ids, row.indices, return_indices=True)
        products = weights[in_query] * row.data[in_row]
        chars_from = self._tfidf.char_offset
        is_word = ids[in_query] < chars_from
        # Each block of a row was scaled to 1/sqrt(2) of unit length: a block's cosine is twice
        # its share of the dot product.
        blocks = self._tfidf.n_blocks
        return {
            "words": float(min(blocks * products[is_word].sum(), 1.0)),
            "chars": float(min(blocks * products[~is_word].sum(), 1.0)),
        }

    def best(self, text: str, threshold: float) -> Match | None:
        """The nearest entry when its similarity reaches ``threshold``, else None."""
        found = self.search(text, k=1)
        if found and found[0].score >= threshold:
            return found[0]
        return None
