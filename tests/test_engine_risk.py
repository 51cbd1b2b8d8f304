"""The certified threshold: the bound holds where the true error is known, and fails safe.

A synthetic world: scores uniform on [0, 1], and a ticket scored s is answered wrongly with
probability (1 − s)². The error rate among tickets auto-resolved at λ is then exactly
E[(1 − s)² | s ≥ λ] = (1 − λ)² / 3, so every certificate can be checked against the truth.
"""

import math

import numpy as np
import pytest
from scipy.stats import binom

from resolution.engine.risk import (
    GRID,
    certify_threshold,
    clopper_pearson,
    min_certifiable_n,
    start_n,
    upper_bound,
)

ALPHA, DELTA = 0.05, 0.1
N_CALIBRATION = 1000
DRAWS = 400


def true_error(threshold: float) -> float:
    return (1 - threshold) ** 2 / 3


def draw(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    scores = rng.random(n)
    correct = rng.random(n) >= (1 - scores) ** 2
    return scores, correct


def naive_threshold(scores, correct, alpha) -> float | None:
    """The lowest threshold whose *observed* error is at most α: no confidence at all."""
    for threshold in GRID[::-1]:
        above = scores >= threshold
        if above.sum() and (~correct[above]).mean() <= alpha:
            return float(threshold)
    return None


def test_the_bound_holds_over_many_calibration_draws():
    """P(true error above the certified λ > α) ≤ δ: over 400 independent draws the share of
    violations stays within δ plus three standard errors of a δ-coin."""
    rng = np.random.default_rng(20261124)
    violations, thresholds = 0, []
    for _ in range(DRAWS):
        certificate = certify_threshold(*draw(rng, N_CALIBRATION), alpha=ALPHA, delta=DELTA)
        if certificate.certified:  # else nothing is auto-resolved: no error to speak of
            thresholds.append(certificate.threshold)
            violations += true_error(certificate.threshold) > ALPHA
    slack = 3 * math.sqrt(DELTA * (1 - DELTA) / DRAWS)
    assert violations / DRAWS <= DELTA + slack
    # Rarely, an unlucky split has too many errors at the top to certify anything.
    assert len(thresholds) >= 0.9 * DRAWS
    # Not vacuous: the thresholds sit near the true boundary, not at the top of the scale.
    exact = 1 - math.sqrt(3 * ALPHA)  # (1 − λ)² / 3 = α
    assert exact < np.median(thresholds) < exact + 0.1


def test_the_check_catches_a_rule_without_a_guarantee():
    """The same check on the naive rule (observed error ≤ α) finds it broken about half the
    time, so the test above can fail."""
    rng = np.random.default_rng(20261124)
    violations = sum(
        true_error(naive_threshold(*draw(rng, N_CALIBRATION), ALPHA)) > ALPHA for _ in range(200)
    )
    assert violations / 200 > 0.3


def test_nothing_certifiable_means_never_auto_resolve():
    rng = np.random.default_rng(1)
    scores = rng.random(2000)
    correct = rng.random(2000) < 0.5  # half wrong at every score
    certificate = certify_threshold(scores, correct, alpha=ALPHA, delta=DELTA)
    assert not certificate.certified
    assert certificate.threshold is None
    assert "too many errors" in certificate.reason
    assert certificate.n_auto == 0 and certificate.calibration_error is None


def test_a_tiny_calibration_set_certifies_nothing_even_when_all_right():
    needed = start_n(ALPHA, DELTA)
    certificate = certify_threshold(
        [0.99] * (needed - 1), [True] * (needed - 1), alpha=ALPHA, delta=DELTA
    )
    assert certificate.threshold is None
    assert "too few" in certificate.reason
    assert certify_threshold([], [], alpha=ALPHA, delta=DELTA).threshold is None


def test_enough_right_answers_certify_the_lowest_threshold_they_cover():
    needed = start_n(ALPHA, DELTA)
    scores = np.linspace(0.5, 1.0, needed)
    certificate = certify_threshold(scores, [True] * needed, alpha=ALPHA, delta=DELTA)
    assert certificate.threshold == 0.5
    assert (certificate.n_auto, certificate.errors) == (needed, 0)
    assert certificate.p_value <= DELTA
    assert certificate.upper_bound <= ALPHA


def test_one_confident_mistake_at_the_very_top_does_not_end_the_search():
    """The sequence starts where one wrong answer can be absorbed."""
    scores = np.concatenate([[0.999], np.linspace(0.6, 0.99, 400)])
    correct = np.concatenate([[False], np.ones(400, dtype=bool)])
    certificate = certify_threshold(scores, correct, alpha=ALPHA, delta=DELTA)
    assert certificate.threshold == 0.6
    assert certificate.errors == 1


def test_the_sequence_stops_at_the_first_threshold_that_fails():
    """Errors in a band in the middle stop the descent there, though the set above a lower
    threshold would pass again once the band is diluted."""
    top = np.linspace(0.9, 1.0, 300)
    band = np.linspace(0.8, 0.8999, 40)
    low = np.linspace(0.0, 0.7999, 3000)
    scores = np.concatenate([top, band, low])
    correct = np.concatenate([np.ones(300), np.zeros(40), np.ones(3000)]).astype(bool)
    certificate = certify_threshold(scores, correct, alpha=ALPHA, delta=DELTA)
    assert 0.8 < certificate.threshold < 0.9


def test_ineligible_examples_are_left_out():
    scores = np.linspace(0.5, 1.0, 300)
    correct = np.ones(300, dtype=bool)
    correct[::3] = False  # a third wrong…
    eligible = correct.copy()  # …and the other checks would have escalated exactly those
    assert certify_threshold(scores, correct, alpha=ALPHA, delta=DELTA).threshold is None
    certificate = certify_threshold(scores, correct, alpha=ALPHA, delta=DELTA, eligible=eligible)
    assert certificate.threshold == math.floor(scores[eligible].min() * 1000) / 1000
    assert certificate.n_calibration == 200


@pytest.mark.parametrize("alpha,delta", [(0.02, 0.1), (0.05, 0.05), (0.1, 0.2)])
def test_the_minimum_sizes_are_the_smallest_that_pass(alpha, delta):
    for errors in (0, 1, 3):
        n = min_certifiable_n(alpha, delta, errors)
        assert binom.cdf(errors, n, alpha) <= delta < binom.cdf(errors, n - 1, alpha)
    assert start_n(alpha, delta) == min_certifiable_n(alpha, delta, 1)


@pytest.mark.parametrize("bad", [0, 1, -0.1, 1.5])
def test_levels_outside_zero_one_are_refused(bad):
    with pytest.raises(ValueError):
        certify_threshold([0.9], [True], alpha=bad, delta=DELTA)
    with pytest.raises(ValueError):
        certify_threshold([0.9], [True], alpha=ALPHA, delta=bad)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError):
        certify_threshold([0.9, 0.8], [True], alpha=ALPHA, delta=DELTA)


def test_clopper_pearson_brackets_the_rate_and_widens_with_less_data():
    low, high = clopper_pearson(5, 100, 0.95)
    assert low < 0.05 < high
    wide_low, wide_high = clopper_pearson(1, 20, 0.95)
    assert wide_high - wide_low > high - low
    assert clopper_pearson(0, 10, 0.95)[0] == 0.0
    assert clopper_pearson(10, 10, 0.95)[1] == 1.0
    assert clopper_pearson(0, 0, 0.95) is None
    # The one-sided bound with 0 errors is the "rule of three" neighbourhood: 1 − δ^(1/n).
    assert upper_bound(0, 100, 0.05) == pytest.approx(1 - 0.05 ** (1 / 100))
