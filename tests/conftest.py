"""Named users for every role, plus an outsider, so authorization is tested by default.

Alice and Charlie are customers (Alice owns the tickets, Charlie is the outsider),
Agnes and Arthur are agents, Ada is the admin.
"""

import contextlib

import pytest

from accounts.models import Role, User
from tests.channel_servers import (  # noqa: F401 (shared fixtures)
    http_receiver,
    imap_server,
    smtp_server,
)

PASSWORD = "correct-horse-battery-staple"


def make_user(email: str, role: str, **extra) -> User:
    return User.objects.create_user(email=email, password=PASSWORD, role=role, **extra)


@pytest.fixture
def alice(db) -> User:
    return make_user("alice@example.com", Role.CUSTOMER, full_name="Alice Liddell")


@pytest.fixture
def charlie(db) -> User:
    return make_user("charlie@example.com", Role.CUSTOMER, full_name="Charlie Outsider")


@pytest.fixture
def agent(db) -> User:
    return make_user("agnes@example.com", Role.AGENT, full_name="Agnes Agent")


@pytest.fixture
def agent2(db) -> User:
    return make_user("arthur@example.com", Role.AGENT, full_name="Arthur Agent")


@pytest.fixture
def admin_user(db) -> User:
    return make_user("ada@example.com", Role.ADMIN, full_name="Ada Admin")


@pytest.fixture
def people(alice, charlie, agent, admin_user) -> dict:
    """The roles of an authorization matrix: who asks, as seen from Alice's tickets."""
    return {
        "anonymous": None,
        "owner": alice,
        "other_customer": charlie,
        "agent": agent,
        "admin": admin_user,
    }


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: no API user row (accounts/auth_cache.py) or
    throttle count left by an earlier test whose ids the database has since reused."""
    from django.core.cache import cache

    cache.clear()


@contextlib.contextmanager
def celery_conf(**values):
    """This process's Celery app with `values` in its config, restored afterwards: a key that
    followed Django's settings before follows them again (`conf.update` would pin it, and a
    later test's `settings.CELERY_TASK_ALWAYS_EAGER = False` would be ignored). The producer
    pool is dropped both ways, so no connection to the other broker is reused."""
    from supportdesk.celery import app

    changes = app.conf.changes
    saved = {key: changes[key] for key in values if key in changes}
    app.conf.update(**values)
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield app
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        for key in values:
            changes.pop(key, None)
        changes.update(saved)


@pytest.fixture
def broker_configured():
    """As with a broker: Celery queues tasks instead of running them in-process (on kombu's
    in-memory transport: whatever is queued stays in this process). Patch a task's `delay` to
    see what is queued."""
    with celery_conf(task_always_eager=False, broker_url="memory://"):
        yield


# --- The AI -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def small_demo_history(settings):
    """seed_demo's month of history, kept small in tests (tests/test_demo_history.py)."""
    settings.DEMO_HISTORY_TICKETS = 12


@pytest.fixture(autouse=True)
def fresh_ai_caches(settings, tmp_path):
    """Each test sees the database it set up, not a model or index cached by an earlier test
    (nor a knowledge index snapshot a developer built under var/)."""
    from resolution.services.intent_rules import intent_rules
    from resolution.services.registry import registry

    settings.MODEL_RELOAD_SECONDS = 0
    settings.KNOWLEDGE_INDEX_DIR = tmp_path / "knowledge-index"
    registry.clear()
    intent_rules.clear()
    yield
    registry.clear()
    intent_rules.clear()


@pytest.fixture(scope="session")
def starter_model_bytes() -> bytes:
    """The real model trained on the shipped starter data, once per test session."""
    from resolution.engine.classifier import IntentClassifier
    from resolution.services.seed import DATA_DIR

    texts, labels = [], []
    for path in sorted((DATA_DIR / "examples").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(line.strip())
                labels.append(path.stem)
    return IntentClassifier.train(texts, labels).to_bytes()


@pytest.fixture
def taxonomy(db):
    from resolution.services.seed import load_starter_knowledge, load_taxonomy

    load_taxonomy()
    load_starter_knowledge()


@pytest.fixture
def trained_model(taxonomy, starter_model_bytes):
    """The starter model, active, with the default taxonomy and starter knowledge base."""
    from resolution.models import ModelVersion

    return ModelVersion.objects.create(
        version=1, artifact=starter_model_bytes, is_active=True, metrics={"macro_f1": 0.9}
    )


@pytest.fixture
def engine_calls(trained_model, monkeypatch) -> list[tuple[str, bool]]:
    """Records each classify and knowledge search the pipeline makes, with whether a database
    transaction was open at the time: ("predict" | "search", connection.in_atomic_block)."""
    from django.db import connection

    from resolution.services.registry import registry

    loaded, index = registry.model(), registry.index()
    seen: list[tuple[str, bool]] = []
    predict, search = loaded.classifier.inspect_many, index.search

    def watched_predict(texts):
        seen.append(("predict", connection.in_atomic_block))
        return predict(texts)

    def watched_search(text, k):
        seen.append(("search", connection.in_atomic_block))
        return search(text, k=k)

    monkeypatch.setattr(loaded.classifier, "inspect_many", watched_predict)
    monkeypatch.setattr(index, "search", watched_search)
    monkeypatch.setattr(registry, "model", lambda: loaded)
    monkeypatch.setattr(registry, "index", lambda: index)
    return seen
