"""Reads for the resolution app."""

from resolution.models import Decision, Intent, KnowledgeEntry, KnowledgeStatus
from tickets.models import Ticket


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
