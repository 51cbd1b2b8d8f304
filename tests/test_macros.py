"""Macros: placeholders filled safely (unknown ones refused on save), shared or personal, field
actions applied when the reply is sent; the API's authorization and bad input."""

import pytest

from common.errors import InvalidInput, NotAllowed
from tests.api_helpers import api, error_of, escalated_ticket
from tickets.macros import macro_create, macro_render, macro_reply
from tickets.models import Macro

BODY = "Hello {{ customer.name }}, about #{{ ticket.id }} ({{ ticket.subject }}): {{agent.name}}"


def test_placeholders_are_filled_from_the_ticket_and_the_agent(alice, agent):
    ticket = escalated_ticket(alice)
    macro = macro_create(author=agent, title="Hello", body=BODY)
    assert macro_render(macro, ticket=ticket, agent=agent) == (
        f"Hello Alice Liddell, about #{ticket.pk} (Where is my parcel?): Agnes Agent"
    )


@pytest.mark.parametrize(
    "body",
    [
        "Hi {{ customer.password }}",
        "Hi {{ ticket.customer.email }}",
        "{% load static %}Hi",
        "Hi {{ customer.name|upper }}",
        "Hi }} there",
        "   ",
    ],
)
def test_anything_but_a_known_placeholder_is_refused_on_save(agent, body):
    with pytest.raises(InvalidInput):
        macro_create(author=agent, title="Bad", body=body)
    assert not Macro.objects.exists()


def test_a_customers_text_is_not_read_as_placeholders(agent, alice):
    ticket = escalated_ticket(alice)
    ticket.subject = "{{ agent.name }} {% debug %}"
    macro = macro_create(author=agent, title="Subject", body="Re: {{ ticket.subject }}")
    assert macro_render(macro, ticket=ticket, agent=agent) == "Re: {{ agent.name }} {% debug %}"


def test_only_admins_make_shared_macros(agent, admin_user, alice):
    with pytest.raises(NotAllowed):
        macro_create(author=agent, title="Team", body="Hi", shared=True)
    with pytest.raises(NotAllowed):
        macro_create(author=alice, title="Mine", body="Hi")
    assert macro_create(author=admin_user, title="Team", body="Hi", shared=True).owner is None


def test_sending_a_macro_reply_applies_its_field_actions(alice, agent):
    ticket = escalated_ticket(alice)
    macro = macro_create(
        author=agent,
        title="Refund done",
        body="Refunded.",
        set_status="resolved",
        set_priority="low",
        add_tags=["refund"],
    )
    macro_reply(ticket=ticket, agent=agent, macro=macro, body="Refunded, Alice.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("resolved", "low")
    assert list(ticket.tags.values_list("name", flat=True)) == ["refund"]
    assert ticket.messages.last().body == "Refunded, Alice."


def test_a_refused_reply_applies_no_field_action(alice, agent, agent2):
    from common.errors import Conflict
    from tickets.services import ticket_claim

    ticket = ticket_claim(ticket=escalated_ticket(alice), agent=agent2)
    macro = macro_create(author=agent, title="P", body="Hi", set_priority="urgent")
    with pytest.raises(Conflict):
        macro_reply(ticket=ticket, agent=agent, macro=macro, body="Hi")
    ticket.refresh_from_db()
    assert ticket.priority == "normal"


def test_another_agents_personal_macro_cannot_be_used(alice, agent, agent2):
    macro = macro_create(author=agent2, title="Mine", body="Hi", set_priority="urgent")
    with pytest.raises(InvalidInput):
        macro_reply(ticket=escalated_ticket(alice), agent=agent, macro=macro, body="Hi")


# --- API ------------------------------------------------------------------------------------


def test_agents_list_shared_and_their_own_macros_only(agent, agent2, admin_user):
    shared = macro_create(author=admin_user, title="Shared", body="Hi", shared=True)
    mine = macro_create(author=agent, title="Mine", body="Hi")
    theirs = macro_create(author=agent2, title="Theirs", body="Hi")
    listed = api(agent).get("/api/macros").json()
    assert [m["id"] for m in listed] == [mine.pk, shared.pk]
    error_of(api(agent).get(f"/api/macros/{theirs.pk}"), 404)
    error_of(api(agent).patch(f"/api/macros/{theirs.pk}", {"title": "x"}), 404)
    error_of(api(agent).delete(f"/api/macros/{theirs.pk}"), 404)


def test_customers_and_anonymous_have_no_macros(alice):
    error_of(api(alice).get("/api/macros"), 403)
    error_of(api(None).get("/api/macros"), 401)
    error_of(api(alice).post("/api/macros", {"title": "t", "body": "b"}), 403)


def test_an_agent_creates_changes_and_deletes_a_personal_macro(agent):
    client = api(agent)
    body = {"title": "Thanks", "body": "Thanks {{ customer.first_name }}", "add_tags": ["Vip"]}
    response = client.post("/api/macros", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["shared"], created["add_tags"]) == (False, ["vip"])
    response = client.patch(f"/api/macros/{created['id']}", {"set_priority": "high"})
    assert response.json()["set_priority"] == "high"
    assert client.delete(f"/api/macros/{created['id']}").status_code == 204
    assert not Macro.objects.exists()


def test_an_agent_cannot_make_or_change_a_shared_macro(agent, admin_user):
    error_of(api(agent).post("/api/macros", {"title": "t", "body": "b", "shared": True}), 403)
    shared = macro_create(author=admin_user, title="Shared", body="Hi", shared=True)
    error_of(api(agent).patch(f"/api/macros/{shared.pk}", {"title": "Mine now"}), 403)
    error_of(api(agent).delete(f"/api/macros/{shared.pk}"), 403)
    assert api(admin_user).patch(f"/api/macros/{shared.pk}", {"title": "T"}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"title": "t", "body": "Hi {{ customer.secret }}"},
        {"title": "", "body": "b"},
        {"title": "t"},
        {"title": "t", "body": "b", "set_status": "escalated"},
        {"title": "t", "body": "b", "set_priority": "asap"},
        {"title": "t", "body": "b", "add_tags": ["two words"]},
        {"title": "t", "body": "b", "shared": "yes"},
        {"title": ["t"], "body": "b"},
    ],
)
def test_bad_macro_input_is_a_400(agent, body):
    error = error_of(api(agent).post("/api/macros", body), 400)
    assert error["details"]
    assert not Macro.objects.exists()
