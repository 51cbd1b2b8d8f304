"""Per-intent autonomy, the pure part: what a mode does to a decision, and live precision.

An intent's mode is *off* (a person always answers), *draft* (the AI's answer goes to an agent's
reply box, not to the customer) or *auto* (the AI answers alone when the decision says so). The
mode only ever holds an automatic answer back: it never turns an escalation into an answer.

Live precision is the share of verified AI answers that were right (agents' approvals, edits,
discards and corrections; customers' yes/no; reopenings). Its lower confidence bound is the
one-sided exact (Clopper-Pearson) bound from `risk.upper_bound` on the error rate, so an intent
earns auto only on enough evidence: with every answer right, a 95% bound clears 0.95 only from
59 verified tickets on (0.05 ** (1/59) = 0.9505).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .risk import upper_bound
from .types import AUTONOMY_OFF, DRAFT, ESCALATE, Outcome

OFF = "off"
DRAFT_MODE = "draft"
AUTO = "auto"
MODES = (OFF, DRAFT_MODE, AUTO)


def effective_mode(mode: str, *, earned_autonomy: bool) -> str:
    """The mode in force: the intent's own, else the desk's default (the seed's rule answers
    alone; under earned autonomy an intent drafts until promoted)."""
    if mode in MODES:
        return mode
    return DRAFT_MODE if earned_autonomy else AUTO


def apply_autonomy(outcome: Outcome, *, mode: str) -> Outcome:
    """Hold back an automatic answer the intent's mode does not allow; anything else as is."""
    signals = {**outcome.signals, "autonomy": mode}
    if not outcome.auto_resolved or mode == AUTO:
        return replace(outcome, signals=signals)
    reason = DRAFT if mode == DRAFT_MODE else AUTONOMY_OFF
    # The decision would have answered: keep its checks, say what held it back.
    signals["rule"] = reason
    return Outcome(action=ESCALATE, reason=reason, signals=signals)


@dataclass(frozen=True, slots=True)
class LivePrecision:
    """Verified answers of one intent: ``n`` verdicts, ``correct`` of them right."""

    n: int
    correct: int
    confidence: float

    @property
    def precision(self) -> float | None:
        return self.correct / self.n if self.n else None

    @property
    def lower_bound(self) -> float | None:
        """One-sided lower confidence bound on the precision; None without verdicts."""
        bound = upper_bound(self.n - self.correct, self.n, 1 - self.confidence)
        return None if bound is None else 1 - bound

    def earned(self, *, target: float, min_verified: int) -> bool:
        """Enough verdicts, and the bound clears the target: the intent may answer alone."""
        low = self.lower_bound
        return self.n >= min_verified and low is not None and low >= target

    def tripped(self, *, target: float, min_verified: int) -> bool:
        """An intent in auto whose bound fell below the target, on enough verdicts to judge
        (below ``min_verified`` every bound is low by construction, not by evidence)."""
        low = self.lower_bound
        return self.n >= min_verified and low is not None and low < target
