"""New intents, created by agents from the ticket in front of them: what the classifier does
not know yet. The intent comes with its answer template and a few ways customers ask it
(training examples), so the next retraining (`manage.py train`, or the periodic job) learns it."""

import logging
import re

from django.db import transaction
from django.template import Engine, TemplateSyntaxError
from django.utils.text import slugify

from accounts.models import User
from common.errors import Conflict, InvalidInput
from resolution.models import AnswerTemplate, ExampleSource, Intent, TrainingExample
from resolution.services.intent_rules import intent_rules
from resolution.services.training import MIN_EXAMPLES_PER_INTENT
from tickets.models import Ticket

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 120
MAX_TEMPLATE_LENGTH = 10_000
MAX_EXAMPLES = 50
MAX_EXAMPLE_LENGTH = 1_000
_SLUG = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


def intent_slug(name: str) -> str:
    """The taxonomy's style of slug ("gift_cards") for a plain-words name ("Gift cards")."""
    return slugify(name).replace("-", "_")[:64].strip("_")


@transaction.atomic
def intent_create(
    *, name: str, template: str, examples: list[str], agent: User, ticket: Ticket | None = None
) -> Intent:
    """A new active intent with its answer template and training examples.

    At least MIN_EXAMPLES_PER_INTENT distinct examples (training skips an intent with fewer);
    the template must be valid Django template syntax (context: ticket, customer_name).
    """
    name = " ".join((name or "").split())
    slug = intent_slug(name)
    template = (template or "").strip()
    cleaned = list(dict.fromkeys(" ".join(e.split()) for e in examples if e and e.strip()))
    errors: dict[str, list[str]] = {}
    if not name or len(name) > MAX_NAME_LENGTH or not _SLUG.match(slug):
        errors["name"] = [f"a name of 2-{MAX_NAME_LENGTH} characters, starting with a letter"]
    if not template or len(template) > MAX_TEMPLATE_LENGTH:
        errors["template"] = [f"an answer of at most {MAX_TEMPLATE_LENGTH} characters"]
    else:
        try:
            Engine(autoescape=False).from_string(template)
        except TemplateSyntaxError as exc:
            errors["template"] = [f"not a valid template: {exc}"]
    if len(cleaned) < MIN_EXAMPLES_PER_INTENT:
        errors["examples"] = [
            f"at least {MIN_EXAMPLES_PER_INTENT} different ways customers ask it, one a line"
        ]
    elif len(cleaned) > MAX_EXAMPLES or any(len(e) > MAX_EXAMPLE_LENGTH for e in cleaned):
        errors["examples"] = [
            f"at most {MAX_EXAMPLES} examples of at most {MAX_EXAMPLE_LENGTH} characters"
        ]
    if errors:
        raise InvalidInput("Please correct the new intent.", details=errors)
    if Intent.objects.filter(slug=slug).exists():
        raise Conflict(
            f"An intent called {slug!r} exists already: pick it in the intent list.",
            code="intent_exists",
            details={"name": ["exists already"]},
        )
    origin = f" from ticket #{ticket.pk}" if ticket else ""
    intent = Intent.objects.create(
        slug=slug, name=name, description=f"Created by an agent in the workspace{origin}."
    )
    AnswerTemplate.objects.create(intent=intent, body=template, active=True)
    TrainingExample.objects.bulk_create(
        TrainingExample(text=text, intent=intent, source=ExampleSource.AGENT, ticket=ticket)
        for text in cleaned
    )
    logger.info("Intent %s created by agent %s", slug, agent.pk)
    transaction.on_commit(intent_rules.clear)  # this process sees the new template at once
    return intent
