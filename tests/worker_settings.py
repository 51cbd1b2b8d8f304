"""Settings for the Celery worker that tests/test_workers.py starts: production settings with
Redis re-delivering an unacknowledged message after 2 s (not an hour), checked on every poll."""

from supportdesk.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2, "unacked_restore_throttle": 1}
