"""Find an answer for a ticket: knowledge base, then the intent's template, then the LLM.

Answers are plain text. The page that shows them escapes them, so nothing here HTML-escapes:
a customer called O'Brien must read "O'Brien", not "O&#x27;Brien". Links are plain URLs (the
shop's, from the template context's ``shop``); the portal page and the HTML e-mail make them
clickable.

Answers are written in the ticket's language: its template in that language, else the English
one with a line in the customer's language saying so (engine/phrases.py). Every answer from the
knowledge base or a template opens with the language's greeting, once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.template import Context, Engine

from .llm import LLMProvider
from .phrases import DEFAULT_LANGUAGE, fallback_note, greeting, with_greeting
from .scrub import render_placeholders
from .types import Answer, Match

logger = logging.getLogger(__name__)

# A standalone engine: no loaders, no app libraries, so a template can only use the
# built-in tags and filters and cannot include files.
_ENGINE = Engine(autoescape=False)

UNSURE = "UNSURE"

SYSTEM_PROMPT = (
    "You are a customer-support agent answering a customer's ticket. Be accurate, brief and "
    "polite, in plain text without markup. Do not invent order details, prices, policies or "
    "promises you cannot verify. If you are not sure of the answer, reply with the single "
    f"word {UNSURE} and nothing else, so a human agent can take over."
)


def render_template(template: str, context: dict[str, Any]) -> str | None:
    """The template rendered as plain text, or None when it is broken or renders empty."""
    try:
        text = _ENGINE.from_string(template).render(Context(context, autoescape=False))
    except Exception:  # a template is admin-edited data; a bad one must not crash the desk
        logger.warning("Answer template failed to render", exc_info=True)
        return None
    return text.strip() or None


def pick_template(
    templates: Mapping[str, str] | str | None, language: str
) -> tuple[str | None, str]:
    """(the template to answer with, the language it is written in): the one in ``language``,
    else the English one. A bare string is a template already chosen for ``language``."""
    if templates is None or isinstance(templates, str):
        return templates, language
    body = templates.get(language)
    if body and body.strip():
        return body, language
    return templates.get(DEFAULT_LANGUAGE), DEFAULT_LANGUAGE


def compose(body: str, *, language: str, written_in: str, name: str) -> str:
    """The answer as the customer reads it: greeting, the fallback line if the body is not in
    their language, the body."""
    if written_in == language:
        return with_greeting(body, language=language, name=name)
    note = fallback_note(language)
    parts = [greeting(language, name)] + ([note] if note else []) + [body]
    return "\n\n".join(parts)


def build_prompt(*, text: str, intent: str) -> str:
    return (
        f"The ticket was classified as intent: {intent}\n\n"
        f"Customer message:\n{text.strip()}\n\n"
        "Write the reply to the customer."
    )


def ask_llm(*, text: str, intent: str, llm: LLMProvider) -> str | None:
    """The LLM's answer, or None when it has none, fails, or says it is unsure."""
    try:
        reply = llm.generate(build_prompt(text=text, intent=intent), system=SYSTEM_PROMPT)
    except Exception:  # third-party providers may raise; an LLM is never required
        logger.warning("LLM provider %r raised", llm, exc_info=True)
        return None
    if not reply or not reply.strip():
        return None
    reply = reply.strip()
    if reply.strip(" .!\"'").upper().startswith(UNSURE):
        return None
    return reply


def respond(
    *,
    text: str,
    intent: str,
    match: Match | None,
    template: Mapping[str, str] | str | None,
    context: dict[str, Any],
    llm: LLMProvider,
    language: str = DEFAULT_LANGUAGE,
) -> Answer | None:
    """The first answer available: matched knowledge entry, rendered template, LLM, or None.

    ``template``: the intent's templates by language (or one already chosen); ``match``: an
    entry in the ticket's ``language`` (the caller's search keeps to it, engine/knowledge.py).
    """
    language = language or DEFAULT_LANGUAGE
    name = str(context.get("customer_name") or "")
    if match is not None and match.item.answer.strip():
        # Knowledge is stored scrubbed, with placeholders for the customer's name: fill them in
        # for this customer (a fixed substitution, not a template: agents wrote this text).
        text = render_placeholders(
            match.item.answer.strip(),
            first_name=name,
            full_name=str(context.get("customer_full_name") or ""),
            shop=context.get("shop"),
        )
        written_in = getattr(match.item, "language", language) or language
        return Answer(
            text=compose(text, language=language, written_in=written_in, name=name),
            source="knowledge",
        )
    body, written_in = pick_template(template, language)
    if body and body.strip():
        rendered = render_template(body, context)
        if rendered is not None:
            text = compose(rendered, language=language, written_in=written_in, name=name)
            return Answer(text=text, source="template")
    reply = ask_llm(text=text, intent=intent, llm=llm)
    if reply is not None:
        return Answer(text=reply, source="llm")
    return None
