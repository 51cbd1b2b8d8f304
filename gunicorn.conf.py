"""gunicorn's settings for SupportDesk (read from the working directory: `gunicorn
supportdesk.wsgi` picks this file up; command-line flags override it).

The request path is CPU-bound Python with short database waits, so: about one worker process
per core (plus one to cover a worker blocked on I/O) and a few threads each to overlap those
waits. Measured on 2 cores in docs/BENCHMARKS.md ("API under load"). Override with
GUNICORN_WORKERS / GUNICORN_THREADS.
"""

import multiprocessing
import os

# GUNICORN_BIND, else all interfaces on $PORT (what PaaS hosts such as Render set), else 8000.
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
# Clients that reuse their connection (keep-alive) skip a TCP handshake per request.
keepalive = 5
# Recycle a worker now and then (bounded memory growth), not all at once.
max_requests = 20_000
max_requests_jitter = 2_000
# The model and knowledge index load lazily, per process, on first use.
preload_app = False
