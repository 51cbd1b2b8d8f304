"""The per-process knowledge index follows the knowledge base: in place, rebuilt when due, with
the backend chosen by size (resolution.services.registry; docs/OPERATIONS.md)."""

import pytest

from resolution.models import KnowledgeEntry, KnowledgeStatus
from resolution.services import registry as registry_module
from resolution.services.ratings import retire_if_poor
from resolution.services.registry import registry
from resolution.tasks import refresh_knowledge_index
from tests.knowledge_helpers import add_ratings

pytestmark = pytest.mark.django_db

QUESTIONS = [
    "How do I reset my password?",
    "Where is my parcel with the tracking number?",
    "Can I get a refund for a damaged blender?",
    "How do I change my delivery address?",
    "Do you ship to Canada and Mexico?",
    "How can I cancel my order before it ships?",
]


@pytest.fixture
def base(db):
    return [
        KnowledgeEntry.objects.create(question=q, answer=f"Answer {i}")
        for i, q in enumerate(QUESTIONS)
    ]


@pytest.fixture
def incremental(monkeypatch, settings):
    """Changes applied in place, never a rebuild (the bounds out of reach)."""
    monkeypatch.setattr(registry_module, "REBUILD_INLINE_MAX_ENTRIES", 0)
    settings.SIMILARITY_REBUILD_DRIFT = 100.0


def found(text: str, k: int = 3) -> list[int]:
    return [m.item.id for m in registry.index().search(text, k=k)]


def test_added_and_retired_entries_are_searched_without_a_rebuild(base, incremental):
    index = registry.index()
    rebuilds = registry.rebuilds
    new = KnowledgeEntry.objects.create(
        question="Can I get a refund for a damaged blender that I ordered?", answer="Yes."
    )
    assert new.pk in found("refund for a damaged blender that I ordered")
    assert registry.index() is index and registry.rebuilds == rebuilds
    assert index.changes == 1

    add_ratings(new, helpful=0, unhelpful=9)
    assert retire_if_poor(new.pk)
    assert new.pk not in found("refund for a damaged blender that I ordered", k=10)
    assert registry.index() is index and registry.rebuilds == rebuilds

    # An edited active entry answers with its new text.
    edited = base[4]
    edited.question = "Do you ship to Canada and to Greenland?"
    edited.save()
    match = registry.index().search("ship to Greenland", k=1)[0]
    assert (match.item.id, match.item.question) == (edited.pk, edited.question)
    assert registry.index() is index and registry.rebuilds == rebuilds

    # Pending entries never answer.
    KnowledgeEntry.objects.create(
        question="How do I reset my password twice?", answer="x", status=KnowledgeStatus.PENDING
    )
    assert len(registry.index()) == len(QUESTIONS)


def test_drift_past_the_bound_rebuilds(base, incremental, settings):
    registry.index()
    rebuilds = registry.rebuilds
    settings.SIMILARITY_REBUILD_DRIFT = 0.2  # 6 entries: a second change passes it
    KnowledgeEntry.objects.create(question="Is gift wrapping available?", answer="Yes.")
    registry.index()
    assert registry.rebuilds == rebuilds
    KnowledgeEntry.objects.create(question="Do you sell gift cards?", answer="Yes.")
    index = registry.index()
    assert registry.rebuilds == rebuilds + 1
    assert (index.changes, len(index)) == (0, len(QUESTIONS) + 2)


def test_an_entry_deleted_outright_is_discarded_in_place(base, incremental):
    index = registry.index()
    rebuilds = registry.rebuilds
    deleted = base[0].pk
    base[0].delete()
    assert deleted not in found("How do I reset my password?")
    assert registry.index() is index and registry.rebuilds == rebuilds


def test_the_periodic_task_notices_rows_deleted_around_the_services(base, incremental):
    registry.index()
    rebuilds = registry.rebuilds
    KnowledgeEntry.objects.filter(pk=base[0].pk).delete()  # no change version taken
    assert refresh_knowledge_index() == len(QUESTIONS) - 1
    assert registry.rebuilds == rebuilds + 1
    assert base[0].pk not in found("How do I reset my password?")


def test_the_periodic_task_rebuilds_after_changes_only(base, incremental):
    assert refresh_knowledge_index() == len(QUESTIONS)
    rebuilds = registry.rebuilds
    assert refresh_knowledge_index() == len(QUESTIONS)
    assert registry.rebuilds == rebuilds  # nothing changed: nothing rebuilt
    KnowledgeEntry.objects.create(question="Is gift wrapping available?", answer="Yes.")
    assert refresh_knowledge_index() == len(QUESTIONS) + 1
    assert registry.rebuilds == rebuilds + 1
    assert registry.index().changes == 0


def test_the_backend_is_chosen_by_size_and_can_be_forced(base, settings):
    settings.SIMILARITY_ANN_MIN_ENTRIES = len(QUESTIONS) + 1
    assert registry.index().backend == "exact"
    KnowledgeEntry.objects.create(question="Is gift wrapping available?", answer="Yes.")
    index = registry.index()
    assert index.backend == "ann"
    assert (
        found("gift wrapping")[0] == KnowledgeEntry.objects.get(question__startswith="Is gift").pk
    )

    settings.SIMILARITY_INDEX = "exact"
    assert registry.index().backend == "exact"
    settings.SIMILARITY_INDEX = "ann"
    settings.SIMILARITY_ANN_MIN_ENTRIES = 10_000
    assert registry.index().backend == "ann"


def test_the_backend_switches_when_incremental_growth_crosses_the_size(base, incremental, settings):
    settings.SIMILARITY_ANN_MIN_ENTRIES = len(QUESTIONS) + 1
    assert registry.index().backend == "exact"
    KnowledgeEntry.objects.create(question="Is gift wrapping available?", answer="Yes.")
    assert registry.index().backend == "ann"


def test_approving_sees_the_entry_approved_a_moment_ago(base, settings):
    from common.errors import Conflict
    from resolution.services.review import knowledge_entry_approve

    settings.MODEL_RELOAD_SECONDS = 3600
    registry.index()
    first = KnowledgeEntry.objects.create(
        question="Can a company open one account for five buyers?", answer="Yes.", status="pending"
    )
    second = KnowledgeEntry.objects.create(
        question="Can a company open one account for five buyers??", answer="Y", status="pending"
    )
    knowledge_entry_approve(entry_id=first.pk, reviewer=None)
    with pytest.raises(Conflict):
        knowledge_entry_approve(entry_id=second.pk, reviewer=None)


@pytest.mark.django_db(transaction=True)
def test_a_large_rebuild_runs_in_the_background_while_the_old_index_answers(monkeypatch, settings):
    for i, question in enumerate(QUESTIONS):
        KnowledgeEntry.objects.create(question=question, answer=f"Answer {i}")
    monkeypatch.setattr(registry_module, "REBUILD_INLINE_MAX_ENTRIES", 0)
    monkeypatch.setattr(registry_module, "REBUILD_BACKGROUND_MIN_ENTRIES", 0)
    settings.SIMILARITY_REBUILD_DRIFT = 0.1
    old = registry.index()
    rebuilds = registry.rebuilds
    new = KnowledgeEntry.objects.create(question="Is gift wrapping available?", answer="Yes.")

    served = registry.index()  # the change is applied in place and a rebuild is started
    assert served is old and new.pk in found("gift wrapping")
    registry._rebuilding.join(timeout=60)
    assert not registry._rebuilding.is_alive()
    rebuilt = registry.index()
    assert rebuilt is not old and registry.rebuilds == rebuilds + 1
    assert rebuilt.changes == 0 and new.pk in found("gift wrapping")


def test_the_index_compares_sentence_embeddings_when_the_featurizer_says_so(base, settings):
    import os

    from resolution.engine.embeddings import embeddings_available

    if not embeddings_available():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must install requirements-embeddings.txt")
        pytest.skip("the embeddings extra is not installed (requirements-embeddings.txt)")
    settings.INTENT_FEATURIZER = "hybrid"
    index = registry.index()
    assert index.featurizer == "embeddings"
    assert found("I forgot my login credentials", k=1) == [base[0].pk]


def test_without_the_extra_the_index_falls_back_to_tfidf(base, settings, monkeypatch, caplog):
    from resolution.engine import embeddings

    def unavailable():
        raise embeddings.EmbeddingsUnavailable("not installed")

    monkeypatch.setattr(embeddings, "get_encoder", unavailable)
    settings.INTENT_FEATURIZER = "embeddings"
    index = registry.index()
    assert index.featurizer == "tfidf"
    assert "falls back to TF-IDF" in caplog.text
    assert found("reset my password", k=1) == [base[0].pk]


def test_the_periodic_task_leaves_a_large_index_with_few_changes_alone(
    base, incremental, monkeypatch
):
    monkeypatch.setattr(registry_module, "PERIODIC_REBUILD_MAX_ENTRIES", 2)
    monkeypatch.setattr(registry_module, "PERIODIC_REBUILD_MIN_DRIFT", 0.5)
    refresh_knowledge_index()
    rebuilds = registry.rebuilds
    KnowledgeEntry.objects.create(question="Is gift wrapping available?", answer="Yes.")
    assert refresh_knowledge_index() == len(QUESTIONS) + 1
    assert registry.rebuilds == rebuilds and registry.index().changes == 1
    for i in range(3):
        KnowledgeEntry.objects.create(question=f"Do you sell gift cards of {i} kinds?", answer="Y")
    refresh_knowledge_index()  # 4 of 6: past half
    assert registry.rebuilds == rebuilds + 1 and registry.index().changes == 0
