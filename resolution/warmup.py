"""Load the model and the knowledge index when a process starts, not on its first ticket.

Each web and worker process loads them once (resolution/services/registry.py). Lazily, that
happens inside the first ticket's request: under load it took seconds on the 2-core host, so
a freshly started (or recycled) gunicorn worker timed out its first requests. supportdesk/wsgi.py
and the Celery worker call `warm_up` at start when WARM_UP_AT_START is on (default: off with
DEBUG, so `runserver` and the tests start at once).
"""

import gc
import logging

logger = logging.getLogger(__name__)


def warm_up() -> None:
    """Load what the first ticket would; a failure (no model yet, no database) only logs,
    and the first ticket loads it as before."""
    from resolution.services.registry import registry

    try:
        registry.model()
        registry.index()
    except Exception as exc:
        logger.warning("Warm-up skipped (the first ticket loads the model): %s", exc)
        return
    # What is loaded now (Django, the model, the index: ~250,000 objects) lives as long as the
    # process. Moved out of the garbage collector's sight, a full collection no longer walks
    # it: 9-16 ms instead of 130 ms of CPU, a stall that every request queued behind it paid
    # (the p99 of the side-by-side run; bench/post_cost.py, docs/BENCHMARKS.md).
    gc.collect()
    gc.freeze()
