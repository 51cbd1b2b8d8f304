"""Bulk actions from the queue: one change applied to many tickets, ticket by ticket.

Each ticket goes through the same service (and permission check, and TicketEvent) as a
change made on the ticket alone, in its own transaction: a ticket another agent holds is
refused and reported, and the others still change.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.text import slugify

from accounts.models import User
from common.errors import InvalidInput, ServiceError
from tickets.models import Priority, Team, Ticket
from tickets.selectors import tickets_visible_to
from tickets.services import (
    ticket_assign,
    ticket_change_check,
    ticket_resolve,
    ticket_set_priority,
    ticket_set_tags,
)

MAX_BULK_TICKETS = 100


class BulkAction(models.TextChoices):
    ASSIGN = "assign", "Assign to agent"
    TEAM = "team", "Assign to team"
    TAG = "tag", "Add tag"
    PRIORITY = "priority", "Set priority"
    RESOLVE = "resolve", "Resolve"


@dataclass(frozen=True)
class BulkResult:
    ticket_id: int
    ok: bool
    error: str = ""


def _held_checked(actor: User, change: Callable[[Ticket], object]) -> Callable[[Ticket], object]:
    """`change`, refused (Conflict) on a ticket another agent holds, as a reply would be."""

    def checked(ticket: Ticket) -> object:
        ticket_change_check(ticket, actor)
        return change(ticket)

    return checked


def _change_for(action: str, value: str, actor: User) -> Callable[[Ticket], object]:
    """The service call for `action` with `value`, checked once before any ticket changes."""
    if action == BulkAction.ASSIGN:
        agent = None
        if value:
            agent = User.objects.filter(pk=int(value) if value.isdigit() else None).first()
            if agent is None or not agent.is_agent:
                raise InvalidInput("No such agent.", details={"value": ["unknown agent"]})
        return lambda ticket: ticket_assign(ticket=ticket, actor=actor, agent=agent)
    if action == BulkAction.TEAM:
        team = None
        if value:
            team = Team.objects.filter(pk=int(value) if value.isdigit() else None).first()
            if team is None:
                raise InvalidInput("No such team.", details={"value": ["unknown team"]})
        return lambda ticket: ticket_assign(ticket=ticket, actor=actor, team=team)
    if action == BulkAction.TAG:
        # Typed in the bulk bar: "Refund Asked" becomes the tag refund-asked.
        tag = slugify(value.strip(), allow_unicode=True)[:50]
        if not tag:
            raise InvalidInput("Name the tag to add.", details={"value": ["required"]})
        return _held_checked(
            actor, lambda ticket: ticket_set_tags(ticket=ticket, actor=actor, add=[tag])
        )
    if action == BulkAction.PRIORITY:
        if value not in Priority.values:
            raise InvalidInput(f"Unknown priority {value!r}.", details={"value": ["unknown"]})
        return _held_checked(
            actor, lambda ticket: ticket_set_priority(ticket=ticket, actor=actor, priority=value)
        )
    if action == BulkAction.RESOLVE:
        return lambda ticket: ticket_resolve(ticket=ticket, actor=actor, note="bulk resolve")
    raise InvalidInput(f"Unknown action {action!r}.", details={"action": ["unknown action"]})


def tickets_bulk_apply(
    *, actor: User, ticket_ids: Iterable[int], action: str, value: str = ""
) -> list[BulkResult]:
    """Apply `action` to each ticket `actor` may see; one result per id, in the given order.

    Bad input (unknown action, agent or team; too many tickets) is refused before any change.
    """
    ids = list(dict.fromkeys(ticket_ids))
    if not ids:
        raise InvalidInput("Select at least one ticket.", details={"tickets": ["empty"]})
    if len(ids) > MAX_BULK_TICKETS:
        raise InvalidInput(
            f"At most {MAX_BULK_TICKETS} tickets at once.", details={"tickets": ["too many"]}
        )
    change = _change_for(action, value, actor)
    visible = {ticket.pk: ticket for ticket in tickets_visible_to(actor).filter(pk__in=ids)}
    results = []
    for pk in ids:
        ticket = visible.get(pk)
        if ticket is None:
            results.append(BulkResult(pk, False, "No such ticket."))
            continue
        try:
            change(ticket)
        except ServiceError as exc:
            results.append(BulkResult(pk, False, exc.message))
        else:
            results.append(BulkResult(pk, True))
    return results
