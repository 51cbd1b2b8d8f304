"""The hot pages and endpoints run a fixed number of queries, however big the desk grows.

Speed itself is measured by bench/api_load.py and bench/queue.py (docs/BENCHMARKS.md); these
tests pin the shapes that make it: no query per row, no re-read of what a request just wrote,
no model artifact (megabytes) fetched to show a version number.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api_helpers import (  # noqa: F401
    _clear_throttle_history,
    answered_ticket,
    api,
    escalated_ticket,
)
from tickets.models import AuthorKind, Message, Ticket

TICKETS = "/api/tickets"


def queries_of(call) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code in (200, 201), response.content[:300]
    return [query["sql"] for query in captured.captured_queries]


# --- POST /api/tickets -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_creating_a_ticket_costs_the_same_queries_on_a_busy_desk(alice, charlie, trained_model):
    client = api(alice)
    client.post(TICKETS, {"message": "Hello"})  # loads this process's model and index
    first = queries_of(lambda: client.post(TICKETS, {"message": "Where is my parcel?"}))
    for n in range(15):
        answered_ticket(charlie)
        escalated_ticket(alice)
        api(charlie).post(TICKETS, {"message": f"Refund for order {n}, please"})
    later = queries_of(lambda: client.post(TICKETS, {"message": "Where is my parcel now?"}))
    assert len(later) == len(first)
    assert not [sql for sql in later if "artifact" in sql]  # the model is cached per process


@pytest.mark.django_db(transaction=True)
def test_with_a_worker_the_request_stores_and_queues_without_reading_back(
    alice, settings, monkeypatch
):
    """Production shape: the web process writes the ticket, queues the AI, and answers from
    what it wrote (open, no answer yet)."""
    from resolution import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(tasks.resolve_ticket, "delay", lambda ticket_id: queued.append(ticket_id))
    client = api(alice)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            TICKETS, {"message": "Where is my parcel?"}, headers={"Idempotency-Key": "k-1"}
        )
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["answer"], body["customer"]["id"]) == ("open", None, alice.pk)
    assert queued == [body["id"]]
    ticket_reads = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "tickets_ticket"' in q["sql"]
    ]
    # The Idempotency-Key lookup and the per-customer limit's count (tickets/limits.py);
    # nothing read back after INSERT.
    assert len(ticket_reads) == 2
    assert "created_at" in ticket_reads[1] and "LIMIT" in ticket_reads[1]
    # The user, the key, the limit, the ticket (in a savepoint), its first message and its
    # audit event, and the transaction around them (the store is its own atomic block now that
    # a voice note is transcribed before it, outside any transaction).
    assert len(captured.captured_queries) <= 12
    # The same key again is the same ticket, as it is now.
    again = client.post(
        TICKETS, {"message": "Where is my parcel?"}, headers={"Idempotency-Key": "k-1"}
    )
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Ticket.objects.filter(customer=alice).count() == 1


@pytest.mark.django_db(transaction=True)
def test_in_process_the_response_shows_the_decision_and_the_latest_answer(alice, trained_model):
    body = api(alice).post(TICKETS, {"message": "I forgot my password, how do I reset it?"}).json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert body["status"] == ticket.status != "open"
    answer = ticket.messages.filter(author_kind=AuthorKind.ASSISTANT).first()
    assert body["answer"] == (answer.body if answer else None)


# --- GET /api/tickets/{id} -------------------------------------------------------------------


def test_reading_a_ticket_costs_the_same_queries_however_long_the_conversation(alice, agent):
    short, long = answered_ticket(alice), answered_ticket(alice)
    for n in range(20):
        Message.objects.create(ticket=long, author_kind=AuthorKind.CUSTOMER, body=f"And {n}?")
        Message.objects.create(
            ticket=long, author_kind=AuthorKind.AGENT, author=agent, body=f"Answer {n}"
        )
    # The ticket, its messages, the decision (the user comes from accounts/auth_cache.py); for
    # an agent also the ticket's tags.
    for user, expected in ((alice, 3), (agent, 4)):
        client = api(user)
        client.get(f"{TICKETS}/{short.pk}")  # the user's row is cached from now on
        few = queries_of(lambda c=client: c.get(f"{TICKETS}/{short.pk}"))
        many = queries_of(lambda c=client: c.get(f"{TICKETS}/{long.pk}"))
        assert len(few) == len(many) == expected
        assert not [sql for sql in few + many if "artifact" in sql]


def test_the_detail_shows_the_latest_visible_answer(alice, agent):
    ticket = answered_ticket(alice)
    Message.objects.create(ticket=ticket, author_kind=AuthorKind.AGENT, author=agent, body="Mine")
    Message.objects.create(
        ticket=ticket, author_kind=AuthorKind.AGENT, author=agent, body="Note", internal=True
    )
    Message.objects.create(ticket=ticket, author_kind=AuthorKind.CUSTOMER, body="Thanks")
    for user in (alice, agent):
        assert api(user).get(f"{TICKETS}/{ticket.pk}").json()["answer"] == "Mine"


def test_another_customers_ticket_is_still_a_404(alice, charlie):
    ticket = answered_ticket(alice)
    assert api(charlie).get(f"{TICKETS}/{ticket.pk}").status_code == 404


# --- lists --------------------------------------------------------------------------------------


def test_the_ticket_list_costs_the_same_queries_for_one_ticket_or_a_full_page(alice, agent):
    answered_ticket(alice)
    for user in (alice, agent):
        api(user).get(TICKETS)  # the users' rows are cached from now on
    one = {user: len(queries_of(lambda u=user: api(u).get(TICKETS))) for user in (alice, agent)}
    for _ in range(30):
        answered_ticket(alice)
        escalated_ticket(alice)
    for user in (alice, agent):
        assert len(queries_of(lambda u=user: api(u).get(TICKETS))) == one[user]


def test_my_tickets_costs_the_same_queries_for_one_ticket_or_a_full_page(client, alice):
    client.force_login(alice)
    answered_ticket(alice)
    one = len(queries_of(lambda: client.get(reverse("portal:ticket_list"))))
    for _ in range(25):
        answered_ticket(alice)
        escalated_ticket(alice)
    assert len(queries_of(lambda: client.get(reverse("portal:ticket_list")))) == one
    assert len(queries_of(lambda: client.get(reverse("portal:ticket_list") + "?page=2"))) == one


def test_the_queue_page_costs_the_same_queries_for_one_ticket_or_a_full_page(client, agent, alice):
    client.force_login(agent)
    escalated_ticket(alice, reason="reopened")  # one ticket every view below lists
    views = [{}, {"q": "parcel"}, {"q": "alice"}, {"reason": "reopened", "assigned": "unassigned"}]
    one = [len(queries_of(lambda v=v: client.get(reverse("agent:queue"), v))) for v in views]
    for n in range(60):
        escalated_ticket(alice, reason="no_answer" if n % 2 else "reopened")
    many = [len(queries_of(lambda v=v: client.get(reverse("agent:queue"), v))) for v in views]
    assert many == one


# --- metrics ------------------------------------------------------------------------------------


def test_metrics_are_kept_per_range_for_metrics_cache_seconds(settings, alice):
    from datetime import date

    from django.core.cache import cache

    from resolution.metrics import metrics_summary

    settings.METRICS_CACHE_SECONDS = 60
    cache.clear()
    answered_ticket(alice)
    first = metrics_summary()
    answered_ticket(alice)
    with CaptureQueriesContext(connection) as again:
        assert metrics_summary() == first  # the same range: kept, no query
    assert len(again.captured_queries) == 0
    assert metrics_summary(date_from=date(2000, 1, 1))["tickets"]["total"] == 2  # another range
    settings.METRICS_CACHE_SECONDS = 0
    assert metrics_summary()["tickets"]["total"] == 2
    cache.clear()
