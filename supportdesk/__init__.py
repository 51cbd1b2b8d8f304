import os

# One thread for numpy's linear algebra (OpenBLAS), in every process of the desk: a request or
# a task works on one ticket, whose matrix products are tiny, and OpenBLAS's helper thread
# busy-waits between them, doubling the CPU a ticket costs (docs/BENCHMARKS.md, "Side by
# side"). Set here, before anything imports numpy; the environment can still override it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from supportdesk.celery import app as celery_app  # noqa: E402

__all__ = ("celery_app",)
