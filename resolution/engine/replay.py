"""Replay the whole decision on labelled tickets, offline: what the desk would have done.

Every ticket goes through :func:`resolution.engine.assess.assess`, the function the live
pipeline calls, so these figures are the product's. Rows whose label is not an intent the
model knows (e.g. "escalate", "oos") must go to a person; answering them counts as wrong.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .abstain import AbstainConfig, config_for
from .assess import Assessment, assess
from .classifier import IntentClassifier
from .decision import ABSTENTIONS
from .llm import DisabledLLM
from .responder import respond
from .similarity import SimilarityIndex
from .types import AUTO_RESOLVE, NEGATED_INTENT, Answer, IntentPolicy, Match


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    expected: str
    kind: str = ""
    # The ticket's language (an ISO 639-1 code), for the figures per language; "" if unknown.
    language: str = ""


def offline_decider(
    classifier: IntentClassifier,
    *,
    policy_for: Callable[[str], tuple[IntentPolicy, str | None]],
    index: SimilarityIndex | None,
    similarity_threshold: float,
    config: AbstainConfig | None = None,
) -> Callable[..., Assessment]:
    """The live decision for one text, with the desk's answers but no LLM (offline, an LLM
    call per row would be slow and cost money; a desk with one answers a little more).
    ``config``: the abstention thresholds; None: the ticket language's, as the pipeline does."""
    llm = DisabledLLM()

    def answer_for(intent: str, match: Match | None, template: str | None) -> Answer | None:
        return respond(text="", intent=intent, match=match, template=template, context={}, llm=llm)

    def decide_one(text: str, language: str = "") -> Assessment:
        assessment = Assessment()
        assess(
            assessment,
            text=text,
            message=text,
            classifier=classifier,
            index=index,
            policy_for=policy_for,
            answer_for=answer_for,
            similarity_threshold=similarity_threshold,
            config=config if config is not None else config_for(language),
            language=language or None,
        )
        return assessment

    return decide_one


def fixed_policy(
    threshold: float, *, min_margin: float, conflict_similarity: float | None = None
) -> Callable[[str], tuple[IntentPolicy, str | None]]:
    """A fixed threshold for every intent, each with a standard answer (a template): for a
    model trained on a CSV whose intents the desk has no templates for."""
    policy = IntentPolicy(threshold, min_margin=min_margin, conflict_similarity=conflict_similarity)

    def policy_for(intent: str) -> tuple[IntentPolicy, str | None]:
        return policy, f"(the standard answer for {intent})"

    return policy_for


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _summary(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    in_scope = [r for r in rows if r["in_scope"]]
    out = [r for r in rows if not r["in_scope"]]
    auto = [r for r in rows if r["auto"]]
    # Without the abstentions: the decision as it was before them (only they fired, or none).
    before = [r for r in rows if r["auto_without_abstentions"]]
    reasons = Counter(r["reason"] or AUTO_RESOLVE for r in rows)
    # Tickets that an abstention alone sent to a person (the decision would have answered them
    # otherwise): the agents' extra workload, per kind of abstention.
    added = Counter(
        r["abstained_as"] for r in rows if r["auto_without_abstentions"] and not r["auto"]
    )
    return {
        "n": len(rows),
        "n_in_scope": len(in_scope),
        "n_must_escalate": len(out),
        "auto": len(auto),
        "auto_right": sum(r["right"] for r in auto),
        "auto_precision": _ratio(sum(r["right"] for r in auto), len(auto)),
        "coverage": _ratio(len(auto), len(rows)),
        "in_scope_answered": _ratio(sum(r["auto"] for r in in_scope), len(in_scope)),
        "must_escalate_answered": _ratio(sum(r["auto"] for r in out), len(out)),
        "by_reason": dict(reasons.most_common()),
        "sent_to_people_by_abstention": dict(added.most_common()),
        "without_abstentions": {
            "auto": len(before),
            "auto_precision": _ratio(
                sum(r["right_without_abstentions"] for r in before), len(before)
            ),
            "coverage": _ratio(len(before), len(rows)),
            "in_scope_answered": _ratio(
                sum(r["auto_without_abstentions"] for r in in_scope), len(in_scope)
            ),
            "must_escalate_answered": _ratio(
                sum(r["auto_without_abstentions"] for r in out), len(out)
            ),
        },
    }


def replay(
    cases: Iterable[Case],
    decide_one: Callable[..., Assessment],
    *,
    known_labels: Iterable[str],
    examples: int = 0,
) -> dict[str, Any]:
    """Decide every case; the summary over all of them, per kind (``by_kind``) and per
    language (``by_language``, when the cases carry one), with the
    escalation reasons, and the same decision without the abstentions for comparison.
    ``examples``: keep up to this many wrong automatic answers to show."""
    known = set(known_labels)
    rows: list[dict[str, Any]] = []
    wrong: list[dict[str, Any]] = []
    for case in cases:
        assessment = decide_one(case.text, case.language)
        outcome = assessment.outcome
        assert outcome is not None and assessment.prediction is not None
        # Without the abstentions, the first reading stands (a negation is not re-read).
        first = assessment.first_outcome or outcome
        first_intent = (assessment.first_prediction or assessment.prediction).intent
        in_scope = case.expected in known
        right = in_scope and assessment.prediction.intent == case.expected
        row = {
            "kind": case.kind,
            "language": case.language,
            "in_scope": in_scope,
            "auto": outcome.auto_resolved,
            "right": right,
            "reason": outcome.reason,
            # A ticket re-read on what the customer wants was escalated because of the negation.
            "abstained_as": NEGATED_INTENT if assessment.first_outcome else outcome.reason,
            "auto_without_abstentions": all(
                name in ABSTENTIONS for name in first.signals.get("fired", [])
            ),
            "right_without_abstentions": in_scope and first_intent == case.expected,
        }
        rows.append(row)
        if outcome.auto_resolved and not right and len(wrong) < examples:
            wrong.append(
                {
                    "text": case.text,
                    "expected": case.expected,
                    "answered_as": assessment.prediction.intent,
                    "confidence": round(assessment.prediction.confidence, 3),
                }
            )
    report = _summary(rows)
    kinds = sorted({r["kind"] for r in rows if r["kind"]})
    report["by_kind"] = {kind: _summary([r for r in rows if r["kind"] == kind]) for kind in kinds}
    languages = sorted({r["language"] for r in rows if r["language"]})
    report["by_language"] = {
        code: _summary([r for r in rows if r["language"] == code]) for code in languages
    }
    report["wrong_examples"] = wrong
    return report
