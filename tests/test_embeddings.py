"""Sentence-embedding featurizers: serialization, the encode cache, and loading without the extra.

Most tests use a tiny deterministic stand-in encoder (hashed bags of words), so they run
without torch; the ones marked ``needs_extra`` use the real all-MiniLM-L6-v2 and skip when
the optional extra (requirements-embeddings.txt) is not installed, except on CI, where a
missing extra fails them.
"""

import hashlib
import io
import os

import joblib
import numpy as np
import pytest

import resolution.engine.classifier as classifier_module
from resolution.engine import embeddings
from resolution.engine.classifier import (
    _HEADER,
    _MAGIC,
    FORMAT_VERSION,
    IntentClassifier,
    ModelLoadError,
    TrainingConfig,
)
from resolution.engine.embeddings import SentenceEncoder, embeddings_available
from resolution.engine.text import normalize

from .test_engine_classifier import synthetic


def _needs_extra():
    if embeddings_available():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("the embeddings extra must be installed on CI")
    pytest.skip("needs the optional extra: pip install -r requirements-embeddings.txt")


class HashingModel:
    """Stands in for the sentence-transformers model: hashed bag of words, unit length."""

    def __init__(self, dimensions: int = embeddings.DIMENSIONS):
        self.dimensions = dimensions
        self.calls: list[list[str]] = []

    def encode(self, docs, **_options):
        self.calls.append(list(docs))
        out = np.zeros((len(docs), self.dimensions), dtype=np.float32)
        for row, doc in enumerate(docs):
            for word in doc.split():
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "big") % self.dimensions] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)


@pytest.fixture
def fake_encoder(monkeypatch) -> SentenceEncoder:
    encoder = SentenceEncoder(HashingModel())
    monkeypatch.setattr(embeddings, "get_encoder", lambda: encoder)
    monkeypatch.setattr(embeddings, "embeddings_available", lambda: True)
    return encoder


def _repack(state: dict) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(state, buffer)
    payload = buffer.getvalue()
    header = _HEADER.pack(FORMAT_VERSION, len(payload), hashlib.sha256(payload).digest())
    return _MAGIC + header + payload


def _state(blob: bytes) -> dict:
    return joblib.load(io.BytesIO(blob[len(_MAGIC) + _HEADER.size :]))


# Serialization ------------------------------------------------------------------------------


@pytest.mark.parametrize("featurizer", ["embeddings", "hybrid"])
def test_featurizer_round_trips_through_the_blob(fake_encoder, featurizer):
    texts, labels = synthetic()
    model = IntentClassifier.train(texts, labels, config=TrainingConfig(featurizer=featurizer))
    blob = model.to_bytes()
    assert _state(blob)["featurizer"] == featurizer
    loaded = IntentClassifier.from_bytes(blob)
    assert loaded.featurizer == featurizer
    assert loaded.info["featurizer"] == featurizer
    queries = ["where is my parcel", "refund please", "forgot my password", "zzz"]
    np.testing.assert_allclose(
        loaded.probabilities(queries), model.probabilities(queries), rtol=1e-5, atol=1e-6
    )
    assert [p.intent for p in loaded.predict_many(queries[:3])] == [
        "track_order",
        "get_refund",
        "reset_password",
    ]


def test_the_encoder_is_not_in_the_blob(fake_encoder):
    texts, labels = synthetic()
    model = IntentClassifier.train(texts, labels, config=TrainingConfig(featurizer="hybrid"))
    state = _state(model.to_bytes())
    assert not any(isinstance(v, SentenceEncoder | HashingModel) for v in state.values())


def test_an_old_blob_without_a_featurizer_loads_as_tfidf(monkeypatch):
    texts, labels = synthetic()
    state = _state(IntentClassifier.train(texts, labels).to_bytes())
    for key in ("featurizer", "embedding_weight", "embedding_dimensions", "centroids"):
        state.pop(key, None)
    state.pop("distance_weight", None)

    def no_encoder():
        raise AssertionError("a TF-IDF model must not load the encoder")

    monkeypatch.setattr(classifier_module, "_encoder", no_encoder)
    loaded = IntentClassifier.from_bytes(_repack(state))
    assert loaded.featurizer == "tfidf"
    assert loaded.predict("reset my password").intent == "reset_password"


def test_an_embeddings_blob_without_the_extra_is_a_model_load_error(fake_encoder, monkeypatch):
    texts, labels = synthetic()
    blob = IntentClassifier.train(
        texts, labels, config=TrainingConfig(featurizer="hybrid")
    ).to_bytes()
    monkeypatch.setattr(embeddings, "embeddings_available", lambda: False)
    with pytest.raises(ModelLoadError, match="requirements-embeddings.txt"):
        IntentClassifier.from_bytes(blob)


def test_an_encoder_of_another_size_is_a_model_load_error(fake_encoder, monkeypatch):
    texts, labels = synthetic()
    blob = IntentClassifier.train(
        texts, labels, config=TrainingConfig(featurizer="embeddings")
    ).to_bytes()
    other = SentenceEncoder(HashingModel(dimensions=16))
    other.dimensions = 16
    monkeypatch.setattr(embeddings, "get_encoder", lambda: other)
    with pytest.raises(ModelLoadError, match="retrain"):
        IntentClassifier.from_bytes(blob)


def test_an_unknown_featurizer_is_refused():
    texts, labels = synthetic()
    with pytest.raises(ValueError, match="featurizer"):
        IntentClassifier.train(texts, labels, config=TrainingConfig(featurizer="bert"))


def test_distance_from_known_intents_lowers_confidence(fake_encoder):
    texts, labels = synthetic()
    model = IntentClassifier.train(texts, labels, config=TrainingConfig(featurizer="hybrid"))
    assert model.reject_bias is not None
    in_scope = model.predict("hi, reset my password please").confidence
    off_topic = model.predict("what is the weather like on mars tomorrow").confidence
    assert off_topic < in_scope


# The encode cache ---------------------------------------------------------------------------


def test_single_texts_are_encoded_once():
    model = HashingModel()
    encoder = SentenceEncoder(model, cache_size=2)
    first = encoder.encode(["Where is my order 123?"])
    again = encoder.encode(["where is my order 456?"])  # the same text once normalized
    np.testing.assert_array_equal(first, again)
    assert len(model.calls) == 1
    assert (encoder.hits, encoder.misses) == (1, 1)
    # Results are copies: a caller scribbling on them does not poison the cache.
    again[0, :] = 0
    np.testing.assert_array_equal(encoder.encode(["where is my order 1?"]), first)


def test_the_cache_keeps_the_last_texts_only():
    model = HashingModel()
    encoder = SentenceEncoder(model, cache_size=2)
    for text in ["a", "b", "c"]:
        encoder.encode([text])
    encoder.encode(["c"])
    encoder.encode(["b"])
    assert len(model.calls) == 3
    encoder.encode(["a"])  # evicted
    assert len(model.calls) == 4
    assert model.calls[-1] == ["a"]


def test_a_batch_mixes_cached_and_new_texts():
    model = HashingModel()
    encoder = SentenceEncoder(model)
    encoder.encode(["refund"])
    out = encoder.encode(["password", "refund", "password"])
    assert model.calls[-1] == ["password"]
    np.testing.assert_array_equal(out[0], out[2])
    np.testing.assert_array_equal(out[1], encoder.encode(["refund"])[0])


def test_large_batches_bypass_the_cache():
    model = HashingModel()
    encoder = SentenceEncoder(model, cache_size=4)
    batch = [f"text number {i} words" for i in range(SentenceEncoder.CACHE_MAX_BATCH + 1)]
    encoder.encode(batch)
    encoder.encode(batch[:1])
    assert len(model.calls) == 2
    assert encoder.encode([]).shape == (0, embeddings.DIMENSIONS)


def test_the_pipeline_shape_costs_one_forward_pass(fake_encoder):
    """Classify, then search the knowledge base with the same ticket text: one encode."""
    texts, labels = synthetic()
    model = IntentClassifier.train(texts, labels, config=TrainingConfig(featurizer="hybrid"))
    fake_encoder.cache_clear()
    calls = len(fake_encoder._model.calls)
    ticket = "Subject\nMy parcel never arrived, order #A-5511"
    model.predict(ticket)
    embeddings.get_encoder().encode([ticket])
    assert len(fake_encoder._model.calls) == calls + 1


# With the real encoder ----------------------------------------------------------------------


def test_the_real_encoder_gives_unit_vectors_and_caches():
    _needs_extra()
    encoder = embeddings.get_encoder()
    vectors = encoder.encode(["where is my parcel", "I want my money back"])
    assert vectors.shape == (2, embeddings.DIMENSIONS)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-4)
    encoder.encode(["a ticket seen twice"])
    hits = encoder.hits
    encoder.encode(["a ticket seen twice"])
    assert encoder.hits == hits + 1


def test_hybrid_generalizes_to_unseen_wording():
    """Paraphrases sharing few words with the training texts: the embeddings carry them."""
    _needs_extra()
    texts, labels = synthetic()
    paraphrases = {
        "track_order": ["the courier still hasn't brought my shipment", "status of my delivery?"],
        "get_refund": ["reimburse me for the broken item", "I'd like to be paid back"],
        "reset_password": ["I can't remember my credentials", "sign-in secret forgotten"],
    }
    queries = [q for qs in paraphrases.values() for q in qs]
    truth = [label for label, qs in paraphrases.items() for _ in qs]
    hybrid = IntentClassifier.train(texts, labels, config=TrainingConfig(featurizer="hybrid"))
    predicted = [p.intent for p in hybrid.predict_many(queries)]
    accuracy = np.mean([p == t for p, t in zip(predicted, truth, strict=True)])
    assert accuracy >= 5 / 6  # chance is 1/3
    blob = hybrid.to_bytes()
    assert IntentClassifier.from_bytes(blob).predict(queries[0]).intent == predicted[0]


def test_normalized_text_is_what_gets_encoded():
    model = HashingModel()
    encoder = SentenceEncoder(model)
    encoder.encode(["Order #A-1001 LATE"])
    assert model.calls == [[normalize("Order #A-1001 LATE")]]
