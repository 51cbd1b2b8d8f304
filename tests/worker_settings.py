"""Settings for the Celery worker that tests/test_workers.py starts: production settings with
Redis re-delivering an unacknowledged message after 2 s (not an hour), checked on every poll,
and the cache's keys under the test's own prefix when it shares one (TEST_CACHE_KEY_PREFIX)."""

import os

from supportdesk.settings import *  # noqa: F403

if os.environ.get("TEST_CACHE_KEY_PREFIX"):
    CACHES["default"]["KEY_PREFIX"] = os.environ["TEST_CACHE_KEY_PREFIX"]  # noqa: F405

CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2, "unacked_restore_throttle": 1}
