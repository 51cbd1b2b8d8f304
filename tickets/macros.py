"""Macros (canned replies): a body with placeholders, filled in for one ticket, and field
actions (resolve, priority, tags) applied when the agent sends the reply.

Placeholders are substituted from a fixed list, not rendered by a template engine: a macro is
text an agent wrote, and a template language would let it reach any attribute of the objects
it is given (`{{ ticket.customer.password }}`) or run tags. An unknown placeholder, or any other
`{{`/`{%`, is refused when the macro is saved, so a macro that saved always renders.
"""

import re
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Q, QuerySet

from accounts.models import User
from common.errors import InvalidInput, NotAllowed
from tickets.models import Macro, Message, Priority, Ticket
from tickets.services import (
    MAX_MESSAGE_LENGTH,
    tags_get_or_create,
    ticket_agent_reply,
    ticket_set_priority,
    ticket_set_tags,
)

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")
TEMPLATE_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}")
MAX_TITLE_LENGTH = 100

PLACEHOLDERS: dict[str, Callable[[Ticket, User], str]] = {
    "customer.name": lambda ticket, agent: ticket.customer.get_full_name(),
    "customer.first_name": lambda ticket, agent: ticket.customer.get_short_name(),
    "customer.email": lambda ticket, agent: ticket.customer.email,
    "ticket.id": lambda ticket, agent: str(ticket.pk),
    "ticket.subject": lambda ticket, agent: ticket.title,
    "agent.name": lambda ticket, agent: agent.get_full_name(),
    "agent.first_name": lambda ticket, agent: agent.get_short_name(),
}
STATUS_ACTIONS = {"", "resolved"}


def macro_check_body(body: str) -> str:
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("The macro's text cannot be empty.", details={"body": ["required"]})
    if len(text) > MAX_MESSAGE_LENGTH:
        raise InvalidInput(
            f"The macro's text is too long (at most {MAX_MESSAGE_LENGTH} characters).",
            details={"body": [f"at most {MAX_MESSAGE_LENGTH} characters"]},
        )
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        known = ", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS)
        raise InvalidInput(
            f"Unknown placeholder {', '.join(unknown)}: use {known}.",
            details={"body": [f"unknown placeholder: {name}" for name in unknown]},
        )
    if TEMPLATE_SYNTAX.search(PLACEHOLDER.sub("", text)):
        raise InvalidInput(
            "Only placeholders such as {{ customer.name }} may use braces; nothing else "
            "between {{ }} or {% %}.",
            details={"body": ["template syntax"]},
        )
    return text


def macro_render(macro: Macro, *, ticket: Ticket, agent: User) -> str:
    """The macro's text for this ticket, placeholders filled (plain text, like any reply)."""
    return PLACEHOLDER.sub(lambda match: PLACEHOLDERS[match[1]](ticket, agent), macro.body)


# --- reads ------------------------------------------------------------------------------------


def macros_visible_to(user: User) -> QuerySet[Macro]:
    """Shared macros and the user's own personal ones (agents and admins only)."""
    if not (user.is_authenticated and user.is_active and user.is_agent):
        return Macro.objects.none()
    return Macro.objects.filter(Q(owner__isnull=True) | Q(owner=user)).prefetch_related("add_tags")


def _may_change(macro: Macro, user: User) -> bool:
    return macro.owner_id == user.pk if macro.owner_id else user.is_admin


# --- writes -----------------------------------------------------------------------------------


def _clean(
    *, title: str, body: str, set_status: str, set_priority: str, add_tags: Iterable[str]
) -> dict:
    title = (title or "").strip()
    if not title or len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput(
            f"The title must be 1 to {MAX_TITLE_LENGTH} characters.", details={"title": ["1-100"]}
        )
    if set_status not in STATUS_ACTIONS:
        raise InvalidInput(
            'The status action can only be "resolved" (or empty: leave it).',
            details={"set_status": ["resolved or empty"]},
        )
    if set_priority and set_priority not in Priority.values:
        raise InvalidInput(
            f"Unknown priority {set_priority!r}.", details={"set_priority": ["unknown priority"]}
        )
    return {
        "title": title,
        "body": macro_check_body(body),
        "set_status": set_status,
        "set_priority": set_priority,
        "tags": tags_get_or_create(add_tags),
    }


@transaction.atomic
def macro_create(
    *,
    author: User,
    title: str,
    body: str,
    shared: bool = False,
    set_status: str = "",
    set_priority: str = "",
    add_tags: Iterable[str] = (),
) -> Macro:
    """A personal macro (any agent), or a shared one (admins only)."""
    if not (author.is_active and author.is_agent):
        raise NotAllowed("Only agents and admins have macros.")
    if shared and not author.is_admin:
        raise NotAllowed("Only admins can make shared macros; yours can be personal.")
    fields = _clean(
        title=title,
        body=body,
        set_status=set_status,
        set_priority=set_priority,
        add_tags=add_tags,
    )
    tags = fields.pop("tags")
    macro = Macro.objects.create(owner=None if shared else author, **fields)
    macro.add_tags.set(tags)
    return macro


@transaction.atomic
def macro_update(*, macro: Macro, user: User, **changes) -> Macro:
    """Change some of title, body, set_status, set_priority, add_tags (the owner, or an admin
    for shared macros)."""
    if not _may_change(macro, user):
        raise NotAllowed("Only admins can change shared macros.")
    current = {
        "title": macro.title,
        "body": macro.body,
        "set_status": macro.set_status,
        "set_priority": macro.set_priority,
        "add_tags": [tag.name for tag in macro.add_tags.all()],
    }
    fields = _clean(**{**current, **changes})
    tags = fields.pop("tags")
    for name, value in fields.items():
        setattr(macro, name, value)
    macro.save()
    macro.add_tags.set(tags)
    return macro


def macro_delete(*, macro: Macro, user: User) -> None:
    if not _may_change(macro, user):
        raise NotAllowed("Only admins can delete shared macros.")
    macro.delete()


@transaction.atomic
def macro_reply(
    *,
    ticket: Ticket,
    agent: User,
    macro: Macro,
    body: str,
    resolve: bool = False,
    **reply_arguments,
) -> Message:
    """Send the reply an agent made from `macro` (`body`, edited or not) and apply its field
    actions: resolve, priority, tags. All or nothing: a refused reply changes no field."""
    if macros_visible_to(agent).filter(pk=macro.pk).first() is None:
        raise InvalidInput("No such macro.", details={"macro": ["unknown"]})
    message = ticket_agent_reply(
        ticket=ticket,
        agent=agent,
        body=body,
        resolve=resolve or macro.set_status == "resolved",
        **reply_arguments,
    )
    if macro.set_priority:
        ticket_set_priority(ticket=ticket, actor=agent, priority=macro.set_priority)
    if tags := [tag.name for tag in macro.add_tags.all()]:
        ticket_set_tags(ticket=ticket, actor=agent, add=tags)
    return message
