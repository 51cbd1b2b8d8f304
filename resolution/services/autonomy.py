"""Copilot first, autopilot when earned: each intent's autonomy mode, its verified outcomes, the
promotion gate and the circuit breaker.

- A verified outcome is a person's verdict on one AI answer: an agent sent the draft as is
  (right), edited or discarded it or corrected the intent (wrong); a customer said an automatic
  answer solved it (right) or not (wrong), or wrote again (wrong). One per ticket, the latest
  verdict wins.
- Live precision per intent comes from the outcomes of the last AUTONOMY_WINDOW_DAYS; an admin
  may promote an intent to auto only when its lower bound clears AUTONOMY_TARGET_PRECISION on at
  least AUTONOMY_MIN_VERIFIED tickets (`intent_autonomy_set`).
- The circuit breaker (`autonomy_check`, after every verdict and from Celery beat) drops an
  intent in auto whose bound fell below the target to draft, records an AutonomyChange and
  e-mails the admins.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from common.errors import Conflict, InvalidInput
from resolution.engine.autonomy import AUTO, DRAFT_MODE, MODES, LivePrecision, effective_mode
from resolution.models import (
    AutonomyChange,
    AutonomyMode,
    AutonomyOutcome,
    Decision,
    DecisionAction,
    DecisionPolicy,
    Intent,
    OutcomeKind,
)
from resolution.services.intent_rules import intent_rules
from tickets.models import AuthorKind, EscalationReason, Message, Ticket

logger = logging.getLogger(__name__)

WRONG = {
    OutcomeKind.EDITED,
    OutcomeKind.DISCARDED,
    OutcomeKind.CORRECTED,
    OutcomeKind.REJECTED,
    OutcomeKind.REOPENED,
}


# --- live precision ----------------------------------------------------------------------------


def live_precision(*, intents: list[str] | None = None) -> dict[str, LivePrecision]:
    """Each intent's verified outcomes in the window: slug -> LivePrecision."""
    since = timezone.now() - timedelta(days=settings.AUTONOMY_WINDOW_DAYS)
    rows = AutonomyOutcome.objects.filter(updated_at__gte=since)
    if intents is not None:
        rows = rows.filter(intent__in=intents)
    counts = (
        rows.order_by().values("intent").annotate(n=Count("id"), right=Count("id", Q(correct=True)))
    )
    return {
        row["intent"]: LivePrecision(row["n"], row["right"], settings.AUTONOMY_CONFIDENCE)
        for row in counts
    }


def _empty() -> LivePrecision:
    return LivePrecision(0, 0, settings.AUTONOMY_CONFIDENCE)


def _gate() -> dict:
    return {
        "target": settings.AUTONOMY_TARGET_PRECISION,
        "min_verified": settings.AUTONOMY_MIN_VERIFIED,
    }


# --- modes -------------------------------------------------------------------------------------


@transaction.atomic
def intent_autonomy_set(*, intent: Intent, mode: str, actor: User) -> AutonomyChange | None:
    """An admin sets an intent's mode ("" follows the desk). Promotion to auto needs the intent's
    live bound to clear the target on enough verified tickets; otherwise InvalidInput."""
    if mode not in ("", *MODES):
        raise InvalidInput(
            f"Unknown autonomy mode {mode!r}: choose off, draft, auto or desk.",
            code="invalid_mode",
            details={"mode": ["one of: off, draft, auto, '' (desk default)"]},
        )
    intent = Intent.objects.select_for_update().get(pk=intent.pk)
    if mode == intent.autonomy:
        return None
    stats = live_precision(intents=[intent.slug]).get(intent.slug, _empty())
    gate = _gate()
    if mode == AUTO and not stats.earned(**gate):
        bound = "none" if stats.lower_bound is None else f"{stats.lower_bound:.1%}"
        raise InvalidInput(
            f"{intent.name} has not earned auto yet: precision bound {bound} on "
            f"{stats.n} verified tickets; auto needs at least {gate['target']:.0%} on "
            f"{gate['min_verified']} or more.",
            code="autonomy_not_earned",
            details={
                "mode": ["not earned"],
                "verified": stats.n,
                "lower_bound": stats.lower_bound,
                **gate,
            },
        )
    change = AutonomyChange.objects.create(
        intent=intent,
        old_mode=intent.autonomy,
        new_mode=mode,
        actor=actor,
        verified=stats.n,
        precision=stats.precision,
        lower_bound=stats.lower_bound,
        target=gate["target"],
    )
    intent.autonomy = mode
    intent.save(update_fields=["autonomy"])
    transaction.on_commit(intent_rules.clear)  # this process at once; others within the reload
    return change


def autonomy_check(*, intents: list[str] | None = None) -> list[AutonomyChange]:
    """The circuit breaker: every intent set to auto whose live bound fell below the target
    drops to draft. Audited (AutonomyChange with breaker=True) and the admins are e-mailed."""
    candidates = Intent.objects.filter(autonomy=AutonomyMode.AUTO)
    if intents is not None:
        candidates = candidates.filter(slug__in=intents)
    candidates = list(candidates)
    if not candidates:
        return []
    stats = live_precision(intents=[intent.slug for intent in candidates])
    gate = _gate()
    changes = []
    for intent in candidates:
        found = stats.get(intent.slug, _empty())
        if not found.tripped(**gate):
            continue
        with transaction.atomic():
            # Conditional: two processes checking at once trip the breaker once.
            if not Intent.objects.filter(pk=intent.pk, autonomy=AutonomyMode.AUTO).update(
                autonomy=AutonomyMode.DRAFT
            ):
                continue
            change = AutonomyChange.objects.create(
                intent=intent,
                old_mode=AUTO,
                new_mode=DRAFT_MODE,
                breaker=True,
                verified=found.n,
                precision=found.precision,
                lower_bound=found.lower_bound,
                target=gate["target"],
            )
            transaction.on_commit(lambda pk=change.pk: _schedule_admin_notice(pk))
        logger.warning(
            "Circuit breaker: %s dropped to draft (bound %.3f < target %.3f on %s verdicts)",
            intent.slug,
            found.lower_bound,
            gate["target"],
            found.n,
        )
        changes.append(change)
    if changes:
        intent_rules.clear()
    return changes


def _schedule_admin_notice(change_id: int) -> None:
    try:
        from resolution.tasks import notify_autonomy_change

        notify_autonomy_change.delay(change_id)
    except Exception:  # the change is saved and shown on the page; the e-mail is a courtesy
        logger.exception("Could not schedule the e-mail about autonomy change %s", change_id)


def autonomy_change_email(change: AutonomyChange) -> EmailMessage | None:
    """The e-mail telling the admins the breaker moved an intent to draft; None: nobody to tell."""
    admins = list(
        User.objects.filter(role=Role.ADMIN, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not admins:
        return None
    link = settings.SITE_URL.rstrip("/") + reverse("ai:autonomy")
    body = (
        f'The circuit breaker moved the intent "{change.intent.name}" ({change.intent.slug}) '
        f"from auto to draft.\n\n"
        f"Its live precision is {change.precision:.1%} on {change.verified} verified tickets; "
        f"the lower bound, {change.lower_bound:.1%}, is below the desk's target of "
        f"{change.target:.0%}.\n\n"
        f"Agents now review the AI's drafts for this intent. Once the bound clears the target "
        f"again you can promote it back to auto:\n{link}\n"
    )
    return EmailMessage(
        subject=f"[SupportDesk] {change.intent.slug} dropped to draft",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=admins,
    )


def autonomy_change_notify(change_id: int) -> bool:
    change = AutonomyChange.objects.select_related("intent").filter(pk=change_id).first()
    email = autonomy_change_email(change) if change else None
    if email is None:
        return False
    email.send()
    return True


# --- verified outcomes -------------------------------------------------------------------------


def _answered_decision(ticket: Ticket) -> tuple[Decision | None, str]:
    """The ticket's latest decision if the AI answered (auto) or drafted; and which."""
    decision = ticket.decisions.only("id", "action", "reason_code", "predicted_intent").first()
    if decision is None or not decision.predicted_intent:
        return None, ""
    if decision.action == DecisionAction.AUTO_RESOLVE:
        return decision, AUTO
    if decision.reason_code == EscalationReason.DRAFT:
        return decision, DRAFT_MODE
    return None, ""


def outcome_record(
    *, ticket: Ticket, kind: str, actor: User | None = None, replace: bool = True
) -> AutonomyOutcome | None:
    """Record a verdict on the AI's answer to ``ticket``; None when the AI did not answer or
    draft it (or ``replace`` is False and a verdict exists). Then run the breaker for the
    intent."""
    decision, mode = _answered_decision(ticket)
    if decision is None:
        return None
    values = {
        "decision": decision,
        "intent": decision.predicted_intent,
        "mode": mode,
        "kind": kind,
        "correct": kind not in WRONG,
        "actor": actor,
    }
    with transaction.atomic():
        if replace:
            outcome, _ = AutonomyOutcome.objects.update_or_create(ticket=ticket, defaults=values)
        else:
            outcome, created = AutonomyOutcome.objects.get_or_create(ticket=ticket, defaults=values)
            if not created:
                return None
    autonomy_check(intents=[outcome.intent])
    return outcome


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def outcome_from_message(*, ticket: Ticket, message: Message, reopened: bool) -> None:
    """A message was added: an agent's first reply judges a draft (as is, edited, intent
    corrected) or corrects an automatic answer's intent; a customer reopening an automatic
    answer judges it wrong."""
    if message.internal:
        return
    decision, mode = _answered_decision(ticket)
    if decision is None:
        return
    ticket.refresh_from_db(fields=["intent"])
    corrected = bool(ticket.intent) and ticket.intent != decision.predicted_intent
    if message.author_kind == AuthorKind.AGENT:
        if mode == DRAFT_MODE:
            draft = Decision.objects.values_list("draft", flat=True).get(pk=decision.pk)
            if corrected:
                kind = OutcomeKind.CORRECTED
            elif _same_text(message.body, draft):
                kind = OutcomeKind.APPROVED
            else:
                kind = OutcomeKind.EDITED
            # The first reply is the verdict on the draft; later replies are the conversation.
            outcome_record(ticket=ticket, kind=kind, actor=message.author, replace=False)
        elif corrected:
            outcome_record(ticket=ticket, kind=OutcomeKind.CORRECTED, actor=message.author)
    elif message.author_kind == AuthorKind.CUSTOMER and reopened and mode == AUTO:
        outcome_record(ticket=ticket, kind=OutcomeKind.REOPENED, actor=message.author)


def outcome_from_feedback(*, ticket: Ticket, answer: Message | None, resolved: bool) -> None:
    """A customer rated an automatic answer: yes is right, no is wrong (agents' answers to a
    draft were already judged by the agent)."""
    if answer is None or answer.author_kind != AuthorKind.ASSISTANT:
        return
    kind = OutcomeKind.CONFIRMED if resolved else OutcomeKind.REJECTED
    outcome_record(ticket=ticket, kind=kind, actor=ticket.customer)


def draft_discard(*, ticket: Ticket, agent: User) -> AutonomyOutcome:
    """The agent throws the AI's draft away: a wrong answer. Only a draft not yet judged."""
    decision, mode = _answered_decision(ticket)
    if mode != DRAFT_MODE:
        raise Conflict("This ticket has no AI draft to discard.", code="no_draft")
    outcome = outcome_record(ticket=ticket, kind=OutcomeKind.DISCARDED, actor=agent, replace=False)
    if outcome is None:
        raise Conflict("The AI's draft on this ticket was already used.", code="draft_used")
    return outcome


def desk_earned_autonomy() -> bool:
    return bool(
        DecisionPolicy.objects.filter(pk=1).values_list("earned_autonomy", flat=True).first()
    )


def intent_mode(intent: Intent, *, earned_autonomy: bool) -> str:
    return effective_mode(intent.autonomy, earned_autonomy=earned_autonomy)
