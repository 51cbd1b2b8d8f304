"""Without a broker, a request's notifications (e-mails, webhook deliveries) run after its
response has gone out, not inside it.

With a broker they are Celery tasks a worker runs. Without one (the embedded default, and the
in-request pipeline of the side-by-side bench) Celery runs a task the moment it is queued, so
the answer's e-mail was rendered and sent (SMTP included) before the customer got the answer.
Here such a task waits in a per-thread list until Django's `request_finished` signal, which a
WSGI server sends once the response's body is written: the client has its answer, the process
then sends the mail. Outside a request (a shell, a command, a Celery worker) it runs at once.

Hand-written because it is ~30 lines and no maintained library does only this; a failure is
logged and never reaches the request (it is over), like a broker outage for `_queue`.
"""

import logging
import threading
from collections.abc import Callable

from celery import current_app
from django.core.signals import request_finished, request_started
from django.dispatch import receiver

logger = logging.getLogger(__name__)
_local = threading.local()


def run_after_response(call: Callable[[], object]) -> None:
    """Run `call` once this thread's response is sent; at once outside a request or when a
    broker queues tasks anyway (then `call` only enqueues)."""
    pending = getattr(_local, "pending", None)
    if pending is None or not current_app.conf.task_always_eager:
        call()
    else:
        pending.append(call)


@receiver(request_started, dispatch_uid="channels_after_response_start")
def _start(sender, **kwargs) -> None:
    _local.pending = []


@receiver(request_finished, dispatch_uid="channels_after_response_run")
def _run(sender, **kwargs) -> None:
    pending, _local.pending = getattr(_local, "pending", None) or [], None
    for call in pending:
        try:
            call()
        except Exception:
            logger.exception("A notification queued during the request failed")
