"""The abstention checks (resolution/engine/abstain.py): each one on its own, in the
decision, and end to end on the shipped starter model, plus property tests over the
hard-case set's templates (bench/data/hard_cases.py)."""

import importlib.util
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolution.engine.abstain import (
    AbstainConfig,
    assess_text,
    clauses,
    failure_cue,
    negated_phrases,
    no_content,
    text_profile,
)
from resolution.engine.classifier import IntentClassifier
from resolution.engine.decision import ABSTENTIONS, decide
from resolution.engine.replay import Case, offline_decider, replay
from resolution.engine.types import IntentPolicy, Prediction, TextViews

HARD_CASES = Path(__file__).resolve().parent.parent / "bench" / "data" / "hard_cases.py"


def load_hard_cases():
    spec = importlib.util.spec_from_file_location("hard_cases", HARD_CASES)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hard_cases = load_hard_cases()


# --- No content ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", "empty"),
        ("7021645199", "identifier"),
        ("jane.doe@example.com", "identifier"),
        ("https://shop.example.com/orders/5512", "identifier"),
        ("thanks!", "courtesy"),
        ("Hello team", "courtesy"),
        ("i got refund thankyou", "remark"),
        ("received it, thanks a lot", "remark"),
        ("It's not working", "vague"),
        ("order??", "vague"),
        ("help", "vague"),
        ("my account", "vague"),
    ],
)
def test_a_message_with_nothing_to_act_on_says_what_is_missing(text, kind):
    assert no_content(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "how do I reset my password",
        "Thanks, can you tell me where my order is?",
        "cancel order 5512 please",
        "where is my order",
        "order status",
    ],
)
def test_a_real_request_has_content(text):
    assert no_content(text) is None


def test_a_short_ticket_the_desk_trained_on_is_content_enough():
    assert no_content("can I?") == "vague"
    assert no_content("can I?", trained=True) is None
    # One word that names something is content: "EMI" is a request on a shop's bot.
    assert no_content("EMI") is None
    # ...but a bare number or a vague word never is, trained or not.
    assert no_content("7021645199", trained=True) == "identifier"
    assert no_content("order??", trained=True) == "vague"


# --- The standard path failed ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I clicked 'Forgot your password?' three times and the reset e-mail never arrives",
        "I already reset my password twice and it still says wrong password",
        "the cancel button is greyed out",
        "tracking has said 'label created' for two weeks",
        "the unsubscribe link gives an error",
        "I followed the steps and nothing happens",
    ],
)
def test_a_report_that_the_standard_path_failed_is_found(text):
    assert failure_cue(text)


@pytest.mark.parametrize(
    "text",
    [
        "how do I reset my password",
        "I can't remember my password",
        "can I cancel my order",
    ],
)
def test_a_plain_request_is_not_a_failure_report(text):
    assert failure_cue(text) is None


def test_how_do_i_reset_is_a_question_not_a_report_that_i_reset():
    assert failure_cue("how do I reset it?") is None
    assert failure_cue("I reset it and it still fails")


# --- Negation ----------------------------------------------------------------------------


def test_the_negated_phrase_is_cut_out_and_what_they_want_remains():
    phrases, wanted = negated_phrases(
        "I do NOT want to cancel my order, I just want to know when it arrives"
    )
    assert phrases == ["cancel my order"]
    assert "cancel" not in wanted
    assert "know when it arrives" in wanted


def test_several_negations_are_all_cut_out():
    phrases, wanted = negated_phrases(
        "i dont want to delete my account i just want to change the email. "
        "Please don't cancel the order."
    )
    assert phrases == ["delete my account", "cancel the order"]
    assert "change the email" in wanted


def test_a_text_without_negation_is_kept_whole():
    assert negated_phrases("please cancel my order") == ([], "please cancel my order")


# --- Several requests --------------------------------------------------------------------


def test_clauses_split_sentences_and_a_second_request():
    assert clauses("I want to cancel my order and also reset my password") == [
        "I want to cancel my order",
        "reset my password",
    ]
    assert len(clauses("Where is my parcel from Monday? Also, can you send the invoice?")) == 2


def test_greetings_and_short_fragments_are_not_clauses():
    assert clauses("Hi there. Thanks! Where is my parcel order 5512?") == [
        "Where is my parcel order 5512"
    ]


# --- What is ordinary for an intent ------------------------------------------------------


def test_the_profile_counts_the_share_of_examples_carrying_each_cue():
    profile = text_profile(
        ["my card is not working", "card broken", "card stopped working", "new card please"],
        ["card_problem"] * 3 + ["new_card"],
    )
    assert profile["card_problem"]["failure"] == pytest.approx(1.0)
    assert profile["new_card"] == {"failure": 0.0, "negation": 0.0}


# --- assess_text with a small model ------------------------------------------------------

TRAIN = {
    "reset_password": [
        "reset my password",
        "forgot my password",
        "how do I reset my password",
        "I can't remember my password",
        "password reset please",
        "lost my password, how to get a new one",
    ],
    "cancel_order": [
        "cancel my order",
        "please cancel the order",
        "I want to cancel order 5512",
        "how do I cancel my order",
        "cancel it please, the order",
        "stop my order from shipping",
    ],
    "track_order": [
        "where is my order",
        "track my parcel",
        "when will my order arrive",
        "where is my package",
        "has my order shipped yet",
        "delivery status of my order",
    ],
}


@pytest.fixture(scope="module")
def small_model() -> IntentClassifier:
    texts = [t for examples in TRAIN.values() for t in examples]
    labels = [label for label, examples in TRAIN.items() for _ in examples]
    return IntentClassifier.train(texts, labels)


def fired_on(model: IntentClassifier, text: str, **kwargs) -> tuple[dict, dict, Prediction]:
    ((prediction, views),) = model.inspect_many([text])
    fired, detail = assess_text(
        text,
        prediction=prediction,
        views=views,
        classify=model.predict_many,
        profile=model.info["text_profile"],
        exemplar_quantiles=model.info["exemplar_similarity_quantiles"],
        **kwargs,
    )
    return fired, detail, prediction


def test_a_plain_request_fires_nothing(small_model):
    fired, _, prediction = fired_on(small_model, "where is my order")
    assert prediction.intent == "track_order"
    assert not any(fired.values())


def test_a_failed_reset_fires_path_failed(small_model):
    fired, detail, _ = fired_on(
        small_model, "I asked to reset my password three times and the e-mail never arrives"
    )
    assert fired["path_failed"]
    assert detail["failure_cue"]


def test_a_failure_cue_ordinary_for_the_intent_does_not_fire(small_model):
    text = "I asked to reset my password three times and the e-mail never arrives"
    _, _, prediction = fired_on(small_model, text)
    ordinary = {prediction.intent: {"failure": 0.8, "negation": 0.0}}
    ((p, views),) = small_model.inspect_many([text])
    fired, _ = assess_text(
        text, prediction=p, views=views, classify=small_model.predict_many, profile=ordinary
    )
    assert not fired["path_failed"]


def test_the_negated_intent_fires_when_it_picked_the_intent(small_model):
    fired, detail, prediction = fired_on(small_model, "I do not want to cancel my order please")
    assert prediction.intent == "cancel_order"
    assert fired["negated_intent"]
    assert detail["negated"][0][1] == "cancel_order"


def test_two_requests_fire_several_requests(small_model):
    fired, detail, _ = fired_on(
        small_model, "Please cancel my order. Also I forgot my password, how do I reset it?"
    )
    assert fired["several_requests"]
    assert {c[1] for c in detail["clauses"]} >= {"cancel_order", "reset_password"}


def test_a_one_word_question_and_a_second_request_fire_several_requests(small_model):
    fired, detail, _ = fired_on(
        small_model, "Where is my order? And another thing, how do I reset my password?"
    )
    assert [c[0] for c in detail["clauses"]][0] == "Where is my order"
    assert fired["several_requests"]


NEWSLETTER = {
    "newsletter_subscription": [
        "unsubscribe me from the newsletter",
        "stop sending me promotional e-mails",
        "how do I unsubscribe from your mailing list",
        "sign me up for the newsletter",
        "remove me from your marketing e-mails",
        "I want to subscribe to the newsletter",
    ],
    "edit_account": [
        "change the e-mail address on my account",
        "update my phone number",
        "how do I edit my profile",
        "change my name on the account",
        "update the e-mail of my profile",
        "I need to change my account details",
    ],
}


@pytest.fixture(scope="module")
def newsletter_model() -> IntentClassifier:
    both = {**TRAIN, **NEWSLETTER}
    texts = [t for examples in both.values() for t in examples]
    labels = [label for label, examples in both.items() for _ in examples]
    return IntentClassifier.train(texts, labels)


def test_a_negation_that_is_itself_the_unsubscribe_request_does_not_abstain(newsletter_model):
    text = "I don't want any more promotional e-mails from you"
    fired, detail, prediction = fired_on(newsletter_model, text)
    assert prediction.intent == "newsletter_subscription"
    assert detail["negated"][0][1] == "newsletter_subscription"
    assert detail["negation_is_request"]
    assert not fired["negated_intent"]
    # Without the intent-level flag, the same ticket abstains: the flag is what answers it.
    no_flag = AbstainConfig(negation_requests=frozenset())
    fired, _, _ = fired_on(newsletter_model, text, config=no_flag)
    assert fired["negated_intent"]


def test_a_negated_unsubscribe_followed_by_another_request_still_abstains(newsletter_model):
    text = "I don't want to unsubscribe from the newsletter, I want to change my account e-mail"
    fired, detail, prediction = fired_on(newsletter_model, text)
    assert prediction.intent == "newsletter_subscription"
    assert detail["negation_is_request"] is False
    assert fired["negated_intent"]  # and the ticket is re-read on what the customer does want


def test_words_the_model_never_saw_fire_out_of_distribution(small_model):
    fired, detail, _ = fired_on(small_model, "Mai 48 kg ka hu bhai kitna protein")
    assert fired["out_of_distribution"]
    assert detail["unknown_words"]


def test_a_ticket_far_from_every_example_fires_out_of_distribution():
    prediction = Prediction("track_order", 0.99, (("track_order", 0.99),))
    fired, _ = assess_text(
        "tell me about the order of the planets",
        prediction=prediction,
        views=TextViews(nearest_similarity=0.1, nearest_intent="track_order"),
        classify=lambda texts: [prediction for _ in texts],
        exemplar_quantiles={"0.05": 0.3},
    )
    assert fired["out_of_distribution"]


def test_views_that_disagree_fire():
    prediction = Prediction("track_order", 0.9, (("track_order", 0.9),))
    classify = lambda texts: [prediction for _ in texts]  # noqa: E731
    fired, _ = assess_text(
        "where is my parcel",
        prediction=prediction,
        views=TextViews(word_intent="cancel_order", char_intent="get_refund"),
        classify=classify,
    )
    assert fired["views_disagree"]  # neither view alone agrees with the model
    fired, _ = assess_text(
        "where is my parcel",
        prediction=prediction,
        views=TextViews(word_intent="track_order", char_intent="cancel_order"),
        classify=classify,
    )
    assert not fired["views_disagree"]  # one view agrees
    fired, _ = assess_text(
        "where is my parcel",
        prediction=prediction,
        views=TextViews("track_order", "track_order", 0.95, "cancel_order"),
        classify=classify,
    )
    assert fired["views_disagree"]  # the closest training example is about another intent
    fired, _ = assess_text(
        "where is my parcel",
        prediction=prediction,
        views=TextViews("track_order", "track_order", 0.95, "track_order"),
        classify=classify,
    )
    assert not fired["views_disagree"]


def test_a_model_without_kept_examples_skips_the_distance_checks():
    prediction = Prediction("track_order", 0.9, (("track_order", 0.9),))
    fired, _ = assess_text(
        "where is my parcel",
        prediction=prediction,
        views=None,
        classify=lambda texts: [prediction for _ in texts],
    )
    assert not fired["out_of_distribution"] and not fired["views_disagree"]


def test_the_kept_examples_survive_serialization(small_model):
    loaded = IntentClassifier.from_bytes(small_model.to_bytes())
    assert loaded.inspect_many(["where is my package"]) == small_model.inspect_many(
        ["where is my package"]
    )
    assert loaded.info["text_profile"] == small_model.info["text_profile"]


# --- In the decision ---------------------------------------------------------------------


def confident(intent: str = "track_order") -> Prediction:
    return Prediction(intent, 0.99, ((intent, 0.99), ("cancel_order", 0.005)))


def test_each_abstention_escalates_with_its_own_reason():
    from resolution.engine.types import Answer

    for name in ABSTENTIONS:
        outcome = decide(
            prediction=confident(),
            policy=IntentPolicy(0.75),
            answer=Answer("steps", "template"),
            match=None,
            abstentions={name: True},
            abstain_detail={"seen": name},
        )
        assert (outcome.action, outcome.reason) == ("escalate", name)
        assert outcome.signals["fired"] == [name]
        assert outcome.signals["abstain"] == {"seen": name}


def test_the_abstentions_name_the_reason_before_low_confidence():
    outcome = decide(
        prediction=Prediction("track_order", 0.2, (("track_order", 0.2),)),
        policy=IntentPolicy(0.75),
        answer=None,
        match=None,
        abstentions={"path_failed": True, "out_of_distribution": True},
    )
    assert outcome.reason == "out_of_distribution"
    assert outcome.signals["fired"] == [
        "out_of_distribution",
        "path_failed",
        "low_confidence",
        "no_answer",
    ]


def test_nothing_to_act_on_is_the_reason_even_for_an_always_escalate_intent():
    outcome = decide(
        prediction=confident("contact_human_agent"),
        policy=IntentPolicy(0.75, always_escalate=True),
        answer=None,
        match=None,
        abstentions={"no_content": True},
    )
    assert outcome.reason == "no_content"


def test_an_unknown_abstention_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown abstention"):
        decide(
            prediction=confident(),
            policy=IntentPolicy(0.75),
            answer=None,
            match=None,
            abstentions={"vibes": True},
        )


# --- End to end on the shipped starter model ---------------------------------------------


@pytest.fixture(scope="module")
def starter_decide(request):
    starter_model_bytes = request.getfixturevalue("starter_model_bytes")
    import json

    from resolution.engine.decision import DEFAULT_MIN_MARGIN
    from resolution.engine.similarity import SimilarityIndex
    from resolution.engine.types import KnowledgeItem
    from resolution.starter_data import DATA_DIR

    model = IntentClassifier.from_bytes(starter_model_bytes)
    rules = {i["slug"]: i for i in json.loads((DATA_DIR / "intents.json").read_text())}
    knowledge = json.loads((DATA_DIR / "knowledge_base.json").read_text())
    index = SimilarityIndex.build(
        [
            KnowledgeItem(n, e["question"], e["answer"], e["intent"])
            for n, e in enumerate(knowledge)
        ],
        backend="exact",
    )

    def policy_for(intent):
        rule = rules.get(intent, {})
        policy = IntentPolicy(
            0.75, always_escalate=bool(rule.get("always_escalate")), min_margin=DEFAULT_MIN_MARGIN
        )
        return policy, rule.get("template")

    return model, offline_decider(
        model, policy_for=policy_for, index=index, similarity_threshold=0.6
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "I clicked 'Forgot your password?' three times and the reset e-mail never arrives",
            "path_failed",
        ),
        ("7021645199", "no_content"),
        ("not working", "no_content"),
        ("order??", "no_content"),
        ("i got refund thankyou", "no_content"),
        ("I want to cancel my order and also reset my password", "several_requests"),
    ],
)
def test_the_issues_examples_go_to_a_person_with_the_right_reason(starter_decide, text, reason):
    _, decide_one = starter_decide
    outcome = decide_one(text).outcome
    assert (outcome.action, outcome.reason) == ("escalate", reason)


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        (
            "I do NOT want to cancel my order, I just want to know when it arrives",
            "cancel_order",
        ),
        (
            "i dont want to delete my account i just want to change the email",
            "delete_account",
        ),
    ],
)
def test_what_the_customer_does_not_want_never_picks_the_intent(starter_decide, text, negated):
    _, decide_one = starter_decide
    assessment = decide_one(text)
    assert assessment.prediction.intent != negated
    assert assessment.abstain["reclassified_from"][0] == negated


def test_the_demo_password_question_is_still_answered(starter_decide):
    _, decide_one = starter_decide
    assessment = decide_one("I forgot my password, how do I reset it?")
    assert assessment.outcome.auto_resolved
    assert assessment.prediction.intent == "recover_password"


def test_the_replay_reports_per_kind_and_reason(starter_decide):
    model, decide_one = starter_decide
    report = replay(
        [
            Case("I forgot my password, how do I reset it?", "recover_password", "plain"),
            Case("7021645199", "escalate", "no_content"),
        ],
        decide_one,
        known_labels=model.labels,
    )
    assert report["auto"] == 1 and report["auto_precision"] == 1.0
    assert report["by_kind"]["no_content"]["by_reason"] == {"no_content": 1}
    assert report["by_kind"]["plain"]["in_scope_answered"] == 1.0
    assert report["must_escalate_answered"] == 0.0


# --- Properties over the hard-case set's templates ---------------------------------------

intents = sorted(hard_cases.REQUESTS)
pairs = st.tuples(st.sampled_from(intents), st.sampled_from(intents)).filter(
    lambda pair: pair[0] != pair[1]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pair=pairs,
    template=st.sampled_from(hard_cases.NEGATION_TEMPLATES),
    choice=st.tuples(st.integers(0, 1), st.integers(0, 1)),
)
def test_a_negated_request_never_selects_the_negated_intent(starter_decide, pair, template, choice):
    _, decide_one = starter_decide
    negated, wanted = pair
    text = template.format(
        a=hard_cases.REQUESTS[negated][choice[0]], b=hard_cases.REQUESTS[wanted][choice[1]]
    )
    assessment = decide_one(text)
    # Whatever the desk does with it, it never answers with what the customer does not want.
    assert not (assessment.outcome.auto_resolved and assessment.prediction.intent == negated)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pair=pairs,
    template=st.sampled_from(hard_cases.SEVERAL_TEMPLATES),
    choice=st.tuples(st.integers(0, 1), st.integers(0, 1)),
)
def test_two_requests_are_never_answered_with_one_confident_clause_ignored(
    starter_decide, pair, template, choice
):
    model, _ = starter_decide
    first, second = pair
    text = template.format(
        a=hard_cases.REQUESTS[first][choice[0]], b=hard_cases.REQUESTS[second][choice[1]]
    )
    parts = clauses(text)
    scored = model.predict_many(parts)
    sure = {p.intent for p in scored if p.confidence >= AbstainConfig().clause_confidence}
    if len(sure) >= 2:  # two clauses each confidently about a different intent
        fired, _, _ = fired_on(model, text)
        assert fired["several_requests"]


@settings(max_examples=50, deadline=None)
@given(
    digits=st.text(alphabet="0123456789", min_size=4, max_size=14),
    wrapper=st.sampled_from(["{}", "+{}", "#{}", "{} ", "  {}  ", "{}!"]),
)
def test_a_bare_number_is_never_content(digits, wrapper):
    assert no_content(wrapper.format(digits)) in ("identifier", "vague")
