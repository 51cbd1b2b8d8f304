"""A Celery worker keeps its database connection from task to task (supportdesk/celery.py,
settings.CELERY_DB_REUSE_MAX): Celery's Django fixup otherwise closes it around every task, and
a new PostgreSQL connection per task was most of a decided ticket's time in the worker."""

import time

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection, transaction

from resolution.tasks import resolve_ticket
from supportdesk.celery import app, close_old_database_connections
from tickets.models import Ticket


def run_in_worker(fixup: DjangoWorkerFixup) -> None:
    """What a worker does around one task: Celery's hooks, the query, ours."""
    fixup.on_task_prerun(sender=resolve_ticket)
    Ticket.objects.exists()
    fixup.on_task_postrun(sender=resolve_ticket)
    close_old_database_connections(sender=resolve_ticket)


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_between_tasks():
    fixup = DjangoWorkerFixup(app)
    assert fixup.db_reuse_max  # from the settings: without it, every task reconnects
    Ticket.objects.exists()
    before = connection.connection
    for _ in range(5):
        run_in_worker(fixup)
    assert connection.connection is before


@pytest.mark.django_db(transaction=True)
def test_after_a_task_a_connection_older_than_conn_max_age_is_closed():
    if connection.vendor == "sqlite":
        pytest.skip("Django never closes SQLite's in-memory test database")
    Ticket.objects.exists()
    connection.close_at = time.monotonic() - 1  # as if CONN_MAX_AGE had passed
    close_old_database_connections(sender=resolve_ticket)
    assert connection.connection is None
    assert Ticket.objects.exists() is False  # the next task connects again


@pytest.mark.django_db
def test_a_task_run_in_process_leaves_the_requests_transaction_alone():
    with transaction.atomic():
        Ticket.objects.exists()
        resolve_ticket.push_request(is_eager=True)  # no broker: inside the request
        try:
            close_old_database_connections(sender=resolve_ticket)
        finally:
            resolve_ticket.pop_request()
        assert connection.connection is not None and not connection.needs_rollback
        Ticket.objects.exists()
