"""What agents teach answers: a reviewed entry that closely matches a new ticket answers it,
even when its intent is outside the classifier's taxonomy (with the checks that keep it safe)."""

import pytest

from resolution.engine.knowledge import DirectRule, direct_match
from resolution.engine.types import KnowledgeItem, Match, Prediction
from resolution.models import Intent, KnowledgeEntry
from resolution.services.pipeline import run_pipeline
from resolution.services.review import knowledge_entry_approve
from tickets.services import ticket_agent_reply, ticket_claim, ticket_create

GIFT_CARDS = "Do you sell gift cards in Japan?"
GIFT_ANSWER = "Yes: our e-gift cards work in Japan. Buy them at /gift-cards/ and pay in yen."


def asked(customer, text):
    ticket = ticket_create(customer=customer, message=text)
    run_pipeline(ticket.pk)
    ticket.refresh_from_db()
    return ticket


def answer_text(ticket) -> str:
    return ticket.messages.filter(author_kind="assistant").values_list("body", flat=True).first()


@pytest.fixture
def taught(alice, agent, admin_user, trained_model, django_capture_on_commit_callbacks):
    """An agent answered the gift-card question once, added it to knowledge, and it was
    approved: the issue's case."""
    first = asked(alice, GIFT_CARDS)
    assert first.status == "escalated"  # nobody taught the desk yet
    ticket_claim(ticket=first, agent=agent)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_agent_reply(
            ticket=first,
            agent=agent,
            body=f"Hi Alice,\n\n{GIFT_ANSWER}\n\nBest regards,\nAgnes",
            resolve=True,
            add_to_knowledge=True,
        )
    entry = KnowledgeEntry.objects.get(source_ticket=first)
    knowledge_entry_approve(entry_id=entry.pk, reviewer=admin_user)  # a second person
    return entry


@pytest.mark.django_db
def test_an_approved_entry_answers_its_own_question(charlie, taught):
    ticket = asked(charlie, GIFT_CARDS)
    assert ticket.status == "auto_resolved"
    # The reviewed answer, opened with the greeting every answer gets.
    assert answer_text(ticket) == f"Hi Charlie,\n\n{GIFT_ANSWER}"
    decision = ticket.decisions.get()
    assert decision.matched_entry == taught
    assert decision.answer_source == "knowledge"
    assert decision.signals["direct"] is True
    assert set(decision.signals["direct_views"]) == {"words", "chars"}


@pytest.mark.django_db
def test_a_near_identical_wording_is_answered_too(charlie, taught):
    ticket = asked(charlie, "do you sell gift cards in japan")
    assert ticket.status == "auto_resolved" and answer_text(ticket).endswith(GIFT_ANSWER)


@pytest.mark.django_db
def test_unrelated_questions_are_not_answered_by_it(charlie, taught):
    for text in ("Do you ship to Japan?", "Can I wrap a gift?", "I want to cancel my order"):
        ticket = asked(charlie, text)
        assert ticket.decisions.get().matched_entry != taught, text


@pytest.mark.django_db
def test_direct_answers_can_be_switched_off(charlie, taught, settings):
    settings.KNOWLEDGE_DIRECT_ANSWERS = False
    ticket = asked(charlie, GIFT_CARDS)
    assert ticket.status == "escalated"


@pytest.mark.django_db
def test_an_entry_of_an_always_escalating_intent_never_answers_directly(charlie, taught):
    Intent.objects.filter(pk=taught.intent_id).update(always_escalate=True)
    from resolution.services.intent_rules import intent_rules

    intent_rules.clear()
    ticket = asked(charlie, GIFT_CARDS)
    assert ticket.status == "escalated"


@pytest.mark.django_db
def test_a_person_asked_for_is_still_a_person(charlie, taught):
    ticket = asked(charlie, GIFT_CARDS + " I want to talk to a real person.")
    assert ticket.status == "escalated"


# --- the rule, in the engine ---------------------------------------------------------------------

RULE = DirectRule(min_score=0.8, min_view_score=0.6, min_lead=0.1)
UNSURE = Prediction("track_order", 0.3, (("track_order", 0.3), ("get_refund", 0.2)))


def m(entry_id, intent, score):
    return Match(KnowledgeItem(entry_id, "q", "a", intent), score)


def test_the_rule_answers_a_close_entry_the_views_agree_on():
    found, signals = direct_match(
        [m(1, "gift_cards", 0.9)],
        views={"words": 0.85, "chars": 0.95},
        prediction=UNSURE,
        threshold=0.75,
        rule=RULE,
    )
    assert found is not None and signals["direct"] and signals["direct_failed"] == []


@pytest.mark.parametrize(
    ("similar", "views", "prediction", "failed"),
    [
        ([m(1, "x", 0.79)], {"words": 0.9, "chars": 0.9}, UNSURE, ["score"]),
        ([m(1, "x", 0.9)], {"words": 0.5, "chars": 0.99}, UNSURE, ["views"]),  # views disagree
        ([m(1, "x", 0.9)], {}, UNSURE, ["views"]),  # no view: no agreement
        ([m(1, "x", 0.9), m(2, "y", 0.85)], {"words": 0.9, "chars": 0.9}, UNSURE, ["lead"]),
        (
            [m(1, "x", 0.9)],
            {"words": 0.9, "chars": 0.9},
            Prediction("track_order", 0.9, (("track_order", 0.9),)),
            ["classifier"],  # the classifier is sure it is something else
        ),
    ],
)
def test_each_check_can_refuse(similar, views, prediction, failed):
    found, signals = direct_match(
        similar, views=views, prediction=prediction, threshold=0.75, rule=RULE
    )
    assert found is None and signals["direct_failed"] == failed


def test_a_close_entry_of_the_same_intent_is_no_rival():
    found, _ = direct_match(
        [m(1, "x", 0.9), m(2, "x", 0.88)],
        views={"words": 0.9, "chars": 0.9},
        prediction=UNSURE,
        threshold=0.75,
        rule=RULE,
    )
    assert found is not None


@pytest.mark.django_db
def test_the_ai_panel_says_a_reviewed_entry_answered(client, agent, charlie, taught):
    from django.urls import reverse

    from tests.conftest import PASSWORD

    ticket = asked(charlie, GIFT_CARDS)
    client.login(email=agent.email, password=PASSWORD)
    html = client.get(reverse("ai:panel", args=[ticket.pk])).content.decode()
    assert "A reviewed knowledge entry matched this question closely" in html
