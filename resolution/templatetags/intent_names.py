"""Intents in plain words for any template: {% load intent_names %}{% intent_name slug %}.

Tickets store the intent's slug and never import resolution; the names belong to the intents
admins edit here. So the composition happens in the template layer, like the AI's other faces:
tickets' templates load this library, and tickets' Python stays free of resolution.
"""

from django import template
from django.utils.translation import gettext

from resolution.selectors import intent_names

register = template.Library()

_CACHE_KEY = "resolution.intent_names"


def humanise(slug: str) -> str:
    """`track_order` -> "Track order": for intents that no longer exist."""
    words = slug.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


@register.simple_tag(takes_context=True)
def intent_name(context: template.Context, slug: str | None) -> str:
    if not slug:
        return ""
    # One query per template render, however many tickets the page lists.
    names = context.render_context.get(_CACHE_KEY)
    if names is None:
        names = context.render_context[_CACHE_KEY] = intent_names()
    # The starter intents' names are in the catalogs (resolution/starter_names.py).
    return gettext(names[slug]) if names.get(slug) else humanise(slug)
