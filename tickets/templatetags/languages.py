"""A ticket's language for people: {{ ticket.language|language_label }} -> "Spanish (es)"."""

from django import template

from tickets.language import language_label as label

register = template.Library()


@register.filter
def language_label(code: str) -> str:
    return label(code) if code else ""
