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
    try:
        _first_ticket_path()
    except Exception:  # the first ticket loads the rest, as before
        logger.exception("Warm-up of the first ticket's path failed")
    # What is loaded now (Django, the model, the index: ~250,000 objects) lives as long as the
    # process. Moved out of the garbage collector's sight, a full collection no longer walks
    # it: 9-16 ms instead of 130 ms of CPU, a stall that every request queued behind it paid
    # (the p99 of the side-by-side run; bench/post_cost.py, docs/BENCHMARKS.md).
    gc.collect()
    gc.freeze()


# A sample a desk of any language set can read.
SAMPLE_TEXT = "Where is my order? It has not arrived yet."


def _first_ticket_path() -> None:
    """What else a process's first ticket would load on the way, measured as the first POST's
    extra time in each gunicorn worker (142 and 247 ms against 13 ms after: a stall that every
    request queued behind it paid, the side-by-side run's p99): the language detector (~90 ms),
    the engine's first analysis (its caches), the answer e-mails' templates, the URL map both
    ways (links in answers are reversed) and Celery's configuration (read to know whether a
    broker is set). Nothing is written: the ticket and its customer stay in memory."""
    from django.template.loader import get_template
    from django.urls import get_resolver, resolve

    from accounts.models import User
    from resolution.services.pipeline import analyse_and_decide
    from resolution.tasks import resolve_ticket
    from tickets.language import language_detect
    from tickets.models import Ticket

    language = language_detect(SAMPLE_TEXT)
    analyse_and_decide(
        Ticket(customer=User(full_name="Warm Up"), message=SAMPLE_TEXT, language=language)
    )
    for name in ("answer", "acknowledgement"):  # the e-mails a ticket's decision sends
        get_template(f"channels/email/{name}.txt")
        get_template(f"channels/email/{name}.html")
    resolve("/api/tickets")
    get_resolver().reverse_dict  # noqa: B018 - reading it builds the reverse map (~35 ms)
    resolve_ticket.app.conf.task_always_eager  # noqa: B018 - reading it finalizes the app
