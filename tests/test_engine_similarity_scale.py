"""The similarity index at scale: approximate search against exact, changes in place, the
backend chosen by size, and the embeddings featurizer. No timing here (bench/pipeline.py)."""

import os
import random

import numpy as np
import pytest

from resolution.engine import similarity
from resolution.engine.embeddings import embeddings_available
from resolution.engine.similarity import SimilarityIndex
from resolution.engine.types import KnowledgeItem

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def synthetic(n_topics: int = 150, per_topic: int = 30, seed: int = 0):
    """A knowledge base of paraphrase clusters, like a real one: each topic has its own rare
    words and many wordings, all share common words (which decide the order within a topic)."""
    rng = random.Random(seed)

    def word(lo=3, hi=8):
        return "".join(rng.choice(LETTERS) for _ in range(rng.randint(lo, hi)))

    common = [word(3, 6) for _ in range(60)]
    items, topics = [], []
    for t in range(n_topics):
        own = [word() for _ in range(10)]
        topics.append(own)
        for _ in range(per_topic):
            words = rng.sample(own, 3) + rng.sample(common, 5)
            rng.shuffle(words)
            items.append(KnowledgeItem(len(items) + 1, " ".join(words), f"answer {t}", None))
    queries = []
    for own in rng.sample(topics, min(100, n_topics)):
        words = rng.sample(own, 3) + rng.sample(common, 3)
        typo = rng.randrange(len(words[0]))
        words[0] = words[0][:typo] + rng.choice(LETTERS) + words[0][typo + 1 :]
        queries.append(" ".join(words))
    return items, queries


def recall(index: SimilarityIndex, queries: list[str], k: int = 3) -> float:
    overlap = wanted = 0
    for query in queries:
        exact = index.search(query, k=k, exact=True)
        approx = index.search(query, k=k)
        # The candidates are re-scored exactly: a score means the same on both paths.
        exact_scores = {m.item.id: m.score for m in exact}
        for m in approx:
            if m.item.id in exact_scores:
                assert m.score == pytest.approx(exact_scores[m.item.id], abs=1e-6)
        overlap += len({m.item.id for m in exact} & {m.item.id for m in approx})
        wanted += len(exact)
    assert wanted >= 0.9 * k * len(queries)
    return overlap / wanted


@pytest.fixture
def pruned(monkeypatch):
    """Small budgets, so the approximate search really reads only part of the postings."""
    monkeypatch.setattr(similarity, "POSTINGS_BUDGET_MIN", 200)
    monkeypatch.setattr(similarity, "POSTINGS_BUDGET_SHARE", 0.05)
    monkeypatch.setattr(similarity, "ANN_CANDIDATES", 24)


def test_approximate_search_finds_what_exact_search_finds(pruned, monkeypatch):
    items, queries = synthetic()
    index = SimilarityIndex.build(items, backend="ann")
    assert index.backend == "ann"
    assert recall(index, queries) >= 0.95
    # The measure can tell: a search starved of n-grams misses most of the exact top 3.
    monkeypatch.setattr(similarity, "POSTINGS_BUDGET_MIN", 0)
    monkeypatch.setattr(similarity, "POSTINGS_BUDGET_SHARE", 0.0)
    monkeypatch.setattr(similarity, "MIN_CANDIDATE_NGRAMS", 1)
    monkeypatch.setattr(similarity, "ANN_CANDIDATES", 3)
    assert recall(index, queries) < 0.5


def test_the_approximate_search_reads_only_part_of_the_postings(pruned):
    items, queries = synthetic()
    index = SimilarityIndex.build(items, backend="ann")
    ids, weights = index._tfidf.query(similarity.normalize(queries[0]))
    candidates = index._rows.candidates(ids, weights, 24, budget=200)
    assert 0 < len(candidates) <= 24
    assert index._rows._df[ids].sum() > 200  # the full query would have read more


def test_added_and_discarded_entries_are_searched_without_a_rebuild():
    items, _ = synthetic(n_topics=20)
    index = SimilarityIndex.build(items, backend="exact")
    question = items[0].question.split()
    new = KnowledgeItem(9001, " ".join(reversed(question)) + " " + question[0], "new", None)
    assert index.add([new])
    assert (len(index), index.changes) == (len(items) + 1, 1)
    assert 9001 in {m.item.id for m in index.search(new.question, k=3)}

    index.discard([9001, items[0].id])
    found = {m.item.id for m in index.search(new.question, k=5)}
    assert 9001 not in found and items[0].id not in found
    assert len(index) == len(items) - 1
    assert index.get(9001) is None

    # Re-adding an id replaces the entry: the new wording answers, the old one is gone.
    moved = KnowledgeItem(items[1].id, "entirely new wording here", "moved", None)
    index.add([moved])
    assert index.search("entirely new wording here", k=1)[0].item == moved
    assert all(m.item != items[1] for m in index.search(items[1].question, k=len(items)))
    assert index.get(items[1].id) == moved
    assert index.drift == pytest.approx(index.changes / len(items))


def test_approximate_search_masks_discarded_entries(pruned):
    items, queries = synthetic()
    index = SimilarityIndex.build(items, backend="ann")
    best = index.search(queries[0], k=1)[0].item.id
    index.discard([best])
    assert best not in {m.item.id for m in index.search(queries[0], k=5)}


def test_the_backend_follows_the_size_unless_forced():
    items, _ = synthetic(n_topics=2, per_topic=3)
    assert SimilarityIndex.build(items, ann_min_entries=len(items)).backend == "ann"
    assert SimilarityIndex.build(items, ann_min_entries=len(items) + 1).backend == "exact"
    assert SimilarityIndex.build(items, backend="exact", ann_min_entries=1).backend == "exact"
    assert SimilarityIndex.build(items[:2], backend="ann").backend == "ann"
    with pytest.raises(ValueError):
        SimilarityIndex.build(items, backend="fast")


class HashingEncoder:
    """A stand-in sentence encoder: unit vectors of hashed character trigrams."""

    dimensions = 64

    def encode(self, texts):
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            text = f"  {text.lower()}  "
            for i in range(len(text) - 2):
                out[row, sum(map(ord, text[i : i + 3])) % self.dimensions] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)


def test_dense_vectors_are_searched_exactly_and_approximately():
    pytest.importorskip("faiss")
    items, queries = synthetic(n_topics=60)
    encoder = HashingEncoder()
    exact = SimilarityIndex.build(items, featurizer="embeddings", encoder=encoder, backend="exact")
    approx = SimilarityIndex.build(items, featurizer="embeddings", encoder=encoder, backend="ann")
    assert (exact.backend, approx.backend) == ("exact", "ann")
    overlap = wanted = 0
    for query in queries:
        truth = {m.item.id for m in exact.search(query, k=3)}
        overlap += len(truth & {m.item.id for m in approx.search(query, k=3)})
        wanted += len(truth)
    assert overlap / wanted >= 0.95
    new = KnowledgeItem(9001, "zzzz qqqq xxxx", "new", None)
    approx.add([new])
    assert approx.search("zzzz qqqq xxxx", k=1)[0].item.id == 9001
    approx.discard([9001])
    assert all(m.item.id != 9001 for m in approx.search("zzzz qqqq xxxx", k=3))


def test_sentence_embeddings_find_a_paraphrase():
    if not embeddings_available():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must install requirements-embeddings.txt")
        pytest.skip("the embeddings extra is not installed (requirements-embeddings.txt)")
    items = [
        KnowledgeItem(1, "How do I reset my password?", "Use the link.", "pw"),
        KnowledgeItem(2, "Where is my parcel?", "Track it.", "track"),
        KnowledgeItem(3, "Can I get my money back for a broken item?", "Yes.", "refund"),
    ]
    for backend in ("exact", "ann"):
        index = SimilarityIndex.build(items, featurizer="embeddings", backend=backend)
        assert index.search("I forgot my login credentials", k=1)[0].item.id == 1
        assert index.search("the product arrived damaged, refund please", k=1)[0].item.id == 3
        identical = index.search("Where is my parcel?", k=1)[0]
        assert identical.score == pytest.approx(1.0, abs=1e-4)
