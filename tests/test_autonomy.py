"""Copilot first, autopilot when earned: per-intent autonomy modes in the pipeline, the agent's
draft in the reply box, verified outcomes, the promotion gate, the circuit breaker, the page and
the API."""

import pytest
from django.core import mail
from django.urls import reverse

from common.errors import Conflict, InvalidInput
from feedback.services import feedback_submit
from resolution.engine.autonomy import LivePrecision, apply_autonomy, effective_mode
from resolution.engine.types import Outcome
from resolution.models import (
    AutonomyChange,
    AutonomyOutcome,
    DecisionPolicy,
    Intent,
)
from resolution.services.autonomy import (
    autonomy_check,
    draft_discard,
    intent_autonomy_set,
    live_precision,
)
from resolution.services.intent_rules import intent_rules
from resolution.services.policy import policy_cache
from resolution.tasks import check_autonomy
from tests.api_helpers import api, error_of
from tickets.models import Ticket
from tickets.services import ticket_agent_reply, ticket_create, ticket_customer_reply

pytestmark = pytest.mark.django_db

PASSWORD_QUESTION = "I forgot my password and cannot log in, how do I reset it?"
INTENT = "recover_password"
AUTONOMY = reverse("ai:autonomy")


def earned_autonomy(on: bool = True) -> None:
    policy = DecisionPolicy.load()
    policy.earned_autonomy = on
    policy.save()
    policy_cache.clear()


def set_mode(slug: str, mode: str) -> None:
    """Set a mode directly (the gate is tested on its own)."""
    Intent.objects.filter(slug=slug).update(autonomy=mode)
    intent_rules.clear()


def submit(customer, capture, text: str = PASSWORD_QUESTION) -> Ticket:
    with capture(execute=True):
        ticket = ticket_create(customer=customer, message=text)
    ticket.refresh_from_db()
    return ticket


def verdicts(slug: str, right: int, wrong: int = 0, *, customer) -> None:
    """``right`` + ``wrong`` verified outcomes for ``slug`` (tickets without a pipeline run)."""
    tickets = Ticket.objects.bulk_create(
        Ticket(customer=customer, message=f"q{i}", intent=slug) for i in range(right + wrong)
    )
    AutonomyOutcome.objects.bulk_create(
        AutonomyOutcome(
            ticket=ticket,
            intent=slug,
            mode="auto",
            kind="confirmed" if i < right else "rejected",
            correct=i < right,
        )
        for i, ticket in enumerate(tickets)
    )


# --- the pure part -----------------------------------------------------------------------------


def test_the_desk_default_is_auto_under_the_seeds_rule_and_draft_under_earned_autonomy():
    assert effective_mode("", earned_autonomy=False) == "auto"
    assert effective_mode("", earned_autonomy=True) == "draft"
    for mode in ("off", "draft", "auto"):
        assert effective_mode(mode, earned_autonomy=True) == mode
        assert effective_mode(mode, earned_autonomy=False) == mode


def test_a_mode_only_ever_holds_an_answer_back():
    answer = Outcome(action="auto_resolve", reason="", signals={"fired": []})
    assert apply_autonomy(answer, mode="auto").auto_resolved
    drafted = apply_autonomy(answer, mode="draft")
    assert (drafted.action, drafted.reason) == ("escalate", "draft")
    off = apply_autonomy(answer, mode="off")
    assert (off.action, off.reason) == ("escalate", "autonomy_off")
    assert off.signals["autonomy"] == "off"
    low = Outcome(action="escalate", reason="low_confidence", signals={})
    for mode in ("off", "draft", "auto"):
        assert apply_autonomy(low, mode=mode).reason == "low_confidence"


def test_the_bound_needs_59_right_answers_to_clear_95_percent():
    assert LivePrecision(59, 59, 0.95).earned(target=0.95, min_verified=30)
    assert not LivePrecision(58, 58, 0.95).earned(target=0.95, min_verified=30)
    assert not LivePrecision(10, 10, 0.5).earned(target=0.5, min_verified=30)  # too few
    assert LivePrecision(0, 0, 0.95).lower_bound is None
    tripped = LivePrecision(60, 55, 0.95)
    assert tripped.precision == pytest.approx(55 / 60)
    assert tripped.tripped(target=0.95, min_verified=30)
    assert not LivePrecision(20, 10, 0.95).tripped(target=0.95, min_verified=30)  # too few


# --- the pipeline --------------------------------------------------------------------------------


def test_a_fresh_desk_answers_at_once(alice, trained_model, django_capture_on_commit_callbacks):
    ticket = submit(alice, django_capture_on_commit_callbacks)
    assert ticket.status == "auto_resolved"
    assert ticket.decisions.get().signals["autonomy"] == "auto"


def test_under_earned_autonomy_a_new_intent_drafts_for_an_agent(
    alice, trained_model, django_capture_on_commit_callbacks
):
    earned_autonomy()
    ticket = submit(alice, django_capture_on_commit_callbacks)
    assert (ticket.status, ticket.escalation_reason) == ("escalated", "draft")
    assert ticket.intent == INTENT
    decision = ticket.decisions.get()
    assert decision.reason_code == "draft"
    assert decision.draft.strip()
    # Nothing reached the customer: no automatic answer, no e-mail.
    assert not ticket.messages.filter(author_kind="assistant").exists()
    assert mail.outbox == []


def test_an_intent_earned_into_auto_answers_under_earned_autonomy(
    alice, trained_model, django_capture_on_commit_callbacks
):
    earned_autonomy()
    set_mode(INTENT, "auto")
    assert submit(alice, django_capture_on_commit_callbacks).status == "auto_resolved"


def test_an_intent_switched_off_always_goes_to_a_person(
    alice, trained_model, django_capture_on_commit_callbacks
):
    set_mode(INTENT, "off")
    ticket = submit(alice, django_capture_on_commit_callbacks)
    assert (ticket.status, ticket.escalation_reason) == ("escalated", "autonomy_off")
    assert ticket.decisions.get().draft == ""


def test_draft_mode_never_answers_what_the_decision_escalated(
    alice, trained_model, django_capture_on_commit_callbacks
):
    set_mode("track_order", "draft")
    ticket = submit(alice, django_capture_on_commit_callbacks, "hello")
    assert ticket.status == "escalated"
    assert ticket.escalation_reason not in ("draft", "")
    assert ticket.decisions.get().draft == ""


# --- the draft in the agent's reply box --------------------------------------------------------


@pytest.fixture
def drafted(alice, trained_model, django_capture_on_commit_callbacks) -> Ticket:
    earned_autonomy()
    return submit(alice, django_capture_on_commit_callbacks)


def workspace(client, agent, ticket):
    client.force_login(agent)
    return client.get(reverse("agent:ticket", args=[ticket.pk]))


def test_the_reply_box_starts_from_the_draft(client, agent, drafted):
    page = workspace(client, agent, drafted)
    draft = drafted.decisions.get().draft
    assert page.context["form"].initial["body"] == draft
    assert "The AI drafted this answer" in page.content.decode()


def test_sending_the_draft_as_is_is_a_right_answer(
    agent, drafted, django_capture_on_commit_callbacks
):
    draft = drafted.decisions.get().draft
    with django_capture_on_commit_callbacks(execute=True):
        ticket_agent_reply(ticket=drafted, agent=agent, body=draft + "\n", resolve=True)
    outcome = AutonomyOutcome.objects.get(ticket=drafted)
    assert (outcome.kind, outcome.correct, outcome.mode) == ("approved", True, "draft")
    assert outcome.intent == INTENT and outcome.actor == agent


def test_an_edited_draft_is_a_wrong_answer_and_later_replies_do_not_change_it(
    client, agent, drafted, django_capture_on_commit_callbacks
):
    draft = drafted.decisions.get().draft
    with django_capture_on_commit_callbacks(execute=True):
        ticket_agent_reply(ticket=drafted, agent=agent, body="Hi! " + draft)
        ticket_agent_reply(ticket=drafted, agent=agent, body=draft)
    outcome = AutonomyOutcome.objects.get(ticket=drafted)
    assert (outcome.kind, outcome.correct) == ("edited", False)
    # Judged: the reply box no longer starts from the draft.
    assert workspace(client, agent, drafted).context["form"].initial.get("body") is None


def test_an_internal_note_is_no_verdict(agent, drafted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_agent_reply(ticket=drafted, agent=agent, body="checking", internal=True)
    assert not AutonomyOutcome.objects.exists()


def test_correcting_the_intent_of_a_draft_is_a_wrong_answer(
    agent, drafted, django_capture_on_commit_callbacks
):
    draft = drafted.decisions.get().draft
    with django_capture_on_commit_callbacks(execute=True):
        ticket_agent_reply(ticket=drafted, agent=agent, body=draft, corrected_intent="edit_account")
    assert AutonomyOutcome.objects.get(ticket=drafted).kind == "corrected"


def test_the_agent_discards_the_draft_once(client, agent, drafted):
    workspace(client, agent, drafted)
    response = client.post(reverse("ai:draft_discard", args=[drafted.pk]))
    assert response.status_code == 302
    outcome = AutonomyOutcome.objects.get(ticket=drafted)
    assert (outcome.kind, outcome.correct, outcome.actor) == ("discarded", False, agent)
    page = client.get(reverse("agent:ticket", args=[drafted.pk]))
    assert "The AI drafted this answer" not in page.content.decode()
    with pytest.raises(Conflict):
        draft_discard(ticket=drafted, agent=agent)


def test_only_agents_may_discard_a_draft(client, alice, charlie, drafted):
    for user in (alice, charlie):
        client.force_login(user)
        assert client.post(reverse("ai:draft_discard", args=[drafted.pk])).status_code == 403
    assert not AutonomyOutcome.objects.exists()


def test_there_is_nothing_to_discard_on_an_automatic_answer(
    agent, alice, trained_model, django_capture_on_commit_callbacks
):
    ticket = submit(alice, django_capture_on_commit_callbacks)
    with pytest.raises(Conflict):
        draft_discard(ticket=ticket, agent=agent)


# --- customers' verdicts on automatic answers --------------------------------------------------


@pytest.mark.parametrize("resolved,kind", [(True, "confirmed"), (False, "rejected")])
def test_a_customers_yes_or_no_judges_the_automatic_answer(
    alice, trained_model, django_capture_on_commit_callbacks, resolved, kind
):
    ticket = submit(alice, django_capture_on_commit_callbacks)
    feedback_submit(ticket=ticket, customer=alice, rating=4, resolved=resolved)
    outcome = AutonomyOutcome.objects.get(ticket=ticket)
    assert (outcome.kind, outcome.correct, outcome.mode) == (kind, resolved, "auto")


def test_a_customer_writing_again_after_yes_makes_it_a_wrong_answer(
    alice, trained_model, django_capture_on_commit_callbacks
):
    ticket = submit(alice, django_capture_on_commit_callbacks)
    feedback_submit(ticket=ticket, customer=alice, rating=5, resolved=True)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_customer_reply(ticket=ticket, customer=alice, body="It still does not work.")
    outcome = AutonomyOutcome.objects.get(ticket=ticket)
    assert (outcome.kind, outcome.correct) == ("reopened", False)


def test_an_agent_correcting_an_automatic_answers_intent_is_a_wrong_answer(
    alice, agent, trained_model, django_capture_on_commit_callbacks
):
    ticket = submit(alice, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_agent_reply(
            ticket=ticket, agent=agent, body="Sorry, see below.", corrected_intent="edit_account"
        )
    assert AutonomyOutcome.objects.get(ticket=ticket).kind == "corrected"


def test_live_precision_counts_only_the_window(alice, taxonomy, settings):
    verdicts(INTENT, 8, 2, customer=alice)
    live = live_precision()[INTENT]
    assert (live.n, live.correct, live.precision) == (10, 8, 0.8)
    AutonomyOutcome.objects.update(updated_at="2000-01-01T00:00:00Z")
    assert live_precision() == {}


# --- the promotion gate ------------------------------------------------------------------------


def test_auto_must_be_earned(alice, admin_user, taxonomy):
    intent = Intent.objects.get(slug=INTENT)
    with pytest.raises(InvalidInput) as refused:
        intent_autonomy_set(intent=intent, mode="auto", actor=admin_user)
    assert refused.value.code == "autonomy_not_earned"
    verdicts(INTENT, 58, customer=alice)  # 58 of 58 right: bound 0.9497 < 0.95
    with pytest.raises(InvalidInput):
        intent_autonomy_set(intent=intent, mode="auto", actor=admin_user)
    verdicts(INTENT, 1, customer=alice)
    change = intent_autonomy_set(intent=intent, mode="auto", actor=admin_user)
    assert (change.old_mode, change.new_mode, change.actor) == ("", "auto", admin_user)
    assert change.verified == 59 and change.lower_bound >= 0.95
    assert Intent.objects.get(slug=INTENT).autonomy == "auto"


def test_off_and_draft_need_no_evidence_and_a_bad_mode_is_refused(admin_user, taxonomy):
    intent = Intent.objects.get(slug=INTENT)
    intent_autonomy_set(intent=intent, mode="off", actor=admin_user)
    intent_autonomy_set(intent=intent, mode="draft", actor=admin_user)
    intent_autonomy_set(intent=intent, mode="", actor=admin_user)
    assert list(AutonomyChange.objects.values_list("new_mode", flat=True)) == ["", "draft", "off"]
    with pytest.raises(InvalidInput):
        intent_autonomy_set(intent=intent, mode="yolo", actor=admin_user)


# --- the circuit breaker -----------------------------------------------------------------------


def test_the_breaker_drops_a_failing_auto_intent_to_draft_and_tells_the_admins(
    alice, admin_user, trained_model, django_capture_on_commit_callbacks
):
    verdicts(INTENT, 60, customer=alice)
    set_mode(INTENT, "auto")
    ticket = submit(alice, django_capture_on_commit_callbacks)
    assert ticket.status == "auto_resolved"
    with django_capture_on_commit_callbacks(execute=True):
        # One more wrong answer: 60 of 61, bound 0.924 < 0.95.
        feedback_submit(ticket=ticket, customer=alice, rating=1, resolved=False)
    assert Intent.objects.get(slug=INTENT).autonomy == "draft"
    change = AutonomyChange.objects.get(breaker=True)
    assert (change.old_mode, change.new_mode, change.actor) == ("auto", "draft", None)
    assert change.verified == 61 and change.lower_bound < 0.95
    told = [m for m in mail.outbox if "dropped to draft" in m.subject]  # not the answer e-mail
    assert [m.to for m in told] == [[admin_user.email]]
    assert INTENT in told[0].subject
    assert reverse("ai:autonomy") in told[0].body
    # The next ticket of the intent is drafted, not answered.
    assert submit(alice, django_capture_on_commit_callbacks).escalation_reason == "draft"


def test_the_periodic_check_trips_the_breaker_once(
    alice, admin_user, taxonomy, django_capture_on_commit_callbacks
):
    verdicts(INTENT, 55, 5, customer=alice)
    set_mode(INTENT, "auto")
    with django_capture_on_commit_callbacks(execute=True):
        assert check_autonomy() == 1
        assert check_autonomy() == 0
    assert AutonomyChange.objects.filter(breaker=True).count() == 1
    assert len(mail.outbox) == 1


def test_the_breaker_leaves_healthy_and_unproven_intents_alone(alice, taxonomy):
    verdicts(INTENT, 100, customer=alice)
    verdicts("track_order", 3, 3, customer=alice)  # bad, but too few to judge
    set_mode(INTENT, "auto")
    set_mode("track_order", "auto")
    assert autonomy_check() == []
    assert set(Intent.objects.filter(autonomy="auto").values_list("slug", flat=True)) == {
        INTENT,
        "track_order",
    }


# --- the page ----------------------------------------------------------------------------------


def test_the_page_lists_intents_with_mode_and_live_precision(client, alice, admin_user, taxonomy):
    verdicts(INTENT, 9, 1, customer=alice)
    client.force_login(admin_user)
    response = client.get(AUTONOMY)
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r.intent.slug == INTENT)
    assert (row.mode, row.effective, row.live.n, row.live.precision) == ("", "auto", 10, 0.9)
    page = response.content.decode()
    assert 'id="intent-recover_password"' in page and "90.0%" in page
    assert "The seed's rule is in force" in page


@pytest.mark.parametrize("role", ["alice", "agent"])
def test_only_admins_see_or_change_modes(client, request, role, taxonomy):
    client.force_login(request.getfixturevalue(role))
    assert client.get(AUTONOMY).status_code == 403
    url = reverse("ai:autonomy_set", args=[INTENT])
    assert client.post(url, {"mode": "off"}).status_code == 403
    assert Intent.objects.get(slug=INTENT).autonomy == ""


def test_an_admin_changes_a_mode_on_the_page(client, admin_user, taxonomy):
    client.force_login(admin_user)
    url = reverse("ai:autonomy_set", args=[INTENT])
    response = client.post(url, {"mode": "draft"})
    assert response.status_code == 302
    assert Intent.objects.get(slug=INTENT).autonomy == "draft"
    refused = client.post(url, {"mode": "auto"})
    assert refused.status_code == 400
    assert "has not earned auto yet" in refused.content.decode()
    assert client.post(url, {"mode": "bogus"}).status_code == 400
    assert (
        client.post(reverse("ai:autonomy_set", args=["nope"]), {"mode": "off"}).status_code == 404
    )
    assert Intent.objects.get(slug=INTENT).autonomy == "draft"


def test_the_page_and_the_metrics_page_show_the_breakers_moves(client, alice, admin_user, taxonomy):
    verdicts(INTENT, 50, 10, customer=alice)
    set_mode(INTENT, "auto")
    autonomy_check()
    client.force_login(admin_user)
    for url in (AUTONOMY, reverse("ai:metrics")):
        page = client.get(url).content.decode()
        assert "Circuit breaker:" in page


# --- the API -----------------------------------------------------------------------------------


def test_the_api_lists_intents_for_admins(alice, admin_user, taxonomy):
    verdicts(INTENT, 3, 1, customer=alice)
    response = api(admin_user).get("/api/admin/autonomy")
    assert response.status_code == 200
    body = response.json()
    assert body["earned_autonomy"] is False and body["target_precision"] == 0.95
    row = next(r for r in body["intents"] if r["intent"] == INTENT)
    assert (row["mode"], row["effective_mode"], row["verified"], row["correct"]) == (
        "",
        "auto",
        4,
        3,
    )
    assert row["precision"] == 0.75 and 0 < row["lower_bound"] < 0.75
    assert row["can_promote"] is False


@pytest.mark.parametrize("role", [None, "alice", "agent"])
def test_the_api_refuses_everyone_else(request, role, taxonomy):
    user = request.getfixturevalue(role) if role else None
    status = 401 if user is None else 403
    error_of(api(user).get("/api/admin/autonomy"), status)
    error_of(api(user).patch(f"/api/admin/autonomy/{INTENT}", {"mode": "off"}), status)


def test_the_api_sets_a_mode_through_the_gate(admin_user, taxonomy):
    client = api(admin_user)
    response = client.patch(f"/api/admin/autonomy/{INTENT}", {"mode": "off"})
    assert response.status_code == 200
    assert response.json()["effective_mode"] == "off"
    refused = error_of(client.patch(f"/api/admin/autonomy/{INTENT}", {"mode": "auto"}), 400)
    assert refused["code"] == "autonomy_not_earned"
    assert refused["details"]["verified"] == 0
    error_of(client.patch(f"/api/admin/autonomy/{INTENT}", {"mode": "sometimes"}), 400)
    error_of(client.patch(f"/api/admin/autonomy/{INTENT}", {}), 400)
    error_of(client.patch("/api/admin/autonomy/no-such-intent", {"mode": "off"}), 404)
    assert Intent.objects.get(slug=INTENT).autonomy == "off"


def test_erasure_removes_the_drafts_written_for_the_customer(alice, drafted):
    from accounts.privacy import user_erase_data

    assert drafted.decisions.get().draft
    user_erase_data(user=alice)
    assert drafted.decisions.get().draft == ""
