"""A month of demo history, so the desk looks alive: charts with a month of bars, a queue with
tickets on time, due soon and overdue, agents' resolutions, ratings, a few customers waiting.

Every ticket goes through the real doors and services (ticket_submit, the pipeline with the
admins' rules, ticket_agent_reply, feedback_submit); only then are its timestamps moved back to
when it "happened" (a plan drawn per ticket from a seeded random generator), and its SLA due
times recomputed from that moment. The days touched are marked for the metrics roll-up, which
otherwise finds changes by `updated_at` since its last look and would miss back-dated rows.

Fast enough for `make run` (docs/BENCHMARKS.md, "Demo desk"): customers get unusable
passwords (no bcrypt per customer), and e-mails to the made-up customers are not sent.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Role, User
from feedback.models import Feedback
from feedback.services import feedback_submit
from resolution.models import Decision, MetricsStaleDay
from resolution.services.ai_resolutions import close_quiet_auto_resolutions
from resolution.services.metrics_rollup import local_day
from resolution.services.pipeline import run_pipeline
from resolution.starter_data import starter_examples
from tickets.language import desk_languages
from tickets.models import (
    AuthorKind,
    Channel,
    Message,
    Rule,
    RuleStage,
    Team,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from tickets.rules import rule_save
from tickets.services import ticket_agent_reply, ticket_submit
from tickets.sla import due_times

HISTORY_DAYS = 30
HISTORY_CUSTOMERS = 30
KEY_ACCOUNT_DOMAIN = "bigcorp.example"
DEMO_AGENTS = [("blake@example.com", "Blake Agent"), ("jordan@example.com", "Jordan Agent")]
CHANNEL_WEIGHTS = [(Channel.PORTAL, 6), (Channel.EMAIL, 3), (Channel.API, 1)]
FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Femi",
    "Grace",
    "Hugo",
    "Ines",
    "Jon",
    "Kai",
    "Lena",
    "Mateo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Umar",
    "Vera",
    "Wes",
    "Xia",
    "Yusuf",
    "Zoe",
    "Ari",
    "Bo",
    "Cyd",
    "Dara",
]
AGENT_REPLIES = [
    "Thanks for your patience. I've looked into this and sorted it out; you should see the "
    "change within the hour.",
    "Sorry for the trouble! I've fixed this on our side. Let me know if anything else comes up.",
    "I've checked your account and everything is in order now. Thanks for letting us know.",
]
# The AI's answer is rated by about this share of customers, and this share of them say it
# did not help (which reopens the ticket, as in real life).
RATED_SHARE, UNHELPFUL_SHARE = 0.45, 0.12


@dataclass
class Plan:
    """When things happen to one ticket (None: not yet, as of now)."""

    created: datetime
    feedback_at: datetime | None = None
    reply_at: datetime | None = None
    resolve: bool = False


def demo_rules() -> None:
    """A few admins' rules, so the demo shows rules firing (priorities, tags, a team)."""
    billing, _ = Team.objects.get_or_create(name="Billing")
    if billing.pk and not billing.members.exists():
        billing.members.add(*User.objects.filter(role=Role.AGENT))
    rules = [
        (
            "Payment trouble goes to Billing",
            RuleStage.BEFORE_MODEL,
            [{"field": "text", "op": "matches", "value": r"(?i)\b(charged|payment|refund)"}],
            [
                {"type": "set_priority", "value": "high"},
                {"type": "add_tag", "value": "billing"},
                {"type": "assign_team", "value": billing.name},
            ],
        ),
        (
            "Key accounts",
            RuleStage.BEFORE_MODEL,
            [{"field": "customer", "op": "is", "value": f"@{KEY_ACCOUNT_DOMAIN}"}],
            [
                {"type": "set_priority", "value": "high"},
                {"type": "add_tag", "value": "key-account"},
            ],
        ),
        (
            "Complaints are urgent and always seen by a person",
            RuleStage.AFTER_MODEL,
            [{"field": "intent", "op": "is", "value": "complaint"}],
            [{"type": "set_priority", "value": "urgent"}, {"type": "escalate"}],
        ),
        (
            "Newsletter questions can wait",
            RuleStage.AFTER_MODEL,
            [{"field": "intent", "op": "is", "value": "newsletter_subscription"}],
            [{"type": "set_priority", "value": "low"}],
        ),
    ]
    for position, (name, stage, conditions, actions) in enumerate(rules, start=1):
        if not Rule.objects.filter(name=name).exists():
            rule_save(
                name=name, stage=stage, conditions=conditions, actions=actions, position=position
            )


def _people(role: str, rows: list[tuple[str, str]]) -> list[User]:
    existing = {u.email: u for u in User.objects.filter(email__in=[e for e, _ in rows])}
    new = [
        User(email=email, full_name=name, role=role, is_active=True)
        for email, name in rows
        if email not in existing
    ]
    for user in new:
        user.set_unusable_password()  # demo people who never log in: no bcrypt round each
    User.objects.bulk_create(new)
    return list(User.objects.filter(email__in=[e for e, _ in rows]).order_by("id"))


def _customers() -> list[User]:
    rows = []
    for n, first in enumerate(FIRST_NAMES[:HISTORY_CUSTOMERS]):
        domain = KEY_ACCOUNT_DOMAIN if n % 6 == 0 else "example.com"
        rows.append((f"{first.lower()}.{n}@{domain}", f"{first} Demo"))
    return _people(Role.CUSTOMER, rows)


def _created_at(rng: random.Random, now: datetime, days: int) -> datetime:
    """A moment in the last `days` days, mostly in office hours (as tickets come in)."""
    day = now - timedelta(days=rng.uniform(0, days))
    hour = rng.choice([8, 9, 10, 10, 11, 11, 12, 13, 14, 14, 15, 16, 17, 19, 21, 2])
    moment = day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
    return min(moment, now - timedelta(minutes=rng.uniform(5, 120)))


def _business_delay(rng: random.Random) -> timedelta:
    """How long a person takes to answer: mostly within hours, sometimes (breaches) days."""
    return timedelta(
        hours=rng.choice([0.3, 0.8, 1.5, 2, 3, 5, 8, 20, 30, 52]) * rng.uniform(0.5, 1.2)
    )


def load_demo_history(
    *,
    agent: User,
    tickets: int | None = None,
    days: int = HISTORY_DAYS,
    seed: int = 18,
    now: datetime | None = None,
) -> int:
    """Create `tickets` (default: settings.DEMO_HISTORY_TICKETS) tickets spread over the last
    `days` days; returns how many."""
    tickets = settings.DEMO_HISTORY_TICKETS if tickets is None else tickets
    rng = random.Random(seed)
    now = now or timezone.now()
    customers = _customers()
    agents = [agent, *_people(Role.AGENT, DEMO_AGENTS)]
    demo_rules()
    # Most of a shop's customers write in its main language; a fifth in the others it serves.
    examples = {code: starter_examples([code]) for code in desk_languages()}
    main = "en" if examples.get("en") else next(iter(examples))
    others = [code for code, rows in examples.items() if code != main and rows]
    channels = [c for c, weight in CHANNEL_WEIGHTS for _ in range(weight)]
    touched_days = set()
    # Made-up customers get no e-mail (the console backend would print hundreds).
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for _ in range(tickets):
            language = rng.choice(others) if others and rng.random() < 0.2 else main
            text, _intent = rng.choice(examples[language])
            if rng.random() < 0.15:  # two requests in one: the harder kind, for the people
                other = rng.choice(examples[language])[0]
                text = f"{text.rstrip('.?!')}. Also, {other[:1].lower()}{other[1:]}"
            customer = rng.choice(customers)
            plan = Plan(created=_created_at(rng, now, days))
            ticket, _ = ticket_submit(
                customer=customer,
                message=text,
                enforce_limits=False,
                channel=rng.choice(channels),
            )
            run_pipeline(ticket.pk)  # idempotent: the signal may have decided it already
            ticket.refresh_from_db()
            _play(ticket, plan, rng=rng, now=now, agents=agents, customer=customer)
            _backdate(ticket, plan)
            touched_days.add(local_day(plan.created))
    # Auto-answers with no follow-up for the window count as resolved by the AI (as the
    # periodic task would have recorded over the month).
    close_quiet_auto_resolutions(now=now)
    MetricsStaleDay.objects.bulk_create(
        [MetricsStaleDay(day=day) for day in touched_days], ignore_conflicts=True
    )
    return tickets


def _play(ticket: Ticket, plan: Plan, *, rng, now, agents, customer) -> None:
    """What happens to the ticket after the AI, drawn at random, up to `now`."""
    answered_at = plan.created + timedelta(seconds=2)
    if ticket.status == TicketStatus.AUTO_RESOLVED and rng.random() < RATED_SHARE:
        plan.feedback_at = answered_at + timedelta(minutes=rng.uniform(3, 300))
        helpful = rng.random() > UNHELPFUL_SHARE
        if plan.feedback_at < now:
            feedback_submit(
                ticket=ticket,
                customer=customer,
                rating=rng.choice([4, 5, 5]) if helpful else rng.choice([1, 2]),
                resolved=helpful,
            )
            ticket.refresh_from_db()
    if ticket.status != TicketStatus.ESCALATED:
        return
    start = plan.feedback_at or answered_at
    reply_at = start + _business_delay(rng)
    if reply_at >= now:
        return  # still in the queue
    plan.reply_at = reply_at
    plan.resolve = rng.random() < 0.8  # otherwise: answered, waiting on the customer
    ticket_agent_reply(
        ticket=ticket,
        agent=rng.choice(agents),
        body=rng.choice(AGENT_REPLIES),
        resolve=plan.resolve,
    )
    if plan.resolve and rng.random() < 0.4:
        feedback_submit(
            ticket=ticket, customer=customer, rating=rng.choice([3, 4, 5, 5]), resolved=True
        )


def _later(moment: datetime | None) -> datetime | None:
    return moment + timedelta(minutes=30) if moment else None


@transaction.atomic
def _backdate(ticket: Ticket, plan: Plan) -> None:
    """Move the ticket's rows to when they happened, in order, and recompute its SLA."""
    decided = plan.created + timedelta(seconds=2)
    reply = plan.reply_at
    for message in ticket.messages.order_by("id"):
        if message.author_kind == AuthorKind.CUSTOMER:
            when = plan.created
        elif message.author_kind == AuthorKind.AGENT and message.author_id:
            when = reply
        else:
            when = decided
        Message.objects.filter(pk=message.pk).update(created_at=when or decided)
    events = TicketEvent.objects.filter(ticket=ticket)
    events.filter(field=TicketEvent.Field.CREATED).update(created_at=plan.created)
    events.exclude(field=TicketEvent.Field.CREATED).filter(actor__isnull=True).update(
        created_at=decided
    )
    if plan.feedback_at:
        events.filter(actor=ticket.customer_id).exclude(field=TicketEvent.Field.CREATED).update(
            created_at=plan.feedback_at
        )
    if reply:
        events.filter(actor__role__in=[Role.AGENT, Role.ADMIN]).update(created_at=reply)
    Decision.objects.filter(ticket=ticket).update(created_at=decided)
    rated = Feedback.objects.filter(ticket=ticket).order_by("id")
    # The AI's answer rated when the customer said so; an agent's half an hour after it came.
    moments = [plan.feedback_at or _later(reply), _later(reply)]
    for feedback, when in zip(rated, moments, strict=False):
        if when:
            Feedback.objects.filter(pk=feedback.pk).update(created_at=when)
    ticket.refresh_from_db()
    changes = {"created_at": plan.created, "updated_at": reply or plan.feedback_at or decided}
    if ticket.status == TicketStatus.AUTO_RESOLVED:
        changes["resolved_at"] = decided
    if ticket.sla_started_at is not None:
        started = plan.feedback_at or decided
        first_due, resolution_due = due_times(priority=ticket.priority, started=started)
        changes.update(
            sla_started_at=started,
            first_response_due=first_due,
            resolution_due=resolution_due,
            first_responded_at=reply,
            resolved_at=reply if plan.resolve else None,
            sla_notified="",
        )
    Ticket.objects.filter(pk=ticket.pk).update(**changes)
