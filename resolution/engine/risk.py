"""A certified auto-resolve threshold: risk control in the sense of Learn-Then-Test.

Given a calibration split the model did not learn from, with for each example the score the
deployed rule compares with the threshold (the classifier's confidence) and whether the answer
would have been right, `certify_threshold` picks the lowest threshold λ such that

    error rate among auto-resolved tickets (score ≥ λ) ≤ α, with probability ≥ 1 − δ

over the draw of the calibration split. "Error rate among auto-resolved tickets" is the
population rate P(wrong | score ≥ λ) on the distribution the calibration split was drawn from.

How (Angelopoulos, Bates, Candès, Jordan, Lei: "Learn then Test", 2021):
- For every λ on a fixed grid there is a null hypothesis H_λ: "the error rate above λ exceeds
  α". Among the n_λ calibration examples at or above λ, the number of errors k_λ is binomial
  given n_λ, so p_λ = P(Binomial(n_λ, α) ≤ k_λ) is a valid p-value for H_λ (the exact binomial
  tail, as tight as a p-value for a binary loss gets).
- Fixed-sequence testing: hypotheses are tested from the strictest threshold down, each at the
  full level δ, stopping at the first one not rejected. The family-wise error is at most δ, so
  the lowest rejected λ is safe with probability ≥ 1 − δ; no Bonferroni price is paid for the
  size of the grid.
- The sequence starts at the strictest grid threshold with at least `start_n(α, δ)`
  calibration examples above it: enough that one wrong answer among them can still be
  certified. Above that point a test could only pass with no error at all, and a single
  confidently wrong example at the very top (they exist: near-duplicate wordings of another
  intent) would end the sequence before it reached the thresholds that matter. The start
  depends on how many scores lie above each threshold, never on whether answers were right.
- When nothing can be certified (too few examples, or too many errors even at the top), the
  answer is "never auto-resolve": `CertifiedThreshold.threshold` is None and every ticket
  escalates.

Why not MAPIE (1.6.0, `mapie.risk_control.BinaryClassificationController` with the precision
risk, "correct" as the positive class)? It computes the same kind of p-values, but its fixed-
sequence mode decides the testing direction from the *empirical* risk curve of the calibration
data (and warns whenever the curve is not monotonic, which a precision curve on a few hundred
examples never is), so the order of the tests is not fixed in advance as the procedure's
guarantee requires; and thresholds above every calibration score get a p-value of NaN that
stops the sequence at its first step. Its default, Bonferroni-Holm, works but pays for the size
of the grid. On a synthetic split of 2,000 examples (α = δ = 0.1) MAPIE's fixed sequence found
no threshold, its Bonferroni-Holm found 0.71, and the procedure here 0.645 (more tickets
answered under the same guarantee). The procedure is a dozen lines over `scipy.stats.binom`
(scipy is already a dependency), so the install stays as it is.

What the bound means: it holds for tickets drawn like the calibration split, i.e. like the
training data. It says nothing about a shifted distribution (new products, new wording); the
error rate observed from customer feedback is the check for that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np
from scipy.stats import beta, binom

# Thresholds tried, strictest first: 1.000, 0.999, …, 0.000.
GRID = np.round(np.arange(1000, -1, -1) / 1000, 3)


@dataclass(frozen=True, slots=True)
class CertifiedThreshold:
    """The outcome of certifying a threshold on one calibration split.

    ``threshold`` is None when no threshold is certifiable: never auto-resolve. The other
    figures describe the calibration split at the chosen threshold (None when there is none):
    ``n_auto`` examples at or above it, ``errors`` of them wrong, ``p_value`` of its test, and
    ``upper_bound``, a one-sided (1 − δ) Clopper–Pearson bound on the error rate above it.
    ``reason`` says, when there is no threshold, why not.
    """

    alpha: float
    delta: float
    threshold: float | None
    n_calibration: int
    n_auto: int = 0
    errors: int = 0
    p_value: float | None = None
    upper_bound: float | None = None
    min_n: int = 0
    reason: str = ""

    @property
    def certified(self) -> bool:
        return self.threshold is not None

    @property
    def calibration_coverage(self) -> float | None:
        return self.n_auto / self.n_calibration if self.n_calibration else None

    @property
    def calibration_error(self) -> float | None:
        return self.errors / self.n_auto if self.n_auto else None

    def to_dict(self) -> dict:
        return asdict(self)


def _check_level(name: str, value: float) -> None:
    if not 0 < value < 1:
        raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {value!r}")


def min_certifiable_n(alpha: float, delta: float, errors: int = 0) -> int:
    """The fewest auto-resolved examples that can certify α at δ with ``errors`` of them
    wrong: the smallest n with P(Binomial(n, α) ≤ errors) ≤ δ."""
    _check_level("alpha", alpha)
    _check_level("delta", delta)
    n = max(errors + 1, math.ceil(math.log(delta) / math.log1p(-alpha) - 1e-9))
    while binom.cdf(errors, n, alpha) > delta:
        n += 1
    return n


# How many wrong answers the first test of the sequence can absorb (see the module docstring).
START_ERRORS = 1


def start_n(alpha: float, delta: float, errors: int = START_ERRORS) -> int:
    """Where the fixed sequence starts: enough examples to absorb ``errors`` wrong answers."""
    return min_certifiable_n(alpha, delta, errors=errors)


def clopper_pearson(errors: int, n: int, confidence: float) -> tuple[float, float] | None:
    """Two-sided exact interval for a binomial proportion; None when n is 0."""
    if n <= 0:
        return None
    tail = (1 - confidence) / 2
    low = 0.0 if errors == 0 else float(beta.ppf(tail, errors, n - errors + 1))
    high = 1.0 if errors == n else float(beta.ppf(1 - tail, errors + 1, n - errors))
    return low, high


def upper_bound(errors: int, n: int, delta: float) -> float | None:
    """One-sided (1 − δ) Clopper–Pearson upper bound on an error rate; None when n is 0."""
    if n <= 0:
        return None
    return 1.0 if errors == n else float(beta.ppf(1 - delta, errors + 1, n - errors))


def certify_threshold(
    scores: Sequence[float],
    correct: Sequence[bool],
    *,
    alpha: float,
    delta: float,
    eligible: Sequence[bool] | None = None,
    start_errors: int = START_ERRORS,
) -> CertifiedThreshold:
    """The lowest grid threshold whose auto-resolved error rate is ≤ α with probability ≥ 1 − δ.

    ``eligible`` (optional) marks the examples the other decision checks would let through
    (e.g. the margin rule): only they can be auto-resolved, so only they are counted.
    """
    _check_level("alpha", alpha)
    _check_level("delta", delta)
    score = np.asarray(scores, dtype=float)
    right = np.asarray(correct, dtype=bool)
    if score.shape != right.shape or score.ndim != 1:
        raise ValueError(f"{score.shape} scores but {right.shape} correctness flags")
    if eligible is not None:
        keep = np.asarray(eligible, dtype=bool)
        if keep.shape != score.shape:
            raise ValueError(f"{keep.shape} eligibility flags for {score.shape} scores")
        score, right = score[keep], right[keep]
    n_min = start_n(alpha, delta, start_errors)
    none = CertifiedThreshold(alpha, delta, None, len(score), min_n=n_min)
    if len(score) < n_min:
        return replace(
            none,
            reason=f"too few calibration examples ({len(score)}; the test needs {n_min})",
        )

    # n_λ and k_λ for every grid threshold, in one pass over the sorted scores.
    order = np.argsort(score)
    sorted_scores = score[order]
    wrong_above = np.concatenate([np.cumsum((~right[order])[::-1])[::-1], [0]])
    first_at_or_above = np.searchsorted(sorted_scores, GRID, side="left")
    n_above = len(score) - first_at_or_above
    k_above = wrong_above[first_at_or_above]

    start = int(np.argmax(n_above >= n_min))  # n_above grows down the grid
    p_values = binom.cdf(k_above[start:], n_above[start:], alpha)
    failed = np.flatnonzero(p_values > delta)
    passed = failed[0] if len(failed) else len(p_values)  # the sequence stops at a failure
    if passed == 0:
        return replace(
            none,
            reason=(
                f"too many errors even at the strictest testable threshold "
                f"({GRID[start]:.3f}: {k_above[start]} wrong of {n_above[start]})"
            ),
        )
    chosen = start + passed - 1
    # Below the lowest calibration score the set stops changing: stay at the highest grid
    # threshold with the same evidence rather than answer scores the split never reached.
    while chosen > start and n_above[chosen - 1] == n_above[chosen]:
        chosen -= 1
    n, k = int(n_above[chosen]), int(k_above[chosen])
    return CertifiedThreshold(
        alpha=alpha,
        delta=delta,
        threshold=float(GRID[chosen]),
        n_calibration=len(score),
        n_auto=n,
        errors=k,
        p_value=float(binom.cdf(k, n, alpha)),
        upper_bound=upper_bound(k, n, delta),
        min_n=n_min,
    )
