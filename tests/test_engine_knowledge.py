"""The one rule for a usable knowledge match (pipeline answers and agent drafts both use it)."""

from resolution.engine.knowledge import usable_match
from resolution.engine.types import KnowledgeItem, Match


def match(entry_id: int, intent: str | None, score: float) -> Match:
    return Match(KnowledgeItem(entry_id, f"q{entry_id}", f"a{entry_id}", intent), score)


def test_the_best_entry_of_the_predicted_intent_is_usable():
    found = [match(1, "get_refund", 0.8), match(2, "get_refund", 0.7)]
    assert usable_match(found, intent="get_refund", min_score=0.6) == found[0]


def test_an_entry_without_an_intent_is_usable_for_any_intent():
    assert usable_match([match(1, None, 0.9)], intent="get_refund", min_score=0.6) is not None


def test_a_score_at_the_threshold_passes_and_below_it_fails():
    assert usable_match([match(1, None, 0.6)], intent="x", min_score=0.6) is not None
    assert usable_match([match(1, None, 0.5999)], intent="x", min_score=0.6) is None


def test_an_entry_about_another_intent_is_not_usable():
    assert usable_match([match(1, "track_order", 0.95)], intent="get_refund", min_score=0.6) is None


def test_a_weaker_entry_behind_one_about_another_intent_is_not_used():
    found = [match(1, "track_order", 0.95), match(2, "get_refund", 0.9)]
    assert usable_match(found, intent="get_refund", min_score=0.6) is None


def test_nothing_found_is_nothing_usable():
    assert usable_match([], intent="get_refund", min_score=0.0) is None
