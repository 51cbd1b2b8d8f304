"""The agents' portal: the escalation queue, claiming, and the ticket workspace."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from resolution.models import Intent
from tickets.models import Message, Ticket
from tickets.services import ticket_claim, ticket_create, ticket_escalate
from tickets.signals import ticket_resolved

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def intents(db):
    Intent.objects.create(slug="payment_issue", name="Payment issue")
    Intent.objects.create(slug="track_order", name="Track an order")


def escalated(customer, message, *, reason="low_confidence", intent="", age_minutes=0, **kw):
    ticket = ticket_create(customer=customer, message=message, **kw)
    ticket_escalate(ticket=ticket, reason=reason, intent=intent, confidence=0.42)
    if age_minutes:
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=timezone.now() - timedelta(minutes=age_minutes)
        )
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def ticket(alice):
    return escalated(alice, "My card was charged twice", intent="payment_issue")


def logged_in(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


# --- who may see what ---------------------------------------------------------------------------

AGENT_PAGES = [
    ("get", "agent:queue", False),
    ("get", "agent:queue_rows", False),
    ("get", "agent:ticket", True),
    ("post", "agent:claim", True),
    ("post", "agent:reply", True),
]


@pytest.mark.parametrize("method, name, takes_ticket", AGENT_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, ticket, method, name, takes_ticket):
    url = reverse(name, args=[ticket.pk] if takes_ticket else [])
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]


@pytest.mark.parametrize("method, name, takes_ticket", AGENT_PAGES)
def test_customers_are_forbidden(client, ticket, alice, method, name, takes_ticket):
    url = reverse(name, args=[ticket.pk] if takes_ticket else [])
    response = getattr(logged_in(client, alice), method)(url, {"body": "hi"})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.assigned_agent is None
    assert not ticket.messages.filter(author_kind="agent").exists()


@pytest.mark.parametrize("role", ["agent", "admin_user"])
@pytest.mark.parametrize("name, takes_ticket", [("agent:queue", False), ("agent:ticket", True)])
def test_agents_and_admins_open_the_pages(client, ticket, request, role, name, takes_ticket):
    user = request.getfixturevalue(role)
    url = reverse(name, args=[ticket.pk] if takes_ticket else [])
    assert logged_in(client, user).get(url).status_code == 200


def test_an_expired_session_polling_the_queue_reloads_to_the_login_page(client):
    response = client.get(reverse("agent:queue_rows"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("accounts:login")


def test_a_missing_ticket_is_a_404(client, agent):
    assert logged_in(client, agent).get(reverse("agent:ticket", args=[999])).status_code == 404


# --- the queue -----------------------------------------------------------------------------------


def queue_tickets(response) -> list[Ticket]:
    return list(response.context["tickets"])


def test_the_queue_lists_escalated_tickets_oldest_first(client, agent, alice):
    newer = escalated(alice, "Where is my parcel?", age_minutes=5)
    older = escalated(alice, "I was charged twice", age_minutes=90)
    answered = ticket_create(customer=alice, message="How do I reset my password?")
    response = logged_in(client, agent).get(reverse("agent:queue"))
    assert queue_tickets(response) == [older, newer]
    assert answered not in queue_tickets(response)
    content = response.content.decode()
    assert content.index("I was charged twice") < content.index("Where is my parcel?")


def test_the_queue_shows_age_intent_reason_and_assignee(client, agent, agent2, alice):
    ticket = escalated(
        alice, "Refund please", intent="payment_issue", reason="reopened", age_minutes=180
    )
    ticket_claim(ticket=ticket, agent=agent2)
    content = logged_in(client, agent).get(reverse("agent:queue")).content.decode()
    assert "3\xa0hours ago" in content
    assert "payment_issue" in content
    assert "Reopened by the customer" in content
    assert "Arthur Agent" in content


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"intent": "payment_issue"}, ["Double charge"]),
        ({"reason": "sensitive_intent"}, ["Legal threat"]),
        ({"assigned": "mine"}, ["Legal threat"]),
        ({"assigned": "unassigned"}, ["Double charge", "Parcel lost"]),
        ({"q": "parcel"}, ["Parcel lost"]),
        ({"q": "ALICE@example"}, ["Double charge", "Parcel lost"]),
        ({"intent": "no_such_intent"}, ["Double charge", "Parcel lost", "Legal threat"]),
    ],
)
def test_the_queue_filters(client, agent, alice, charlie, query, expected):
    escalated(alice, "Double charge", intent="payment_issue", age_minutes=30)
    escalated(alice, "Parcel lost", intent="track_order", age_minutes=20)
    mine = escalated(charlie, "Legal threat", reason="sensitive_intent", age_minutes=10)
    ticket_claim(ticket=mine, agent=agent)
    response = logged_in(client, agent).get(reverse("agent:queue"), query)
    assert [t.message for t in queue_tickets(response)] == expected


def test_a_ticket_number_finds_the_ticket(client, agent, alice):
    wanted = escalated(alice, "First")
    escalated(alice, "Second")
    response = logged_in(client, agent).get(reverse("agent:queue"), {"q": f"#{wanted.pk}"})
    assert queue_tickets(response) == [wanted]


def test_the_list_polls_itself_with_the_filter_form_values(client, agent):
    content = logged_in(client, agent).get(reverse("agent:queue"), {"q": "x"}).content.decode()
    # The poller sits in the list it refreshes, so it always asks for this very list.
    assert f'hx-get="{reverse("agent:queue_rows")}?q=x"' in content
    assert 'hx-trigger="every 10s, queue-refresh from:body"' in content
    assert 'value="x"' in content  # the filters come back filled in


def test_the_polled_fragment_is_only_the_list(client, agent, ticket):
    response = logged_in(client, agent).get(
        reverse("agent:queue_rows"), headers={"HX-Request": "true", "HX-Trigger": "queue-rows"}
    )
    content = response.content.decode()
    assert "<html" not in content
    assert "My card was charged twice" in content
    assert "HX-Push-Url" not in response


def test_changing_a_filter_keeps_it_in_the_address_bar(client, agent):
    response = logged_in(client, agent).get(
        reverse("agent:queue_rows"),
        {"intent": "payment_issue", "q": ""},
        headers={"HX-Request": "true", "HX-Trigger": "queue-filters"},
    )
    assert response["HX-Push-Url"] == reverse("agent:queue") + "?intent=payment_issue"


def test_ticket_text_is_shown_as_text_in_the_queue(client, agent, alice):
    escalated(alice, "<script>alert('x')</script> <b>bold</b>")
    content = logged_in(client, agent).get(reverse("agent:queue")).content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert" in content
    assert "<b>bold</b>" not in content


# --- claiming ------------------------------------------------------------------------------------


def test_claiming_assigns_the_ticket_to_me_and_opens_it(client, agent, ticket):
    response = logged_in(client, agent).post(reverse("agent:claim", args=[ticket.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("agent:ticket", args=[ticket.pk])
    ticket.refresh_from_db()
    assert ticket.assigned_agent == agent


def test_claiming_with_htmx_redirects_the_browser_to_the_workspace(client, agent, ticket):
    response = logged_in(client, agent).post(
        reverse("agent:claim", args=[ticket.pk]), headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"] == reverse("agent:ticket", args=[ticket.pk])


def test_the_second_agent_to_claim_is_told_who_won(client, agent, agent2, ticket):
    ticket_claim(ticket=ticket, agent=agent2)
    response = logged_in(client, agent).post(
        reverse("agent:claim", args=[ticket.pk]),
        {"next": reverse("agent:queue") + "?q=card"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("agent:queue") + "?q=card"
    assert "Arthur Agent has already claimed this ticket." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assigned_agent == agent2


def test_a_lost_claim_with_htmx_shows_the_message_and_refreshes_the_list(
    client, agent, agent2, ticket
):
    ticket_claim(ticket=ticket, agent=agent2)
    response = logged_in(client, agent).post(
        reverse("agent:claim", args=[ticket.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Arthur Agent has already claimed this ticket." in response.content.decode()
    assert "queue-refresh" in json.loads(response["HX-Trigger"])


def test_claim_never_redirects_off_site(client, agent, agent2, ticket):
    ticket_claim(ticket=ticket, agent=agent2)
    response = logged_in(client, agent).post(
        reverse("agent:claim", args=[ticket.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("agent:ticket", args=[ticket.pk])


def test_claim_is_post_only(client, agent, ticket):
    response = logged_in(client, agent).get(reverse("agent:claim", args=[ticket.pk]))
    assert response.status_code == 405


# --- the workspace -------------------------------------------------------------------------------


def test_the_workspace_shows_the_conversation_with_internal_notes_set_apart(client, agent, ticket):
    Message.objects.create(
        ticket=ticket, author_kind="agent", author=agent, body="Check the bank", internal=True
    )
    content = logged_in(client, agent).get(reverse("agent:ticket", args=[ticket.pk]))
    content = content.content.decode()
    assert "My card was charged twice" in content
    assert "Check the bank" in content
    assert "message--internal" in content
    assert "Internal note · not shown to the customer" in content


def test_the_workspace_pulls_in_the_ai_panel_with_a_link_fallback(client, agent, ticket):
    content = logged_in(client, agent).get(reverse("agent:ticket", args=[ticket.pk]))
    content = content.content.decode()
    panel = reverse("ai:panel", args=[ticket.pk])
    assert f'hx-get="{panel}" hx-trigger="load"' in content
    assert f'href="{panel}"' in content


def test_the_intent_dropdown_offers_the_known_intents(client, agent, ticket):
    response = logged_in(client, agent).get(reverse("agent:ticket", args=[ticket.pk]))
    choices = [value for value, _ in response.context["form"].fields["corrected_intent"].choices]
    assert choices == ["", "payment_issue", "track_order"]


def test_ticket_text_is_shown_as_text_in_the_workspace(client, agent, alice):
    ticket = escalated(alice, "<img src=x onerror=alert(1)>", subject="<i>hi</i>")
    content = logged_in(client, agent).get(reverse("agent:ticket", args=[ticket.pk]))
    content = content.content.decode()
    assert "<img src=x" not in content
    assert "&lt;img src=x onerror=alert(1)&gt;" in content
    assert "<i>hi</i>" not in content


def reply(client, ticket, **data):
    return client.post(reverse("agent:reply", args=[ticket.pk]), data)


def test_an_agent_replies(client, agent, ticket):
    response = reply(logged_in(client, agent), ticket, body="We refunded you.", action="reply")
    assert response.status_code == 302
    message = ticket.messages.get(author_kind="agent")
    assert (message.body, message.internal, message.author) == ("We refunded you.", False, agent)
    ticket.refresh_from_db()
    assert ticket.status == "escalated"
    assert ticket.assigned_agent == agent


def test_an_internal_note_stays_internal(client, agent, ticket):
    reply(logged_in(client, agent), ticket, body="Asked finance.", action="note")
    assert ticket.messages.get(author_kind="agent").internal


def test_resolving_corrects_the_intent_and_tells_the_ai_what_to_learn(
    client, agent, ticket, django_capture_on_commit_callbacks
):
    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs)

    ticket_resolved.connect(receiver, dispatch_uid="test-agent-portal")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = reply(
                logged_in(client, agent),
                ticket,
                body="Refund issued.",
                action="resolve",
                corrected_intent="track_order",
                add_to_knowledge="on",
            )
    finally:
        ticket_resolved.disconnect(dispatch_uid="test-agent-portal")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.intent) == ("resolved", "track_order")
    assert len(sent) == 1
    assert (sent[0]["agent"], sent[0]["answer"].body) == (agent, "Refund issued.")
    assert (sent[0]["corrected_intent"], sent[0]["add_to_knowledge"]) == ("track_order", True)


def test_an_empty_reply_is_a_form_error(client, agent, ticket):
    response = reply(logged_in(client, agent), ticket, body="  ", action="reply")
    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    assert not ticket.messages.filter(author_kind="agent").exists()


def test_an_unknown_intent_is_a_form_error(client, agent, ticket):
    response = reply(logged_in(client, agent), ticket, body="Hi", corrected_intent="nope")
    assert response.status_code == 200
    assert "corrected_intent" in response.context["form"].errors


def test_service_errors_are_shown_on_the_form_not_as_a_500(client, agent, ticket):
    # Resolving a resolved ticket (an old tab, say): the service refuses.
    Ticket.objects.filter(pk=ticket.pk).update(status="resolved")
    response = reply(logged_in(client, agent), ticket, body="Note", action="resolve")
    assert response.status_code == 200
    content = response.content.decode()
    assert "This ticket is already resolved." in content
    assert 'role="alert"' in content
    assert 'value="note"' in content  # the page is the workspace again, the text kept
    assert "Note</textarea>" in content


def test_resolving_a_ticket_someone_else_holds_is_refused_with_their_name(
    client, agent, agent2, ticket
):
    ticket_claim(ticket=ticket, agent=agent2)
    response = reply(logged_in(client, agent), ticket, body="Done", action="resolve")
    assert response.status_code == 200
    assert "Arthur Agent is working on this ticket." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "escalated"


def test_resolving_twice_is_refused(client, agent, ticket):
    logged_in(client, agent)
    reply(client, ticket, body="Done", action="resolve")
    response = reply(client, ticket, body="Done again", action="resolve")
    assert "This ticket is already resolved." in response.content.decode()


def test_line_breaks_from_the_browser_are_stored_as_plain_newlines(client, agent, ticket):
    reply(logged_in(client, agent), ticket, body="Hi Alice,\r\n\r\nDone.", action="reply")
    assert ticket.messages.get(author_kind="agent").body == "Hi Alice,\n\nDone."


def test_the_queues_query_count_does_not_grow_with_the_tickets(client, agent, alice):
    logged_in(client, agent)
    escalated(alice, "One", intent="payment_issue")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("agent:queue_rows"))
    for n in range(10):
        escalated(alice, f"More {n}", intent="track_order")
    with CaptureQueriesContext(connection) as eleven:
        client.get(reverse("agent:queue_rows"))
    assert len(eleven.captured_queries) == len(one.captured_queries)
