"""Knowledge growth with review: cleaned answers, duplicates flagged, the review page,
poor entries retired, resolutions counted for the AI, and model roll-back in admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.services import feedback_submit
from resolution.metrics import metrics_summary
from resolution.models import (
    AIResolution,
    Intent,
    KnowledgeEntry,
    KnowledgeStatus,
    ModelVersion,
)
from resolution.selectors import with_times_used
from resolution.services.ai_resolutions import close_quiet_auto_resolutions
from resolution.services.learning import clean_answer
from resolution.services.pipeline import run_pipeline
from resolution.services.ratings import retire_if_poor
from tests.conftest import PASSWORD
from tests.knowledge_helpers import add_ratings
from tickets.models import TicketStatus
from tickets.services import ticket_agent_reply, ticket_create, ticket_customer_reply

pytestmark = pytest.mark.django_db

CREATE_ACCOUNT = "How do I create an account?"  # a starter knowledge-base question


def test_clean_answer_drops_the_greeting_and_the_sign_off():
    text = "Hi Alice,\n\nReset it at /password/.\nIt takes a minute.\n\nKind regards,\nAgnes\nACME"
    assert clean_answer(text) == "Reset it at /password/.\nIt takes a minute."


def test_clean_answer_keeps_sentences_that_only_start_like_a_greeting():
    text = "Thanks for waiting: your refund left today.\nHello Kitty items ship separately."
    assert clean_answer(text) == text


def resolve_with_knowledge(ticket, agent, callbacks, body="Sign up at the top of the page."):
    with callbacks(execute=True):
        ticket_agent_reply(
            ticket=ticket,
            agent=agent,
            body=body,
            resolve=True,
            corrected_intent="create_account",
            add_to_knowledge=True,
        )
    return KnowledgeEntry.objects.get(source_ticket=ticket)


@pytest.fixture
def escalated(alice, taxonomy, django_capture_on_commit_callbacks):
    def make(message: str):
        with django_capture_on_commit_callbacks(execute=True):
            ticket = ticket_create(customer=alice, message=message)
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.ESCALATED  # no model: ai_error
        return ticket

    return make


def test_a_near_duplicate_is_flagged_and_cannot_be_approved(
    escalated, agent, agent2, client, django_capture_on_commit_callbacks
):
    entry = resolve_with_knowledge(
        escalated("How do I create an account?"), agent, django_capture_on_commit_callbacks
    )
    original = KnowledgeEntry.objects.get(question=CREATE_ACCOUNT, status="active")
    assert entry.duplicate_of == original and entry.duplicate_similarity >= 0.8

    client.login(email=agent2.email, password=PASSWORD)  # a second agent reviews
    page = client.get(reverse("ai:knowledge"))
    assert "Possible duplicate" in page.content.decode()
    response = client.post(reverse("ai:knowledge_approve", args=[entry.pk]), follow=True)
    assert "edit it so it differs" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == KnowledgeStatus.PENDING
    assert (
        KnowledgeEntry.objects.filter(question__iexact=CREATE_ACCOUNT, status="active").count() == 1
    )


def test_a_new_question_is_not_flagged_and_approval_puts_it_to_work(
    escalated, agent, agent2, client, django_capture_on_commit_callbacks
):
    entry = resolve_with_knowledge(
        escalated("Can my company open one account for five buyers?"),
        agent,
        django_capture_on_commit_callbacks,
    )
    assert entry.duplicate_of is None and entry.status == KnowledgeStatus.PENDING
    client.login(email=agent2.email, password=PASSWORD)  # a second agent reviews
    client.post(reverse("ai:knowledge_approve", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.status == KnowledgeStatus.ACTIVE
    again = client.post(reverse("ai:knowledge_approve", args=[entry.pk]), follow=True)
    assert "already been reviewed" in again.content.decode()


def test_an_agent_edits_then_rejects(escalated, agent, client, django_capture_on_commit_callbacks):
    entry = resolve_with_knowledge(
        escalated("Can my company open one account for five buyers?"),
        agent,
        django_capture_on_commit_callbacks,
    )
    client.login(email=agent.email, password=PASSWORD)
    assert client.get(reverse("ai:knowledge_edit", args=[entry.pk])).status_code == 200
    intent = Intent.objects.get(slug="create_account")
    response = client.post(
        reverse("ai:knowledge_edit", args=[entry.pk]),
        {
            "title": "  Can a  company share one account? ",
            "question": "Business accounts for teams?",
            "answer": "Yes, see /business/.",
            "intent": intent.pk,
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.title, entry.question, entry.answer) == (
        "Can a company share one account?",
        "Business accounts for teams?",
        "Yes, see /business/.",
    )
    assert entry.public_title == "Can a company share one account?"
    client.post(reverse("ai:knowledge_reject", args=[entry.pk]))
    entry.refresh_from_db()
    assert (entry.status, entry.retired_reason) == (KnowledgeStatus.RETIRED, "rejected")
    assert client.get(reverse("ai:knowledge_edit", args=[entry.pk])).status_code == 404


def test_the_review_page_is_for_agents_and_admins_only(client, alice, agent, admin_user, db):
    url = reverse("ai:knowledge")
    assert client.get(url).status_code == 302  # to log in
    client.login(email=alice.email, password=PASSWORD)
    assert client.get(url).status_code == 403
    entry = KnowledgeEntry.objects.create(question="q", answer="a", status="pending")
    assert client.post(reverse("ai:knowledge_approve", args=[entry.pk])).status_code == 403
    entry.refresh_from_db()
    assert entry.status == "pending"
    for user in (agent, admin_user):
        client.login(email=user.email, password=PASSWORD)
        page = client.get(url)
        assert page.status_code == 200 and "Knowledge review" in page.content.decode()
    assert client.get(reverse("ai:knowledge_approve", args=[entry.pk])).status_code == 405


# --- Retirement ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("helpful", "unhelpful", "retired"),
    [(1, 4, True), (2, 3, False), (0, 4, False), (3, 7, True), (4, 6, False)],
)
def test_an_entry_with_a_poor_record_retires(taxonomy, helpful, unhelpful, retired):
    # Rule: at least 5 distinct customers, a helpful share below 40%, over at least a day.
    entry = KnowledgeEntry.objects.create(question="q", answer="a")
    add_ratings(entry, helpful=helpful, unhelpful=unhelpful)
    assert retire_if_poor(entry.pk) is retired
    entry.refresh_from_db()
    assert (entry.status == "retired") is retired
    assert entry.retired_reason == ("poor_feedback" if retired else "")


def test_feedback_retires_an_entry_customers_keep_rejecting(alice, trained_model):
    question = "Where is my order? The tracking page has not changed for days."
    entry = KnowledgeEntry.objects.create(
        question=question, answer="See /orders/.", intent=Intent.objects.get(slug="track_order")
    )
    add_ratings(entry, helpful=1, unhelpful=3)  # four other customers over two days
    ticket = ticket_create(customer=alice, message=question)
    run_pipeline(ticket.pk)
    ticket.refresh_from_db()
    assert ticket.decisions.get().matched_entry == entry
    feedback_submit(ticket=ticket, customer=alice, rating=1, resolved=False)
    entry.refresh_from_db()
    assert (entry.status, entry.retired_reason) == ("retired", "poor_feedback")
    assert (entry.times_helpful, entry.times_unhelpful) == (1, 4)
    # And it no longer answers anyone.
    again = ticket_create(customer=alice, message=question)
    run_pipeline(again.pk)
    assert again.decisions.get().matched_entry != entry


def test_admins_see_retired_entries_by_reason(client, admin_user, taxonomy):
    KnowledgeEntry.objects.create(
        question="A retired one", answer="a", status="retired", retired_reason="poor_feedback"
    )
    client.login(email=admin_user.email, password=PASSWORD)
    page = client.get(
        "/admin/resolution/knowledgeentry/", {"retired_reason": "poor_feedback"}
    ).content.decode()
    assert "A retired one" in page and "How do I create an account?" not in page


def test_the_admin_list_counts_each_entrys_automatic_answers(
    client, admin_user, alice, trained_model
):
    entry = KnowledgeEntry.objects.create(
        question="Where is my order? The tracking has not changed",
        answer="Your parcel is on its way: the tracking link is on your order page.",
        intent=Intent.objects.get(slug="track_order"),
    )
    for _ in range(2):
        run_pipeline(ticket_create(customer=alice, message=entry.question).pk)
    assert with_times_used(KnowledgeEntry.objects.filter(pk=entry.pk)).get().times_used == 2
    client.login(email=admin_user.email, password=PASSWORD)
    page = client.get("/admin/resolution/knowledgeentry/", {"o": "-4"}).content.decode()
    assert "Times used" in page and 'class="field-times_used">2</' in page


# --- Resolved by AI --------------------------------------------------------------------------


def auto_resolved(alice, message="Where is my order? The tracking has not changed"):
    ticket = ticket_create(customer=alice, message=message)
    run_pipeline(ticket.pk)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.AUTO_RESOLVED
    return ticket


def test_quiet_auto_resolved_tickets_count_as_resolved_after_the_window(
    alice, trained_model, settings
):
    settings.AI_RESOLUTION_WINDOW_HOURS = 24
    old, recent, reopened = auto_resolved(alice), auto_resolved(alice), auto_resolved(alice)
    day_ago = timezone.now() - timedelta(hours=25)
    type(old).objects.filter(pk__in=[old.pk, reopened.pk]).update(resolved_at=day_ago)
    ticket_customer_reply(ticket=reopened, customer=alice, body="Still nothing")
    assert close_quiet_auto_resolutions() == 1
    assert close_quiet_auto_resolutions() == 0  # once
    assert AIResolution.objects.get().ticket == old
    summary = metrics_summary()
    assert summary["resolved_by_ai"] == {"total": 1, "confirmed": 0, "no_follow_up": 1}
    assert summary["ai_resolution_rate"] == round(1 / 3, 4)
    assert not AIResolution.objects.filter(ticket=recent).exists()


def test_a_confirmed_answer_counts_at_once(alice, trained_model):
    ticket = auto_resolved(alice)
    feedback_submit(ticket=ticket, customer=alice, rating=5, resolved=True)
    assert AIResolution.objects.get(ticket=ticket).via == "confirmed"
    assert metrics_summary()["resolved_by_ai"]["confirmed"] == 1


# --- Roll-back ----------------------------------------------------------------------------


def test_an_admin_rolls_back_to_an_earlier_model(client, admin_user, trained_model):
    newer = ModelVersion.objects.create(version=2, artifact=trained_model.artifact)
    from resolution.services.training import promote

    promote(newer)
    client.login(email=admin_user.email, password=PASSWORD)
    response = client.post(
        "/admin/resolution/modelversion/",
        {"action": "make_active", "index": 0, "_selected_action": [trained_model.pk]},
        follow=True,
    )
    assert "1 is now the active model" in response.content.decode()
    assert ModelVersion.objects.get(is_active=True) == trained_model


def test_the_admin_approve_action_also_refuses_a_duplicate(client, admin_user, taxonomy):
    duplicate = KnowledgeEntry.objects.create(
        question=CREATE_ACCOUNT, answer="Sign up.", status="pending"
    )
    fresh = KnowledgeEntry.objects.create(
        question="Can a company open one account for five buyers?", answer="Yes.", status="pending"
    )
    client.login(email=admin_user.email, password=PASSWORD)
    response = client.post(
        "/admin/resolution/knowledgeentry/",
        {"action": "approve", "index": 0, "_selected_action": [duplicate.pk, fresh.pk]},
        follow=True,
    )
    assert "edit it so it differs" in response.content.decode()
    duplicate.refresh_from_db()
    fresh.refresh_from_db()
    assert (duplicate.status, fresh.status) == ("pending", "active")


def test_the_metrics_page_shows_resolved_by_ai(client, admin_user, alice, trained_model):
    ticket = auto_resolved(alice)
    feedback_submit(ticket=ticket, customer=alice, rating=5, resolved=True)
    client.login(email=admin_user.email, password=PASSWORD)
    page = client.get(reverse("ai:metrics")).content.decode()
    assert "Resolved by AI" in page and "1 confirmed, 0 without a follow-up" in page


def test_two_alike_pending_entries_are_not_both_approved(taxonomy, settings):
    from common.errors import Conflict
    from resolution.services.review import knowledge_entry_approve
    from resolution.services.suggestions import similar_entries

    settings.MODEL_RELOAD_SECONDS = 3600  # this process's cached index will not see the first
    similar_entries("warm the cache")
    question = "Can a company open one account for five buyers?"
    first = KnowledgeEntry.objects.create(question=question, answer="Yes.", status="pending")
    second = KnowledgeEntry.objects.create(question=question + "!", answer="Yes!", status="pending")
    knowledge_entry_approve(entry_id=first.pk, reviewer=None)
    with pytest.raises(Conflict, match="edit it so it differs"):
        knowledge_entry_approve(entry_id=second.pk, reviewer=None)
    second.refresh_from_db()
    assert (second.status, second.duplicate_of) == ("pending", first)
