"""The agents' queue (issue 18): views, cursor paging, filters, URL state, saved views,
bulk actions, next ticket and resolve-and-next, and the review of automatic answers."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from resolution.models import Intent, TrainingExample
from tickets.agent_views import QUEUE_PAGE_SIZE
from tickets.models import SavedView, Tag, Team, Ticket, TicketEvent
from tickets.services import ticket_agent_reply, ticket_claim, ticket_customer_reply

from .api_helpers import answered_ticket, api, error_of, escalated_ticket, open_ticket
from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def logged_in(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


def listed(response) -> list[int]:
    return [ticket.pk for ticket in response.context["tickets"]]


def aged(ticket: Ticket, minutes: int) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def desk(alice, charlie, agent, agent2):
    """One ticket of every kind, oldest first as created."""
    tickets = {
        "unassigned": aged(escalated_ticket(alice), 60),
        "mine": aged(escalated_ticket(alice), 50),
        "theirs": aged(escalated_ticket(charlie), 40),
        "waiting": aged(escalated_ticket(charlie), 30),
        "auto": aged(answered_ticket(alice), 20),
        "solved": aged(open_ticket(alice, status="resolved"), 10),
        "open": open_ticket(charlie),
    }
    ticket_claim(ticket=tickets["mine"], agent=agent)
    ticket_claim(ticket=tickets["theirs"], agent=agent2)
    ticket_agent_reply(ticket=tickets["waiting"], agent=agent, body="Which order is it?")
    return {name: Ticket.objects.get(pk=t.pk) for name, t in tickets.items()}


# --- views ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "view, expected",
    [
        (None, ["unassigned", "mine", "theirs", "waiting"]),
        ("escalated", ["unassigned", "mine", "theirs", "waiting"]),
        ("mine", ["mine", "waiting"]),
        ("unassigned", ["unassigned"]),
        ("waiting", ["waiting"]),
        ("auto", ["auto"]),
        ("solved", ["solved"]),
        ("all", ["open", "solved", "auto", "waiting", "theirs", "mine", "unassigned"]),
        ("nonsense", ["unassigned", "mine", "theirs", "waiting"]),
    ],
)
def test_each_view_lists_its_tickets_in_its_order(client, agent, desk, view, expected):
    response = logged_in(client, agent).get(reverse("agent:queue"), {"view": view} if view else {})
    assert listed(response) == [desk[name].pk for name in expected]


def test_a_customer_reply_takes_a_ticket_out_of_waiting(client, agent, alice, desk):
    ticket_customer_reply(ticket=desk["waiting"], customer=desk["waiting"].customer, body="#42")
    response = logged_in(client, agent).get(reverse("agent:queue"), {"view": "waiting"})
    assert listed(response) == []


def test_the_views_are_tabs_that_keep_the_current_one_marked(client, agent, desk):
    content = logged_in(client, agent).get(reverse("agent:queue"), {"view": "auto"}).content
    content = content.decode()
    for label in ["Escalated", "Mine", "Unassigned", "Waiting on customer", "Solved", "All"]:
        assert f">{label}</a>" in content
    assert 'href="/agent/?view=auto" aria-current="page"' in content


def test_answered_automatically_shows_the_ais_reasons_for_review(client, agent, desk):
    response = logged_in(client, agent).get(reverse("agent:queue"), {"view": "auto"})
    content = response.content.decode()
    assert "93% sure (bar 75%); answered from the intent&#x27;s answer" in content
    assert f'id="queue-open-{desk["auto"].pk}"' in content and ">Review<" in content


def test_correcting_an_automatic_answer_teaches_the_model(
    client, agent, desk, django_capture_on_commit_callbacks
):
    Intent.objects.create(slug="track_order", name="Track an order")
    refund = Intent.objects.create(slug="get_refund", name="Get a refund")
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(client, agent).post(
            reverse("agent:reply", args=[desk["auto"].pk]),
            {"body": "Here is your refund.", "corrected_intent": "get_refund", "action": "resolve"},
        )
    ticket = Ticket.objects.get(pk=desk["auto"].pk)
    assert (ticket.status, ticket.intent) == ("resolved", "get_refund")
    # A verified outcome: the ticket's text becomes a training example for the right intent.
    assert TrainingExample.objects.get(ticket=ticket).intent == refund


# --- filters -------------------------------------------------------------------------------


def test_the_new_filters_narrow_any_view(client, agent, alice):
    urgent = escalated_ticket(alice)
    spanish = escalated_ticket(alice)
    team = Team.objects.create(name="Billing")
    tag = Tag.objects.create(name="vip")
    Ticket.objects.filter(pk=urgent.pk).update(priority="urgent", team=team)
    Ticket.objects.filter(pk=spanish.pk).update(language="es")
    urgent.tags.add(tag)
    client = logged_in(client, agent)

    def ids(**query):
        return listed(client.get(reverse("agent:queue"), query))

    assert ids(priority="urgent") == [urgent.pk]
    assert ids(team=team.pk) == [urgent.pk]
    assert ids(tag="vip") == [urgent.pk]
    assert ids(language="es") == [spanish.pk]
    assert ids(language="es", view="all") == [spanish.pk]
    # Unknown values are ignored, as before: the page never breaks on a stale address.
    assert set(ids(tag="nope", team="999999", priority="loud", language="xx")) == {
        urgent.pk,
        spanish.pk,
    }


def test_filter_changes_put_the_whole_query_in_the_address_bar(client, agent):
    response = logged_in(client, agent).get(
        reverse("agent:queue_rows"),
        {"view": "all", "priority": "high", "language": "es", "q": ""},
        headers={"HX-Request": "true", "HX-Trigger": "queue-filters"},
    )
    assert response["HX-Push-Url"] == "/agent/?view=all&priority=high&language=es"


# --- paging --------------------------------------------------------------------------------


def test_every_ticket_is_reachable_page_by_page(client, agent, alice):
    count = QUEUE_PAGE_SIZE + 4  # the 54: four were reachable only by search
    tickets = [aged(escalated_ticket(alice), count - n) for n in range(count)]
    client = logged_in(client, agent)
    first = client.get(reverse("agent:queue"))
    assert listed(first) == [t.pk for t in tickets[:QUEUE_PAGE_SIZE]]
    assert first.context["total"] == count
    next_url = first.context["next_url"]
    assert parse_qs(urlsplit(next_url).query)["cursor"]
    second = client.get(next_url)
    assert listed(second) == [t.pk for t in tickets[QUEUE_PAGE_SIZE:]]
    assert second.context["next_url"] == "" and second.context["previous_url"]
    assert 'id="queue-next"' in first.content.decode()


def test_the_next_page_keeps_the_filters(client, agent, alice):
    for _ in range(QUEUE_PAGE_SIZE + 1):
        Ticket.objects.filter(pk=escalated_ticket(alice).pk).update(priority="high")
    escalated_ticket(alice)
    response = logged_in(client, agent).get(reverse("agent:queue"), {"priority": "high"})
    query = parse_qs(urlsplit(response.context["next_url"]).query)
    assert query["priority"] == ["high"]
    assert len(listed(client.get(response.context["next_url"]))) == 1


def test_a_forged_cursor_starts_at_the_first_page(client, agent, alice):
    ticket = escalated_ticket(alice)
    response = logged_in(client, agent).get(reverse("agent:queue"), {"cursor": "garbage"})
    assert response.status_code == 200
    assert listed(response) == [ticket.pk]


# --- saved views ---------------------------------------------------------------------------


def test_an_agent_saves_a_view_and_gets_a_chip(client, agent, agent2):
    client = logged_in(client, agent)
    client.post(
        reverse("agent:view_save"),
        {"name": "Urgent mine", "query": "view=mine&priority=urgent&cursor=abc&evil=1"},
    )
    saved = SavedView.objects.get(owner=agent)
    assert saved.query == "view=mine&priority=urgent"  # filters only, no page, no junk
    content = client.get(reverse("agent:queue")).content.decode()
    assert 'href="/agent/?view=mine&amp;priority=urgent">Urgent mine</a>' in content
    # Another agent neither sees nor removes it.
    other = logged_in(client.__class__(), agent2)
    assert "Urgent mine" not in other.get(reverse("agent:queue")).content.decode()
    assert other.post(reverse("agent:view_delete", args=[saved.pk])).status_code == 404
    client.post(reverse("agent:view_delete", args=[saved.pk]))
    assert not SavedView.objects.exists()


def test_saved_views_api(agent, agent2, alice):
    created = api(agent).post("/api/views", {"name": "Spanish", "query": "language=es"})
    assert created.status_code == 201
    assert api(agent).get("/api/views").json() == [created.json()]
    assert api(agent2).get("/api/views").json() == []
    error_of(api(agent2).delete(f"/api/views/{created.json()['id']}"), 404)
    error_of(api(alice).get("/api/views"), 403)
    error_of(api().get("/api/views"), 401)
    error_of(api(agent).post("/api/views", {"name": ""}), 400)
    error_of(api(agent).post("/api/views", {"name": "x" * 61}), 400)
    assert api(agent).delete(f"/api/views/{created.json()['id']}").status_code == 204


def test_saved_views_are_limited_per_agent(agent):
    for n in range(30):
        api(agent).post("/api/views", {"name": f"view {n}", "query": ""})
    error = error_of(api(agent).post("/api/views", {"name": "one more", "query": ""}), 400)
    assert "30" in error["message"]


# --- bulk actions --------------------------------------------------------------------------


def test_bulk_actions_change_each_ticket_with_one_event_each(client, agent, alice):
    tickets = [escalated_ticket(alice) for _ in range(3)]
    team = Team.objects.create(name="Billing")
    team.members.add(agent)  # assigning someone outside the team would clear the team
    client = logged_in(client, agent)
    ids = [t.pk for t in tickets]
    for data in [
        {"action": "priority", "priority": "urgent"},
        {"action": "team", "team": team.pk},
        {"action": "tag", "tag": "Refund Asked"},
        {"action": "assign", "agent": agent.pk},
        {"action": "resolve"},
    ]:
        response = client.post(reverse("agent:bulk"), {"tickets": ids, **data})
        assert response.status_code == 302
    for ticket in Ticket.objects.filter(pk__in=ids):
        assert (ticket.priority, ticket.team, ticket.assigned_agent, ticket.status) == (
            "urgent",
            team,
            agent,
            "resolved",
        )
        assert [t.name for t in ticket.tags.all()] == ["refund-asked"]
        fields = list(
            TicketEvent.objects.filter(ticket=ticket, actor=agent).values_list("field", flat=True)
        )
        assert sorted(fields) == sorted(["priority", "team", "tags", "assigned_agent", "status"])


def test_bulk_refuses_tickets_another_agent_holds_and_changes_the_rest(
    client, agent, agent2, admin_user, alice
):
    free, held = escalated_ticket(alice), escalated_ticket(alice)
    ticket_claim(ticket=held, agent=agent2)
    result = api(agent).post(
        "/api/tickets/bulk",
        {"tickets": [free.pk, held.pk, 999999], "action": "priority", "value": "high"},
        format="json",
    )
    assert result.status_code == 200
    body = result.json()
    assert body["changed"] == 1
    assert [(r["ticket_id"], r["ok"]) for r in body["results"]] == [
        (free.pk, True),
        (held.pk, False),
        (999999, False),
    ]
    assert "Arthur Agent" in body["results"][1]["error"]
    assert Ticket.objects.get(pk=held.pk).priority == "normal"
    # An admin may change any ticket.
    api(admin_user).post(
        "/api/tickets/bulk",
        {"tickets": [held.pk], "action": "priority", "value": "high"},
        format="json",
    )
    assert Ticket.objects.get(pk=held.pk).priority == "high"


@pytest.mark.parametrize(
    "body",
    [
        {"tickets": [], "action": "resolve"},
        {"tickets": ["x"], "action": "resolve"},
        {"tickets": list(range(1, 102)), "action": "resolve"},
        {"tickets": [1], "action": "explode"},
        {"tickets": [1], "action": "priority", "value": "loud"},
        {"tickets": [1], "action": "assign", "value": "999999"},
        {"tickets": [1], "action": "team", "value": "nope"},
        {"tickets": [1], "action": "tag", "value": " "},
    ],
)
def test_bad_bulk_requests_are_400s_and_change_nothing(agent, alice, body):
    ticket = escalated_ticket(alice)
    events = TicketEvent.objects.filter(ticket=ticket).count()
    body = {**body, "tickets": [ticket.pk] if body["tickets"] == [1] else body["tickets"]}
    error_of(api(agent).post("/api/tickets/bulk", body, format="json"), 400)
    assert Ticket.objects.get(pk=ticket.pk).status == "escalated"
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_bulk_is_for_agents(alice, charlie):
    ticket = escalated_ticket(charlie)
    body = {"tickets": [ticket.pk], "action": "resolve"}
    error_of(api(alice).post("/api/tickets/bulk", body, format="json"), 403)
    error_of(api().post("/api/tickets/bulk", body, format="json"), 401)
    assert Ticket.objects.get(pk=ticket.pk).status == "escalated"


def test_a_bad_bulk_form_is_a_message_not_a_500(client, agent):
    response = logged_in(client, agent).post(
        reverse("agent:bulk"), {"tickets": ["x"], "action": "resolve"}, follow=True
    )
    assert response.status_code == 200
    assert "Nothing changed" in response.content.decode()


# --- next ticket, resolve and next ---------------------------------------------------------


def test_the_workspace_links_the_next_and_previous_ticket(client, agent, desk):
    response = logged_in(client, agent).get(reverse("agent:ticket", args=[desk["mine"].pk]))
    assert response.context["previous_ticket"] == desk["unassigned"]
    # "theirs" is another agent's: the next one this agent can work on is "waiting" (theirs).
    assert response.context["next_ticket"] == desk["waiting"]
    assert 'data-shortcut="j"' in response.content.decode()


def test_resolve_and_next_opens_the_next_ticket(client, agent, desk):
    response = logged_in(client, agent).post(
        reverse("agent:reply", args=[desk["mine"].pk]),
        {"body": "Done.", "action": "resolve_next"},
    )
    assert response["Location"] == reverse("agent:ticket", args=[desk["waiting"].pk])
    assert Ticket.objects.get(pk=desk["mine"].pk).status == "resolved"


def test_resolve_and_next_on_the_last_ticket_goes_back_to_the_queue(client, agent, alice):
    ticket = escalated_ticket(alice)
    response = logged_in(client, agent).post(
        reverse("agent:reply", args=[ticket.pk]), {"body": "Done.", "action": "resolve_next"}
    )
    assert response["Location"] == reverse("agent:queue")


# --- broken items --------------------------------------------------------------------------


def test_add_to_knowledge_with_a_plain_reply_is_refused_not_ignored(client, agent, alice):
    ticket = escalated_ticket(alice)
    response = logged_in(client, agent).post(
        reverse("agent:reply", args=[ticket.pk]),
        {"body": "Here you go.", "action": "reply", "add_to_knowledge": "on"},
    )
    assert response.status_code == 200
    assert "goes to the knowledge base when it resolves" in response.content.decode()
    assert not ticket.messages.filter(author_kind="agent").exists()  # nothing half-done
    error = error_of(
        api(agent).post(
            f"/api/tickets/{ticket.pk}/reply",
            {"body": "Here", "add_to_knowledge": True},
            format="json",
        ),
        400,
    )
    assert "add_to_knowledge" in error["details"]


def test_resolved_tickets_show_no_knowledge_box(client, agent, alice):
    ticket = open_ticket(alice, status="resolved")
    content = logged_in(client, agent).get(reverse("agent:ticket", args=[ticket.pk])).content
    assert b'name="add_to_knowledge"' not in content


def test_intent_dropdowns_show_names_not_slugs(client, agent, alice):
    Intent.objects.create(slug="check_payment_methods", name="Payment methods")
    ticket = open_ticket(alice, status="escalated", intent="check_payment_methods")
    content = logged_in(client, agent).get(reverse("agent:ticket", args=[ticket.pk])).content
    content = content.decode()
    assert '<option value="" selected>Keep: Payment methods</option>' in content
    assert '<option value="check_payment_methods">Payment methods</option>' in content


def test_a_knowledge_entry_added_a_moment_ago_says_just_now():
    from resolution.templatetags.knowledge_text import added_ago

    assert added_ago(timezone.now()) == "just now"
    assert added_ago(timezone.now() - timedelta(hours=3)) == "3\xa0hours ago"


def test_the_metrics_page_shows_dates_in_one_format(client, admin_user):
    response = logged_in(client, admin_user).get(
        reverse("ai:metrics"), {"date_from": "2026-11-02", "date_to": "2026-11-30"}
    )
    content = response.content.decode()
    assert "Tickets created from 2026-11-02 to 2026-11-30." in content
    # A text box in the same format, not the browser's locale date (MM/DD/YYYY in en-US).
    assert 'value="2026-11-02"' in content and 'type="date"' not in content
    assert 'placeholder="YYYY-MM-DD"' in content


def test_checkboxes_sit_beside_their_labels(client, admin_user):
    content = logged_in(client, admin_user).get(reverse("ai:metrics")).content.decode()
    # The policy form's "knowledge agreement": input and label in one .checkbox row.
    assert re.search(
        r'<div class="checkbox field[^"]*">\s*<input type="checkbox" name="knowledge_agreement"',
        content,
    )


def test_an_open_ticket_stops_promising_seconds_after_two_minutes(client, alice):
    ticket = open_ticket(alice)
    fresh = logged_in(client, alice).get(reverse("portal:ticket_detail", args=[ticket.pk]))
    assert "This usually takes a few seconds" in fresh.content.decode()
    aged(ticket, 5)
    stale = client.get(reverse("portal:ticket_detail", args=[ticket.pk])).content.decode()
    assert "This usually takes a few seconds" not in stale
    assert "This is taking longer than usual." in stale
