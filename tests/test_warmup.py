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


def test_warm_up_walks_the_first_tickets_path_without_writing(trained_model, unfrozen, caplog):
    # The first POST in each gunicorn worker took 142 and 247 ms against 13 ms after: the
    # language detector, the URL map, templates and Celery's configuration loaded on the way.
    from tickets import language
    from tickets.models import Ticket

    language._identifier.cache_clear()
    before = Ticket.objects.count()
    warm_up()
    assert "failed" not in caplog.text
    assert language._identifier.cache_info().currsize >= 1
    assert Ticket.objects.count() == before
