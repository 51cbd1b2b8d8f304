"""The intent classifier on a tiny synthetic set: learns, ranks, calibrates, serializes."""

import itertools
import pickle

import numpy as np
import pytest

from resolution.engine.classifier import (
    IntentClassifier,
    ModelLoadError,
    TrainingConfig,
)

PHRASES = {
    "track_order": [
        "where is my order {n}",
        "my package has not arrived yet",
        "track my parcel please",
        "when will order {n} be delivered",
        "the delivery is late, where is it",
        "has my order shipped",
    ],
    "get_refund": [
        "i want my money back for order {n}",
        "please refund the {amount} you charged",
        "how do i get a refund",
        "refund my purchase, it broke",
        "give me a refund for the damaged item",
        "i returned it, where is my refund",
    ],
    "reset_password": [
        "i forgot my password",
        "reset my password please",
        "cannot log in, password not working",
        "how do i change my login password",
        "locked out of my account, need a new password",
        "password reset link never came",
    ],
}
FILLERS = ["", "hi, ", "hello, ", "please help: ", "urgent: "]


def synthetic() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for intent, phrases in PHRASES.items():
        for i, (phrase, filler) in enumerate(itertools.product(phrases, FILLERS)):
            texts.append(filler + phrase.format(n=f"A-{1000 + i}", amount=f"${i}.99"))
            labels.append(intent)
    return texts, labels


@pytest.fixture(scope="module")
def model() -> IntentClassifier:
    texts, labels = synthetic()
    return IntentClassifier.train(texts, labels, seed=0)


def test_it_learns_the_intents(model):
    assert model.labels == ("get_refund", "reset_password", "track_order")
    assert model.predict("where is my parcel, order B-77").intent == "track_order"
    assert model.predict("I would like a refund of 20 dollars").intent == "get_refund"
    assert model.predict("forgot password, can't log in").intent == "reset_password"


def test_it_returns_the_top_three_alternatives_winner_first(model):
    prediction = model.predict("when does my order arrive")
    assert len(prediction.alternatives) == 3
    assert prediction.alternatives[0] == (prediction.intent, prediction.confidence)
    probabilities = [p for _, p in prediction.alternatives]
    assert probabilities == sorted(probabilities, reverse=True)
    assert {intent for intent, _ in prediction.alternatives} == set(model.labels)
    # The rest of the mass belongs to "none of these".
    assert sum(probabilities) <= 1 + 1e-6


def test_confidence_is_a_probability(model):
    texts = ["", "zzzz qqqq", "refund", "ORDER 123", "x" * 2000, "¿dónde está mi pedido?"]
    for prediction in model.predict_many(texts):
        assert 0.0 <= prediction.confidence <= 1.0
        assert all(0.0 <= p <= 1.0 for _, p in prediction.alternatives)


def test_it_is_less_sure_of_gibberish_than_of_a_clear_request(model):
    clear = model.predict("please reset my password").confidence
    assert model.predict("qwerty zxcvb").confidence < clear


def test_predict_many_matches_predict(model):
    texts = ["where is my order", "refund please", "password reset"]
    assert model.predict_many(texts) == [model.predict(t) for t in texts]
    assert model.predict_many([]) == []


def test_it_round_trips_through_bytes(model):
    blob = model.to_bytes()
    loaded = IntentClassifier.from_bytes(blob)
    assert loaded.labels == model.labels
    texts = ["where is my order A-1", "refund me", "new password"]
    np.testing.assert_allclose(loaded.probabilities(texts), model.probabilities(texts))
    assert loaded.info["n_examples"] == model.info["n_examples"]
    # Bytes from a database driver may come as a memoryview.
    assert IntentClassifier.from_bytes(memoryview(blob)).labels == model.labels


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda b: b"", id="empty"),
        pytest.param(lambda b: b"not a model at all", id="foreign"),
        pytest.param(lambda b: pickle.dumps({"coef": [1, 2, 3]}), id="someone-elses-pickle"),
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: b[:20], id="truncated-header"),
        pytest.param(lambda b: b[:-1] + bytes([b[-1] ^ 0xFF]), id="bit-flip"),
        pytest.param(lambda b: b[:13] + b"\x00\x63" + b[15:], id="future-version"),
    ],
)
def test_a_corrupt_or_foreign_blob_raises_model_load_error(model, mangle):
    with pytest.raises(ModelLoadError):
        IntentClassifier.from_bytes(mangle(model.to_bytes()))


def test_it_copes_with_intents_of_one_or_two_examples():
    texts, labels = synthetic()
    texts += ["I want to cancel my subscription", "cancel subscription", "close my account"]
    labels += ["cancel_subscription", "cancel_subscription", "delete_account"]
    model = IntentClassifier.train(texts, labels)
    assert "delete_account" in model.labels
    assert 0 <= model.predict("please cancel my subscription").confidence <= 1


def test_it_trains_on_a_handful_of_examples():
    texts = ["where is my order", "track my parcel", "order not here", "refund me"]
    model = IntentClassifier.train(
        texts + ["money back", "give refund"], ["track"] * 3 + ["refund"] * 3
    )
    assert model.predict("where is my parcel").intent == "track"


def test_it_trains_on_two_intents():
    texts, labels = synthetic()
    pairs = [(t, y) for t, y in zip(texts, labels, strict=True) if y != "get_refund"]
    model = IntentClassifier.train([t for t, _ in pairs], [y for _, y in pairs])
    prediction = model.predict("forgot my password")
    assert prediction.intent == "reset_password"
    assert len(prediction.alternatives) == 2


def test_without_an_unknown_share_probabilities_sum_to_one():
    texts, labels = synthetic()
    model = IntentClassifier.train(texts, labels, config=TrainingConfig(unknown_share=0))
    assert model.reject_bias is None
    np.testing.assert_allclose(model.probabilities(["hello"]).sum(), 1.0, rtol=1e-6)


def test_it_refuses_to_train_on_a_single_intent():
    with pytest.raises(ValueError, match="two intents"):
        IntentClassifier.train(["a b", "c d"], ["x", "x"])
    with pytest.raises(ValueError):
        IntentClassifier.train(["a b"], ["x", "y"])


def test_training_is_deterministic_for_a_seed():
    texts, labels = synthetic()
    # One thread: liblinear's random generator is process-wide, so parallel fits agree only
    # up to the solver's tolerance.
    config = TrainingConfig(n_jobs=1)
    one = IntentClassifier.train(texts, labels, seed=3, config=config)
    two = IntentClassifier.train(texts, labels, seed=3, config=config)
    assert one.predict("refund my order") == two.predict("refund my order")


def test_tfidf_rows_equal_scikit_learns_own_transform_bit_for_bit(starter_model_bytes):
    """The classifier weighs the counts itself (tfidf_rows, without scikit-learn's per-call
    re-validation): every matrix, and so every score, is exactly what transform gives."""
    from resolution.engine.classifier import tfidf_rows
    from resolution.engine.text import normalize
    from resolution.services.seed import DATA_DIR

    model = IntentClassifier.from_bytes(starter_model_bytes)
    texts = [
        line.strip()
        for path in sorted((DATA_DIR / "examples").glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    texts += ["", "   ", "zzzz qqqq", "Card charged twice: I was charged twice for #A-123 ($9.99)"]
    docs = [normalize(t) for t in texts]
    assert len(docs) > 500
    for vectorizer in model._vectorizers:
        theirs = vectorizer.transform(docs)
        ours = tfidf_rows(vectorizer, docs)
        assert type(ours) is type(theirs) and ours.dtype == theirs.dtype
        assert ours.shape == theirs.shape
        assert np.array_equal(ours.indptr, theirs.indptr)
        assert np.array_equal(ours.indices, theirs.indices)
        assert np.array_equal(ours.data, theirs.data)  # bit for bit, not approximately
        # One text at a time, as a ticket is classified: the same rows.
        for i in (0, len(docs) // 2, len(docs) - 1):
            one = tfidf_rows(vectorizer, [docs[i]])
            assert np.array_equal(one.toarray(), theirs[i].toarray())
    # And the scores the model gives: those of scikit-learn's transform times the weights.
    parts, _ = model._block_scores(texts, None)
    for part, vectorizer, weights in zip(
        parts, model._vectorizers, model._coef_blocks, strict=True
    ):
        expected = np.asarray(vectorizer.transform(docs) @ weights, dtype=np.float64)
        assert np.array_equal(part, expected)
