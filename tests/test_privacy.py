"""A customer exports and erases their data; tickets stay, anonymised; the audit is kept."""

import json

from django.test import Client

from feedback.models import Feedback
from resolution.models import Decision
from tests.api_helpers import _clear_throttle_history, answered_ticket, api, error_of  # noqa: F401
from tests.conftest import PASSWORD
from tickets.models import Message, Ticket, TicketEvent
from tickets.services import ticket_create

SECRET = "My card number is 4111 1111 1111 1111 and I live at 1 Hidden Lane."


def _alices_data(alice, charlie) -> Ticket:
    ticket = answered_ticket(alice)
    Ticket.objects.filter(pk=ticket.pk).update(subject="Private subject", message=SECRET)
    Message.objects.filter(ticket=ticket, author_kind="customer").update(body=SECRET)
    Feedback.objects.create(
        ticket=ticket,
        answer=ticket.messages.get(author_kind="assistant"),
        rating=2,
        resolved=False,
        comment="Call me on 555-0100",
    )
    ticket_create(customer=charlie, message="Charlie's own words")
    return ticket


def test_the_export_holds_the_account_tickets_conversation_and_ratings(alice, charlie):
    ticket = _alices_data(alice, charlie)
    client = Client()
    client.force_login(alice)
    response = client.get("/accounts/privacy/export/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == alice.email
    assert [t["id"] for t in data["tickets"]] == [ticket.pk]
    assert data["tickets"][0]["message"] == SECRET
    assert [m["from"] for m in data["tickets"][0]["conversation"]] == ["customer", "assistant"]
    assert data["feedback"][0]["comment"] == "Call me on 555-0100"
    assert "Charlie" not in response.content.decode()
    assert api(alice).get("/api/account/export").json()["tickets"] == data["tickets"]


def test_internal_agent_notes_are_not_exported(alice, charlie, agent):
    ticket = _alices_data(alice, charlie)
    Message.objects.create(
        ticket=ticket, author_kind="agent", author=agent, body="n", internal=True
    )
    data = api(alice).get("/api/account/export").json()
    assert len(data["tickets"][0]["conversation"]) == 2


def _assert_erased(alice, ticket: Ticket, events_before: int, decisions_before: int) -> None:
    alice.refresh_from_db()
    assert not alice.is_active and not alice.has_usable_password()
    assert alice.email.endswith("@erased.invalid") and alice.full_name == ""
    ticket.refresh_from_db()
    assert ticket.customer_id == alice.pk  # the ticket stays, anonymous
    assert SECRET not in ticket.message and ticket.subject == ""
    assert not Message.objects.filter(body__contains="4111").exists()
    assert Feedback.objects.get(ticket=ticket).comment == ""
    assert Feedback.objects.get(ticket=ticket).rating == 2  # statistics stay
    assert TicketEvent.objects.count() == events_before  # the audit is kept
    assert Decision.objects.count() == decisions_before
    assert Ticket.objects.get(message="Charlie's own words")  # nobody else is touched


def test_erasing_through_the_portal(alice, charlie):
    ticket = _alices_data(alice, charlie)
    counts = TicketEvent.objects.count(), Decision.objects.count()
    client = Client()
    client.force_login(alice)
    assert client.get("/accounts/privacy/").status_code == 200
    wrong = client.post("/accounts/privacy/", {"password": "not it"})
    assert wrong.status_code == 400
    alice.refresh_from_db()
    assert alice.is_active
    done = client.post("/accounts/privacy/", {"password": PASSWORD})
    assert done.status_code == 302
    _assert_erased(alice, ticket, *counts)
    assert client.get("/tickets/").status_code == 302  # logged out
    login = Client().post("/accounts/login/", {"username": alice.email, "password": PASSWORD})
    assert login.status_code == 200  # the form again: nobody can log in as Alice


def test_erasing_through_the_api_revokes_the_tokens(alice, charlie):
    ticket = _alices_data(alice, charlie)
    counts = TicketEvent.objects.count(), Decision.objects.count()
    pair = api().post("/api/auth/login", {"email": alice.email, "password": PASSWORD}).json()
    error_of(api(alice).post("/api/account/erase", {"password": "nope"}), 403)
    assert api(alice).post("/api/account/erase", {"password": PASSWORD}).status_code == 204
    _assert_erased(alice, ticket, *counts)
    error_of(api().post("/api/auth/refresh", {"refresh_token": pair["refresh_token"]}), 401)
    error_of(api(alice).get("/api/tickets"), 401)  # a deactivated user's access token is refused


def test_customers_find_their_data_page_in_the_navigation(client, alice):
    from django.urls import reverse

    from tests.conftest import PASSWORD

    client.login(email=alice.email, password=PASSWORD)
    page = client.get(reverse("portal:ticket_list"))
    assert reverse("accounts:privacy") in page.content.decode()


def test_erasing_reaches_the_ais_copies_of_the_customers_words(alice, charlie, taxonomy):
    from accounts.privacy import user_erase_data
    from resolution.models import Deflection, Intent, KnowledgeEntry, TrainingExample

    ticket = _alices_data(alice, charlie)
    intent = Intent.objects.get(slug="get_refund")
    entry = KnowledgeEntry.objects.create(
        question=SECRET, answer="Refunds take 5 days.", intent=intent, source_ticket=ticket
    )
    TrainingExample.objects.create(text=SECRET, intent=intent, source="agent", ticket=ticket)
    Deflection.objects.create(customer=alice, entry=entry, query=SECRET)
    kept = Deflection.objects.create(customer=charlie, entry=entry, query="Charlie's query")

    user_erase_data(user=alice)

    entry.refresh_from_db()
    assert SECRET not in entry.question and entry.status == "retired"
    assert entry.answer == "Refunds take 5 days."
    assert not TrainingExample.objects.filter(text=SECRET).exists()
    assert not Deflection.objects.filter(query=SECRET).exists()
    kept.refresh_from_db()
    assert kept.query == "Charlie's query"


def test_the_export_lists_the_suggestions_a_customer_was_shown(alice, taxonomy):
    from accounts.privacy import user_export_data
    from resolution.models import Deflection, KnowledgeEntry

    entry = KnowledgeEntry.objects.first()
    Deflection.objects.create(customer=alice, entry=entry, query="where is my parcel", helpful=True)
    export = user_export_data(user=alice)
    assert export["suggestions_shown"][0]["query"] == "where is my parcel"
