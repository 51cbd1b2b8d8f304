"""Find an answer for a ticket: knowledge base, then the intent's template, then the LLM.

Answers are plain text. The page that shows them escapes them, so nothing here HTML-escapes:
a customer called O'Brien must read "O'Brien", not "O&#x27;Brien".
"""

from __future__ import annotations

import logging
from typing import Any

from django.template import Context, Engine

from .llm import LLMProvider
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
    template: str | None,
    context: dict[str, Any],
    llm: LLMProvider,
) -> Answer | None:
    """The first answer available: matched knowledge entry, rendered template, LLM, or None."""
    if match is not None and match.item.answer.strip():
        # Knowledge is stored scrubbed, with placeholders for the customer's name: fill them in
        # for this customer (a fixed substitution, not a template: agents wrote this text).
        text = render_placeholders(
            match.item.answer.strip(),
            first_name=str(context.get("customer_name") or ""),
            full_name=str(context.get("customer_full_name") or ""),
        )
        return Answer(text=text, source="knowledge")
    if template and template.strip():
        rendered = render_template(template, context)
        if rendered is not None:
            return Answer(text=rendered, source="template")
    reply = ask_llm(text=text, intent=intent, llm=llm)
    if reply is not None:
        return Answer(text=reply, source="llm")
    return None
