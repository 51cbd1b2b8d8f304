"""The Celery app. With no CELERY_BROKER_URL, tasks run eagerly in-process (settings.py)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")

app = Celery("supportdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_process_init.connect
def warm_up_worker(**kwargs) -> None:
    """Each worker process loads the model before it takes a task (resolution/warmup.py)."""
    from django.conf import settings

    if settings.WARM_UP_AT_START:
        from resolution.warmup import warm_up

        warm_up()
