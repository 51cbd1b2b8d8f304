"""Admins' rules (triggers): conditions, actions, order, the pipeline hook, the API and admin."""

import time

import pytest
from django.urls import reverse
from django.utils import timezone

from channels.models import WebhookEndpoint
from common.errors import InvalidInput
from resolution.models import Decision
from resolution.services.pipeline import run_pipeline
from tests.api_helpers import api, error_of, open_ticket
from tickets.models import (
    AuthorKind,
    BusinessCalendar,
    Channel,
    Rule,
    SlaPolicy,
    Tag,
    Team,
    Ticket,
    TicketEvent,
)
from tickets.rules import condition_holds, rule_save, rules_apply, rules_matching
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

CLEAR_TRACKING_QUESTION = (
    "Hi, where is my order? I ordered a kettle last week, order 48213, and the tracking "
    "page has not changed for days. Can you tell me where my parcel is?"
)
SECRET = "0123456789abcdef-secret"


def holds(condition: dict, ticket: Ticket, intent: str = "") -> bool:
    return condition_holds(condition, ticket, intent=intent)


def rule(name="r", stage="before_model", conditions=(), actions=None, position=0) -> Rule:
    return rule_save(
        name=name,
        stage=stage,
        conditions=list(conditions),
        actions=actions or [{"type": "add_tag", "value": "seen"}],
        position=position,
    )


def decide(customer, text=CLEAR_TRACKING_QUESTION) -> tuple[Ticket, Decision]:
    ticket = ticket_create(customer=customer, message=text)
    decision = run_pipeline(ticket.pk).decision
    ticket.refresh_from_db()
    return ticket, decision


# --- conditions ----------------------------------------------------------------------------


def test_text_contains_ignores_case_and_matches_takes_a_regex(alice):
    ticket = open_ticket(alice, "My card was CHARGED twice")
    assert holds({"field": "text", "op": "contains", "value": "charged"}, ticket)
    assert holds({"field": "text", "op": "contains", "value": ["nope", "twice"]}, ticket)
    assert not holds({"field": "text", "op": "contains", "value": "refund"}, ticket)
    assert holds({"field": "text", "op": "matches", "value": r"(?i)charged\s+twice"}, ticket)
    assert not holds({"field": "text", "op": "matches", "value": r"charged\s+twice"}, ticket)


def test_a_catastrophic_regex_times_out_as_no_match(alice, settings):
    settings.RULE_REGEX_TIMEOUT_SECONDS = 0.05
    ticket = open_ticket(alice, "a" * 40 + "!")
    started = time.perf_counter()
    assert not holds({"field": "text", "op": "matches", "value": r"^(a+)+$"}, ticket)
    assert time.perf_counter() - started < 2


def test_customer_by_address_or_domain(alice):
    ticket = open_ticket(alice)  # alice@example.com
    assert holds({"field": "customer", "op": "is", "value": "ALICE@example.com"}, ticket)
    assert holds({"field": "customer", "op": "is", "value": "@example.com"}, ticket)
    assert holds({"field": "customer", "op": "is", "value": ["other.org", "example.com"]}, ticket)
    assert not holds({"field": "customer", "op": "is", "value": "@ample.com"}, ticket)


def test_intent_language_channel_and_priority(alice):
    ticket = open_ticket(alice, language="es", channel=Channel.EMAIL, priority="high")
    assert holds({"field": "intent", "op": "is", "value": "track_order"}, ticket, "track_order")
    assert not holds({"field": "intent", "op": "is", "value": "track_order"}, ticket, "")
    assert holds({"field": "language", "op": "is", "value": ["es", "pt"]}, ticket)
    assert holds({"field": "channel", "op": "is", "value": "email"}, ticket)
    assert not holds({"field": "priority", "op": "is", "value": "low"}, ticket)


def test_business_hours_follow_the_calendar(alice):
    ticket = open_ticket(alice)
    SlaPolicy.objects.all().delete()
    BusinessCalendar.objects.all().delete()
    always = {str(d): [["00:00", "00:00"]] for d in range(7)}
    calendar = BusinessCalendar.objects.create(name="Always", weekly_hours=always)
    assert holds({"field": "business_hours", "op": "is", "value": True}, ticket)
    # Open only on a day three days from today: closed right now.
    other_day = (timezone.now().weekday() + 3) % 7
    BusinessCalendar.objects.filter(pk=calendar.pk).update(
        weekly_hours={str(other_day): [["00:00", "00:00"]]}
    )
    assert holds({"field": "business_hours", "op": "is", "value": False}, ticket)
    assert not holds({"field": "business_hours", "op": "is", "value": True}, ticket)


# --- validation ----------------------------------------------------------------------------


ESCALATE = [{"type": "escalate"}]


@pytest.mark.parametrize(
    "conditions, actions, field",
    [
        ([{"field": "text", "op": "matches", "value": "(unclosed"}], ESCALATE, "conditions"),
        ([{"field": "colour", "op": "is", "value": "red"}], ESCALATE, "conditions"),
        ([{"field": "channel", "op": "is", "value": "fax"}], ESCALATE, "conditions"),
        ([{"field": "business_hours", "op": "is", "value": "yes"}], ESCALATE, "conditions"),
        ([], [{"type": "launch_rocket"}], "actions"),
        ([], [{"type": "set_priority", "value": "critical"}], "actions"),
        ([], [{"type": "assign_team", "value": "Nobody"}], "actions"),
        ([], [], "actions"),
    ],
)
def test_bad_rules_are_refused_with_reasons(conditions, actions, field):
    with pytest.raises(InvalidInput) as caught:
        rule_save(name="bad", conditions=conditions, actions=actions)
    assert field in caught.value.details
    assert not Rule.objects.exists()


# --- actions, order and the pipeline -------------------------------------------------------


def test_before_model_actions_apply_in_order_and_are_audited(alice):
    Team.objects.create(name="Billing")
    rule(
        "first",
        conditions=[{"field": "text", "op": "contains", "value": "charged"}],
        position=1,
        actions=[
            {"type": "set_priority", "value": "high"},
            {"type": "add_tag", "value": "Billing Issue"},
        ],
    )
    rule(
        "second",
        position=2,
        actions=[
            {"type": "set_priority", "value": "urgent"},
            {"type": "assign_team", "value": "Billing"},
        ],
    )
    rule("not me", conditions=[{"field": "text", "op": "contains", "value": "zebra"}], position=0)
    ticket = open_ticket(alice, "I was charged twice")
    outcome = rules_apply(ticket, rules_matching(ticket, stage="before_model"))
    assert [f["name"] for f in outcome.fired] == ["first", "second"]
    ticket.refresh_from_db()
    assert ticket.priority == "urgent"  # the later rule wins
    assert ticket.team.name == "Billing"
    assert list(ticket.tags.values_list("name", flat=True)) == ["billing-issue"]
    events = TicketEvent.objects.filter(ticket=ticket).exclude(field="created")
    assert [e.field for e in events if e.field == "rule"] == ["rule", "rule"]
    assert {e.note for e in events} == {"rule: first", "rule: second"}
    priorities = [(e.old_value, e.new_value) for e in events if e.field == "priority"]
    assert priorities == [("normal", "high"), ("high", "urgent")]


def test_a_rules_audit_events_are_written_in_one_insert(alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rule(
        "three actions",
        actions=[
            {"type": "set_priority", "value": "high"},
            {"type": "set_priority", "value": "urgent"},
            {"type": "escalate"},
        ],
    )
    ticket = open_ticket(alice, "I was charged twice")
    with CaptureQueriesContext(connection) as captured:
        rules_apply(ticket, rules_matching(ticket, stage="before_model"))
    inserts = [q for q in captured if q["sql"].startswith('INSERT INTO "tickets_ticketevent"')]
    assert len(inserts) == 1
    fields = TicketEvent.objects.filter(ticket=ticket).exclude(field="created")
    assert [e.field for e in fields.order_by("id")] == ["priority", "priority", "rule"]


def test_an_inactive_rule_does_not_fire(alice):
    r = rule("off")
    Rule.objects.filter(pk=r.pk).update(active=False)
    assert rules_matching(open_ticket(alice), stage="before_model") == []


def test_a_rule_sends_a_clear_question_to_a_person_with_reason_rule(alice, trained_model):
    rule(
        "VIPs",
        conditions=[{"field": "customer", "op": "is", "value": "@example.com"}],
        actions=[{"type": "escalate"}, {"type": "set_priority", "value": "high"}],
    )
    ticket, decision = decide(alice)
    assert ticket.status == "escalated" and ticket.escalation_reason == "rule"
    assert ticket.intent == "track_order"  # the AI still classified it, for the agent
    assert ticket.priority == "high" and ticket.first_response_due is not None
    assert decision.rules_fired == [
        {"id": Rule.objects.get().pk, "name": "VIPs", "stage": "before_model"}
    ]
    assert decision.reason_code == "rule"


def test_without_rules_the_ai_answers_as_before(alice, trained_model):
    ticket, decision = decide(alice)
    assert ticket.status == "auto_resolved" and decision.rules_fired == []


def test_after_model_rules_see_the_intent_and_reply(alice, trained_model):
    rule(
        "tracking",
        stage="after_model",
        conditions=[{"field": "intent", "op": "is", "value": "track_order"}],
        actions=[
            {"type": "escalate"},
            {"type": "reply", "value": "A person will check your parcel."},
        ],
    )
    rule(
        "never",
        stage="after_model",
        conditions=[{"field": "intent", "op": "is", "value": "complaint"}],
    )
    ticket, decision = decide(alice)
    assert ticket.escalation_reason == "rule"
    assert [f["name"] for f in decision.rules_fired] == ["tracking"]
    replies = ticket.messages.filter(author_kind=AuthorKind.AGENT)
    assert [m.body for m in replies] == ["A person will check your parcel."]
    assert ticket.first_responded_at is None  # an automatic note is not a person's reply
    assert TicketEvent.objects.filter(ticket=ticket, field="rule").count() == 1


def test_a_webhook_action_sends_an_event(
    alice, trained_model, http_receiver, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(
        url=http_receiver.url + "/rules", events=["rule.fired"], secret=SECRET
    )
    r = rule("tell the CRM", actions=[{"type": "webhook", "value": "crm"}])
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _ = decide(alice)
    (request,) = [r for r in http_receiver.requests if r.path == "/rules"]
    body = request.json()
    assert body["event"] == "rule.fired"
    assert body["data"]["rule"] == {"id": r.pk, "name": "tell the CRM", "label": "crm"}
    assert body["data"]["ticket"]["id"] == ticket.pk


# --- the API -------------------------------------------------------------------------------

GOOD = {
    "name": "Refunds are high priority",
    "stage": "before_model",
    "conditions": [{"field": "text", "op": "matches", "value": "(?i)refund"}],
    "actions": [{"type": "set_priority", "value": "high"}],
}


def test_admins_list_create_read_replace_and_delete_rules(admin_user):
    client = api(admin_user)
    created = client.post("/api/admin/rules", GOOD)
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    assert created.json()["conditions"] == GOOD["conditions"]
    assert [r["id"] for r in client.get("/api/admin/rules").json()] == [rule_id]
    assert client.get(f"/api/admin/rules/{rule_id}").json()["name"] == GOOD["name"]
    replaced = client.put(f"/api/admin/rules/{rule_id}", {**GOOD, "active": False, "position": 5})
    assert replaced.status_code == 200 and replaced.json()["active"] is False
    assert client.delete(f"/api/admin/rules/{rule_id}").status_code == 204
    error_of(client.get(f"/api/admin/rules/{rule_id}"), 404)


@pytest.mark.parametrize("who, status", [("agent", 403), ("alice", 403), (None, 401)])
def test_only_admins_manage_rules(who, status, request):
    client = api(request.getfixturevalue(who) if who else None)
    error_of(client.get("/api/admin/rules"), status)
    error_of(client.post("/api/admin/rules", GOOD), status)
    assert not Rule.objects.exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        (
            {**GOOD, "conditions": [{"field": "text", "op": "matches", "value": "(?<bad"}]},
            "conditions",
        ),
        ({**GOOD, "actions": []}, "actions"),
        ({**GOOD, "actions": "escalate"}, "actions"),
        ({**GOOD, "stage": "sometime"}, "stage"),
        ({**GOOD, "name": ""}, "name"),
        ({**GOOD, "position": -1}, "position"),
    ],
)
def test_bad_rules_get_a_400_in_the_error_shape(admin_user, payload, field):
    error = error_of(api(admin_user).post("/api/admin/rules", payload), 400)
    assert field in error["details"], error
    assert not Rule.objects.exists()


def test_a_bad_replacement_keeps_the_rule(admin_user):
    r = rule("keep me")
    bad = {**GOOD, "conditions": [{"field": "text", "op": "matches", "value": "["}]}
    error_of(api(admin_user).put(f"/api/admin/rules/{r.pk}", bad), 400)
    assert Rule.objects.get().name == "keep me"


def test_the_rules_api_is_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert {"get", "post"} <= set(schema["paths"]["/api/admin/rules"])
    assert {"get", "put", "delete"} <= set(schema["paths"]["/api/admin/rules/{id}"])
    ticket_fields = schema["components"]["schemas"]["Ticket"]["properties"]
    assert {"first_response_due", "resolution_due"} <= set(ticket_fields)


def test_decision_audit_lists_fired_rules_for_agents_only(alice, agent, trained_model):
    rule("VIPs", conditions=[{"field": "customer", "op": "is", "value": "@example.com"}])
    ticket, _ = decide(alice)
    audit = api(agent).get(f"/api/tickets/{ticket.pk}").json()["decision"]["audit"]
    assert audit["rules_fired"][0]["name"] == "VIPs"
    assert api(alice).get(f"/api/tickets/{ticket.pk}").json()["decision"]["audit"] is None


def test_django_admin_refuses_a_bad_regex(admin_user, client):
    client.force_login(admin_user)
    response = client.post(
        "/admin/tickets/rule/add/",
        {
            "name": "bad",
            "position": 0,
            "active": "on",
            "stage": "before_model",
            "conditions": '[{"field": "text", "op": "matches", "value": "(a"}]',
            "actions": '[{"type": "escalate"}]',
        },
    )
    assert response.status_code == 200
    assert "not a valid regular expression" in response.content.decode()
    assert not Rule.objects.exists()


def test_the_agents_ai_panel_names_the_rules_that_fired(alice, agent, client, trained_model):
    rule(
        "VIPs",
        conditions=[{"field": "customer", "op": "is", "value": "@example.com"}],
        actions=[{"type": "escalate"}],
    )
    ticket, _ = decide(alice)
    client.force_login(agent)
    page = client.get(reverse("ai:panel", args=[ticket.pk])).content.decode()
    assert "Rules fired" in page and "VIPs" in page
    assert "rule sends tickets like this to a person." in page


def test_a_rules_tag_is_looked_up_once_and_forgotten_when_tags_change(
    alice, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rule("tagger", actions=[{"type": "add_tag", "value": "Billing Issue"}])

    def tag_reads(text: str) -> int:
        ticket = open_ticket(alice, text)
        with (
            django_capture_on_commit_callbacks(execute=True),
            CaptureQueriesContext(connection) as captured,
        ):
            rules_apply(ticket, rules_matching(ticket, stage="before_model"))
        assert list(ticket.tags.values_list("name", flat=True)) == ["billing-issue"]
        return len([q for q in captured if 'FROM "tickets_tag"' in q["sql"]])

    assert tag_reads("first") == 1  # made, and remembered once committed
    assert tag_reads("second") == 0
    Tag.objects.filter(name="billing-issue").delete()  # an admin deletes it
    assert tag_reads("third") == 1  # forgotten with the deletion, made again
