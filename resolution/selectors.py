"""Reads for the resolution app."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from resolution.engine.autonomy import LivePrecision, effective_mode
from resolution.models import (
    Decision,
    DecisionAction,
    Intent,
    KnowledgeEntry,
    KnowledgeRating,
    KnowledgeStatus,
)
from tickets.models import EscalationReason, Ticket


def intent_slugs() -> list[str]:
    return list(Intent.objects.filter(active=True).values_list("slug", flat=True))


def intent_names() -> dict[str, str]:
    """slug -> plain-words name, for showing intents to people."""
    return dict(Intent.objects.values_list("slug", "name"))


def latest_decision(ticket: Ticket) -> Decision | None:
    """The ticket's newest decision, with its model version and knowledge entry; the model's
    artifact (megabytes) and calibration record stay in the database: only the version shows."""
    return (
        ticket.decisions.select_related("model_version", "matched_entry")
        .defer("model_version__artifact", "model_version__calibration")
        .first()
    )


def pending_draft(ticket: Ticket) -> str:
    """The AI's draft answer for an agent to review, while nobody has used or discarded it;
    "" otherwise. The agents' reply box starts from it (settings.TICKET_REPLY_DRAFT)."""
    from resolution.models import AutonomyOutcome, DecisionAction

    decision = ticket.decisions.only("action", "reason_code", "draft").first()
    if (
        decision is None
        or decision.action != DecisionAction.ESCALATE
        or decision.reason_code != EscalationReason.DRAFT
        or not decision.draft
        or AutonomyOutcome.objects.filter(ticket=ticket).exists()
    ):
        return ""
    return decision.draft


@dataclass(frozen=True)
class IntentAutonomy:
    """One row of the autonomy page and API."""

    intent: Intent
    mode: str  # the intent's own setting; "" follows the desk
    effective: str  # off, draft or auto as applied now
    live: LivePrecision
    can_promote: bool


def autonomy_overview() -> tuple[bool, list[IntentAutonomy]]:
    """Whether the desk runs on earned autonomy, and every active intent with its mode and live
    precision (AUTONOMY_WINDOW_DAYS of verified outcomes)."""
    from resolution.services.autonomy import desk_earned_autonomy, live_precision

    earned = desk_earned_autonomy()
    stats = live_precision()
    gate = {
        "target": settings.AUTONOMY_TARGET_PRECISION,
        "min_verified": settings.AUTONOMY_MIN_VERIFIED,
    }
    rows = []
    for intent in Intent.objects.filter(active=True).order_by("slug"):
        live = stats.get(intent.slug) or LivePrecision(0, 0, settings.AUTONOMY_CONFIDENCE)
        rows.append(
            IntentAutonomy(
                intent=intent,
                mode=intent.autonomy,
                effective=effective_mode(intent.autonomy, earned_autonomy=earned),
                live=live,
                can_promote=live.earned(**gate),
            )
        )
    return earned, rows


def recent_breaker_trips(days: int = 30) -> list:
    """The circuit breaker's moves of the last ``days`` days, newest first (in-app notice)."""
    from resolution.models import AutonomyChange

    since = timezone.now() - timedelta(days=days)
    return list(
        AutonomyChange.objects.filter(breaker=True, created_at__gte=since)
        .select_related("intent")
        .order_by("-created_at")[:20]
    )


def with_times_used(entries):
    """`entries` with `times_used`: how many tickets each answered by itself (the decisions that
    auto-resolved with it as the answer; the decision's foreign key is indexed)."""
    return entries.annotate(
        times_used=Count(
            "decision",
            filter=Q(
                decision__action=DecisionAction.AUTO_RESOLVE,
                decision__answer_source="knowledge",
            ),
        )
    )


def pending_entries():
    """Knowledge entries waiting for review, oldest first."""
    return (
        KnowledgeEntry.objects.filter(status=KnowledgeStatus.PENDING)
        .select_related(
            "intent",
            "created_by",
            "source_ticket__customer",
            "source_ticket__assigned_agent",
            "duplicate_of",
        )
        .order_by("created_at", "id")
    )


def rejected_entry_ids(ticket: Ticket) -> set[int]:
    """Knowledge entries whose answer this ticket's customer said did not help."""
    return set(
        KnowledgeRating.objects.filter(ticket=ticket, helpful=False).values_list(
            "entry_id", flat=True
        )
    )
