"""When a knowledge entry may answer a ticket: the one rule, used by the pipeline (automatic
answers) and by the agent's draft."""

from __future__ import annotations

from collections.abc import Sequence

from .types import Match


def usable_match(similar: Sequence[Match], *, intent: str | None, min_score: float) -> Match | None:
    """The entry an answer may come from: the most similar one, if it scores at least
    ``min_score`` and belongs to ``intent`` (or to no intent).

    Only the best match is considered: a weaker entry about the right intent behind a stronger
    one about another intent is not the answer to this question. An entry about another intent
    would answer the wrong question.
    """
    best = similar[0] if similar else None
    if best is None or best.score < min_score:
        return None
    if best.item.intent not in (None, intent):
        return None
    return best
