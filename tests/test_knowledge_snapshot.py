"""The shared knowledge index (issue 19): a snapshot every process memory-maps, versioned by the
knowledge change counter that every way of changing knowledge bumps (engine/snapshot.py,
services/knowledge_changes.py, services/registry.py; docs/OPERATIONS.md)."""

import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from resolution.engine.similarity import SimilarityIndex
from resolution.engine.snapshot import (
    CURRENT,
    SnapshotBusy,
    SnapshotError,
    building_lock,
    prune_snapshots,
    read_meta,
    read_snapshot,
    write_snapshot,
)
from resolution.engine.types import KnowledgeItem
from resolution.models import KnowledgeDeletion, KnowledgeEntry, KnowledgeStatus
from resolution.services.knowledge_changes import (
    knowledge_entries_delete,
    knowledge_entries_set_status,
    knowledge_version_current,
)
from resolution.services.registry import registry
from resolution.tasks import refresh_knowledge_index

QUESTIONS = [
    "How do I reset my password?",
    "Where is my parcel with the tracking number?",
    "Can I get a refund for a damaged blender?",
    "How do I change my delivery address?",
    "Do you ship to Canada and Mexico?",
    "How can I cancel my order before it ships?",
]
INTENTS = ["a", None, "b", "a", None, "b"]
SEARCHES = ["reset password", "where is my parcel", "blender refund", "ship to Mexico", "zzz"]


def _items(offset: int = 0) -> list[KnowledgeItem]:
    return [
        KnowledgeItem(id=100 + i, question=q, answer=f"Answer {i} é{offset}", intent=intent)
        for i, (q, intent) in enumerate(zip(QUESTIONS, INTENTS, strict=True))
    ]


def _results(index: SimilarityIndex, text: str) -> list[tuple]:
    return [(m.item, round(m.score, 6)) for m in index.search(text, k=3)]


# --- The snapshot itself (no database) ----------------------------------------------------------


@pytest.mark.parametrize("backend", ["exact", "ann"])
def test_a_snapshot_answers_exactly_like_the_index_it_was_written_from(tmp_path, backend):
    built = SimilarityIndex.build(_items(), backend=backend)
    write_snapshot(built, tmp_path, version=42)
    loaded, meta = read_snapshot(tmp_path)

    assert (meta["version"], meta["entries"], loaded.backend) == (42, 6, backend)
    assert len(loaded) == len(built) and loaded.items == built.items
    for text in SEARCHES:
        assert _results(loaded, text) == _results(built, text)
    assert loaded.view_scores("reset password", 100) == built.view_scores("reset password", 100)
    assert loaded.get(103) == built.get(103) and loaded.get(999) is None


def test_entries_added_replaced_and_discarded_after_loading_are_searched_beside_it(tmp_path):
    write_snapshot(SimilarityIndex.build(_items()), tmp_path, version=1)
    index, _ = read_snapshot(tmp_path)

    index.add([KnowledgeItem(id=7, question="Do you sell gift cards?", answer="Yes.", intent=None)])
    index.add(
        [KnowledgeItem(id=104, question="Do you ship to Greenland?", answer="No.", intent=None)]
    )
    index.discard([100])

    assert index.search("gift cards", k=1)[0].item.id == 7
    greenland = index.search("ship to Greenland", k=1)[0].item
    assert (greenland.id, greenland.answer) == (104, "No.")
    assert all(m.item.id != 100 for m in index.search("How do I reset my password?", k=10))
    assert index.get(100) is None and len(index) == 6
    assert sorted(item.id for item in index.items) == [7, 101, 102, 103, 104, 105]


def test_without_a_snapshot_reading_says_so(tmp_path):
    with pytest.raises(SnapshotError):
        read_snapshot(tmp_path)
    assert read_meta(tmp_path) is None


def test_concurrent_writers_never_show_a_reader_a_partial_snapshot(tmp_path):
    """Each writer builds in its own temporary directory, renames it into place and then
    swaps CURRENT: a reader opens a whole snapshot at every moment."""
    problems, done = [], threading.Event()

    def write(first: int) -> None:
        try:
            for version in range(first, first + 8):
                write_snapshot(SimilarityIndex.build(_items(version)), tmp_path, version=version)
        except Exception as exc:  # reported below, not lost in the thread
            problems.append(exc)

    def read() -> None:
        reads = 0
        while not done.is_set() or reads == 0:
            try:
                index, meta = read_snapshot(tmp_path)
            except SnapshotError:
                continue  # not written yet
            reads += 1
            if index.search("reset password", k=1)[0].item.id != 100:
                problems.append(f"wrong answer from {meta['name']}")

    writers = [threading.Thread(target=write, args=(v,)) for v in (100, 200)]
    reader = threading.Thread(target=read)
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    reader.join()

    assert problems == []
    assert read_meta(tmp_path)["version"] in (107, 207)
    assert not list(tmp_path.glob(".building-*")) and not list(tmp_path.glob(f".{CURRENT}-*"))


def test_one_build_at_a_time_per_directory(tmp_path):
    with (
        building_lock(tmp_path, wait=False),
        pytest.raises(SnapshotBusy),
        building_lock(tmp_path, wait=False),
    ):
        pass
    with building_lock(tmp_path, wait=False):  # released
        pass


def test_the_periodic_job_skips_while_another_build_runs(base, settings):
    settings.KNOWLEDGE_INDEX_SNAPSHOT_MIN_ENTRIES = 1
    with building_lock(settings.KNOWLEDGE_INDEX_DIR, wait=False):
        assert refresh_knowledge_index() == len(QUESTIONS)  # served by its own index meanwhile
    assert read_meta(settings.KNOWLEDGE_INDEX_DIR) is None
    refresh_knowledge_index()
    assert read_meta(settings.KNOWLEDGE_INDEX_DIR)["entries"] == len(QUESTIONS)


def test_pruning_keeps_the_current_snapshot_and_as_many_older_as_asked(tmp_path):
    for version in range(4):
        write_snapshot(SimilarityIndex.build(_items()), tmp_path, version=version)
    current = read_meta(tmp_path)["name"]
    assert len(prune_snapshots(tmp_path, keep_previous=1)) == 2
    assert len(list(tmp_path.glob("v*"))) == 2
    prune_snapshots(tmp_path, keep_previous=0)
    assert [p.name for p in tmp_path.glob("v*")] == [current]


# --- The change counter -------------------------------------------------------------------------


@pytest.fixture
def base(db):
    return [
        KnowledgeEntry.objects.create(question=q, answer=f"Answer {i}")
        for i, q in enumerate(QUESTIONS)
    ]


def _stamped(entry: KnowledgeEntry) -> int:
    entry.refresh_from_db()
    return entry.change_version


def test_saving_an_entry_takes_the_next_version_in_one_query(base, django_assert_num_queries):
    entry = base[0]
    before = knowledge_version_current()
    entry.status = KnowledgeStatus.RETIRED
    with transaction.atomic(), django_assert_num_queries(2):  # the version, then the row
        entry.save(update_fields=["status"])
    assert knowledge_version_current() == before + 1 == _stamped(entry)


def test_statistics_do_not_take_a_version(base, django_assert_num_queries):
    before = knowledge_version_current()
    base[0].times_helpful = 3
    with django_assert_num_queries(1):
        base[0].save(update_fields=["times_helpful"])
    assert knowledge_version_current() == before


def test_every_knowledge_service_takes_a_version(base, taxonomy):
    from resolution.services.importer import import_rows
    from resolution.services.ratings import retire_if_poor
    from resolution.services.review import (
        knowledge_entry_approve,
        knowledge_entry_edit,
        knowledge_entry_reject,
    )
    from tests.knowledge_helpers import add_ratings

    def bumped(action) -> int:
        before = knowledge_version_current()
        action()
        after = knowledge_version_current()
        assert after > before, action
        return after

    pending = KnowledgeEntry.objects.create(
        question="Can I pay with a voucher?", answer="Yes.", status=KnowledgeStatus.PENDING
    )
    version = bumped(
        lambda: knowledge_entry_edit(
            entry_id=pending.pk,
            title="",
            question="Can I pay with a gift voucher?",
            answer="Yes.",
            intent=None,
        )
    )
    assert _stamped(pending) == version
    version = bumped(lambda: knowledge_entry_approve(entry_id=pending.pk, reviewer=None))
    assert _stamped(pending) == version
    other = KnowledgeEntry.objects.create(
        question="Do you deliver on Sundays?", answer="No.", status=KnowledgeStatus.PENDING
    )
    version = bumped(lambda: knowledge_entry_reject(entry_id=other.pk))
    assert _stamped(other) == version

    add_ratings(base[1], helpful=0, unhelpful=9)
    version = bumped(lambda: retire_if_poor(base[1].pk))
    assert _stamped(base[1]) == version
    version = bumped(
        lambda: knowledge_entries_set_status(entry_ids=[base[2].pk], status=KnowledgeStatus.RETIRED)
    )
    assert _stamped(base[2]) == version
    version = bumped(
        lambda: import_rows(
            [{"text": "Is there a student discount?", "label": "discounts", "answer": "Yes."}],
            text_column="text",
            label_column="label",
            answer_column="answer",
        )
    )
    assert KnowledgeEntry.objects.get(question__startswith="Is there a student").change_version == (
        version
    )
    version = bumped(lambda: knowledge_entries_delete(entry_ids=[base[3].pk]))
    assert KnowledgeDeletion.objects.get(entry_id=base[3].pk).version == version
    deleted = base[4].pk
    version = bumped(base[4].delete)
    assert KnowledgeDeletion.objects.get(entry_id=deleted).version == version


def test_the_starter_knowledge_is_stamped(db):
    from resolution.services.seed import load_starter_knowledge, load_taxonomy

    load_taxonomy()
    assert load_starter_knowledge() > 0
    version = knowledge_version_current()
    assert version > 0
    assert set(KnowledgeEntry.objects.values_list("change_version", flat=True)) == {version}


# --- Processes sharing the snapshot -------------------------------------------------------------


def found(text: str, k: int = 3) -> list[int]:
    return [m.item.id for m in registry.index().search(text, k=k)]


@pytest.fixture
def snapshot(base, settings):
    call_command("build_knowledge_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Path(settings.KNOWLEDGE_INDEX_DIR)


def test_a_process_loads_the_snapshot_instead_of_building(snapshot, base):
    rebuilds, loads = registry.rebuilds, registry.snapshot_loads
    index = registry.index()
    assert registry.snapshot == read_meta(snapshot)["name"] and registry.rebuilds == rebuilds
    assert registry.snapshot_loads == loads + 1
    assert found("reset my password", k=1) == [base[0].pk]
    assert registry.index() is index  # nothing changed: nothing loaded again


def test_an_unchanged_knowledge_base_costs_one_query_per_look(snapshot, django_assert_num_queries):
    registry.index()
    with django_assert_num_queries(1):  # the counter row; no count of the table
        registry.index()


def test_changes_after_the_snapshot_are_seen_and_deletions_never_returned(snapshot, base):
    index, rebuilds = registry.index(), registry.rebuilds
    new = KnowledgeEntry.objects.create(question="Do you sell gift cards online?", answer="Yes.")
    assert found("gift cards online", k=1) == [new.pk]

    base[4].question = "Do you ship to Greenland and Iceland?"
    base[4].save()
    match = registry.index().search("ship to Greenland", k=1)[0]
    assert (match.item.id, match.item.question) == (base[4].pk, base[4].question)

    base[0].status = KnowledgeStatus.RETIRED
    base[0].save(update_fields=["status"])
    knowledge_entries_delete(entry_ids=[base[2].pk])
    assert base[0].pk not in found("How do I reset my password?", k=10)
    assert base[2].pk not in found("Can I get a refund for a damaged blender?", k=10)
    pending = KnowledgeEntry.objects.create(
        question="How do I reset my password again?", answer="x", status=KnowledgeStatus.PENDING
    )
    assert pending.pk not in found("How do I reset my password again?", k=10)

    # All in place, beside the same mapped snapshot; no process rebuilt anything.
    assert registry.index() is index and registry.rebuilds == rebuilds


def test_a_new_snapshot_is_picked_up_at_the_next_look(snapshot, base):
    first, rebuilds = registry.index(), registry.rebuilds
    KnowledgeEntry.objects.create(question="Do you sell gift cards online?", answer="Yes.")
    assert refresh_knowledge_index() == len(QUESTIONS) + 1  # the task writes a new snapshot
    assert registry.snapshot == read_meta(snapshot)["name"]
    assert registry.index() is not first and registry.index().changes == 0
    assert registry.rebuilds == rebuilds and len(list(snapshot.glob("v*"))) == 2


def test_the_periodic_task_starts_a_snapshot_once_the_base_is_large(base, settings):
    settings.KNOWLEDGE_INDEX_SNAPSHOT_MIN_ENTRIES = len(QUESTIONS)
    assert read_meta(settings.KNOWLEDGE_INDEX_DIR) is None
    refresh_knowledge_index()
    assert registry.snapshot == read_meta(settings.KNOWLEDGE_INDEX_DIR)["name"]


def test_erasure_reaches_the_snapshot(
    snapshot, alice, taxonomy, django_capture_on_commit_callbacks
):
    from accounts.privacy import user_erase_data
    from tickets.models import Ticket

    words = "Zanzibarian parcel for Pemberton-Oddly"
    ticket = Ticket.objects.create(customer=alice, message=f"Where is my {words}?")
    entry = KnowledgeEntry.objects.create(
        question=f"Where is my {words}?", answer="On its way.", source_ticket=ticket
    )
    call_command("build_knowledge_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert found(words, k=1) == [entry.pk]
    assert any(words.encode() in f.read_bytes() for f in snapshot.glob("v*/*.npy"))

    with django_capture_on_commit_callbacks(execute=True):
        user_erase_data(user=alice)

    assert entry.pk not in found(words, k=10)
    # The snapshot was rewritten without the text, and no older one keeps it.
    assert len(list(snapshot.glob("v*"))) == 1
    assert not any(words.encode() in f.read_bytes() for f in snapshot.glob("v*/*.npy"))
    assert entry.pk not in found(words, k=10)


def test_the_command_refuses_when_the_index_compares_embeddings(db, settings):
    from django.core.management.base import CommandError

    settings.INTENT_FEATURIZER = "embeddings"
    with pytest.raises(CommandError, match="TF-IDF"):
        call_command("build_knowledge_index")


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_take_distinct_versions_in_commit_order():
    """PostgreSQL: writers in parallel; each version is taken once, and the counter ends at
    the number of changes (SQLite serialises writers anyway)."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): SQLite serialises writers")
    start = knowledge_version_current()
    errors = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                KnowledgeEntry.objects.create(question=f"Question {n}-{i}", answer="A")
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    versions = sorted(KnowledgeEntry.objects.values_list("change_version", flat=True))
    assert versions == list(range(start + 1, start + 41))
    assert knowledge_version_current() == start + 40
