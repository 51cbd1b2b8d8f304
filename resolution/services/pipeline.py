"""Run the resolution pipeline for one ticket: classify, find similar, respond, decide, record.

The ML runs in the engine (no database) with no transaction or lock held; then this module locks
the ticket and writes the Decision, the answer and the new status in one transaction. Any failure
of the AI escalates the ticket with reason ai_error: a ticket is never lost or left open.
"""

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction

from resolution.engine.abstain import config_for
from resolution.engine.assess import Assessment, assess
from resolution.engine.autonomy import apply_autonomy, effective_mode
from resolution.engine.knowledge import DirectRule
from resolution.engine.llm import llm_from_settings
from resolution.engine.responder import respond
from resolution.engine.types import Answer, IntentPolicy, Match, Outcome
from resolution.models import Decision
from resolution.selectors import latest_decision
from resolution.services.answer_context import answer_context, answer_language
from resolution.services.intent_rules import intent_rules
from resolution.services.policy import ActivePolicy, current_policy
from resolution.services.registry import registry
from tickets.language import desk_languages
from tickets.models import EscalationReason, Rule, RuleStage, Ticket, TicketEvent, TicketStatus
from tickets.rules import RulesOutcome, rules_apply, rules_matching, rules_reply
from tickets.services import ticket_auto_resolve, ticket_escalate

logger = logging.getLogger(__name__)


@dataclass
class PipelineResult:
    decision: Decision | None
    created: bool  # False: the ticket was already decided; `decision` is the earlier one.


@dataclass
class Analysis(Assessment):
    """What the AI worked out for a ticket, as far as it got before any failure."""

    model_version_id: int | None = None
    desk_policy: ActivePolicy | None = None


def intent_policy(
    slug: str, desk_policy: ActivePolicy | None = None
) -> tuple[IntentPolicy, dict[str, str] | None]:
    """The rules in force for an intent (the desk's policy, the intent's own threshold if
    stricter), and its active answer templates by language."""
    desk_policy = desk_policy or current_policy()
    rules = intent_rules.get(slug)
    if rules is None:
        return desk_policy.for_intent(), None
    policy = desk_policy.for_intent(
        threshold_override=rules.threshold_override, always_escalate=rules.always_escalate
    )
    return policy, rules.templates


def model_text(ticket: Ticket) -> str:
    """What the model reads of a ticket: its subject and message."""
    return f"{ticket.subject}\n{ticket.message}" if ticket.subject else ticket.message


class Classified:
    """Several tickets' texts classified in one call, for the analyses that follow (the
    worker's batch): the engine classifies one text per call, and each call pays scikit-learn's
    input checks again (~0.6 ms; one call for eight texts costs ~0.24 ms a text). Serves only
    the model it was made with; any other text goes to the classifier as usual."""

    def __init__(self, loaded, texts: Sequence[str]):
        self.loaded = loaded
        self._classifier = loaded.classifier
        unique = list(dict.fromkeys(texts))
        self._known = dict(zip(unique, self._classifier.inspect_many(unique), strict=True))

    def classifier_for(self, loaded):
        return self if loaded is self.loaded else loaded.classifier

    def inspect_many(self, texts: Sequence[str]):
        if all(text in self._known for text in texts):
            return [self._known[text] for text in texts]
        return self._classifier.inspect_many(texts)

    def __getattr__(self, name: str):  # the rest of the classifier, as it is
        return getattr(self._classifier, name)


def classified(tickets: Sequence[Ticket]) -> Classified | None:
    """The tickets' texts classified at once; None if that failed (each ticket's own analysis
    then classifies it, and escalates it if that fails too)."""
    try:
        return Classified(registry.model(), [model_text(ticket) for ticket in tickets])
    except Exception:
        logger.exception("Classifying a batch of %d tickets failed; one by one", len(tickets))
        return None


def analyse(ticket: Ticket, analysis: Analysis, classified: Classified | None = None) -> Outcome:
    """Classify, find similar, respond, abstain or not, decide (the engine's one decision,
    resolution.engine.assess, which `manage.py evaluate` replays); fills `analysis` as it goes
    so a failure keeps the rest. `classified`: the text's classification already made."""
    loaded = registry.model()
    analysis.model_version_id = loaded.version_id
    analysis.desk_policy = desk_policy = current_policy(loaded.version_id)
    llm = llm_from_settings(
        settings.LLM_BASE_URL,
        settings.LLM_MODEL,
        settings.LLM_API_KEY,
        settings.LLM_TIMEOUT_SECONDS,
    )
    context = answer_context(ticket)
    language = answer_language(ticket)

    def answer_for(intent: str, match: Match | None, template) -> Answer | None:
        return respond(
            text=ticket.message,
            intent=intent,
            match=match,
            template=template,
            context=context,
            llm=llm,
            language=language,
        )

    return assess(
        analysis,
        text=model_text(ticket),
        message=ticket.message,
        classifier=classified.classifier_for(loaded) if classified else loaded.classifier,
        index=registry.index(),
        policy_for=lambda intent: intent_policy(intent, desk_policy),
        answer_for=answer_for,
        similarity_threshold=settings.SIMILARITY_THRESHOLD,
        config=config_for(ticket.language),
        direct_rule=direct_rule(),
        language=language,
    )


def direct_rule() -> DirectRule | None:
    """When reviewed entries may answer by themselves (settings KNOWLEDGE_DIRECT_*)."""
    if not settings.KNOWLEDGE_DIRECT_ANSWERS:
        return None
    return DirectRule(
        min_score=settings.KNOWLEDGE_DIRECT_SIMILARITY,
        min_view_score=settings.KNOWLEDGE_DIRECT_VIEW_SIMILARITY,
    )


def analyse_and_decide(
    ticket: Ticket, *, classified: Classified | None = None
) -> tuple[Analysis, Outcome, str]:
    """The AI's whole verdict on a ticket, with no transaction or lock held (the model, the search
    and an LLM call of up to LLM_TIMEOUT_SECONDS must never hold a row lock). Any failure becomes
    an ai_error escalation: (analysis so far, outcome, error text)."""
    analysis = Analysis()
    if ticket.language and ticket.language not in desk_languages():
        # Decided here, before the model: an English answer (or a wrong-language one) to a
        # customer the desk cannot read is worse than a person's reply. The engine never sees it.
        reason = EscalationReason.UNSUPPORTED_LANGUAGE
        signals = {"language": ticket.language, "rule": reason}
        return analysis, Outcome(action="escalate", reason=reason, signals=signals), ""
    try:
        outcome = analyse(ticket, analysis, classified)
        # The intent's autonomy mode may hold an automatic answer back (off, or a draft).
        rules = intent_rules.get(analysis.intent) if analysis.intent else None
        outcome = apply_autonomy(
            outcome,
            mode=effective_mode(
                rules.autonomy if rules else "",
                earned_autonomy=analysis.desk_policy.earned_autonomy,
            ),
        )
    except Exception as exc:  # the AI failing must escalate, never drop the ticket
        logger.exception("Resolution pipeline failed for ticket %s", ticket.pk)
        error = f"{type(exc).__name__}: {exc}"
        outcome = Outcome(
            action="escalate", reason=EscalationReason.AI_ERROR, signals={"error": error}
        )
        return analysis, outcome, error
    return analysis, outcome, ""


def run_pipeline(ticket_id: int, *, ticket: Ticket | None = None) -> PipelineResult:
    """Decide an open ticket once. Re-running on a decided ticket returns the earlier decision.

    Analyse first (no lock), then lock the ticket, re-check that it is still open and record.
    Two runs racing on one ticket both analyse; the second to take the lock finds it decided and
    records nothing, so a ticket is never answered twice.

    `ticket`: the ticket (with its customer) when the caller holds it already — the request
    that just stored it — so it is not read again; it is updated in place with the decision.
    """
    started = time.perf_counter()
    if ticket is None:
        ticket = Ticket.objects.select_related("customer").get(pk=ticket_id)
    if ticket.status != TicketStatus.OPEN:
        return PipelineResult(decision=latest_decision(ticket), created=False)
    # Admins' rules (tickets/rules.py): the before-model ones are matched on the ticket as
    # stored; all are applied below, under the lock, with the decision.
    before_model = rules_matching(ticket, stage=RuleStage.BEFORE_MODEL)
    analysis, outcome, error = analyse_and_decide(ticket)

    with transaction.atomic():
        # The row lock is held only while recording. Only what may have changed since the
        # analysis is read again (the status, to re-check, and the other audited fields), not
        # the whole ticket with its customer: the rest is what the analysis read.
        state = (
            Ticket.objects.select_for_update().filter(pk=ticket_id).values(*LOCKED_FIELDS).first()
        )
        if state is None:  # erased meanwhile: nothing left to decide
            return PipelineResult(decision=None, created=False)
        for name, value in state.items():
            setattr(ticket, name, value)
        if ticket.status != TicketStatus.OPEN:
            return PipelineResult(decision=latest_decision(ticket), created=False)
        decision = record_with_rules(
            ticket=ticket,
            analysis=analysis,
            outcome=outcome,
            error=error,
            started=started,
            before_model=before_model,
        )
    return PipelineResult(decision=decision, created=True)


def decide_before_store(ticket: Ticket) -> Callable[[Ticket], Decision]:
    """run_pipeline for a ticket not stored yet (no pk, no transaction open): analyse it now and
    return the recorder that writes the decision inside the transaction storing the ticket. No
    lock and no re-check: no one else can see the row before that transaction commits."""
    started = time.perf_counter()
    before_model = rules_matching(ticket, stage=RuleStage.BEFORE_MODEL)
    analysis, outcome, error = analyse_and_decide(ticket)

    def record(stored: Ticket) -> Decision:
        return record_with_rules(
            ticket=stored,
            analysis=analysis,
            outcome=outcome,
            error=error,
            started=started,
            before_model=before_model,
        )

    return record


def record_with_rules(
    *,
    ticket: Ticket,
    analysis: Analysis,
    outcome: Outcome,
    error: str,
    started: float,
    before_model: list[Rule],
    rules: list[Rule] | None = None,
) -> Decision:
    """Apply the fired rules and record the decision, in the caller's transaction, with the
    ticket locked and still open. The after-model rules are matched here, on the ticket as
    the before-model ones left it: their conditions are checks in memory on cached rules (a
    pattern's time capped by RULE_REGEX_TIMEOUT_SECONDS), no model work.

    The before-model rules are applied here too rather than in a transaction of their own on
    submit: one transaction fewer per ticket, and a run that dies before recording leaves
    nothing applied, so the re-run cannot apply them twice. `rules`: the active rules, read
    once by a caller recording many tickets."""
    # The rules change the ticket in memory; their fields and audit events are written with
    # the decision's own (one UPDATE of the ticket, one INSERT of events).
    fired = rules_apply(ticket, before_model, write=False)
    after_model = rules_matching(
        ticket, stage=RuleStage.AFTER_MODEL, intent=analysis.intent, rules=rules
    )
    fired = fired + rules_apply(ticket, after_model, write=False)
    decision = record_decision(
        ticket=ticket,
        analysis=analysis,
        outcome=outcome_with_rules(outcome, fired),
        error=error,
        started=started,
        rules_fired=fired.fired,
        also_fields=fired.fields,
        also_events=fired.events,
    )
    rules_reply(ticket, fired)
    return decision


# What the pipeline re-reads under the lock: what another writer may have changed while the
# AI worked (the audit compares the status, intent and assignee; a decision may set the rest).
LOCKED_FIELDS = (
    "status",
    "intent",
    "confidence",
    "escalation_reason",
    "assigned_agent_id",
    "team_id",
    "priority",
    "first_response_due",
    "resolution_due",
    "resolved_at",
    "updated_at",
)


def outcome_with_rules(outcome: Outcome, rules: RulesOutcome) -> Outcome:
    """A rule that says "always a person" wins over the AI (reason RULE)."""
    if not rules.escalate:
        return outcome
    return replace(outcome, action="escalate", reason=EscalationReason.RULE)


def record_decision(
    *,
    ticket: Ticket,
    analysis: Analysis,
    outcome: Outcome,
    error: str,
    started: float,
    rules_fired: list[dict] | None = None,
    also_fields: Sequence[str] = (),
    also_events: Sequence[TicketEvent] = (),
) -> Decision:
    """Write the Decision and apply it to the ticket. Call with the ticket locked.
    `also_fields`, `also_events`: what rules changed, saved with the decision's writes."""
    prediction = analysis.prediction
    decision = Decision.objects.create(
        ticket=ticket,
        model_version_id=analysis.model_version_id,
        predicted_intent=prediction.intent if prediction else "",
        confidence=prediction.confidence if prediction else None,
        alternatives=[list(pair) for pair in prediction.alternatives] if prediction else [],
        matched_entry_id=analysis.match.item.id if analysis.match else None,
        similarity=analysis.match.score if analysis.match else None,
        action=outcome.action,
        reason_code=outcome.reason,
        answer_source=analysis.answer.source if analysis.answer else "",
        thresholds={
            "auto_resolve": analysis.policy.threshold if analysis.policy else None,
            "similarity": settings.SIMILARITY_THRESHOLD,
            "min_margin": analysis.policy.min_margin if analysis.policy else None,
        },
        signals={
            **outcome.signals,
            "similar": [[m.item.id, round(m.score, 4)] for m in analysis.similar],
            **analysis.direct_signals,
            **(
                {"policy": analysis.desk_policy.signals()}
                if analysis.desk_policy is not None
                else {}
            ),
        },
        error=error,
        draft=analysis.answer.text
        if analysis.answer and outcome.reason == EscalationReason.DRAFT
        else "",
        rules_fired=rules_fired or [],
        latency_ms=(time.perf_counter() - started) * 1000,
    )
    intent = analysis.intent
    confidence = prediction.confidence if prediction else None
    if outcome.action == "auto_resolve":
        ticket_auto_resolve(
            ticket=ticket,
            answer=analysis.answer.text,
            intent=intent,
            confidence=confidence,
            model_version=analysis.model_version_id,
            also_fields=also_fields,
            also_events=also_events,
        )
    else:
        ticket_escalate(
            ticket=ticket,
            reason=outcome.reason,
            intent=intent,
            confidence=confidence,
            model_version=analysis.model_version_id,
            also_fields=also_fields,
            also_events=also_events,
        )
    return decision
