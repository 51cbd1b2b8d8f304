"""Trigram indexes for the agent queue's search (PostgreSQL only; see docs/BENCHMARKS.md).

The queue searches escalated tickets' subject and message, and customers' e-mail and name,
with `icontains` (PostgreSQL: UPPER(col) LIKE UPPER('%words%')). A plain B-tree cannot serve a
LIKE with a leading wildcard; a pg_trgm GIN index on the same UPPER(...) expression can. The
ticket indexes are partial (escalated tickets only: what the queue searches), so they stay
small on a desk of millions.

Other databases (SQLite in development and tests) skip this: their search is the same, only
slower. A PostgreSQL role that may not create the pg_trgm extension skips it too, with a
warning: the search still works.
"""

import logging

from django.db import migrations, transaction

logger = logging.getLogger(__name__)

INDEXES = [
    (
        "ticket_escalated_subject_trgm",
        "tickets_ticket",
        'UPPER("subject"::text) gin_trgm_ops',
        "WHERE status = 'escalated'",
    ),
    (
        "ticket_escalated_message_trgm",
        "tickets_ticket",
        'UPPER("message"::text) gin_trgm_ops',
        "WHERE status = 'escalated'",
    ),
    ("user_email_trgm", "accounts_user", 'UPPER("email"::text) gin_trgm_ops', ""),
    ("user_full_name_trgm", "accounts_user", 'UPPER("full_name"::text) gin_trgm_ops', ""),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as exc:  # e.g. a role without the right to create extensions
        logger.warning("pg_trgm unavailable (%s): the queue search runs without its indexes", exc)
        return
    for name, table, expression, where in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression}) {where}"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, *_ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("tickets", "0003_escalation_reason_margin_agreement"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
