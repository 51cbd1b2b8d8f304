"""When a knowledge entry may answer a ticket.

``usable_match``: the one rule for the entry an answer may come from, used by the pipeline
(automatic answers) and by the agent's draft. ``direct_match``: when a reviewed entry answers
a ticket by itself, even about an intent the classifier does not know.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .types import Match, Prediction

# A direct answer's entry must lead the nearest entry of another intent by this much: two
# close entries about different things mean the question is ambiguous, a person decides.
DIRECT_MIN_LEAD = 0.1


def in_language(similar: Sequence[Match], language: str | None) -> list[Match]:
    """The matches written in ``language`` (all of them for None). An entry in another
    language answers only through its reviewed translation, an entry of its own."""
    if not language:
        return list(similar)
    return [m for m in similar if m.item.language == language]


def usable_match(
    similar: Sequence[Match],
    *,
    intent: str | None,
    min_score: float,
    language: str | None = None,
) -> Match | None:
    """The entry an answer may come from: the most similar one in the ticket's ``language``,
    if it scores at least ``min_score`` and belongs to ``intent`` (or to no intent).

    Only the best match is considered: a weaker entry about the right intent behind a stronger
    one about another intent is not the answer to this question. An entry about another intent
    would answer the wrong question.
    """
    similar = in_language(similar, language)
    best = similar[0] if similar else None
    if best is None or best.score < min_score:
        return None
    if best.item.intent not in (None, intent):
        return None
    return best


@dataclass(frozen=True)
class DirectRule:
    """When a reviewed knowledge entry may answer on its own, whatever the classifier says
    (tuned in bench/learning_loop.py, docs/BENCHMARKS.md "What agents teach answers").

    ``min_score``: the search score (for TF-IDF the mean of the views) at least this.
    ``min_view_score``: every similarity view at least this ("agreement of the views").
    ``min_lead``: the best entry leads any close entry of another intent by at least this.
    """

    min_score: float
    min_view_score: float
    min_lead: float = DIRECT_MIN_LEAD


def direct_match(
    similar: Sequence[Match],
    *,
    views: Mapping[str, float],
    prediction: Prediction,
    threshold: float,
    rule: DirectRule,
    language: str | None = None,
) -> tuple[Match | None, dict]:
    """The reviewed entry that answers a ticket directly, if every check agrees, and the
    checks as signals.

    For what agents teach outside the classifier's taxonomy (the classifier cannot know that
    intent, so its confidence is low whatever the ticket says): the entry's own question is
    near-identical to the ticket. Checks: the search score and every view of it (``views``:
    the best entry's score under each view of the index) reach the rule; no close entry of
    another intent competes; and the classifier is not confident (at ``threshold``) of an
    intent other than the entry's. The classifier's confidence checks are then not needed.
    Only entries in the ticket's ``language`` count.
    """
    similar = in_language(similar, language)
    best = similar[0] if similar else None
    if best is None:
        return None, {"direct": False}
    rival = next(
        (m for m in similar[1:] if m.item.intent != best.item.intent or m.item.intent is None),
        None,
    )
    lead = best.score - rival.score if rival else best.score
    classifier_disagrees = (
        prediction.confidence >= threshold and prediction.intent != best.item.intent
    )
    checks = {
        "score": best.score >= rule.min_score,
        "views": bool(views) and min(views.values()) >= rule.min_view_score,
        "lead": lead >= rule.min_lead,
        "classifier": not classifier_disagrees,
    }
    signals = {
        "direct": all(checks.values()),
        "direct_id": best.item.id,
        "direct_score": float(best.score),
        "direct_views": {name: round(float(v), 4) for name, v in views.items()},
        "direct_lead": round(float(lead), 4),
        "direct_failed": [name for name, ok in checks.items() if not ok],
    }
    return (best if signals["direct"] else None), signals
