"""The ticket API: create (bad input of every kind), list, detail, resolve, reply, claim."""

import json

import pytest

from resolution.models import Decision, Intent
from tests.api_helpers import (  # noqa: F401
    _clear_throttle_history,
    answered_ticket,
    api,
    error_of,
    escalated_ticket,
    open_ticket,
)
from tickets.models import AuthorKind, Message, Ticket

TICKETS = "/api/tickets"


def post_raw(client, path: str, raw: bytes | str, content_type: str = "application/json"):
    return client.generic("POST", path, raw, content_type=content_type)


# --- create --------------------------------------------------------------------------------


# These two commit for real, as a request does: the pipeline runs on commit, before the reply.
@pytest.mark.django_db(transaction=True)
def test_create_returns_the_decided_ticket(alice):
    response = api(alice).post(TICKETS, {"message": "Where is my order?", "subject": "Late"})
    assert response.status_code == 201
    body = response.json()
    assert {"id", "status", "intent", "confidence", "answer", "created_at"} <= set(body)
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.customer == alice
    assert (ticket.subject, ticket.message) == ("Late", "Where is my order?")
    # The pipeline ran before the response: the ticket is decided, never left open.
    assert body["status"] != "open"
    assert body["status"] == ticket.status
    assert ticket.decisions.count() == 1


@pytest.mark.django_db(transaction=True)
def test_create_with_a_trained_model_answers_at_once(alice, trained_model):
    response = api(alice).post(
        TICKETS, {"message": "I forgot my password and cannot log in, how do I reset it?"}
    )
    body = response.json()
    assert response.status_code == 201
    assert body["intent"] == "recover_password"
    assert 0 <= body["confidence"] <= 1
    if body["status"] == "auto_resolved":
        assert body["answer"]
    else:
        assert body["status"] == "escalated" and body["answer"] is None


@pytest.mark.parametrize(
    "text",
    [
        "Mon colis n'est pas arrivé 📦😡 — ¿dónde está? 我的包裹在哪里",
        "<script>alert('x')</script><img src=x onerror=alert(1)>",
        "Line one\nLine two\ttabbed",
        "x" * 10_000,
    ],
    ids=["unicode-emoji", "html", "newlines", "max-length"],
)
def test_any_text_is_stored_and_returned_as_plain_text(alice, text):
    response = api(alice).post(TICKETS, {"message": text})
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert response.json()["message"] == text
    assert Ticket.objects.get(pk=response.json()["id"]).message == text
    detail = api(alice).get(f"{TICKETS}/{response.json()['id']}")
    assert detail.json()["messages"][0]["body"] == text


def test_surrounding_whitespace_is_trimmed(alice):
    response = api(alice).post(TICKETS, {"message": "  help  \n", "subject": " hi "})
    assert (response.json()["message"], response.json()["subject"]) == ("help", "hi")


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "message"),
        ({"message": ""}, "message"),
        ({"message": "   \n\t\u3000"}, "message"),
        ({"message": None}, "message"),
        ({"message": 42}, "message"),
        ({"message": True}, "message"),
        ({"message": ["help"]}, "message"),
        ({"message": {"text": "help"}}, "message"),
        ({"message": "x" * 10_001}, "message"),
        ({"message": " " * 5_000 + "x" * 5_001}, "message"),
        ({"message": "nul \x00 byte"}, "message"),
        ({"message": "ok", "subject": "s" * 201}, "subject"),
        ({"message": "ok", "subject": 7}, "subject"),
        ({"message": "ok", "subject": "a\x00b"}, "subject"),
    ],
)
def test_bad_fields_are_400s_naming_the_field(alice, body, field):
    error = error_of(api(alice).post(TICKETS, body), 400)
    assert error["code"] == "invalid"
    assert field in error["details"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"message": "unterminated',
        b'{"message": NaN}',
        b"\xff\xfe\x00garbage",
        b'{"message": "\\ud800 lone surrogate"}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["broken", "unterminated", "nan", "not-utf8", "lone-surrogate", "deep-nesting"],
)
def test_malformed_json_is_a_400(alice, raw):
    error = error_of(post_raw(api(alice), TICKETS, raw), 400)
    assert error["code"] == "parse_error"


@pytest.mark.parametrize("raw", [b'["help"]', b'"help"', b"42", b"null"])
def test_json_that_is_not_an_object_is_a_400(alice, raw):
    error_of(post_raw(api(alice), TICKETS, raw), 400)


def test_a_body_over_the_upload_limit_is_a_413(alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    raw = json.dumps({"message": "x" * 2000})
    error = error_of(post_raw(api(alice), TICKETS, raw), 413)
    assert error["code"] == "payload_too_large"


def test_form_posts_are_a_415(alice):
    response = post_raw(api(alice), TICKETS, "message=help", "application/x-www-form-urlencoded")
    assert error_of(response, 415)["code"] == "unsupported_media_type"


# --- list ----------------------------------------------------------------------------------


def test_list_is_paged_by_cursor_newest_first(alice):
    tickets = [open_ticket(alice, f"question {n}") for n in range(5)]
    page = api(alice).get(TICKETS, {"page_size": 2}).json()
    assert set(page) == {"next", "previous", "results"}  # no `count` since issue 18
    assert [t["id"] for t in page["results"]] == [tickets[4].pk, tickets[3].pk]
    assert page["next"] and page["previous"] is None
    seen = [t["id"] for t in page["results"]]
    while page["next"]:
        page = api(alice).get(page["next"]).json()
        seen += [t["id"] for t in page["results"]]
    assert seen == [t.pk for t in reversed(tickets)]
    assert page["previous"]


def test_the_list_costs_the_same_few_queries_for_any_number_of_tickets(
    alice, agent, django_assert_max_num_queries
):
    for n in range(30):
        ticket = answered_ticket(alice) if n % 2 else escalated_ticket(alice)
        ticket.messages.create(author_kind=AuthorKind.AGENT, author=agent, body=f"reply {n}")
    client = api(agent)
    # The user behind the token, the page, and (agents) the page's tags in one query.
    with django_assert_max_num_queries(3):
        response = client.get(TICKETS, {"page_size": 100})
    assert len(response.json()["results"]) == 30


def test_list_filters(alice, charlie, agent):
    answered = answered_ticket(alice, intent="track_order")
    escalated = escalated_ticket(charlie, reason="no_answer")
    old = open_ticket(alice, "ancient")
    Ticket.objects.filter(pk=old.pk).update(created_at="2020-01-15T12:00:00Z")

    def ids(**params):
        return {t["id"] for t in api(agent).get(TICKETS, params).json()["results"]}

    assert ids(status="auto_resolved") == {answered.pk}
    assert ids(intent="get_refund") == {escalated.pk}
    assert ids(escalation_reason="no_answer") == {escalated.pk}
    assert ids(created_to="2020-12-31") == {old.pk}
    assert ids(created_from="2021-01-01") == {answered.pk, escalated.pk}
    assert ids(created_from="2020-01-15", created_to="2020-01-15") == {old.pk}


def test_list_shows_the_latest_visible_answer(alice, agent):
    ticket = answered_ticket(alice)
    Message.objects.create(
        ticket=ticket, author_kind=AuthorKind.AGENT, author=agent, body="note", internal=True
    )
    [row] = api(alice).get(TICKETS).json()["results"]
    assert row["answer"] == "You can track it on the site."


@pytest.mark.parametrize(
    "params",
    [
        {"status": "lost"},
        {"status": ""},
        {"created_from": "yesterday"},
        {"created_to": ""},
        {"created_to": "10/25/2026"},
        {"created_from": "2026-3-1"},
        {"escalation_reason": "bored"},
        {"page_size": "0"},
        {"page_size": "101"},
        {"page_size": "ten"},
        {"page": ""},
        {"page": "last"},
        {"page": "-1"},
    ],
)
def test_bad_filters_are_400s(alice, params):
    error = error_of(api(alice).get(TICKETS, params), 400)
    assert set(params) <= set(error["details"])


def test_old_page_numbers_are_refused_with_a_pointer_to_next(alice):
    error = error_of(api(alice).get(TICKETS, {"page": 2}), 400)
    assert "next" in error["details"]["page"][0]


def test_a_forged_cursor_is_a_404_in_the_shape(alice):
    error_of(api(alice).get(TICKETS, {"cursor": "not-a-cursor"}), 404)


# --- detail --------------------------------------------------------------------------------


def test_detail_has_the_conversation_and_the_latest_decision(alice, agent):
    ticket = escalated_ticket(alice)
    Message.objects.create(
        ticket=ticket, author_kind=AuthorKind.AGENT, author=agent, body="Looking", internal=True
    )
    Message.objects.create(
        ticket=ticket, author_kind=AuthorKind.AGENT, author=agent, body="Refund sent."
    )

    mine = api(alice).get(f"{TICKETS}/{ticket.pk}").json()
    assert [m["body"] for m in mine["messages"]] == ["Where is my parcel?", "Refund sent."]
    assert mine["messages"][1]["author_name"] == "Agnes Agent"
    assert mine["answer"] == "Refund sent."
    assert mine["decision"]["action"] == "escalate"
    assert mine["decision"]["intent"] == "get_refund"
    assert mine["decision"]["audit"] is None  # customers don't see the AI's reasoning

    theirs = api(agent).get(f"{TICKETS}/{ticket.pk}").json()
    assert [m["body"] for m in theirs["messages"]] == [
        "Where is my parcel?",
        "Looking",
        "Refund sent.",
    ]
    audit = theirs["decision"]["audit"]
    assert audit["reason_code"] == "low_confidence"
    assert audit["alternatives"] == [
        {"intent": "get_refund", "probability": 0.41},
        {"intent": "track_refund", "probability": 0.38},
    ]


def test_an_undecided_ticket_has_no_decision_and_nulls_not_blanks(alice):
    ticket = open_ticket(alice)
    body = api(alice).get(f"{TICKETS}/{ticket.pk}").json()
    assert body["decision"] is None
    assert body["intent"] is None and body["escalation_reason"] is None
    assert body["answer"] is None


# --- resolve -------------------------------------------------------------------------------


def test_resolve_decides_an_open_ticket_once(alice, agent):
    ticket = open_ticket(alice)
    first = api(alice).post(f"{TICKETS}/{ticket.pk}/resolve")
    assert first.status_code == 201
    assert first.json()["already_decided"] is False
    assert first.json()["ticket"]["status"] != "open"
    decision_id = first.json()["decision"]["id"]

    again = api(agent).post(f"{TICKETS}/{ticket.pk}/resolve")
    assert again.status_code == 200
    assert again.json()["already_decided"] is True
    assert again.json()["decision"]["id"] == decision_id
    assert "already decided" in again.json()["detail"]
    assert Decision.objects.filter(ticket=ticket).count() == 1


def test_resolve_on_an_answered_ticket_never_answers_twice(alice):
    ticket = answered_ticket(alice)
    response = api(alice).post(f"{TICKETS}/{ticket.pk}/resolve")
    assert response.status_code == 200 and response.json()["already_decided"] is True
    assert ticket.messages.filter(author_kind=AuthorKind.ASSISTANT).count() == 1
    assert response.json()["decision"]["action"] == "auto_resolve"


# --- reply and claim -----------------------------------------------------------------------


@pytest.fixture
def intents(db):
    for slug in ("get_refund", "track_refund", "track_order"):
        Intent.objects.create(slug=slug, name=slug.replace("_", " ").title())


def test_an_agent_replies_corrects_the_intent_and_resolves(alice, agent, intents):
    ticket = escalated_ticket(alice)
    response = api(agent).post(
        f"{TICKETS}/{ticket.pk}/reply",
        {"body": "Your refund is on its way.", "resolve": True, "intent": "track_refund"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["message"]["body"] == "Your refund is on its way."
    assert body["message"]["author_kind"] == "agent"
    assert body["ticket"]["status"] == "resolved"
    assert body["ticket"]["intent"] == "track_refund"
    assert body["ticket"]["assigned_agent"]["name"] == "Agnes Agent"
    assert api(alice).get(f"{TICKETS}/{ticket.pk}").json()["answer"] == body["message"]["body"]


def test_an_internal_note_is_hidden_from_the_customer(alice, agent):
    ticket = escalated_ticket(alice)
    response = api(agent).post(
        f"{TICKETS}/{ticket.pk}/reply", {"body": "Check the ledger", "internal": True}
    )
    assert response.status_code == 201
    assert response.json()["ticket"]["assigned_agent"] is None
    bodies = [m["body"] for m in api(alice).get(f"{TICKETS}/{ticket.pk}").json()["messages"]]
    assert "Check the ledger" not in bodies


@pytest.mark.parametrize(
    "body,code",
    [
        ({"body": "ok", "intent": "no_such_intent"}, "invalid"),
        ({"body": "ok", "internal": True, "resolve": True}, "invalid"),
        ({"body": ""}, "invalid"),
        ({"body": "ok", "resolve": "yes"}, "invalid"),
        ({"body": "ok", "internal": 1}, "invalid"),
        ({"resolve": True}, "invalid"),
    ],
)
def test_reply_input_errors_are_400s(alice, agent, intents, body, code):
    ticket = escalated_ticket(alice)
    assert error_of(api(agent).post(f"{TICKETS}/{ticket.pk}/reply", body), 400)["code"] == code
    assert ticket.messages.count() == 1


def test_resolving_twice_or_someone_elses_ticket_is_a_409(alice, agent, agent2):
    ticket = escalated_ticket(alice)
    reply = f"{TICKETS}/{ticket.pk}/reply"
    assert api(agent).post(f"{TICKETS}/{ticket.pk}/claim").status_code == 200
    held = error_of(api(agent2).post(reply, {"body": "Mine now", "resolve": True}), 409)
    assert held["code"] == "already_claimed"
    assert api(agent).post(reply, {"body": "Done", "resolve": True}).status_code == 201
    again = error_of(api(agent).post(reply, {"body": "Done again", "resolve": True}), 409)
    assert again["code"] == "already_resolved"


def test_claim(alice, agent, agent2):
    ticket = escalated_ticket(alice)
    claim = f"{TICKETS}/{ticket.pk}/claim"
    response = api(agent).post(claim)
    assert response.status_code == 200
    assert response.json()["assigned_agent"]["id"] == agent.pk
    assert api(agent).post(claim).status_code == 200  # claiming your own ticket again is fine
    assert error_of(api(agent2).post(claim), 409)["code"] == "already_claimed"
    answered = answered_ticket(alice)
    assert error_of(api(agent).post(f"{TICKETS}/{answered.pk}/claim"), 409)["code"] == (
        "not_escalated"
    )
