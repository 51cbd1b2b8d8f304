"""A TF-IDF similarity index saved to disk once and memory-mapped by every process.

Why: a process that builds its own index over 1M entries holds ~2.6 GB and needs minutes
before its first answer. A snapshot is written once (``write_snapshot``, by the
`build_knowledge_index` command or the periodic task); every process opens it with
``read_snapshot`` in well under a second, and its arrays stay in the operating system's page
cache, shared by all processes, instead of in each one's private memory. The process's own
memory holds only what changed since the snapshot (searched exactly beside it) and a few
small arrays (figures: docs/BENCHMARKS.md, "The shared knowledge index").

A snapshot is a directory of ``.npy`` arrays and a ``meta.json``; the base directory's
``CURRENT`` file names the one to use. Writers build in a temporary directory, rename it into
place and then replace ``CURRENT`` (``os.replace``, atomic on POSIX): a reader always opens a
complete snapshot, and concurrent writers never mix their files. Older snapshots are removed
by the writer; a process still mapping one keeps its files until it lets go (POSIX unlink).

What is stored: the rows (entries x n-grams) and the postings (n-grams x entries) as CSR
arrays; the vocabulary as sorted 64-bit hashes of the n-grams (a Python dict of millions of
n-grams would cost each process ~1 GB and seconds to load); the IDF; each entry's id, intent
and question and answer text (UTF-8 blobs with offsets), turned into a ``KnowledgeItem`` only
when a search returns it. Only the TF-IDF featurizer is stored; embeddings indexes are built
per process as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .similarity import SimilarityIndex, _SparseRows, _Tfidf, tfidf_vectorizers
from .types import KnowledgeItem

FORMAT = 3
CURRENT = "CURRENT"
# Snapshots kept besides the current one, for a reader that read CURRENT just before it moved.
KEEP_PREVIOUS = 1


class SnapshotError(Exception):
    """No usable snapshot (missing, of another format, or incomplete)."""


_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
HASH_CHUNK = 100_000  # n-grams hashed at once when writing (a padded array of each chunk)


def ngram_hashes(block: int, grams: list[str]) -> np.ndarray:
    """64-bit FNV-1a hashes of the n-grams' code points, salted by the block: stable across
    processes (Python's hash() is not), and computed a column at a time for all n-grams at
    once (hashlib per n-gram cost twice as much per query). Collisions among millions of
    n-grams are ~1e-6 likely; write_snapshot refuses a vocabulary that has one."""
    if not grams:
        return np.zeros(0, dtype=np.uint64)
    codes = np.array(grams, dtype=str)  # fixed width, padded with NULs
    width = codes.dtype.itemsize // 4
    points = codes.view(np.uint32).reshape(len(grams), width).astype(np.uint64)
    lengths = np.fromiter(map(len, grams), np.int64, len(grams))
    hashes = np.full(len(grams), _FNV_OFFSET ^ np.uint64(block + 1), dtype=np.uint64)
    for column in range(width):
        mixed = (hashes ^ points[:, column]) * _FNV_PRIME  # wraps around, as FNV does
        hashes = np.where(column < lengths, mixed, hashes)
    return hashes


class _HashedTfidf:
    """The TF-IDF featurizer of a snapshot: the same numbers as ``_Tfidf``, the vocabulary
    looked up by hash in memory-mapped arrays."""

    def __init__(self, arrays: dict, meta: dict):
        self._analyzers = [v.build_analyzer() for v in tfidf_vectorizers()]
        self._hashes = [arrays[f"vocab{b}_hash"] for b in range(len(self._analyzers))]
        self._ids = [arrays[f"vocab{b}_id"] for b in range(len(self._analyzers))]
        self._idf = arrays["idf"]
        self._offsets = meta["block_offsets"]
        self.n_features = int(meta["n_features"])
        self.n_blocks = len(self._analyzers)
        self._scale = np.float32(1.0 / np.sqrt(self.n_blocks))
        self.char_offset = int(self._offsets[1])

    def _lookup(self, block: int, grams: list[str]) -> np.ndarray:
        """Block-local feature ids of the n-grams in the vocabulary (repeats kept)."""
        hashes = self._hashes[block]
        if not grams or not len(hashes):
            return np.zeros(0, dtype=np.int64)
        wanted = ngram_hashes(block, grams)
        at = np.minimum(np.searchsorted(hashes, wanted), len(hashes) - 1)
        found = hashes[at] == wanted
        return self._ids[block][at[found]].astype(np.int64)

    def query(self, doc: str) -> tuple[np.ndarray, np.ndarray] | None:
        all_ids, all_weights = [], []
        for block, (analyzer, offset) in enumerate(
            zip(self._analyzers, self._offsets, strict=True)
        ):
            ids = self._lookup(block, analyzer(doc))
            if not len(ids):
                continue
            ids, counts = np.unique(ids, return_counts=True)
            ids = ids + offset
            weights = (1.0 + np.log(counts.astype(np.float32))) * self._idf[ids]
            weights *= self._scale / np.float32(np.linalg.norm(weights))
            all_ids.append(ids)
            all_weights.append(weights.astype(np.float32))
        if not all_ids:
            return None
        return np.concatenate(all_ids), np.concatenate(all_weights)

    def rows(self, docs: list[str]) -> sp.csr_matrix:
        """Rows for entries added after the snapshot (a few at a time)."""
        indptr, indices, data = [0], [], []
        for doc in docs:
            query = self.query(doc)
            if query is not None:
                indices.append(query[0])
                data.append(query[1])
            indptr.append(indptr[-1] + (len(query[0]) if query is not None else 0))
        return sp.csr_matrix(
            (
                np.concatenate(data) if data else np.zeros(0, np.float32),
                np.concatenate(indices) if indices else np.zeros(0, np.int64),
                np.asarray(indptr),
            ),
            shape=(len(docs), self.n_features),
            dtype=np.float32,
        )


class _StoredItems:
    """The snapshot's entries, made into KnowledgeItems only when asked for, plus the ones
    added since (a list)."""

    def __init__(self, arrays: dict, intents: list[str | None], languages: list[str]):
        self._ids = arrays["entry_id"]
        self._intent_codes = arrays["intent_code"]
        self._intents = intents
        self._language_codes = arrays["language_code"]
        self._languages = languages
        self._text = {name: (arrays[f"{name}_blob"], arrays[f"{name}_end"]) for name in ("q", "a")}
        self._added: list[KnowledgeItem] = []

    def __len__(self) -> int:
        return len(self._ids) + len(self._added)

    def _string(self, name: str, position: int) -> str:
        blob, ends = self._text[name]
        start = int(ends[position - 1]) if position else 0
        return bytes(blob[start : int(ends[position])]).decode("utf-8")

    def __getitem__(self, position) -> KnowledgeItem:
        position = int(position)
        n_base = len(self._ids)
        if position >= n_base:
            return self._added[position - n_base]
        if position < 0:
            raise IndexError(position)
        code = int(self._intent_codes[position])
        return KnowledgeItem(
            id=int(self._ids[position]),
            question=self._string("q", position),
            answer=self._string("a", position),
            intent=self._intents[code] if code >= 0 else None,
            language=self._languages[int(self._language_codes[position])],
        )

    def extend(self, items: Iterable[KnowledgeItem]) -> None:
        self._added.extend(items)


class _StoredPositions:
    """Entry id -> row position: the snapshot's ids by binary search (a sorted copy of
    them, memory-mapped), and a dict for entries added or replaced since."""

    def __init__(self, arrays: dict):
        self._sorted_ids = arrays["sorted_id"]
        self._sorted_at = arrays["sorted_at"]
        self._added: dict[int, int] = {}
        self._gone: set[int] = set()  # snapshot ids discarded or replaced since

    def _base(self, entry_id: int) -> int | None:
        at = int(np.searchsorted(self._sorted_ids, entry_id))
        if at < len(self._sorted_ids) and int(self._sorted_ids[at]) == entry_id:
            return int(self._sorted_at[at])
        return None

    def get(self, entry_id: int, default=None):
        if entry_id in self._added:
            return self._added[entry_id]
        if entry_id in self._gone:
            return default
        found = self._base(entry_id)
        return default if found is None else found

    def __setitem__(self, entry_id: int, position: int) -> None:
        if self._base(entry_id) is not None:
            self._gone.add(entry_id)
        self._added[entry_id] = position

    def pop(self, entry_id: int, default=None):
        if entry_id in self._added:
            return self._added.pop(entry_id)
        found = None if entry_id in self._gone else self._base(entry_id)
        if found is None:
            return default
        self._gone.add(entry_id)
        return found

    def __len__(self) -> int:
        return len(self._sorted_ids) - len(self._gone) + len(self._added)

    def values(self) -> Iterator[int]:
        gone = np.fromiter(self._gone, np.int64, len(self._gone))
        alive = ~np.isin(self._sorted_ids, gone)
        yield from (int(p) for p in self._sorted_at[alive])
        yield from self._added.values()


# --- Writing ---------------------------------------------------------------------------------


def _settle(path: Path) -> None:
    """On disk before the snapshot is announced: a crash never leaves CURRENT naming a torn
    file. (The written pages stay in the page cache, where readers find them warm. Dropping
    them and mapping without read-ahead kept `ps`'s RSS of a process at half, but made every
    search wait on the disk: docs/BENCHMARKS.md, "The shared knowledge index at 1M entries".)"""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _vocabulary_arrays(tfidf: _Tfidf) -> dict[str, np.ndarray]:
    arrays = {}
    for block, vocabulary in enumerate(tfidf._vocabularies):
        grams = list(vocabulary)
        hashes = np.concatenate(
            [
                ngram_hashes(block, grams[start : start + HASH_CHUNK])
                for start in range(0, max(len(grams), 1), HASH_CHUNK)
            ]
        )
        ids = np.fromiter(vocabulary.values(), np.int32, len(vocabulary))
        order = np.argsort(hashes)
        hashes, ids = hashes[order], ids[order]
        if len(hashes) > 1 and (hashes[1:] == hashes[:-1]).any():
            raise SnapshotError("Two n-grams share a hash; build the index per process.")
        arrays[f"vocab{block}_hash"], arrays[f"vocab{block}_id"] = hashes, ids
    return arrays


def _text_arrays(name: str, texts: Iterable[str]) -> dict[str, np.ndarray]:
    encoded = [t.encode("utf-8") for t in texts]
    ends = np.cumsum([len(e) for e in encoded], dtype=np.int64)
    return {f"{name}_blob": np.frombuffer(b"".join(encoded), np.uint8), f"{name}_end": ends}


def write_snapshot(index: SimilarityIndex, base_dir: Path, *, version: int) -> Path:
    """Save a freshly built TF-IDF ``index`` under ``base_dir`` as the current snapshot of
    knowledge change ``version``; returns its directory. Safe against concurrent writers and
    readers (see the module docstring)."""
    rows, tfidf = index._rows, index._tfidf
    if not isinstance(rows, _SparseRows) or not isinstance(tfidf, _Tfidf) or index.changes:
        raise SnapshotError("Only a freshly built TF-IDF index can be saved.")
    base_dir = Path(base_dir)
    base_dir.mkdir(parents=True, exist_ok=True)
    items = list(index._items)
    intents = sorted({item.intent for item in items if item.intent is not None})
    code = {slug: i for i, slug in enumerate(intents)}
    languages = sorted({item.language for item in items})
    language_code = {language: i for i, language in enumerate(languages)}
    ids = np.fromiter((item.id for item in items), np.int64, len(items))
    order = np.argsort(ids, kind="stable")
    base, postings = rows._base, rows._postings
    arrays = {
        "rows_data": base.data,
        "rows_indices": base.indices,
        "rows_indptr": base.indptr,
        "postings_data": postings.data,
        "postings_indices": postings.indices,
        "postings_indptr": postings.indptr,
        "df": rows._df,
        "idf": np.concatenate(tfidf._idf).astype(np.float32),
        "entry_id": ids,
        "sorted_id": ids[order],
        "sorted_at": order.astype(np.int64),
        "intent_code": np.fromiter(
            (code.get(item.intent, -1) for item in items), np.int32, len(items)
        ),
        "language_code": np.fromiter(
            (language_code[item.language] for item in items), np.int16, len(items)
        ),
        **_vocabulary_arrays(tfidf),
        **_text_arrays("q", (item.question for item in items)),
        **_text_arrays("a", (item.answer for item in items)),
    }
    meta = {
        "format": FORMAT,
        "version": int(version),
        "entries": len(items),
        "n_features": int(tfidf.n_features),
        "block_offsets": [int(o) for o in tfidf._offsets],
        "rows_shape": list(base.shape),
        "postings_shape": list(postings.shape),
        "intents": intents,
        "languages": languages,
        "backend": index.backend,
    }
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=base_dir))
    try:
        for name, array in arrays.items():
            np.save(building / f"{name}.npy", np.ascontiguousarray(array))
            _settle(building / f"{name}.npy")
        (building / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        name = f"v{int(version):012d}-{uuid.uuid4().hex[:8]}"
        final = base_dir / name
        os.rename(building, final)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    pointer = base_dir / f".{CURRENT}-{uuid.uuid4().hex[:8]}"
    pointer.write_text(name, encoding="utf-8")
    os.replace(pointer, base_dir / CURRENT)
    return final


class SnapshotBusy(SnapshotError):
    """Another process is building a snapshot in this directory right now."""


@contextlib.contextmanager
def building_lock(base_dir: Path, *, wait: bool) -> Iterator[None]:
    """Held while building: one build at a time per snapshot directory (a build at 1M entries
    takes minutes and gigabytes; the periodic job must not start a second one meanwhile).
    ``wait`` False raises SnapshotBusy instead of waiting. An OS file lock: released if the
    builder dies."""
    base_dir = Path(base_dir)
    base_dir.mkdir(parents=True, exist_ok=True)
    with open(base_dir / ".build.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            raise SnapshotBusy(f"A knowledge index snapshot is being built in {base_dir}.") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prune_snapshots(base_dir: Path, *, keep_previous: int = KEEP_PREVIOUS) -> list[str]:
    """Remove snapshots other than the current one and the ``keep_previous`` newest others
    (0 after an erasure: no old copy of the erased text stays on disk). Returns the removed
    names."""
    base_dir = Path(base_dir)
    current = current_name(base_dir)
    others = sorted(
        (p for p in base_dir.glob("v*") if p.is_dir() and p.name != current),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    removed = []
    for path in others[keep_previous:]:
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    return removed


# --- Reading ---------------------------------------------------------------------------------


def current_name(base_dir: Path) -> str | None:
    """The current snapshot's directory name, or None."""
    try:
        return (Path(base_dir) / CURRENT).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def read_meta(base_dir: Path) -> dict | None:
    """The current snapshot's metadata (version, entries...), or None without one."""
    name = current_name(base_dir)
    if name is None:
        return None
    try:
        meta = json.loads((Path(base_dir) / name / "meta.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return {**meta, "name": name}


def read_snapshot(base_dir: Path, *, backend: str | None = None) -> tuple[SimilarityIndex, dict]:
    """The current snapshot as an index (its arrays memory-mapped, read-only), searched with
    ``backend`` ("exact" or "ann"; default: as built), and its metadata. SnapshotError if there
    is none or it cannot be used."""
    meta = read_meta(base_dir)
    if meta is None:
        raise SnapshotError(f"No knowledge index snapshot in {base_dir}.")
    if meta.get("format") != FORMAT:
        raise SnapshotError(f"Snapshot {meta['name']} has format {meta.get('format')}.")
    directory = Path(base_dir) / meta["name"]
    try:
        arrays = {
            path.stem: np.load(path, mmap_mode="r", allow_pickle=False)
            for path in directory.glob("*.npy")
        }
    except (FileNotFoundError, ValueError) as exc:
        raise SnapshotError(f"Snapshot {meta['name']} is unreadable: {exc}") from exc

    def csr(prefix: str, shape) -> sp.csr_matrix:
        # Wraps the mapped arrays without a copy (their dtypes are what scipy would choose).
        matrix = sp.csr_matrix(
            (arrays[f"{prefix}_data"], arrays[f"{prefix}_indices"], arrays[f"{prefix}_indptr"]),
            shape=tuple(shape),
            copy=False,
        )
        # Written sorted and without duplicates: nothing for scipy to check or fix.
        matrix.has_sorted_indices = True
        matrix.has_canonical_format = True
        return matrix

    rows = _SparseRows(
        csr("rows", meta["rows_shape"]),
        postings=csr("postings", meta["postings_shape"]),
        df=arrays["df"],
    )
    index = SimilarityIndex(
        _StoredItems(arrays, meta["intents"], meta["languages"]),
        tfidf=_HashedTfidf(arrays, meta),
        rows=rows,
        backend=backend or meta["backend"],
        positions=_StoredPositions(arrays),
    )
    return index, meta
