"""The desk's decision policy end to end: certified threshold in the pipeline, the margin and
knowledge-agreement checks recorded, the policy form on the metrics page (admins only), the
observed error from feedback, the Django admin, training's calibration record, evaluate."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse

from feedback.models import Feedback
from resolution.models import Decision, DecisionPolicy, Intent, KnowledgeEntry, ModelVersion
from resolution.services.pipeline import run_pipeline
from resolution.services.policy import certify_calibration, current_policy, policy_cache
from tests.conftest import PASSWORD
from tickets.models import AuthorKind, Message, Ticket
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

TRACKING = (
    "Hi, where is my order? I ordered a kettle last week, order 48213, and the tracking "
    "page has not changed for days. Can you tell me where my parcel is?"
)
METRICS = reverse("ai:metrics")


def calibration(confidence, correct, margin=None) -> dict:
    return {
        "confidence": [float(c) for c in confidence],
        "correct": [int(c) for c in correct],
        "margin": [float(m) for m in (margin if margin is not None else confidence)],
    }


def strict_calibration() -> dict:
    """Right only at a score of 1 and wrong just below: the certified threshold is 1.0."""
    rng = np.random.default_rng(0)
    return calibration(
        np.concatenate([np.ones(300), rng.uniform(0.99, 0.9999, 400)]),
        np.concatenate([np.ones(300), np.zeros(400)]),
    )


def lenient_calibration() -> dict:
    """Always right from 0.2 up: the certified threshold is 0.2."""
    scores = np.linspace(0.2, 1.0, 500)
    return calibration(scores, np.ones(500), margin=np.ones(500))


def set_policy(**values) -> DecisionPolicy:
    policy = DecisionPolicy.load()
    for key, value in values.items():
        setattr(policy, key, value)
    policy.save()
    policy_cache.clear()
    return policy


def decide(customer, text=TRACKING) -> tuple[Ticket, Decision]:
    ticket = ticket_create(customer=customer, message=text)
    run_pipeline(ticket.pk)
    ticket.refresh_from_db()
    return ticket, ticket.decisions.get()


@pytest.fixture
def model(trained_model) -> ModelVersion:
    return trained_model


# --- the pipeline -----------------------------------------------------------------------------


def test_fixed_mode_keeps_the_global_threshold(alice, model):
    ticket, decision = decide(alice)
    assert ticket.status == "auto_resolved"
    assert decision.thresholds["auto_resolve"] == 0.75
    assert decision.signals["threshold_source"] == "fixed"
    assert decision.signals["policy"]["mode"] == "fixed"
    assert decision.signals["fired"] == []


def test_certified_mode_uses_the_active_models_certified_threshold(alice, model):
    model.calibration = strict_calibration()
    model.save()
    set_policy(mode="certified", alpha=0.05, delta=0.1, min_margin=0.0)
    expected = certify_calibration(model.calibration, alpha=0.05, delta=0.1).threshold
    assert expected == 1.0

    ticket, decision = decide(alice)

    assert decision.thresholds["auto_resolve"] == expected
    assert decision.signals["threshold_source"] == "certified"
    assert decision.signals["policy"]["certified_threshold"] == expected
    assert decision.signals["policy"]["alpha"] == 0.05
    # The same ticket auto-resolves in fixed mode (above); not under this bar.
    assert decision.confidence < expected
    assert (ticket.status, decision.reason_code) == ("escalated", "low_confidence")
    assert decision.signals["fired"] == ["low_confidence"]


def test_a_lenient_certificate_lowers_the_bar(alice, model):
    model.calibration = lenient_calibration()
    model.save()
    set_policy(mode="certified", alpha=0.05, delta=0.1, min_margin=0.0)
    _, decision = decide(alice, "refund")
    assert decision.thresholds["auto_resolve"] == 0.2


def test_nothing_certifiable_escalates_every_ticket_and_says_why(alice, model):
    set_policy(mode="certified", alpha=0.02, delta=0.1)  # the fixture model has no record
    ticket, decision = decide(alice)
    assert ticket.status == "escalated"
    assert ticket.escalation_reason == "not_certified"
    assert decision.reason_code == "not_certified"
    assert decision.signals["fired"][0] == "not_certified"
    assert decision.signals["policy"]["certified_threshold"] is None


def test_an_intents_stricter_threshold_still_applies(alice, model):
    model.calibration = lenient_calibration()
    model.save()
    set_policy(mode="certified", alpha=0.05, delta=0.1, min_margin=0.0)
    Intent.objects.filter(slug="track_order").update(threshold_override=0.9999)
    ticket, decision = decide(alice)
    assert decision.thresholds["auto_resolve"] == 0.9999
    assert decision.signals["threshold_source"] == "intent"
    assert ticket.status == "escalated"


def test_an_intents_laxer_threshold_does_not_loosen_the_certificate(alice, model):
    model.calibration = strict_calibration()
    model.save()
    set_policy(mode="certified", alpha=0.05, delta=0.1, min_margin=0.0)
    Intent.objects.filter(slug="track_order").update(threshold_override=0.1)
    _, decision = decide(alice)
    assert decision.thresholds["auto_resolve"] == 1.0
    assert decision.signals["threshold_source"] == "certified"


def test_a_close_runner_up_escalates_for_low_margin(alice, model, settings):
    settings.AUTO_RESOLVE_THRESHOLD = 0.0  # only the margin can stop it
    set_policy(min_margin=0.999)
    ticket, decision = decide(alice, "refund")
    assert decision.signals["margin"] < 0.999
    assert (ticket.status, decision.reason_code) == ("escalated", "low_margin")
    assert decision.signals["fired"][0] == "low_margin"
    assert decision.thresholds["min_margin"] == 0.999


def test_a_margin_of_zero_never_fires(alice, model, settings):
    settings.AUTO_RESOLVE_THRESHOLD = 0.0
    set_policy(min_margin=0.0, knowledge_agreement=False)
    _, decision = decide(alice, "refund")
    assert "low_margin" not in decision.signals["fired"]


def conflicting_entry() -> KnowledgeEntry:
    """A knowledge entry worded exactly like the ticket but filed under another intent."""
    return KnowledgeEntry.objects.create(
        question=TRACKING,
        answer="Refunds take five days.",
        intent=Intent.objects.get(slug="get_refund"),
    )


def test_a_strong_knowledge_match_about_another_intent_escalates(alice, model):
    entry = conflicting_entry()
    ticket, decision = decide(alice)
    assert decision.predicted_intent == "track_order"
    assert decision.signals["nearest_id"] == entry.pk
    assert decision.signals["nearest_intent"] == "get_refund"
    assert (ticket.status, decision.reason_code) == ("escalated", "knowledge_conflict")
    assert "knowledge_conflict" in decision.signals["fired"]


def test_the_knowledge_agreement_check_can_be_turned_off(alice, model):
    conflicting_entry()
    set_policy(knowledge_agreement=False)
    ticket, decision = decide(alice)
    assert "knowledge_conflict" not in decision.signals["fired"]
    assert ticket.status == "auto_resolved"


def test_the_policy_is_cached_until_the_reload_interval(model, settings):
    settings.MODEL_RELOAD_SECONDS = 3600
    policy_cache.clear()
    first = current_policy()
    DecisionPolicy.objects.update_or_create(pk=1, defaults={"mode": "certified"})
    assert current_policy() is first  # still cached
    settings.MODEL_RELOAD_SECONDS = 0
    assert current_policy().mode == "certified"


# --- the metrics page: the policy form --------------------------------------------------------


def login(client, user):
    assert client.login(email=user.email, password=PASSWORD)


def form(**values) -> dict:
    data = {"mode": "certified", "alpha": "0.03", "delta": "0.1", "min_margin": "0.2"}
    data.update(values)
    return data


@pytest.mark.parametrize("role", ["alice", "agent"])
def test_customers_and_agents_cannot_change_the_policy(client, request, role):
    login(client, request.getfixturevalue(role))
    response = client.post(METRICS, form())
    assert response.status_code == 403
    assert DecisionPolicy.load().mode == "fixed"


def test_anonymous_visitors_are_sent_to_log_in_and_change_nothing(client, db):
    response = client.post(METRICS, form())
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert DecisionPolicy.load().mode == "fixed"


def test_an_admin_sets_alpha_on_the_metrics_page(client, admin_user):
    login(client, admin_user)
    # No model, so nothing is certifiable: saving it needs the admin's explicit confirmation.
    response = client.post(
        METRICS + "?date_from=2026-01-01&date_to=2026-01-31", form(confirm_none="on")
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?date_from=2026-01-01&date_to=2026-01-31")
    policy = DecisionPolicy.load()
    assert (policy.mode, policy.alpha, policy.delta, policy.min_margin) == (
        "certified",
        0.03,
        0.1,
        0.2,
    )
    assert policy.updated_by == admin_user
    assert current_policy().alpha == 0.03  # this process sees it at once


@pytest.mark.parametrize(
    "field,value",
    [("alpha", "0"), ("alpha", "0.6"), ("alpha", "-0.01"), ("delta", "0"), ("delta", "0.51")],
)
def test_levels_outside_zero_to_a_half_are_form_errors(client, admin_user, field, value):
    login(client, admin_user)
    response = client.post(METRICS, form(**{field: value}))
    assert response.status_code == 400
    assert "above 0 and at most 0.5" in response.content.decode()
    assert DecisionPolicy.load().mode == "fixed"  # nothing saved


def test_a_non_number_is_a_form_error(client, admin_user):
    login(client, admin_user)
    response = client.post(METRICS, form(alpha="two percent"))
    assert response.status_code == 400
    assert DecisionPolicy.load().alpha == 0.02


def test_the_admin_sees_the_form_and_the_certified_threshold(client, admin_user, model):
    model.calibration = lenient_calibration()
    model.save()
    login(client, admin_user)
    page = client.get(METRICS).content.decode()
    assert "Certified threshold" in page
    assert 'name="alpha"' in page
    assert "0.200" in page  # λ of the active model at the default α


def test_a_model_without_a_record_shows_no_threshold(client, admin_user, model):
    login(client, admin_user)
    page = client.get(METRICS).content.decode()
    assert "has no held-out record" in page


# --- the metrics page: observed error from feedback -------------------------------------------


def rated_answers(customer, outcomes) -> None:
    """One ticket per outcome, answered by the AI and rated resolved (True) or not."""
    for resolved in outcomes:
        ticket = ticket_create(customer=customer, message="Where is my parcel?")
        answer = Message.objects.create(
            ticket=ticket, author_kind=AuthorKind.ASSISTANT, body="It is on its way."
        )
        Feedback.objects.create(
            ticket=ticket, answer=answer, rating=4 if resolved else 1, resolved=resolved
        )


def test_the_panel_shows_the_observed_error_with_its_interval(client, admin_user, alice, taxonomy):
    rated_answers(alice, [False] * 3 + [True] * 7)
    # An agent's answer rated "not resolved" is not the AI's error.
    ticket = ticket_create(customer=alice, message="Hello?")
    reply = Message.objects.create(ticket=ticket, author_kind=AuthorKind.AGENT, body="Hi")
    Feedback.objects.create(ticket=ticket, answer=reply, rating=1, resolved=False)
    login(client, admin_user)
    response = client.get(METRICS)
    panel = response.context["certified"]
    assert panel.observed["n"] == 10 and panel.observed["wrong"] == 3
    assert panel.observed["low"] < 0.3 < panel.observed["high"]
    page = response.content.decode()
    assert "30.0% rated “not resolved”" in page
    assert "3 of 10 rated automatic answers" in page
    assert "Customers report more errors than α allows" in page  # 3/10 is surely above 2%


def test_no_feedback_says_so(client, admin_user):
    login(client, admin_user)
    assert "no rated automatic answers in this range" in client.get(METRICS).content.decode()


# --- the Django admin -------------------------------------------------------------------------


def test_the_policy_is_one_row_in_the_django_admin(client, admin_user):
    login(client, admin_user)
    policy = DecisionPolicy.load()
    changelist = client.get(reverse("admin:resolution_decisionpolicy_changelist"))
    assert changelist.status_code == 200
    assert "Fixed threshold" in changelist.content.decode()
    assert client.get(reverse("admin:resolution_decisionpolicy_add")).status_code == 403
    change = reverse("admin:resolution_decisionpolicy_change", args=[policy.pk])
    page = client.get(change).content.decode()
    assert "certified threshold of the active model" in page.lower()
    # Without a model nothing is certifiable: the admin's form asks for confirmation too.
    refused = client.post(change, {**form(alpha="0.05"), "knowledge_agreement": "on"})
    assert refused.status_code == 200
    assert "would answer no ticket automatically" in refused.content.decode()
    assert DecisionPolicy.load().alpha == 0.02
    saved = client.post(
        change, {**form(alpha="0.05"), "knowledge_agreement": "on", "confirm_none": "on"}
    )
    assert saved.status_code == 302
    assert DecisionPolicy.load().alpha == 0.05
    assert DecisionPolicy.load().updated_by == admin_user
    bad = client.post(change, form(alpha="0.9"))
    assert bad.status_code == 200  # the admin re-shows the form with the error
    assert "above 0 and at most 0.5" in bad.content.decode()
    assert DecisionPolicy.load().alpha == 0.05
    assert DecisionPolicy.objects.count() == 1


def test_agents_cannot_reach_the_policy_in_the_django_admin(client, agent):
    login(client, agent)
    response = client.get(reverse("admin:resolution_decisionpolicy_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_decision_admin_shows_which_checks_fired(client, admin_user, alice, model):
    conflicting_entry()
    _, decision = decide(alice)
    login(client, admin_user)
    page = client.get(reverse("admin:resolution_decision_change", args=[decision.pk]))
    assert "knowledge_conflict" in page.content.decode()


def test_the_agents_panel_lists_the_checks_that_fired(client, agent, alice, model):
    conflicting_entry()
    ticket, _ = decide(alice)
    login(client, agent)
    page = client.get(reverse("ai:panel", args=[ticket.pk])).content.decode()
    assert "Knowledge points to another intent" in page
    assert "knowledge_conflict" in page


# --- training and evaluate --------------------------------------------------------------------


def test_training_stores_the_held_out_calibration_record(taxonomy):
    from resolution.services.seed import load_starter_examples
    from resolution.services.training import train_model

    load_starter_examples()
    result = train_model()
    record = result.version.calibration
    n = result.version.metrics["n_test"]
    assert len(record["confidence"]) == len(record["correct"]) == len(record["margin"]) == n
    assert set(record["correct"]) <= {0, 1}
    accuracy = sum(record["correct"]) / n
    assert accuracy == pytest.approx(result.version.metrics["accuracy"], abs=1e-9)


def test_evaluate_reports_the_certified_threshold_from_the_active_models_record(tmp_path, model):
    model.calibration = lenient_calibration()
    model.save()
    csv = tmp_path / "test.csv"
    csv.write_text("text,intent\nwhere is my parcel,track_order\nrefund please,get_refund\n")
    out = StringIO()
    call_command("evaluate", "--csv", str(csv), "--alpha", "0.05", "--json", stdout=out)
    decision = json.loads(out.getvalue())["decision"]
    assert decision["alpha"] == 0.05
    assert decision["calibration_source"].startswith("model v1")
    assert decision["certified_no_margin"]["calibration"]["threshold"] == 0.2
    assert decision["certified_no_margin"]["test"]["n"] == 2
    assert set(decision["fixed"]["fired"]) >= {"low_confidence", "low_margin"}


def test_evaluate_refuses_alpha_outside_zero_to_a_half(tmp_path, model):
    from django.core.management import CommandError

    csv = tmp_path / "test.csv"
    csv.write_text("text,intent\nwhere is my parcel,track_order\n")
    with pytest.raises(CommandError, match="at most 0.5"):
        call_command("evaluate", "--csv", str(csv), "--alpha", "0.7")


def test_evaluate_measures_the_knowledge_agreement_check(tmp_path, model):
    csv = tmp_path / "test.csv"
    csv.write_text("text,intent\nwhere is my parcel,track_order\nrefund please,get_refund\n")
    knowledge = tmp_path / "kb.json"
    knowledge.write_text(
        json.dumps([{"question": "where is my parcel", "answer": "…", "intent": "get_refund"}])
    )
    out = StringIO()
    call_command("evaluate", "--csv", str(csv), "--knowledge", str(knowledge), "--json", stdout=out)
    decision = json.loads(out.getvalue())["decision"]
    assert decision["fixed_knowledge"]["fired"]["knowledge_conflict"] == 1
    assert "knowledge_conflict" not in decision["fixed"]["fired"]


def test_evaluate_names_a_broken_knowledge_file(tmp_path, model):
    from django.core.management import CommandError

    csv = tmp_path / "test.csv"
    csv.write_text("text,intent\nwhere is my parcel,track_order\n")
    knowledge = tmp_path / "kb.json"
    knowledge.write_text("{not json")
    with pytest.raises(CommandError, match="not a knowledge base"):
        call_command("evaluate", "--csv", str(csv), "--knowledge", str(knowledge))


def test_the_rule_report_counts_each_check_and_what_it_alone_stopped():
    from resolution.engine.evaluation import rule_report

    report = rule_report(
        [0.9, 0.9, 0.9, 0.5],
        [True, False, True, True],
        [0.8, 0.1, 0.8, 0.8],
        threshold=0.75,
        min_margin=0.3,
        knowledge_conflict=[False, False, True, True],
    )
    assert (report["auto"], report["coverage"], report["auto_precision"]) == (1, 0.25, 1.0)
    assert report["fired"]["low_confidence"] == 1
    assert report["fired"]["low_margin_only"] == 1
    assert report["fired"]["low_margin_only_wrong"] == 1
    assert report["fired"]["knowledge_conflict"] == 2
    assert report["fired"]["knowledge_conflict_only"] == 1
    never = rule_report([0.99], [True], [0.9], threshold=None)
    assert (never["auto"], never["auto_precision"]) == (0, None)


def test_evaluate_certifies_on_a_calibration_csv_when_given(tmp_path, model):
    rows = "\n".join(["where is my parcel,track_order"] * 50 + ["refund please,get_refund"] * 50)
    calibration_csv = tmp_path / "calibration.csv"
    calibration_csv.write_text("text,intent\n" + rows + "\n")
    csv = tmp_path / "test.csv"
    csv.write_text("text,intent\nwhere is my parcel,track_order\n")
    out = StringIO()
    call_command(
        "evaluate",
        "--csv",
        str(csv),
        "--calibration-csv",
        str(calibration_csv),
        "--alpha",
        "0.1",
        "--json",
        stdout=out,
    )
    decision = json.loads(out.getvalue())["decision"]
    assert decision["calibration_source"] == str(calibration_csv)
    assert decision["certified_no_margin"]["calibration"]["n_calibration"] == 100
