"""Races, settled in PostgreSQL: many customers at once, two agents on one ticket, double submits.

Real threads with their own database connections against a real PostgreSQL (row locks and
unique constraints are what is being tested; SQLite serialises writers, so it proves nothing).
"""

import threading
import time
import uuid

import pytest
from django.db import connection, connections

from accounts.models import Role, User
from resolution.models import Decision
from tests.api_helpers import api
from tickets.models import Message, Ticket, TicketStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): SQLite serialises writers")


def _race(*calls) -> list:
    """Run the calls at the same moment in threads; each closes its own connection."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int, call) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001  (reported to the test as a result)
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_twenty_customers_at_once_each_get_one_ticket_decided_once(trained_model):
    customers = [
        User.objects.create_user(email=f"c{n}@example.com", password="x", role=Role.CUSTOMER)
        for n in range(20)
    ]
    calls = [
        (lambda c=c, n=n: api(c).post("/api/tickets", {"message": f"Where is my order {n}?"}))
        for n, c in enumerate(customers)
    ]
    responses = _race(*calls)
    assert [getattr(r, "status_code", r) for r in responses] == [201] * 20
    assert Ticket.objects.count() == 20
    for customer in customers:
        ticket = Ticket.objects.get(customer=customer)
        assert ticket.status != TicketStatus.OPEN
        assert Message.objects.filter(ticket=ticket, author_kind="customer").count() == 1
        assert Decision.objects.filter(ticket=ticket).count() == 1


def _escalated(customer) -> Ticket:
    ticket = Ticket.objects.create(
        customer=customer, message="I want my money back.", status=TicketStatus.ESCALATED
    )
    return ticket


def test_two_agents_claiming_at_once_one_wins_the_other_hears_who(alice, agent, agent2):
    ticket = _escalated(alice)
    path = f"/api/tickets/{ticket.pk}/claim"
    first, second = _race(lambda: api(agent).post(path), lambda: api(agent2).post(path))
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    loser = first if first.status_code == 409 else second
    assert loser.json()["error"]["code"] == "already_claimed"
    ticket.refresh_from_db()
    winner = agent if first.status_code == 200 else agent2
    assert ticket.assigned_agent == winner


def test_two_agents_resolving_at_once_one_wins(alice, agent, agent2, taxonomy):
    ticket = _escalated(alice)
    path = f"/api/tickets/{ticket.pk}/reply"
    body = {"body": "Refund sent.", "resolve": True}
    results = _race(
        lambda: api(agent).post(path, body, format="json"),
        lambda: api(agent2).post(path, body, format="json"),
    )
    assert sorted(r.status_code for r in results) == [201, 409]
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert Message.objects.filter(ticket=ticket, author_kind="agent").count() == 1


def test_a_double_submit_with_one_idempotency_key_makes_one_ticket(alice, trained_model):
    key = uuid.uuid4().hex
    headers = {"HTTP_IDEMPOTENCY_KEY": key}
    results = _race(
        *[
            (lambda: api(alice).post("/api/tickets", {"message": "Where is my order?"}, **headers))
            for _ in range(5)
        ]
    )
    assert sorted(r.status_code for r in results) == [200, 200, 200, 200, 201]
    assert len({r.json()["id"] for r in results}) == 1
    assert Ticket.objects.count() == 1 and Decision.objects.count() == 1
    assert Message.objects.filter(author_kind="customer").count() == 1


def test_a_double_click_on_the_portal_form_makes_one_ticket(alice, trained_model):
    from django.test import Client

    def submit():
        client = Client()
        client.force_login(alice)
        return client.post(
            "/tickets/new/", {"subject": "", "message": "Where is my order?", "draft": "d1"}
        )

    first, second = _race(submit, submit)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Ticket.objects.count() == 1


def test_two_escalations_at_once_go_to_two_available_agents(alice, agent, agent2, settings):
    """Round-robin takes each agent's presence row with SKIP LOCKED: two tickets escalated at
    the same moment are handed to two different agents, not both to the one who waited longest."""
    from django.db import transaction

    from tickets.assignment import agent_set_available
    from tickets.services import ticket_escalate

    settings.DESK_ROUND_ROBIN = True
    agent_set_available(agent=agent, available=True)
    agent_set_available(agent=agent2, available=True)
    # bulk_create: no post_save, so the pipeline does not escalate (and assign) them first.
    tickets = Ticket.objects.bulk_create(
        [Ticket(customer=alice, message=f"Help {n}") for n in range(2)]
    )
    assert not Ticket.objects.filter(assigned_agent__isnull=False).exists()

    def escalate(ticket: Ticket):
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
            ticket_escalate(ticket=locked, reason="low_confidence")
            time.sleep(0.5)  # hold the turn taken, so the other escalation meets the lock
            return locked.assigned_agent_id

    owners = _race(*[(lambda t=t: escalate(t)) for t in tickets])
    assert sorted(owners) == sorted([agent.pk, agent2.pk]), owners
