"""Pages at size: 1M tickets in PostgreSQL, then the agent queue, "my tickets" and the metrics API.

    .venv/bin/python bench/queue_pages.py                  # fill sd_bench_queue, time, a table
    .venv/bin/python bench/queue_pages.py --reuse --json   # time again on the filled database

(Issue #8's `bench/queue.py`: a file named queue.py in bench/ would shadow the standard
library's `queue` module for every script run from this folder.)

DATABASE_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres).
The fill is bulk SQL (INSERT ... SELECT over generate_series, seeded): `--customers` customers
(one "heavy" customer owns every 200th ticket), `--agents` agents, `--tickets` tickets created
over the past year in id order, as a desk stores them (60% answered automatically, 30%
resolved by an agent, 9.5% escalated and waiting, 0.5% open) with their messages (the
customer's, the automatic answer, the agent's), ratings on a tenth of the answers, AI
resolutions and deflections. Texts and intents are the starter examples'.

Each page is timed in-process (Django's test Client, production settings, server time only: no
network), `--runs` times after one warm-up, and the median is reported, with the Python side's
CPU time (steady on a shared host, where wall time is not) and the slowest query; `--explain`
prints EXPLAIN ANALYZE of every query the page ran. Set BENCH_QUEUE_DATABASE to fill another
database than sd_bench_queue (e.g. beside someone else's run).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402

DATABASE = os.environ.get("BENCH_QUEUE_DATABASE", "sd_bench_queue")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="time the database already filled")
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE every query")
    parser.add_argument("--only", help="page names separated by semicolons (names hold commas)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not 1_000 <= args.tickets <= 5_000_000 or not 10 <= args.customers <= 1_000_000:
        parser.error("--tickets must be 1,000-5,000,000 and --customers 10-1,000,000")
    return args


# --- fill ------------------------------------------------------------------------------------


def starter_texts() -> tuple[list[str], list[str]]:
    texts, intents = [], []
    for path in sorted((h.ROOT / "resolution" / "data" / "examples").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(line.strip())
                intents.append(path.stem)
    return texts, intents


FILL_SQL = [
    # People: customers (a tenth without a name), agents; one password hash nobody can use.
    """
    INSERT INTO accounts_user (password, is_superuser, email, full_name, role, is_active,
                               date_joined, language)
    SELECT '!', false, 'customer' || g || '@example.com',
           CASE WHEN mod(g, 10) = 0 THEN '' ELSE 'Customer ' || g END,
           'customer', true, now() - interval '2 years', ''
    FROM generate_series(1, %(customers)s) g
    """,
    """
    INSERT INTO accounts_user (password, is_superuser, email, full_name, role, is_active,
                               date_joined, language)
    SELECT '!', false, 'agent' || g || '@example.com', 'Agent ' || g, 'agent', true,
           now() - interval '2 years', ''
    FROM generate_series(1, %(agents)s) g
    """,
    # Tickets. r: the status draw; the heavy customer is customer1. Nothing is dated after
    # now (the metrics roll-up would see such rows as changed at every look).
    """
    INSERT INTO tickets_team (name) VALUES ('Billing'), ('Delivery'), ('Accounts'), ('Returns')
    """,
    """
    INSERT INTO tickets_tag (name) VALUES ('vip'), ('refund'), ('complaint')
    """,
    """
    CREATE TEMP TABLE bench_ids AS
    SELECT (SELECT min(id) FROM accounts_user WHERE role = 'customer') AS first_customer,
           (SELECT min(id) FROM accounts_user WHERE role = 'agent') AS first_agent,
           (SELECT min(id) FROM tickets_team) AS first_team
    """,
    """
    INSERT INTO tickets_ticket (customer_id, subject, message, intent, confidence, status,
                                escalation_reason, assigned_agent_id, created_at, updated_at,
                                resolved_at, idempotency_key, channel, priority, language,
                                awaiting_customer, team_id)
    SELECT CASE WHEN mod(g, 200) = 0 THEN b.first_customer
                ELSE b.first_customer + 1 + (random() * (%(customers)s - 2))::int END,
           CASE WHEN mod(g, 3) = 0 THEN 'Order ' || g ELSE '' END,
           (%(texts)s::text[])[x.t], CASE WHEN x.status = 'open' THEN '' ELSE
           (%(intents)s::text[])[x.t] END,
           CASE WHEN x.status = 'open' THEN NULL ELSE 0.3 + 0.7 * random() END,
           x.status,
           CASE WHEN x.status IN ('escalated', 'resolved') THEN (ARRAY['low_confidence',
                'no_answer', 'sensitive_intent', 'customer_requested_human', 'reopened',
                'ai_error'])[1 + (random() * 5)::int] ELSE '' END,
           CASE WHEN x.status = 'resolved' OR (x.status = 'escalated' AND random() < 0.3)
                THEN b.first_agent + (random() * (%(agents)s - 1))::int END,
           x.created, LEAST(x.created + x.delay, now()),
           CASE WHEN x.status IN ('auto_resolved', 'resolved')
                THEN LEAST(x.created + x.delay, now()) END,
           '', (ARRAY['portal', 'portal', 'api', 'email'])[1 + mod(g, 4)],
           CASE WHEN x.p < 0.05 THEN 'urgent' WHEN x.p < 0.15 THEN 'high'
                WHEN x.p < 0.30 THEN 'low' ELSE 'normal' END,
           CASE WHEN x.l < 0.80 THEN 'en' WHEN x.l < 0.90 THEN 'es' WHEN x.l < 0.95 THEN 'de'
                ELSE 'fr' END,
           x.status = 'escalated' AND x.p > 0.6,
           CASE WHEN mod(g, 2) = 0 THEN b.first_team + mod(g / 2, 4) END
    FROM bench_ids b, generate_series(1, %(tickets)s) g,
         LATERAL (SELECT 1 + (random() * (%(ntexts)s - 1))::int AS t,
                         CASE WHEN r < 0.60 THEN 'auto_resolved' WHEN r < 0.90 THEN 'resolved'
                              WHEN r < 0.995 THEN 'escalated' ELSE 'open' END AS status,
                         now() - interval '365 days' + (g::float8 / %(tickets)s)
                             * interval '365 days' - random() * interval '1 hour' AS created,
                         random() * interval '2 days' AS delay,
                         random() + g * 0 AS p, random() + g * 0 AS l
                  FROM (SELECT random() + g * 0 AS r) s) x
    """,
    # Tags: "vip" on 2% of tickets, "refund" on 10%, "complaint" on every 30th.
    """
    INSERT INTO tickets_ticket_tags (ticket_id, tag_id)
    SELECT t.id, g.id FROM tickets_ticket t JOIN tickets_tag g
      ON (g.name = 'vip' AND mod(t.id, 50) = 7) OR (g.name = 'refund' AND mod(t.id, 10) = 3)
         OR (g.name = 'complaint' AND mod(t.id, 30) = 11)
    """,
    # The conversation: the customer's words; the automatic answer (also on tickets reopened
    # later); the agent's answer.
    """
    INSERT INTO tickets_message (ticket_id, author_kind, author_id, body, internal, created_at)
    SELECT id, 'customer', customer_id, message, false, created_at FROM tickets_ticket
    """,
    """
    INSERT INTO tickets_message (ticket_id, author_kind, author_id, body, internal, created_at)
    SELECT id, 'assistant', NULL, 'Here is how to do that: follow the steps on your account page.',
           false, created_at + interval '1 second'
    FROM tickets_ticket
    WHERE status = 'auto_resolved' OR escalation_reason = 'reopened'
    """,
    """
    INSERT INTO tickets_message (ticket_id, author_kind, author_id, body, internal, created_at)
    SELECT id, 'agent', assigned_agent_id, 'Thanks for waiting: I have sorted this out for you.',
           false, resolved_at
    FROM tickets_ticket WHERE status = 'resolved'
    """,
    # Ratings on a tenth of the answers; AI resolutions; deflections.
    """
    INSERT INTO feedback_feedback (ticket_id, answer_id, rating, resolved, comment, created_at)
    SELECT m.ticket_id, m.id, 1 + (random() * 4)::int, random() < 0.7, '',
           LEAST(m.created_at + interval '1 hour', now())
    FROM tickets_message m WHERE m.author_kind <> 'customer' AND mod(m.id, 10) = 0
    """,
    """
    INSERT INTO resolution_airesolution (ticket_id, via, created_at)
    SELECT id, CASE WHEN mod(id, 5) = 0 THEN 'confirmed' ELSE 'quiet' END, resolved_at
    FROM tickets_ticket WHERE status = 'auto_resolved' AND mod(id, 4) <> 0
    """,
    """
    INSERT INTO resolution_deflection (customer_id, entry_id, query, helpful, created_at)
    SELECT b.first_customer + (random() * (%(customers)s - 1))::int,
           (SELECT min(id) FROM resolution_knowledgeentry), 'where is my parcel',
           random() < 0.3, now() - random() * interval '365 days'
    FROM bench_ids b, generate_series(1, %(tickets)s / 10) g
    """,
    "ANALYZE",
]


def fill(env: dict[str, str], args: argparse.Namespace) -> float:
    import psycopg

    started = time.monotonic()
    h.create_database(env, DATABASE)
    h.manage(env, "migrate", "--noinput", "-v", "0")
    h.manage(env, "seed_demo", quiet=True)
    texts, intents = starter_texts()
    params = {
        "customers": args.customers,
        "agents": args.agents,
        "tickets": args.tickets,
        "texts": texts,
        "intents": intents,
        "ntexts": len(texts),
    }
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("SELECT setseed(0.42)")
        for sql in FILL_SQL:
            step = time.monotonic()
            used = {k: v for k, v in params.items() if f"%({k})s" in sql}
            conn.execute(sql, used or None)
            h.say(f"fill: {' '.join(sql.split())[:60]}… {time.monotonic() - step:.0f} s")
        conn.execute("VACUUM ANALYZE")
    return time.monotonic() - started


def counts(env: dict[str, str]) -> dict[str, int]:
    import psycopg

    tables = ["tickets_ticket", "tickets_message", "accounts_user", "feedback_feedback"]
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        result = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}  # noqa: S608
        result["escalated"] = conn.execute(
            "SELECT count(*) FROM tickets_ticket WHERE status = 'escalated'"
        ).fetchone()[0]
    return result


# --- time ------------------------------------------------------------------------------------


def pages() -> dict[str, tuple[str, str]]:
    """name -> (who, URL)."""
    return {
        "queue (default)": ("agent", "/agent/"),
        # Every view of issue 18, alone and with filters (the queue page, server time).
        "queue view mine": ("agent", "/agent/?view=mine"),
        "queue view unassigned": ("agent", "/agent/?view=unassigned"),
        "queue view waiting on customer": ("agent", "/agent/?view=waiting"),
        "queue view answered automatically": ("agent", "/agent/?view=auto"),
        "queue view solved": ("agent", "/agent/?view=solved"),
        "queue view all": ("agent", "/agent/?view=all"),
        "queue view all, next page (cursor)": ("agent", "next:/agent/?view=all"),
        "queue escalated, next page (cursor)": ("agent", "next:/agent/"),
        "queue escalated + urgent": ("agent", "/agent/?priority=urgent"),
        "queue escalated + team": ("agent", "/agent/?team={team}"),
        "queue mine + high": ("agent", "/agent/?view=mine&priority=high"),
        "queue waiting + es": ("agent", "/agent/?view=waiting&language=es"),
        "queue auto + intent": ("agent", "/agent/?view=auto&intent=get_refund"),
        "queue auto + tag vip": ("agent", "/agent/?view=auto&tag=vip"),
        "queue solved + urgent": ("agent", "/agent/?view=solved&priority=urgent"),
        "queue all + language de": ("agent", "/agent/?view=all&language=de"),
        "queue all + tag complaint": ("agent", "/agent/?view=all&tag=complaint"),
        "queue all + team + urgent": ("agent", "/agent/?view=all&team={team}&priority=urgent"),
        "queue all + search (words)": ("agent", "/agent/?view=all&q=refund"),
        "queue rows (htmx poll)": ("agent", "/agent/rows/"),
        "queue intent filter": ("agent", "/agent/?intent=get_refund"),
        "queue reason + unassigned": ("agent", "/agent/?reason=reopened&assigned=unassigned"),
        "queue mine": ("agent", "/agent/?assigned=mine"),
        "queue search (words)": ("agent", "/agent/?q=refund"),
        "queue search (e-mail)": ("agent", "/agent/?q=customer4242%40example.com"),
        "queue search (#id)": ("agent", "/agent/?q=%23{ticket}"),
        "API ticket list, agent, page 1": ("agent", "/api/tickets"),
        "API ticket list, agent, next page (cursor)": ("agent", "next:/api/tickets"),
        "API list, agent, escalated, next page": ("agent", "next:/api/tickets?status=escalated"),
        "my tickets (heavy customer)": ("heavy", "/tickets/"),
        "my tickets, next page (heavy customer)": ("heavy", "next:/tickets/"),
        "API my tickets, next page (heavy)": ("heavy", "next:/api/tickets"),
        "metrics API (no range: all time)": ("admin", "/api/admin/metrics"),
        "metrics API (last 30 days)": ("admin", "/api/admin/metrics?from={month_ago}&to={today}"),
        "metrics API (1 year)": ("admin", "/api/admin/metrics?from={year_ago}&to={today}"),
        "metrics page (default 30 days)": ("admin", "/ai/metrics/"),
        "metrics API (1 year), 220 tickets just changed": (
            "admin",
            "/api/admin/metrics?from={year_ago}&to={today}",
        ),
        "metrics API (1 year), cached": ("admin", "/api/admin/metrics?from={year_ago}&to={today}"),
        "metrics page (30 days), cached": ("admin", "/ai/metrics/"),
    }


def time_pages(args: argparse.Namespace) -> list[dict]:
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import User
    from tickets.models import Team, Ticket

    # Static links without collectstatic's manifest (nothing is written into the work tree).
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    people = {
        "agent": User.objects.filter(role="agent").order_by("id").first(),
        "heavy": User.objects.filter(role="customer").order_by("id").first(),
    }
    people["admin"] = User.objects.filter(role="admin").first() or User.objects.create_user(
        email="bench-admin@example.com", role="admin"
    )
    today = timezone.localdate()
    values = {
        "today": today.isoformat(),
        "month_ago": (today - timedelta(days=29)).isoformat(),
        "year_ago": (today - timedelta(days=364)).isoformat(),
        "ticket": Ticket.objects.filter(status="escalated").order_by("-id").values("id")[0]["id"],
        "team": Team.objects.order_by("id").values_list("id", flat=True).first(),
    }
    clients = {}
    for who, user in people.items():
        client = Client()
        client.force_login(user)
        token = RefreshToken.for_user(user).access_token
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        clients[who] = client
    wanted = set(args.only.split(";")) if args.only else None
    rollup = "metrics roll-up: first build (once)"
    results = [rollup_rows()] if not wanted or rollup in wanted else []
    for name, (who, url) in pages().items():
        if wanted and name not in wanted:
            continue
        url = url.format(**values)
        client = clients[who]
        if url.startswith("next:"):
            url = next_page_url(client, url.removeprefix("next:"))
        # Metrics are timed as computed (METRICS_CACHE_SECONDS=0) unless the row says cached.
        cached = name.endswith("cached")
        if "just changed" in name:
            touch_recent_tickets()
        overridden = override_settings(METRICS_CACHE_SECONDS=60 if cached else 0)
        overridden.enable()
        response = client.get(url)  # warm-up: caches, the connection, the plan
        if response.status_code != 200:
            h.say(f"{name}: {url} answered {response.status_code}; skipped")
            overridden.disable()
            continue
        times, cpu = [], []
        for _ in range(args.runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            # This process's CPU time: the Python side, without waiting for a busy host's CPU
            # or for PostgreSQL (which the slowest-query column shows).
            cpu.append((time.process_time() - cpu_started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        overridden.disable()
        slowest = sorted(
            ((float(q["time"]) * 1000, q["sql"]) for q in queries.captured_queries), reverse=True
        )
        results.append(
            {
                "page": name,
                "url": url,
                "median_ms": round(statistics.median(times), 1),
                "min_ms": round(min(times), 1),
                "python_cpu_ms": round(statistics.median(cpu), 1),
                "queries": len(queries.captured_queries),
                "slowest_query_ms": round(slowest[0][0], 1) if slowest else 0,
            }
        )
        h.say(f"{name}: {results[-1]['median_ms']} ms, {results[-1]['queries']} queries")
        if args.explain:
            with connection.cursor() as cursor:
                for _, sql in slowest[:3]:
                    if not sql.lstrip().upper().startswith("SELECT"):
                        continue
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    print(f"--- {name}\n{sql[:400]}\n" + "\n".join(r[0] for r in cursor.fetchall()))
    return results


def next_page_url(client, url: str) -> str:
    """The address of the page after `url`'s first: the API's `next`, or the page's
    rel="next" link (all carry a cursor)."""
    import html
    import re

    response = client.get(url)
    if url.startswith("/api/"):
        return response.json()["next"].split("testserver", 1)[1]
    link = re.search(r'<a [^>]*rel="next"[^>]*>', response.content.decode()).group(0)
    target = html.unescape(re.search(r'href="([^"]+)"', link).group(1))
    return url.split("?")[0] + target if target.startswith("?") else target


def rollup_rows() -> dict:
    """The metrics roll-up's first build over the whole desk (what the periodic task's first
    run does after an upgrade), timed once."""
    from resolution.models import MetricsDay, MetricsRollupState
    from resolution.services.metrics_rollup import rollup_refresh

    MetricsDay.objects.all().delete()
    MetricsRollupState.objects.all().delete()
    started = time.perf_counter()
    rollup_refresh()
    took = (time.perf_counter() - started) * 1000
    h.say(f"metrics roll-up, first build: {took:.0f} ms, {MetricsDay.objects.count()} cells")
    return {
        "page": "metrics roll-up: first build (once)",
        "url": "",
        "median_ms": round(took, 1),
        "min_ms": round(took, 1),
        "queries": 0,
        "slowest_query_ms": 0,
    }


def touch_recent_tickets(count: int = 200) -> None:
    """Changes as a live desk has them: the newest tickets and a few old ones changed just now
    (within the roll-up's overlap, so every read recomputes their days)."""
    from django.utils import timezone

    from tickets.models import Ticket

    newest = Ticket.objects.order_by("-id").values_list("id", flat=True)[:count]
    old = Ticket.objects.order_by("id").values_list("id", flat=True)[: count // 10]
    Ticket.objects.filter(id__in=[*newest, *old]).update(updated_at=timezone.now())


def main() -> int:
    args = parse_args()
    env = h.environment(DATABASE)
    filled = None
    if not args.reuse:
        filled = round(fill(env, args), 1)
    os.environ.update({k: v for k, v in env.items() if k not in ("ADMIN_DATABASE_URL",)})
    os.environ["ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, str(h.ROOT))
    size = counts(env)
    try:
        results = time_pages(args)
    finally:
        if args.drop:
            h.drop_database(env, DATABASE)
    if args.json:
        print(json.dumps({"fill_seconds": filled, "size": size, "pages": results}, indent=2))
    else:
        print(f"database: {', '.join(f'{k} {v:,}' for k, v in size.items())}")
        if filled:
            print(f"filled in {filled} s")
        width = max(len(r["page"]) for r in results)
        print(f"{'page'.ljust(width)}  median ms  min ms  python cpu ms  queries  slowest query ms")
        for r in results:
            print(
                f"{r['page'].ljust(width)}  {r['median_ms']:>9}  {r['min_ms']:>6}  "
                f"{r.get('python_cpu_ms', 0):>13}  {r['queries']:>7}  {r['slowest_query_ms']:>16}"
            )
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
