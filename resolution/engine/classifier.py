"""Intent classifier: a linear model over text features, with calibrated confidence.

Featurizers (``TrainingConfig.featurizer``; a model remembers its own):

* ``tfidf`` (default): TF-IDF word and character n-grams, a linear SVM. Light and fast.
* ``embeddings``: all-MiniLM-L6-v2 sentence embeddings (the optional extra,
  :mod:`.embeddings`), multinomial logistic regression.
* ``hybrid``: both feature sets side by side in one linear SVM, the embedding block scaled
  by ``embedding_weight``.

The encoder is never pickled into a model: it is loaded from the installed package, and a
model that needs it fails to load (ModelLoadError) where the extra is missing.

Calibration ("the confidence must mean what it says") is temperature scaling with an extra
"none of these" logit, fitted on predictions for data the model did not train on:

* out-of-fold scores for the training examples (a stratified sample of at most
  ``calibration_max_examples`` of them), so confidences match held-out accuracy;
* scores for examples whose whole intent was left out of training ("novel" tickets), so a
  ticket about something the model never learned gets a low confidence instead of a
  confident wrong answer. ``unknown_share`` is the share of such tickets the calibration
  assumes; 0 gives plain temperature scaling.

For each known intent k, with SVM score s_k, temperature T and reject bias b:

    p_k = exp(s_k / T) / (exp(b / T) + sum_j exp(s_j / T))

and what is left over, 1 - sum_k p_k, is the probability that the ticket is about none of
them. With embeddings the reject logit also grows with the ticket's distance from the
nearest intent centroid, ``b + g * (1 - max_k cos(x, centroid_k))``, g fitted with T and b:
a ticket unlike anything trained on escalates even when one intent's score stands out
(on CLINC150 val, a wash: docs/BENCHMARKS.md). Temperature scaling was chosen by measurement
on a BANKING77 train split: expected calibration error 0.02, against 0.06-0.09 for
CalibratedClassifierCV's per-class sigmoid and isotonic calibration of the same SVM (which
renormalizes one-vs-rest probabilities), and 0.16-0.19 for those on LogisticRegression,
which was also 7 times slower to train on TF-IDF for the same accuracy.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
import sklearn
from joblib import Parallel, delayed
from scipy.optimize import minimize
from scipy.special import logsumexp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2
from threadpoolctl import threadpool_limits

from .abstain import text_profile
from .decision import DEFAULT_MIN_MARGIN
from .language_threshold import DEFAULT_ALPHA, language_thresholds
from .text import TOKEN_PATTERN, normalize
from .types import Prediction, TextViews

FEATURIZERS = ("tfidf", "embeddings", "hybrid")

TOP_K = 3
# Training examples kept for the nearest-example check (a stratified sample beyond this):
# the word TF-IDF rows cost ~100 bytes an example in the blob.
MAX_EXEMPLARS = 20_000
_UNIGRAM = re.compile(TOKEN_PATTERN)

# Blob layout: magic, format version (uint16), payload length (uint64), sha256 of payload,
# payload (a joblib dump of a plain dict). The digest catches truncation and bit rot before
# unpickling; the magic catches blobs that are not ours at all.
_MAGIC = b"SDESK-INTENT\n"
FORMAT_VERSION = 1
_HEADER = struct.Struct(">HQ32s")


class ModelLoadError(Exception):
    """A serialized classifier could not be loaded: foreign, corrupt or too new a format."""


@dataclass(frozen=True)
class TrainingConfig:
    """Featurizer and model settings.

    The defaults were chosen on training and validation splits only (BANKING77 train split,
    CLINC150 val with oos_train/oos_val): ``bench/engine_quality.py --tune``.
    """

    # "tfidf", "embeddings" (all-MiniLM-L6-v2, the optional extra) or "hybrid" (both).
    featurizer: str = "tfidf"
    # Scale of the sentence-embedding block (unit vectors) beside the TF-IDF blocks (each of
    # unit length too): a larger weight lets the SVM lean on the embeddings at a lower
    # regularization cost. Alone ("embeddings"), it acts as the SVM's C for that block.
    embedding_weight: float = 1.0
    # Inverse regularization of the logistic regression used when the embeddings are the
    # only features (see _linear_model).
    embedding_C: float = 10.0
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    # Drop n-grams seen in a single text: a smaller model, and as accurate (C=1: 0.906 vs
    # 0.906 on the BANKING77 split, 0.936 vs 0.933 on CLINC150 val).
    min_df: int = 2
    max_word_features: int = 300_000
    max_char_features: int = 300_000
    C: float = 1.0
    folds: int = 5
    # With embeddings: fold the distance from the nearest intent centroid into the reject
    # logit (fitted with the temperature), so tickets unlike any known intent escalate.
    ood_distance: bool = True
    # Number of intent groups held out in turn to learn what a novel intent looks like.
    novelty_groups: int = 5
    # The share of incoming tickets assumed to be about no known intent. Higher: fewer
    # off-topic tickets answered, fewer in-scope ones too. On the validation splits, 0 gave
    # in-scope ECE 0.02 but auto-resolved 20% of CLINC150's out-of-scope queries at 0.75;
    # 0.3 auto-resolves 4.5% of them, at the price of under-confidence on in-scope tickets
    # (ECE 0.13, coverage 0.70 instead of 0.87, precision 0.99 instead of 0.96).
    unknown_share: float = 0.3
    # Calibration fits run on a stratified sample of at most this many examples, so a large
    # training set costs one full fit plus small ones. Models fitted on less data are a bit
    # less sure of themselves, so this errs on the side of under-confidence.
    calibration_max_examples: int = 30_000
    # Threads for the independent fits. liblinear's random generator is process-wide, so
    # with more than one thread a seed reproduces a model only up to solver tolerance.
    n_jobs: int = 2
    # The risk level of the threshold certified per language when training is told the
    # examples' languages (language_threshold.py): automatic answers right >= 97%.
    language_alpha: float = DEFAULT_ALPHA


def _vectorizers(config: TrainingConfig, n_texts: int) -> list[TfidfVectorizer]:
    """Word and character TF-IDF blocks, each L2-normalized.

    Kept as a plain list rather than a FeatureUnion: calling the blocks directly and
    multiplying each by its slice of the weights saves half the time of a one-ticket predict.
    """
    # min_df above 1 would empty the vocabulary of a tiny training set.
    min_df = config.min_df if n_texts >= 50 * config.min_df else 1
    common = {"sublinear_tf": True, "min_df": min_df, "dtype": np.float32}
    return [
        TfidfVectorizer(
            ngram_range=config.word_ngrams,
            token_pattern=TOKEN_PATTERN,
            max_features=config.max_word_features,
            **common,
        ),
        TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=config.char_ngrams,
            max_features=config.max_char_features,
            **common,
        ),
    ]


def tfidf_rows(vectorizer: TfidfVectorizer, docs: Sequence[str]) -> sp.csr_matrix:
    """The same matrix as ``vectorizer.transform(docs)``, for a fitted vectorizer.

    Written out because scikit-learn's TfidfTransformer.transform re-validates its own count
    matrix on every call (check_array and narwhals' dataframe checks, twice per vectorizer:
    once in transform, once in normalize), two-thirds of the transform of one ticket with
    its parameter validation skipped (issue 19, bench/request_cost_parts.py). The counting is
    scikit-learn's own; the weighting does what TfidfTransformer.transform does, in the same
    order with the same dtype, and L2 normalization is scikit-learn's own kernel, so the
    result is bit for bit identical (tests/test_engine_classifier.py compares them).
    """
    tfidf = vectorizer._tfidf  # the fitted TfidfTransformer inside every TfidfVectorizer
    if tfidf.norm not in ("l2", None):
        return vectorizer.transform(docs)
    counts = CountVectorizer.transform(vectorizer, docs)  # in the vectorizer's dtype
    if not sp.issparse(counts) or counts.format != "csr" or counts.dtype not in _TFIDF_DTYPES:
        # Not what a TfidfVectorizer counts into: let scikit-learn convert and check it.
        return vectorizer.transform(docs)
    if tfidf.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1.0
    idf = getattr(tfidf, "idf_", None)  # fitted with use_idf only
    if idf is not None:
        counts.data *= idf[counts.indices]
    if tfidf.norm == "l2":
        inplace_csr_row_normalize_l2(counts)
    return counts


_TFIDF_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _uses_tfidf(featurizer: str) -> bool:
    return featurizer in ("tfidf", "hybrid")


def _uses_embeddings(featurizer: str) -> bool:
    return featurizer in ("embeddings", "hybrid")


def _encoder():
    """The shared sentence encoder (imported here: the extra is optional)."""
    from .embeddings import get_encoder

    return get_encoder()


def _fold_ids(y: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Stratified fold numbers that also cope with intents of one or two examples."""
    rng = np.random.default_rng(seed)
    ids = np.empty(len(y), dtype=np.int64)
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        ids[rows] = (np.arange(len(rows)) + rng.integers(folds)) % folds
    return ids


def _svm(C: float, seed: int) -> LinearSVC:
    # The dual solver: sklearn's "auto" picks the primal one when there are more texts than
    # features, which on short texts is 4-5 times slower for the same model.
    return LinearSVC(C=C, dual=True, max_iter=2000, random_state=seed)


def _linear_model(config: TrainingConfig, seed: int) -> LinearSVC | LogisticRegression:
    """The SVM on sparse (TF-IDF, hybrid) features; on the 384 dense embedding dimensions
    alone, multinomial logistic regression: liblinear's one-vs-rest coordinate descent
    crawls on dense rows (CLINC150's 150 intents: minutes per fit, without converging),
    while L-BFGS does the same in a few dense matrix products (10 s; 0.959 on CLINC150 val,
    and 0.916 vs the SVM's 0.913 on a BANKING77 train split)."""
    if config.featurizer == "embeddings":
        return LogisticRegression(C=config.embedding_C, max_iter=500, random_state=seed)
    return _svm(config.C, seed)


def stratified_sample(
    labels: Sequence, limit: int, *, seed: int, min_per_label: int = 10
) -> np.ndarray:
    """Row numbers, in order, of a sample of about ``limit`` rows in which every label keeps
    its share (and at least ``min_per_label`` rows, or all it has); all rows if fewer."""
    y = np.asarray(labels)
    if len(y) <= limit:
        return np.arange(len(y))
    rng = np.random.default_rng(seed)
    fraction = limit / len(y)
    keep = []
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        n = min(len(rows), max(min_per_label, int(np.ceil(len(rows) * fraction))))
        keep.append(rng.choice(rows, size=n, replace=False))
    return np.sort(np.concatenate(keep))


def _fit_scores(
    X: sp.csr_matrix,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    n_classes: int,
    config: TrainingConfig,
    seed: int,
) -> np.ndarray | None:
    """SVM scores for ``test`` rows from a model fitted on ``train`` rows, one column per
    intent; intents absent from ``train`` score -inf. None when ``train`` has fewer than two
    intents or there is nothing to score."""
    present = np.unique(y[train])
    if len(present) < 2 or len(test) == 0:
        return None
    model = _linear_model(config, seed).fit(X[train], y[train])
    raw = model.decision_function(X[test])
    if raw.ndim == 1:  # two intents: sklearn returns the positive class's score only
        raw = np.column_stack([-raw, raw])
    scores = np.full((len(test), n_classes), -np.inf)
    scores[:, present] = raw
    return scores


def _nll(
    scores: np.ndarray,
    live: np.ndarray,
    targets: np.ndarray | None,
    t: float,
    b: float | np.ndarray | None,
) -> float:
    """Mean negative log-likelihood of the targets (None: the "none of these" outcome, which
    exists only when there is a reject logit ``b``: one number, or one per row).

    The targets are smoothed: a share ``1 / (n + 2)`` of each is spread over the row's
    possible outcomes (its ``live`` intents, and "none"). On a small or perfectly separable
    set, plain likelihood would drive the temperature to zero and every confidence to 1;
    the smoothing says n examples cannot justify more certainty than about (n+1)/(n+2), and
    on thousands of examples it changes nothing.
    """
    n = len(scores)
    z = scores / t
    live_sum = np.where(live, z, 0.0).sum(axis=1)
    n_outcomes = live.sum(axis=1)
    if b is None:
        log_norm = logsumexp(z, axis=1)
    else:
        reject = np.broadcast_to(np.asarray(b, dtype=np.float64) / t, (n,))
        log_norm = logsumexp(np.column_stack([z, reject]), axis=1)
        live_sum = live_sum + reject
        n_outcomes = n_outcomes + 1
    if targets is not None:
        picked = z[np.arange(n), targets]
    else:
        assert b is not None, "the none outcome needs a reject bias"
        picked = reject
    eps = 1.0 / (n + 2)
    return float(np.mean(log_norm - (1 - eps) * picked - eps * live_sum / n_outcomes))


def _fit_calibration(
    pos: np.ndarray,
    pos_y: np.ndarray,
    neg: np.ndarray | None,
    unknown_share: float,
    pos_distance: np.ndarray | None = None,
    neg_distance: np.ndarray | None = None,
) -> tuple[float, float | None, float]:
    """Temperature, reject bias and distance weight by weighted maximum likelihood (bias
    None: no reject).

    With ``pos_distance``/``neg_distance`` (how far each row's embedding is from the
    nearest centroid of an intent its model knew), the reject logit is
    ``b + g * distance``: a ticket unlike every known intent leans towards "none of these"
    even when the SVM scores one intent above the rest. Without, g is 0.

    Scores of intents a fold did not train on are -inf: they stay out of the smoothing and
    get a finite stand-in far below every real score for the arithmetic.
    """
    pos_live = np.isfinite(pos)
    floor = float(np.min(pos[pos_live], initial=-1.0)) - 50.0
    pos = np.where(pos_live, pos, floor)

    def plain(params: np.ndarray) -> float:
        return _nll(pos, pos_live, pos_y, float(np.exp(params[0])), None)

    res = minimize(plain, x0=np.array([np.log(0.2)]), method="Nelder-Mead")
    temperature = float(np.exp(np.clip(res.x[0], -6, 4)))
    if neg is None or len(neg) == 0 or unknown_share <= 0:
        return temperature, None, 0.0

    neg_live = np.isfinite(neg)
    neg = np.where(neg_live, neg, floor)
    share = min(unknown_share, 0.95)
    with_distance = pos_distance is not None and neg_distance is not None

    def joint(params: np.ndarray) -> float:
        t, b = float(np.exp(params[0])), float(params[1])
        g = float(params[2]) if with_distance else 0.0
        pos_b = b + g * pos_distance if with_distance else b
        neg_b = b + g * neg_distance if with_distance else b
        return (1 - share) * _nll(pos, pos_live, pos_y, t, pos_b) + share * _nll(
            neg, neg_live, None, t, neg_b
        )

    start = [np.log(temperature), float(np.median(neg.max(axis=1)))]
    if with_distance:
        start.append(0.0)
    res = minimize(
        joint, x0=np.array(start), method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-7}
    )
    g = float(res.x[2]) if with_distance else 0.0
    return float(np.exp(np.clip(res.x[0], -6, 4))), float(res.x[1]), g


def _centroids(vectors: np.ndarray, y: np.ndarray, n_classes: int) -> np.ndarray:
    """Unit-length mean embedding of each intent (a zero row for an intent with no rows)."""
    sums = np.zeros((n_classes, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, y, vectors)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return (sums / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def _centroid_distance(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """1 - the cosine to the nearest centroid: 0 on top of a known intent, ~1 far from all."""
    if len(centroids) == 0:
        return np.ones(len(vectors))
    return 1.0 - (vectors @ centroids.T).max(axis=1).astype(np.float64)


EXEMPLAR_QUANTILES = (0.01, 0.02, 0.05, 0.1, 0.2)


def _exemplar_quantiles(
    exemplars: sp.csr_matrix, *, seed: int, sample: int = 2000, chunk: int = 250
) -> dict[str, float]:
    """Quantiles of each example's cosine to its nearest *other* example (a sample of at
    most ``sample`` examples, in chunks so the dense block stays small)."""
    n = exemplars.shape[0]
    if n < 2:
        return {}
    rows = np.random.default_rng(seed).permutation(n)[:sample]
    transposed = sp.csr_matrix(exemplars.T)
    nearest = []
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        cosines = (exemplars[part] @ transposed).toarray()
        cosines[np.arange(len(part)), part] = -1.0  # not itself
        nearest.append(cosines.max(axis=1))
    values = np.concatenate(nearest)
    return {f"{q:g}": round(float(np.quantile(values, q)), 4) for q in EXEMPLAR_QUANTILES}


class IntentClassifier:
    """Train with :meth:`train`, load with :meth:`from_bytes`; do not construct directly."""

    def __init__(
        self,
        *,
        vectorizers: Sequence[TfidfVectorizer],
        coef: np.ndarray,
        intercept: np.ndarray,
        labels: Sequence[str],
        temperature: float,
        reject_bias: float | None,
        info: dict[str, Any],
        featurizer: str = "tfidf",
        embedding_weight: float | None = None,
        embedding_dimensions: int = 0,
        centroids: np.ndarray | None = None,
        distance_weight: float = 0.0,
        exemplars: sp.csr_matrix | None = None,
        exemplar_labels: np.ndarray | None = None,
    ):
        if featurizer not in FEATURIZERS:
            raise ValueError(f"unknown featurizer {featurizer!r}")
        self.featurizer = featurizer
        self._vectorizers = tuple(vectorizers)
        self._embedding_weight = embedding_weight if _uses_embeddings(featurizer) else None
        self._embedding_dimensions = embedding_dimensions if _uses_embeddings(featurizer) else 0
        # One weight block per vectorizer (then one for the embeddings, if any), transposed
        # for (texts x features) @ (features x K).
        coef = np.asarray(coef, dtype=np.float32)
        sizes = [len(v.vocabulary_) for v in self._vectorizers]
        if self._embedding_dimensions:
            sizes.append(self._embedding_dimensions)
        bounds = np.cumsum([0, *sizes])
        if bounds[-1] != coef.shape[1]:
            raise ValueError("weights do not match the vocabulary size")
        blocks = [
            np.ascontiguousarray(coef[:, lo:hi].T)
            for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        # The SVM learned W on w * embedding; the block weight folds into the weights for
        # predicting (scores = embedding @ (w W)); the raw W is what gets serialized.
        self._embedding_raw: np.ndarray | None = (
            blocks.pop() if self._embedding_dimensions else None
        )
        self._embedding_coef = (
            None
            if self._embedding_raw is None
            else self._embedding_raw * np.float32(self._embedding_weight)
        )
        self._coef_blocks = tuple(blocks)
        self._intercept = np.asarray(intercept, dtype=np.float32)
        self._labels = tuple(labels)
        self.temperature = temperature
        self.reject_bias = reject_bias
        # The reject logit's out-of-distribution term (embeddings only): distance_weight
        # times the distance from the nearest intent centroid.
        self._centroids = (
            np.ascontiguousarray(centroids, dtype=np.float32)
            if centroids is not None
            and self._embedding_coef is not None
            and reject_bias is not None
            else None
        )
        self.distance_weight = float(distance_weight) if self._centroids is not None else 0.0
        # Training examples as word TF-IDF rows (transposed: features x examples, so one
        # ticket's row times it reads only the postings of its own words), and their intents:
        # how close a ticket comes to anything the model learned (resolution.engine.abstain).
        # None for models trained before they were kept, and for embeddings-only models.
        self._exemplars_t: sp.csr_matrix | None = (
            sp.csr_matrix(exemplars.T, dtype=np.float32)
            if exemplars is not None and self._vectorizers
            else None
        )
        self._exemplar_labels = (
            np.asarray(exemplar_labels, dtype=np.int32) if self._exemplars_t is not None else None
        )
        self.info = info

    # Training ---------------------------------------------------------------------------

    @classmethod
    def train(
        cls,
        texts: list[str],
        labels: list[str],
        *,
        seed: int = 0,
        config: TrainingConfig | None = None,
        languages: Sequence[str] | None = None,
    ) -> IntentClassifier:
        """Fit on (text, intent) pairs; needs at least two intents. ``languages`` (one code
        a text): also certify an auto-resolve threshold per language on the out-of-fold
        predictions (``info["language_thresholds"]``, see :meth:`language_threshold`)."""
        config = config or TrainingConfig()
        if len(texts) != len(labels):
            raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
        if languages is not None and len(languages) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
        classes = sorted(set(labels))
        if len(classes) < 2:
            raise ValueError("training needs examples of at least two intents")
        started = time.perf_counter()

        if config.featurizer not in FEATURIZERS:
            raise ValueError(
                f"unknown featurizer {config.featurizer!r}; choose one of {', '.join(FEATURIZERS)}"
            )
        vectorizers: list[TfidfVectorizer] = []
        blocks: list[Any] = []
        if _uses_tfidf(config.featurizer):
            docs = [normalize(t) for t in texts]
            vectorizers = _vectorizers(config, len(docs))
            # The vocabulary and IDF are fitted once on all texts, labels unseen; refitting
            # them per fold would cost more than the negligible optimism it removes.
            blocks = [v.fit_transform(docs) for v in vectorizers]
        embedding_dimensions = 0
        vectors: np.ndarray | None = None
        if _uses_embeddings(config.featurizer):
            vectors = _encoder().encode(texts)
            embedding_dimensions = int(vectors.shape[1])
            embedded = vectors * np.float32(config.embedding_weight)
            blocks.append(sp.csr_matrix(embedded) if vectorizers else embedded)
        X = sp.hstack(blocks, format="csr") if vectorizers else blocks[0]
        y = np.searchsorted(classes, labels)
        n_classes = len(classes)
        everything = np.arange(len(y))

        # Independent fits, run on threads (liblinear releases the GIL): the final model
        # first, as the longest, then out-of-fold and novel-intent scores on a sample.
        jobs: list[tuple[str, np.ndarray, np.ndarray]] = [("final", everything, everything[:0])]
        sample = stratified_sample(y, config.calibration_max_examples, seed=seed + 2)
        # No more folds than the largest intent has examples, or some folds would be empty.
        n_folds = max(2, min(config.folds, int(np.bincount(y[sample]).max())))
        fold = _fold_ids(y[sample], n_folds, seed)
        for k in range(n_folds):
            jobs.append(("oof", sample[fold != k], sample[fold == k]))
        # Hold out whole intents, as long as two intents remain to train on.
        n_groups = min(config.novelty_groups, n_classes) if config.unknown_share > 0 else 0
        if n_classes >= 3 and n_groups >= 2:
            order = np.random.default_rng(seed + 1).permutation(n_classes)
            for group in np.array_split(order, n_groups):
                held = np.isin(y[sample], group)
                jobs.append(("novel", sample[~held], sample[held]))

        def run(kind: str, train: np.ndarray, test: np.ndarray):
            if kind == "final":
                return _linear_model(config, seed).fit(X, y)
            return _fit_scores(X, y, train, test, n_classes, config, seed)

        # One BLAS thread per fit: the fits already run side by side, and more threads than
        # cores made the dense fits ten times slower on a busy host.
        with threadpool_limits(limits=1, user_api="blas"):
            results = Parallel(n_jobs=config.n_jobs, prefer="threads")(
                delayed(run)(*job) for job in jobs
            )
        final: LinearSVC | LogisticRegression = results[0]

        # With embeddings, each held-out row's distance to the nearest centroid of the
        # intents its fold model knew: evidence for the reject logit (see _fit_calibration).
        use_distance = vectors is not None and config.ood_distance

        def distance(train: np.ndarray, test: np.ndarray) -> np.ndarray:
            assert vectors is not None
            known = np.unique(y[train])
            centroids = _centroids(vectors[train], y[train], n_classes)[known]
            return _centroid_distance(vectors[test], centroids)

        oof_rows, oof_scores, novel_scores = [], [], []
        oof_distance: list[np.ndarray] = []
        novel_distance: list[np.ndarray] = []
        for (kind, train, test), scores in zip(jobs[1:], results[1:], strict=True):
            if scores is None:
                continue
            d = distance(train, test) if use_distance else np.zeros(len(test))
            if kind == "novel":
                novel_scores.append(scores)
                novel_distance.append(d)
                continue
            # A held-out example whose intent had no other example in the fold's training
            # data is a novel-intent example, not a misclassified one.
            unseen = ~np.isfinite(scores[np.arange(len(test)), y[test]])
            oof_rows.append(test[~unseen])
            oof_scores.append(scores[~unseen])
            oof_distance.append(d[~unseen])
            if unseen.any():
                novel_scores.append(scores[unseen])
                novel_distance.append(d[unseen])
        distance_weight = 0.0
        if oof_scores and sum(len(rows) for rows in oof_rows) > 0:
            rows = np.concatenate(oof_rows)
            temperature, reject_bias, distance_weight = _fit_calibration(
                np.vstack(oof_scores),
                y[rows],
                np.vstack(novel_scores) if novel_scores else None,
                config.unknown_share,
                np.concatenate(oof_distance) if use_distance else None,
                np.concatenate(novel_distance) if use_distance and novel_distance else None,
            )
        else:  # too little data to hold anything out: no evidence to calibrate with
            temperature, reject_bias = 1.0, None
        centroids = (
            _centroids(vectors, y, n_classes)
            if use_distance and reject_bias is not None and distance_weight != 0
            else None
        )

        coef, intercept = final.coef_, final.intercept_
        if n_classes == 2:  # binary LinearSVC keeps one row: score for class 1
            coef = np.vstack([-coef[0], coef[0]])
            intercept = np.array([-intercept[0], intercept[0]])
        exemplar_rows = stratified_sample(y, MAX_EXEMPLARS, seed=seed + 3)
        exemplars = sp.csr_matrix(blocks[0][exemplar_rows]) if vectorizers else None
        exemplar_quantiles = (
            _exemplar_quantiles(exemplars, seed=seed) if exemplars is not None else None
        )
        for vectorizer in vectorizers:
            # Pruned terms, kept by sklearn only for introspection, would bloat the blob.
            vectorizer.stop_words_ = None
        counts = Counter(labels)
        info = {
            "format_version": FORMAT_VERSION,
            "featurizer": config.featurizer,
            # Per intent, the share of its examples that report a failure, negate, etc.: a
            # cue that is ordinary for an intent does not make it abstain (abstain.py).
            "text_profile": text_profile(texts, labels),
            # How close a training example comes to its nearest other one (quantiles): what
            # "unlike anything learned" means for this model's data (abstain.py).
            "exemplar_similarity_quantiles": exemplar_quantiles,
            "sklearn_version": sklearn.__version__,
            "n_examples": len(texts),
            "n_features": int(X.shape[1]),
            "label_counts": {label: counts[label] for label in classes},
            "temperature": temperature,
            "reject_bias": reject_bias,
            "distance_weight": distance_weight if centroids is not None else 0.0,
            "folds": n_folds,
            "n_calibration": int(len(sample)),
            "n_novel_scored": int(sum(len(s) for s in novel_scores)),
            "seed": seed,
            "config": asdict(config),
            "train_seconds": round(time.perf_counter() - started, 3),
        }
        model = cls(
            vectorizers=vectorizers,
            coef=coef,
            intercept=intercept,
            labels=classes,
            temperature=temperature,
            reject_bias=reject_bias,
            info=info,
            featurizer=config.featurizer,
            embedding_weight=config.embedding_weight,
            embedding_dimensions=embedding_dimensions,
            centroids=centroids,
            distance_weight=distance_weight,
            exemplars=exemplars,
            exemplar_labels=y[exemplar_rows] if exemplars is not None else None,
        )
        if languages is not None and oof_rows:
            rows = np.concatenate(oof_rows)
            held_out = model._calibrated(
                np.vstack(oof_scores), vectors[rows] if vectors is not None else None
            )
            info["language_thresholds"] = language_thresholds(
                held_out,
                y[rows],
                [languages[i] for i in rows],
                min_margin=DEFAULT_MIN_MARGIN,
                alpha=config.language_alpha,
            )
        return model

    # Prediction -------------------------------------------------------------------------

    @property
    def labels(self) -> tuple[str, ...]:
        return self._labels

    def _block_scores(
        self, texts: Sequence[str], vectors: np.ndarray | None
    ) -> tuple[list[np.ndarray], list[sp.csr_matrix]]:
        """Raw SVM scores of each feature block (no intercept), one row per text, one column
        per label; and the TF-IDF rows of each text (word block first)."""
        parts: list[np.ndarray] = []
        rows: list[sp.csr_matrix] = []
        if self._vectorizers:
            docs = [normalize(t) for t in texts]
            for vectorizer, weights in zip(self._vectorizers, self._coef_blocks, strict=True):
                features = tfidf_rows(vectorizer, docs)
                rows.append(features)
                parts.append(np.asarray(features @ weights, dtype=np.float64))
        if self._embedding_coef is not None:
            assert vectors is not None
            parts.append(np.asarray(vectors @ self._embedding_coef, dtype=np.float64))
        return parts, rows

    def _scores(self, texts: Sequence[str], vectors: np.ndarray | None) -> np.ndarray:
        """Raw SVM scores (intercept included), one row per text, one column per label."""
        parts, _ = self._block_scores(texts, vectors)
        return sum(parts) + self._intercept

    def _calibrated(self, scores: np.ndarray, vectors: np.ndarray | None) -> np.ndarray:
        z = scores / self.temperature
        # Softmax over the intents plus the "none of these" logit, if any: a constant, plus
        # with embeddings a term growing with the distance from every known intent.
        if self.reject_bias is None:
            z = z - z.max(axis=1, keepdims=True)
            e = np.exp(z)
            return e / e.sum(axis=1, keepdims=True)
        reject = np.full(len(scores), float(self.reject_bias))
        if self._centroids is not None:
            assert vectors is not None
            reject += self.distance_weight * _centroid_distance(vectors, self._centroids)
        reject = (reject / self.temperature)[:, None]
        top = np.maximum(z.max(axis=1, keepdims=True), reject)
        e = np.exp(z - top)
        return e / (e.sum(axis=1, keepdims=True) + np.exp(reject - top))

    def _vectors(self, texts: Sequence[str]) -> np.ndarray | None:
        return _encoder().encode(list(texts)) if self._embedding_coef is not None else None

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, one row per text, one column per label (see module doc)."""
        vectors = self._vectors(texts)
        return self._calibrated(self._scores(texts, vectors), vectors)

    def _predictions(self, probs: np.ndarray) -> list[Prediction]:
        k = min(TOP_K, probs.shape[1])
        top = np.argpartition(-probs, k - 1, axis=1)[:, :k]
        predictions = []
        for row, candidates in zip(probs, top, strict=True):
            ranked = candidates[np.argsort(-row[candidates], kind="stable")]
            alternatives = tuple((self._labels[i], float(row[i])) for i in ranked)
            predictions.append(
                Prediction(
                    intent=alternatives[0][0],
                    confidence=alternatives[0][1],
                    alternatives=alternatives,
                )
            )
        return predictions

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        if len(texts) == 0:
            return []
        return self._predictions(self.probabilities(texts))

    def inspect_many(self, texts: Sequence[str]) -> list[tuple[Prediction, TextViews]]:
        """Predictions, and other views of each text from the same features: the intent
        the word block alone and the character block alone would pick, and the most similar
        training example (word TF-IDF cosine) with its intent."""
        if len(texts) == 0:
            return []
        vectors = self._vectors(texts)
        parts, rows = self._block_scores(texts, vectors)
        scores = sum(parts) + self._intercept
        predictions = self._predictions(self._calibrated(scores, vectors))
        n = len(texts)
        word = char = [None] * n
        if len(rows) == 2:
            word = [self._labels[i] for i in np.argmax(parts[0] + self._intercept, axis=1)]
            char = [self._labels[i] for i in np.argmax(parts[1] + self._intercept, axis=1)]
        similarity: list[float | None] = [None] * n
        nearest: list[str | None] = [None] * n
        known: list[tuple[str, ...] | None] = [None] * n
        unknown: list[tuple[str, ...] | None] = [None] * n
        if self._vectorizers:
            vocabulary = self._vectorizers[0].vocabulary_
            for i, text in enumerate(texts):
                tokens = _UNIGRAM.findall(normalize(text))
                known[i] = tuple(t for t in tokens if t in vocabulary)
                unknown[i] = tuple(t for t in tokens if t not in vocabulary)
        if self._exemplars_t is not None and rows:
            cosines = (rows[0] @ self._exemplars_t).toarray()
            best = cosines.argmax(axis=1)
            similarity = [float(cosines[i, j]) for i, j in enumerate(best)]
            nearest = [self._labels[self._exemplar_labels[j]] for j in best]
        return [
            (
                prediction,
                TextViews(
                    word_intent=word[i],
                    char_intent=char[i],
                    nearest_similarity=similarity[i],
                    nearest_intent=nearest[i],
                    known_words=known[i],
                    unknown_words=unknown[i],
                ),
            )
            for i, prediction in enumerate(predictions)
        ]

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def language_threshold(self, language: str) -> float | None:
        """The auto-resolve threshold certified for ``language`` at training time, or None
        (not trained with languages, too few examples of it, or nothing certifiable)."""
        certificate = self.info.get("language_thresholds", {}).get(language)
        return certificate.get("threshold") if certificate else None

    # Serialization ----------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        blocks = [block.T for block in self._coef_blocks]
        if self._embedding_raw is not None:
            blocks.append(self._embedding_raw.T)
        state = {
            "featurizer": self.featurizer,
            "embedding_weight": self._embedding_weight,
            "embedding_dimensions": self._embedding_dimensions,
            "centroids": self._centroids,
            "distance_weight": self.distance_weight,
            "exemplars": None if self._exemplars_t is None else self._exemplars_t.T.tocsr(),
            "exemplar_labels": self._exemplar_labels,
            "vectorizers": list(self._vectorizers),
            "coef": np.hstack(blocks),
            "intercept": self._intercept,
            "labels": list(self._labels),
            "temperature": self.temperature,
            "reject_bias": self.reject_bias,
            "info": self.info,
        }
        buffer = io.BytesIO()
        joblib.dump(state, buffer, compress=3)
        payload = buffer.getvalue()
        header = _HEADER.pack(FORMAT_VERSION, len(payload), hashlib.sha256(payload).digest())
        return _MAGIC + header + payload

    @classmethod
    def from_bytes(cls, blob: bytes | bytearray | memoryview) -> IntentClassifier:
        """Load a blob made by :meth:`to_bytes`; anything else raises ModelLoadError.

        Only load blobs this desk wrote itself (its own database): the payload is a pickle.
        """
        blob = bytes(blob)
        if not blob.startswith(_MAGIC):
            raise ModelLoadError("not a SupportDesk intent classifier (bad header)")
        start = len(_MAGIC) + _HEADER.size
        if len(blob) < start:
            raise ModelLoadError("classifier blob is truncated (incomplete header)")
        version, length, digest = _HEADER.unpack_from(blob, len(_MAGIC))
        if version != FORMAT_VERSION:
            raise ModelLoadError(
                f"classifier format version {version} is not supported "
                f"(this code reads version {FORMAT_VERSION}); retrain the model"
            )
        payload = blob[start:]
        if len(payload) != length or hashlib.sha256(payload).digest() != digest:
            raise ModelLoadError("classifier blob is corrupt (length or checksum mismatch)")
        try:
            state = joblib.load(io.BytesIO(payload))
            # Blobs from before the featurizer setting are TF-IDF models.
            featurizer = state.get("featurizer", "tfidf")
            model = cls(
                vectorizers=state["vectorizers"],
                coef=state["coef"],
                intercept=state["intercept"],
                labels=state["labels"],
                temperature=float(state["temperature"]),
                reject_bias=state["reject_bias"],
                info=state["info"],
                featurizer=featurizer,
                embedding_weight=state.get("embedding_weight"),
                embedding_dimensions=int(state.get("embedding_dimensions") or 0),
                centroids=state.get("centroids"),
                distance_weight=float(state.get("distance_weight") or 0.0),
                exemplars=state.get("exemplars"),
                exemplar_labels=state.get("exemplar_labels"),
            )
        except Exception as exc:  # unpickling can fail in many ways; report one
            raise ModelLoadError(f"classifier payload could not be loaded: {exc!r}") from exc
        if _uses_embeddings(featurizer):
            model._load_encoder()
        return model

    def _load_encoder(self) -> None:
        """Load the sentence encoder now, so a machine without the extra fails at load time
        (the encoder is not in the blob: it comes from the installed package)."""
        from .embeddings import EmbeddingsUnavailable, embeddings_available

        if not embeddings_available():
            raise ModelLoadError(
                f"this model uses the {self.featurizer!r} featurizer, which needs sentence "
                "embeddings: install the optional extra (pip install -r "
                "requirements-embeddings.txt) or retrain with INTENT_FEATURIZER=tfidf"
            )
        try:
            encoder = _encoder()
        except (EmbeddingsUnavailable, ImportError, OSError) as exc:
            raise ModelLoadError(f"the sentence encoder could not be loaded: {exc}") from exc
        if encoder.dimensions != self._embedding_dimensions:
            raise ModelLoadError(
                f"the model was trained on {self._embedding_dimensions}-dimensional "
                f"embeddings but the installed encoder gives {encoder.dimensions}; retrain"
            )
