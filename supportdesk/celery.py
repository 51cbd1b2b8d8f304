"""The Celery app. With no CELERY_BROKER_URL, tasks run eagerly in-process (settings.py)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")

app = Celery("supportdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_postrun.connect
def close_old_database_connections(sender=None, **kwargs) -> None:
    """After each task, what Django does after each request: close a connection that broke or
    is older than CONN_MAX_AGE, keep the others (settings.CELERY_DB_REUSE_MAX says why)."""
    if sender is None or getattr(sender.request, "is_eager", False):
        return  # run in-process (no broker): maybe inside a request's transaction; not ours
    from django.db import close_old_connections

    close_old_connections()


@signals.worker_process_init.connect
def warm_up_worker(**kwargs) -> None:
    """Each worker process loads the model before it takes a task (resolution/warmup.py)."""
    from django.conf import settings

    if settings.WARM_UP_AT_START:
        from resolution.warmup import warm_up

        warm_up()
