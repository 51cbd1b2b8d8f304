"""Round-robin: who gets an escalated ticket nobody holds, when the desk hands them out.

On for a team's tickets with `Team.round_robin`; for tickets without a team with
settings.DESK_ROUND_ROBIN. Only agents who said they are available take part; the one who
waited longest since their last ticket gets the next.
"""

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from accounts.models import Role, User
from tickets.models import AgentPresence, Ticket


def round_robin_pick(ticket: Ticket) -> User | None:
    """The next available agent for `ticket` (their turn is taken), or None when round-robin
    is off for it or nobody is available. Call inside the transaction that assigns."""
    presences = AgentPresence.objects.filter(
        available=True, agent__is_active=True, agent__role__in=[Role.AGENT, Role.ADMIN]
    )
    if ticket.team_id is not None:
        if not ticket.team.round_robin:
            return None
        presences = presences.filter(agent__teams=ticket.team_id)
    elif not settings.DESK_ROUND_ROBIN:
        return None
    # skip_locked: two escalations at once take two different agents instead of queueing for
    # the same row (PostgreSQL; SQLite serializes writers anyway and ignores the lock).
    presence = (
        presences.select_for_update(skip_locked=True, of=("self",))
        .order_by(F("last_assigned_at").asc(nulls_first=True), "agent_id")
        .select_related("agent")
        .first()
    )
    if presence is None:
        return None
    presence.last_assigned_at = timezone.now()
    presence.save(update_fields=["last_assigned_at"])
    return presence.agent


def agent_set_available(*, agent: User, available: bool) -> AgentPresence:
    presence, _ = AgentPresence.objects.update_or_create(
        agent=agent, defaults={"available": available}
    )
    return presence


def agent_is_available(agent: User) -> bool:
    return AgentPresence.objects.filter(agent=agent, available=True).exists()
