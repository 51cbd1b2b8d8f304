"""`{{ message.body|message_html }}`: an answer's text as HTML in the answer e-mail, exactly
what `|urlize|linebreaksbr` gives (links made clickable, line breaks kept, everything else
escaped), computed once per distinct text.

Why cached: answers are written from a few dozen templates, so the e-mails of a busy desk
repeat the same bodies, and urlize walks every word of one through several regular
expressions (~0.2 ms of an answer e-mail's ~0.5 ms of rendering; issue 19,
bench/request_cost_parts.py). tests/test_email_rendering.py pins the output to the two filters'.
"""

from functools import lru_cache

from django import template
from django.template.defaultfilters import linebreaksbr, urlize
from django.utils.safestring import SafeData

register = template.Library()


@register.filter(is_safe=True, needs_autoescape=True)
def message_html(text, autoescape: bool = True) -> str:
    if isinstance(text, SafeData):  # marked safe: urlize keeps it as is, a case not cached
        return linebreaksbr(urlize(text, autoescape=autoescape), autoescape=autoescape)
    return _message_html(str(text), autoescape)


@lru_cache(maxsize=128)  # a few MB at most, even at the longest answers
def _message_html(text: str, autoescape: bool) -> str:
    # The result is a SafeString (immutable): sharing it between e-mails is safe.
    return linebreaksbr(urlize(text, autoescape=autoescape), autoescape=autoescape)
