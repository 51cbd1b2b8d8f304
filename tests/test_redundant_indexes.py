"""No index on the tables every ticket writes is made redundant by another (issue 19).

Each index costs every INSERT and every UPDATE that changes its columns: a ticket is inserted
and then updated by its decision, and its messages, audit events and decision are inserted. An
index whose key columns (with their operator classes) lead another full index answers nothing
the other cannot, so it only costs writes. Django adds such twins by default (a foreign key's
own index beside a composite that starts with it, db_index's LIKE twin on PostgreSQL).
"""

import pytest
from django.db import connection

# The tables written for every ticket the desk decides.
TABLES = ["tickets_ticket", "tickets_message", "tickets_ticketevent", "resolution_decision"]

# Per index: its name, key columns (attribute numbers; 0 for an expression), operator classes,
# whether it is partial (a WHERE clause) or unique.
INDEXES_SQL = """
SELECT index.relname,
       (ix.indkey::int2[])[0:ix.indnkeyatts - 1],
       (ix.indclass::oid[])[0:ix.indnkeyatts - 1],
       ix.indpred IS NOT NULL,
       ix.indisunique
FROM pg_index ix
JOIN pg_class index ON index.oid = ix.indexrelid
JOIN pg_class tab ON tab.oid = ix.indrelid
WHERE tab.relname = %s
"""


def redundant_indexes(table: str) -> list[tuple[str, str]]:
    """(redundant index, the index that covers it) on `table`."""
    with connection.cursor() as cursor:
        cursor.execute(INDEXES_SQL, [table])
        indexes = cursor.fetchall()
    found = []
    for name, keys, classes, partial, unique in indexes:
        if partial or unique or 0 in keys:  # a constraint, a subset of rows, or an expression
            continue
        for other, other_keys, other_classes, other_partial, _ in indexes:
            if other == name or other_partial or 0 in other_keys:
                continue
            width = len(keys)
            if other_keys[:width] == keys and other_classes[:width] == classes:
                found.append((name, other))
                break
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("table", TABLES)
def test_no_index_is_a_leading_part_of_another(table):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): reads its catalog")
    assert redundant_indexes(table) == []


@pytest.mark.django_db
def test_the_check_finds_a_redundant_index():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): reads its catalog")
    with connection.cursor() as cursor:
        cursor.execute('CREATE INDEX "probe_intent" ON "tickets_ticket" ("intent")')
    assert ("probe_intent", "ticket_intent_created") in redundant_indexes("tickets_ticket")
