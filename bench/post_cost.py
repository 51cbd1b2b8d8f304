"""What one POST /api/tickets costs the web process with the pipeline in the request (issue 19):
CPU per ticket and queries per POST, in-process (Django's test client: no HTTP server, no load
generator), so the figure is the code's own cost, little moved by other work on the host.

Needs a migrated database with a trained model, e.g. the one `side_by_side.sh` leaves behind
(ours_sbs), or: createdb; `manage.py migrate`; `manage.py seed_demo`. Run from the root:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ours_sbs \\
      nice -n 10 .venv/bin/python bench/post_cost.py --posts 300
    ... --profile 15     # also cProfile's top functions (cumulative), 15 rows
    ... --parts          # also the CPU per ticket of each stage (store, analysis, recording...)
    ... --sample 40      # also the share of CPU samples in each function (inclusive), 40 rows

Production-like settings (DEBUG off, tasks in-process with no broker, MODEL_RELOAD_SECONDS
as in production, the per-customer ticket rate off as for the peer bench). Each POST is timed
with the process's CPU clock from the request to the end of everything it triggers, the
answer e-mail included (it runs after the response, in the same process). Queries are counted
in two parts: before the response is handed back, and after it (the notifications).
"""

import argparse
import collections
import cProfile
import io
import json
import os
import pstats
import signal
import statistics
import time
from pathlib import Path

import bench_django  # noqa: E402 - bench/ is sys.path[0] until setup() removes it

ROOT = bench_django.ROOT
bench_django.setup(
    SECURE_SSL_REDIRECT="false",
    CELERY_BROKER_URL="",
    CUSTOMER_TICKET_RATE="",
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)

from django.core.signals import request_finished  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from resolution.warmup import warm_up  # noqa: E402

TEXTS = [
    ("Card charged twice", "I was charged twice for my order, please refund one payment"),
    ("", "Where is my parcel? It has not arrived yet."),
    ("Password", "I forgot my password, how do I reset it?"),
    ("", "Can I change the delivery address of my order?"),
]


# The stages of a POST, by the function that does each (module, name): --parts times each with
# the CPU clock, a stage's time excluding the stages it calls. What no stage covers is the HTTP
# handling: middleware, authentication, parsing, the view.
STAGES = [
    ("tickets.services", "_ticket_store", "store: the ticket, its message and audit event"),
    ("tickets.services", "language_detect", "store: language detection"),
    ("resolution.services.pipeline", "run_pipeline", "decide after the commit: lock, re-check"),
    ("resolution.services.pipeline", "analyse_and_decide", "decide: model, search, policy"),
    ("resolution.services.pipeline", "record_with_rules", "decide: rules, decision, answer, audit"),
    ("channels.services.email_out", "email_send_answer_for", "after: the answer's e-mail"),
    ("rest_framework.serializers", "Serializer.data", "respond: the ticket as JSON"),
]


def time_stages() -> dict[str, float]:
    """Wrap each stage's function with a CPU timer; returns the seconds per stage, growing."""
    import importlib

    spent = dict.fromkeys((label for *_, label in STAGES), 0.0)
    running = []  # the stages on the stack: a stage's time excludes the nested ones'

    def timed(function, label):
        def run(*args, **kwargs):
            started = time.process_time()
            running.append(0.0)
            try:
                return function(*args, **kwargs)
            finally:
                took = time.process_time() - started
                spent[label] += took - running.pop()
                if running:
                    running[-1] += took

        return run

    for module_name, name, label in STAGES:
        owner = importlib.import_module(module_name)
        if "." in name:  # a property of a class
            cls_name, attribute = name.split(".")
            owner, prop = getattr(owner, cls_name), getattr(getattr(owner, cls_name), attribute)
            setattr(owner, attribute, property(timed(prop.fget, label)))
        else:
            setattr(owner, name, timed(getattr(owner, name), label))
    return spent


def backend_cpu_clock():
    """A function giving the CPU seconds used so far by this connection's PostgreSQL backend,
    or always 0 when that cannot be read (SQLite, a server on another machine)."""
    if connection.vendor != "postgresql":
        return lambda: 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    if not stat.exists():
        return lambda: 0.0
    ticks = os.sysconf("SC_CLK_TCK")

    def clock() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime

    return clock


class Sampler:
    """Which functions the process's CPU time goes to, by sampling its stack on the CPU clock
    (SIGPROF, about every 4 ms of CPU on this kernel) while `on`.

    Why besides cProfile: cProfile's cost per call triples a POST's CPU and falls mostly on
    code made of many small calls (templates, urlize, the ORM), so its shares overstate
    them: the answer's e-mail was 25% of a POST in cProfile and 14% in these samples."""

    def __init__(self) -> None:
        self.on = False
        self.stacks: list[set[str]] = []
        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, 0.001, 0.001)

    def _sample(self, signum, frame) -> None:
        if not self.on:
            return
        names = set()
        while frame is not None:
            code = frame.f_code
            path = code.co_filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
            names.add(f"{path}:{code.co_name}")
            frame = frame.f_back
        self.stacks.append(names)

    def report(self, rows: int) -> str:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        counts = collections.Counter(name for names in self.stacks for name in names)
        total = len(self.stacks) or 1
        lines = [f"{len(self.stacks)} samples; share of samples with the function on the stack"]
        lines += [f"{100 * n / total:6.1f}%  {name}" for name, n in counts.most_common(rows)]
        return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", type=int, default=0, help="cProfile rows to print")
    parser.add_argument("--sample", type=int, default=0, help="sampled functions to print")
    parser.add_argument(
        "--same-text",
        action="store_true",
        help='post only the side-by-side run\'s ticket ("Card charged twice"), as it does',
    )
    parser.add_argument("--parts", action="store_true", help="the CPU per ticket of each stage")
    args = parser.parse_args()
    stages = time_stages() if args.parts else None

    email, password = "post-cost@example.com", "Bench-pass-123-xyz"
    user, _ = User.objects.get_or_create(email=email, defaults={"role": Role.CUSTOMER})
    user.set_password(password)
    user.save()
    client = APIClient()
    login = client.post("/api/auth/login", {"email": email, "password": password}, format="json")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access_token']}")

    state = {"phase": "request", "request": 0, "after": 0}

    def count(execute, sql, params, many, context):
        state[state["phase"]] += 1
        return execute(sql, params, many, context)

    def response_done(**kwargs) -> None:  # the first receiver: what follows is after it
        state["phase"] = "after"

    def post(n: int) -> dict:
        subject, message = TEXTS[0 if args.same_text else n % len(TEXTS)]
        response = client.post(
            "/api/tickets", {"subject": subject, "message": f"{message} ({n})"}, format="json"
        )
        assert response.status_code == 201, response.content[:300]
        return response.json()

    for n in range(args.warmup):
        post(n)
    warm_up()  # as supportdesk/wsgi.py does in each gunicorn worker (with the garbage collector)
    if stages:
        stages.update(dict.fromkeys(stages, 0.0))
    # Connected last, moved first: it marks the moment the response is complete.
    request_finished.connect(response_done, weak=False, dispatch_uid="bench_response_done")
    request_finished.receivers.insert(0, request_finished.receivers.pop())
    request_finished.sender_receivers_cache.clear()
    database_cpu = backend_cpu_clock()
    database_cpu_before = database_cpu()
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    sampler = Sampler() if args.sample else None
    cpu, in_request, after, statuses = [], [], [], {}
    with connection.execute_wrapper(count):
        for n in range(args.posts):
            state.update(phase="request", request=0, after=0)
            started = time.process_time()
            if profiler:
                profiler.enable()
            if sampler:
                sampler.on = True
            body = post(args.warmup + n)
            if sampler:
                sampler.on = False
            if profiler:
                profiler.disable()
            cpu.append((time.process_time() - started) * 1000)
            in_request.append(state["request"])
            after.append(state["after"])
            statuses[body["status"]] = statuses.get(body["status"], 0) + 1
    result = {
        "posts": args.posts,
        "cpu_ms_per_ticket_p50": round(statistics.median(cpu), 2),
        "cpu_ms_per_ticket_mean": round(statistics.fmean(cpu), 2),
        # The tail: what a load test's p99 latency is made of besides queueing.
        "cpu_ms_per_ticket_p99": round(statistics.quantiles(cpu, n=100)[98], 2),
        "cpu_ms_per_ticket_max": round(max(cpu), 2),
        "queries_per_post_in_request": statistics.median(in_request),
        "queries_after_response": statistics.median(after),
        "statuses": statuses,
        "database": connection.vendor,
    }
    spent = database_cpu() - database_cpu_before
    # PostgreSQL's own CPU for this connection (its backend process, read from /proc when the
    # server runs on this machine): the other half of what a ticket costs the host.
    result["postgres_cpu_ms_per_ticket"] = round(spent * 1000 / args.posts, 2) if spent else None
    if stages:
        result["cpu_ms_per_ticket_by_stage"] = {
            label: round(seconds * 1000 / args.posts, 2) for label, seconds in stages.items()
        }
        result["cpu_ms_per_ticket_by_stage"]["HTTP: middleware, authentication, view"] = round(
            statistics.fmean(cpu) - sum(stages.values()) * 1000 / args.posts, 2
        )
    print(json.dumps(result))
    if sampler:
        print(sampler.report(args.sample))
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
        print(out.getvalue())


if __name__ == "__main__":
    main()
