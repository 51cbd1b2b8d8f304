"""An auto-resolve threshold per language, certified at training time.

The fixed 0.75 bar was set for English. A model trained on ~2,000 English examples and
~1,100 an other language is less sure of a long Spanish ticket than of an English one it
reads as well (top-1 right 92-96% of the clear held-out tickets per language, yet a quarter
of them under 0.75: docs/BENCHMARKS.md, "Languages"). So each language gets its own bar,
certified the issue-7 way (:mod:`.risk`, Learn-Then-Test) on the model's out-of-fold
predictions for that language's training examples: predictions for examples the fold model
did not learn from, so the error rate above the bar is the one measured on held-apart data.

Only examples the margin rule lets through count (they are the only ones that can be
answered). A language with too few examples, or too many errors even at the top, certifies
nothing and keeps the desk's threshold.

Pure: arrays in, a plain dict out (stored in the model's ``info``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .risk import certify_threshold

# Automatic answers right >= 97% per language (issue 17's target): α = 0.03 at δ = 0.1.
DEFAULT_ALPHA = 0.03
DEFAULT_DELTA = 0.1


def language_thresholds(
    probabilities: np.ndarray,
    targets: np.ndarray,
    languages: Sequence[str],
    *,
    min_margin: float,
    alpha: float = DEFAULT_ALPHA,
    delta: float = DEFAULT_DELTA,
) -> dict[str, dict]:
    """{language: certificate dict} from held-out probabilities (one row per example, one
    column per intent), the examples' true intent columns and their languages.
    ``certificate["threshold"]`` is None where nothing could be certified."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    targets = np.asarray(targets)
    codes = np.asarray(languages)
    if not (len(probabilities) == len(targets) == len(codes)):
        raise ValueError("one probability row, target and language per example")
    if len(probabilities) == 0:
        return {}
    ranked = np.sort(probabilities, axis=1)
    confidence = ranked[:, -1]
    margin = confidence - (ranked[:, -2] if probabilities.shape[1] > 1 else 0.0)
    correct = probabilities.argmax(axis=1) == targets
    result = {}
    for code in sorted(set(codes.tolist())):
        rows = codes == code
        certificate = certify_threshold(
            confidence[rows],
            correct[rows],
            alpha=alpha,
            delta=delta,
            eligible=margin[rows] >= min_margin,
        )
        result[code] = certificate.to_dict()
    return result
