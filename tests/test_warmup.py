"""A process loads the model and the index at start and then hides what it loaded from the
garbage collector (resolution/warmup.py): a full collection would otherwise walk it all."""

import gc

import pytest

from resolution.warmup import warm_up


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_warm_up_loads_and_freezes_what_it_loaded(trained_model, unfrozen):
    from resolution.services.registry import registry

    warm_up()
    assert registry.model() is not None
    assert gc.get_freeze_count() > 10_000


def test_without_a_model_warm_up_only_logs(db, unfrozen, caplog):
    warm_up()
    assert "Warm-up skipped" in caplog.text
    assert gc.get_freeze_count() == 0
