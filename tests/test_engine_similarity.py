"""Nearest knowledge-base entries by cosine similarity."""

from resolution.engine.similarity import SimilarityIndex
from resolution.engine.types import KnowledgeItem

ITEMS = [
    KnowledgeItem(1, "How do I reset my password?", "Use the 'Forgot password' link.", "pw"),
    KnowledgeItem(2, "Where is my order #A-1001?", "Track it under My orders.", "track"),
    KnowledgeItem(3, "Can I get a refund for a damaged item?", "Yes, within 30 days.", "refund"),
    KnowledgeItem(4, "How do I change my delivery address?", "Edit it before shipping.", None),
]


def test_it_finds_the_nearest_entry_despite_typos_and_other_ids():
    index = SimilarityIndex.build(ITEMS)
    assert index.search("i need to resett my pasword")[0].item.id == 1
    # Order numbers are normalized away, so a different number still matches.
    assert index.search("where is order #B-2002")[0].item.id == 2


def test_results_are_best_first_and_limited_to_k():
    index = SimilarityIndex.build(ITEMS)
    matches = index.search("refund for my damaged order", k=2)
    assert len(matches) == 2
    assert matches[0].item.id == 3
    assert matches[0].score >= matches[1].score
    assert all(0 < m.score <= 1 for m in matches)


def test_an_identical_question_scores_one():
    index = SimilarityIndex.build(ITEMS)
    assert abs(index.search("How do I reset my password?")[0].score - 1.0) < 1e-5


def test_an_empty_index_finds_nothing():
    index = SimilarityIndex.build([])
    assert len(index) == 0
    assert index.search("anything") == []
    assert index.best("anything", threshold=0.0) is None


def test_blank_questions_and_queries_find_nothing():
    assert SimilarityIndex.build([KnowledgeItem(9, "  ", "answer", None)]).search("hi") == []
    assert SimilarityIndex.build(ITEMS).search("   ") == []


def test_best_applies_the_threshold():
    index = SimilarityIndex.build(ITEMS)
    score = index.search("reset password")[0].score
    assert index.best("reset password", threshold=score).item.id == 1
    assert index.best("reset password", threshold=score + 0.01) is None
    assert index.best("completely unrelated weather talk", threshold=0.5) is None
