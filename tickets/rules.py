"""Admins' rules (triggers): ordered condition -> action records, run before and after the AI.

The pipeline (resolution/services/pipeline.py) matches the before-model rules on the ticket as
stored, before the AI, and applies them and the after-model ones (matched with the AI's
intent) under its lock, in the transaction that records the decision. `rules_apply` returns a
`RulesOutcome` saying which rules fired, whether one insists on a person (escalation reason
RULE) and what replies to post. Field changes (priority, tags, team) are applied at once with
an audit event per firing; replies are posted by `rules_reply`.

Conditions (all must hold):
  text      contains <str> (case-insensitive) | matches <regex> (the `regex` module, with a
            timeout: a catastrophic pattern counts as no match, never hangs a worker)
  intent / language / channel / priority   is <value or list of values>
  customer  is <e-mail or @domain or list of them>
  business_hours  is true | false (the default SLA calendar's hours, tickets/sla.py)
Actions: set_priority <priority>, add_tag <slug>, assign_team <team name>, escalate,
  reply <text>, webhook [<label>].
"""

import logging
from dataclasses import dataclass, field

import regex
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from common.errors import InvalidInput
from common.row_cache import cached_rows, drop_when_changed
from tickets.models import (
    AuthorKind,
    BusinessCalendar,
    Channel,
    Message,
    Priority,
    Rule,
    RuleStage,
    Tag,
    Team,
    Ticket,
    TicketEvent,
)
from tickets.signals import message_added, rule_webhook

logger = logging.getLogger(__name__)

MAX_RULES = 200
MAX_CONDITIONS = 20
MAX_ACTIONS = 10
MAX_VALUE_LENGTH = 2000

CONDITION_OPS = {
    "text": {"contains", "matches"},
    "intent": {"is"},
    "language": {"is"},
    "channel": {"is"},
    "priority": {"is"},
    "customer": {"is"},
    "business_hours": {"is"},
}
ACTION_TYPES = {"set_priority", "add_tag", "assign_team", "escalate", "reply", "webhook"}


@dataclass
class RulesOutcome:
    fired: list[dict] = field(default_factory=list)  # [{"id", "name", "stage"}]
    escalate: bool = False
    replies: list[str] = field(default_factory=list)
    # With `rules_apply(..., write=False)`: the ticket's fields the rules changed in memory and
    # their audit events, for the caller to save with its own writes.
    fields: list[str] = field(default_factory=list)
    events: list[TicketEvent] = field(default_factory=list)

    def __add__(self, other: "RulesOutcome") -> "RulesOutcome":
        return RulesOutcome(
            fired=self.fired + other.fired,
            escalate=self.escalate or other.escalate,
            replies=self.replies + other.replies,
            fields=self.fields + other.fields,
            events=self.events + other.events,
        )


# --- Validation (the API, Django admin's form and the service share it) ----------------------


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _check_condition(cond: object) -> str | None:
    """None when the condition is well formed; else what is wrong."""
    if not isinstance(cond, dict) or set(cond) - {"field", "op", "value"}:
        return 'each condition is {"field", "op", "value"}'
    name, op, value = cond.get("field"), cond.get("op", "is"), cond.get("value")
    if name not in CONDITION_OPS:
        return f"unknown field {name!r} (one of {', '.join(sorted(CONDITION_OPS))})"
    if op not in CONDITION_OPS[name]:
        return f"{name}: op is one of {', '.join(sorted(CONDITION_OPS[name]))}"
    if name == "business_hours":
        return None if isinstance(value, bool) else "business_hours: value is true or false"
    values = _as_list(value)
    if not values or not all(
        isinstance(v, str) and v and len(v) <= MAX_VALUE_LENGTH for v in values
    ):
        return f"{name}: value is a non-empty text (or a list of them)"
    if op == "matches":
        try:
            regex.compile(value)
        except (regex.error, TypeError) as error:
            return f"text matches: not a valid regular expression ({error})"
    allowed = {"channel": Channel.values, "priority": Priority.values}.get(name)
    if allowed and (unknown := [v for v in values if v not in allowed]):
        return f"{name}: unknown {', '.join(unknown)} (one of {', '.join(allowed)})"
    return None


def _check_action(action: object) -> str | None:
    if not isinstance(action, dict) or set(action) - {"type", "value"}:
        return 'each action is {"type", "value"}'
    kind, value = action.get("type"), action.get("value")
    if kind not in ACTION_TYPES:
        return f"unknown action {kind!r} (one of {', '.join(sorted(ACTION_TYPES))})"
    if kind == "escalate":
        return None
    if kind == "webhook":
        ok = value is None or (isinstance(value, str) and len(value) <= 100)
        return None if ok else "webhook: value is an optional label (at most 100 characters)"
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_VALUE_LENGTH:
        return f"{kind}: value is a non-empty text"
    if kind == "set_priority" and value not in Priority.values:
        return f"set_priority: one of {', '.join(Priority.values)}"
    if kind == "add_tag" and not slugify(value, allow_unicode=True):
        return "add_tag: a tag name"
    if kind == "assign_team" and not Team.objects.filter(name=value).exists():
        return f"assign_team: no team named {value!r}"
    return None


def rule_validate(*, name: str, stage: str, conditions: object, actions: object) -> dict:
    """Raise InvalidInput (details per field) unless the rule is usable."""
    errors: dict[str, list[str]] = {}
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        errors["name"] = ["1 to 120 characters"]
    if stage not in RuleStage.values:
        errors["stage"] = [f"one of {', '.join(RuleStage.values)}"]
    if not isinstance(conditions, list) or len(conditions) > MAX_CONDITIONS:
        errors["conditions"] = [f"a list of at most {MAX_CONDITIONS} conditions"]
    elif problems := [p for p in map(_check_condition, conditions) if p]:
        errors["conditions"] = problems
    if not isinstance(actions, list) or not 1 <= len(actions) <= MAX_ACTIONS:
        errors["actions"] = [f"a list of 1 to {MAX_ACTIONS} actions"]
    elif problems := [p for p in map(_check_action, actions) if p]:
        errors["actions"] = problems
    if errors:
        raise InvalidInput(
            "The rule is not valid: " + "; ".join(f"{k}: {v[0]}" for k, v in errors.items()),
            details=errors,
        )
    return {"name": name.strip(), "stage": stage, "conditions": conditions, "actions": actions}


@transaction.atomic
def rule_save(
    *,
    name: str,
    stage: str = RuleStage.BEFORE_MODEL,
    conditions: list,
    actions: list,
    position: int = 0,
    active: bool = True,
    rule: Rule | None = None,
) -> Rule:
    """Create (or with `rule`, replace) a rule after validating it."""
    values = rule_validate(name=name, stage=stage, conditions=conditions, actions=actions)
    if rule is None:
        if Rule.objects.count() >= MAX_RULES:
            raise InvalidInput(f"At most {MAX_RULES} rules.", details={"name": ["too many"]})
        rule = Rule()
    for key, value in {**values, "position": position, "active": active}.items():
        setattr(rule, key, value)
    rule.save()
    return rule


# --- Evaluation -------------------------------------------------------------------------------


def _text_matches(pattern: str, text: str) -> bool:
    try:
        return regex.search(pattern, text, timeout=settings.RULE_REGEX_TIMEOUT_SECONDS) is not None
    except TimeoutError:
        logger.warning("Rule pattern %r timed out: counted as no match", pattern)
        return False
    except regex.error:
        return False


def _customer_is(email: str, wanted: list[str]) -> bool:
    email = email.lower()
    domain = email.rpartition("@")[2]
    for value in (v.lower().strip() for v in wanted):
        if value.startswith("@") and domain == value[1:]:
            return True
        if "@" not in value and domain == value:
            return True
        if email == value:
            return True
    return False


def _in_business_hours() -> bool:
    from tickets.sla import timetable_for  # tickets.sla imports the models too

    calendar = BusinessCalendar.objects.order_by("id").first()
    return timetable_for(calendar).is_open(timezone.now())


def condition_holds(cond: dict, ticket: Ticket, *, intent: str) -> bool:
    name, op, value = cond["field"], cond.get("op", "is"), cond.get("value")
    if name == "text":
        text = f"{ticket.subject}\n{ticket.message}"
        if op == "contains":
            return any(v.lower() in text.lower() for v in _as_list(value))
        return _text_matches(value, text)
    if name == "business_hours":
        return _in_business_hours() is value
    if name == "customer":
        return _customer_is(ticket.customer.email, _as_list(value))
    actual = {
        "intent": intent,
        "language": ticket.language,
        "channel": ticket.channel,
        "priority": ticket.priority,
    }[name]
    return actual in _as_list(value)


# The active rules, in order, cached for every ticket until a rule changes: no query per
# ticket on the pipeline's hot path.
RULES_CACHE_KEY = "tickets:active-rules"
drop_when_changed(Rule, RULES_CACHE_KEY)


def active_rules() -> list[Rule]:
    return cached_rows(RULES_CACHE_KEY, lambda: list(Rule.objects.filter(active=True)))


def rules_matching(
    ticket: Ticket, *, stage: str, intent: str = "", rules: list[Rule] | None = None
) -> list[Rule]:
    """The active rules of `stage` whose conditions all hold, in order (no writes). `rules`:
    `active_rules()` read once by a caller deciding many tickets (each read is a cache round
    trip and unpickling the rules)."""
    matching = []
    candidates = active_rules() if rules is None else rules
    for rule in (rule for rule in candidates if rule.stage == stage):
        try:
            if all(condition_holds(c, ticket, intent=intent) for c in rule.conditions):
                matching.append(rule)
        except (KeyError, TypeError, AttributeError):  # a row edited by hand into nonsense
            logger.exception("Rule %s could not be evaluated", rule.pk)
    return matching


# Rules name teams; a team's id by its name, cached until a team is saved or deleted.
TEAM_IDS_CACHE_KEY = "tickets:team-ids"
drop_when_changed(Team, TEAM_IDS_CACHE_KEY)


def _team_id(name: str) -> int | None:
    ids = cached_rows(TEAM_IDS_CACHE_KEY, lambda: list(Team.objects.values_list("name", "pk")))
    return dict(ids).get(name)


# The tags rules add, by name: their ids, remembered once a tag exists for sure (committed),
# forgotten whenever any tag is saved or deleted.
RULE_TAG_IDS_CACHE_KEY = "tickets:rule-tag-ids"
drop_when_changed(Tag, RULE_TAG_IDS_CACHE_KEY)


def _tag_id(name: str) -> int:
    known = cache.get(RULE_TAG_IDS_CACHE_KEY) or {}
    if name in known:
        return known[name]
    tag, _ = Tag.objects.get_or_create(name=name)
    # Only after the commit: a tag made in a transaction that rolls back must not be named.
    transaction.on_commit(
        lambda: cache.set(
            RULE_TAG_IDS_CACHE_KEY,
            {**(cache.get(RULE_TAG_IDS_CACHE_KEY) or {}), name: tag.pk},
            timeout=None,
        )
    )
    return tag.pk


def _apply_fields(ticket: Ticket, rule: Rule) -> RulesOutcome:
    """Apply one fired rule's field actions to the ticket in memory (tags at once); collect
    the fields changed, their audit events, escalation and replies."""
    from tickets.sla import sla_recompute

    def event(field_name: str, old: object, new: object) -> None:
        events.append(
            TicketEvent(
                ticket=ticket,
                field=field_name,
                old_value=str(old)[:254],
                new_value=str(new)[:254],
                note=f"rule: {rule.name}"[:64],
            )
        )

    events: list[TicketEvent] = []
    fields: list[str] = []
    escalate, replies = False, []
    for action in rule.actions:
        kind, value = action.get("type"), action.get("value")
        if kind == "set_priority" and value != ticket.priority:
            event(TicketEvent.Field.PRIORITY, ticket.priority, value)
            ticket.priority = value
            fields += ["priority", *sla_recompute(ticket)]
        elif kind == "add_tag":
            name = slugify(value, allow_unicode=True)
            ticket.tags.add(_tag_id(name))
            event(TicketEvent.Field.TAGS, "", name)
        elif kind == "assign_team":
            team_id = _team_id(value)
            if team_id is not None and team_id != ticket.team_id:
                event(TicketEvent.Field.TEAM, ticket.team_id or "", team_id)
                ticket.team_id = team_id
                fields.append("team")
        elif kind == "escalate":
            escalate = True
        elif kind == "reply":
            replies.append(value)
        elif kind == "webhook":
            transaction.on_commit(
                lambda rule_id=rule.pk, name=rule.name, label=value or "": rule_webhook.send(
                    sender=Ticket, ticket=ticket, rule_id=rule_id, rule_name=name, event=label
                )
            )
    event(TicketEvent.Field.RULE, "", str(rule.pk))
    return RulesOutcome(
        fired=[{"id": rule.pk, "name": rule.name, "stage": rule.stage}],
        escalate=escalate,
        replies=replies,
        fields=fields,
        events=events,
    )


def rules_apply(ticket: Ticket, rules: list[Rule], *, write: bool = True) -> RulesOutcome:
    """Apply the fired rules in order (call in a transaction; the pipeline's, with the lock).
    Their audit events are written together, in one statement, and the ticket saved once.
    `write=False`: change the ticket in memory only (tags are added at once) and return the
    fields and events in the outcome, for a caller that saves the ticket anyway (the pipeline:
    one UPDATE and one INSERT per ticket with its decision's)."""
    outcome = RulesOutcome()
    for rule in rules:
        outcome = outcome + _apply_fields(ticket, rule)
    outcome.fields = sorted(set(outcome.fields))
    if write:
        TicketEvent.objects.bulk_create(outcome.events)
        if outcome.fields:
            ticket.save(update_fields=[*outcome.fields, "updated_at"])
        outcome.fields, outcome.events = [], []
    return outcome


def rules_reply(ticket: Ticket, outcome: RulesOutcome) -> None:
    """Post the fired rules' replies (call in the pipeline's recording transaction)."""
    for text in outcome.replies:
        # An automatic acknowledgement from the desk, not a person: it does not meet the SLA's
        # first response, and channels e-mails it like any public answer.
        message = Message.objects.create(ticket=ticket, author_kind=AuthorKind.AGENT, body=text)
        transaction.on_commit(
            lambda message=message: message_added.send(
                sender=Message, ticket=ticket, message=message, reopened=False
            )
        )
