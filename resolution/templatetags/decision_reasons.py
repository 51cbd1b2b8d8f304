"""Why the AI answered a ticket, in a few words, for the agents' queue:
{% load decision_reasons %}{% decision_reasons ticket %}.

The queue lists tickets (tickets app) and never imports resolution; the Decision belongs here,
so the composition happens in the template layer, as for intent names. The newest decision of
every ticket on the page is read in one query, the first time a row asks.
"""

from django import template
from django.utils.html import format_html

from resolution.models import Decision

register = template.Library()

_CACHE_KEY = "resolution.queue_decisions"
_SOURCES = {"knowledge": "a reviewed knowledge entry", "template": "the intent's answer"}


def _latest_decisions(ticket_ids: list[int]) -> dict[int, Decision]:
    latest: dict[int, Decision] = {}
    decisions = (
        Decision.objects.filter(ticket_id__in=ticket_ids)
        .only("ticket_id", "confidence", "similarity", "answer_source", "thresholds", "signals")
        .order_by("ticket_id", "-created_at", "-id")
    )
    for decision in decisions:
        latest.setdefault(decision.ticket_id, decision)
    return latest


def explain(decision: Decision | None) -> str:
    """One line: how sure, against which bar, and where the answer came from."""
    if decision is None:
        return "No decision recorded."
    parts = []
    if (decision.signals or {}).get("direct") and decision.similarity is not None:
        parts.append(f"knowledge match {decision.similarity:.0%}")
    elif decision.confidence is not None:
        bar = (decision.thresholds or {}).get("auto_resolve")
        sure = f"{decision.confidence:.0%} sure"
        parts.append(f"{sure} (bar {bar:.0%})" if isinstance(bar, int | float) else sure)
    source = _SOURCES.get(decision.answer_source, decision.answer_source)
    if source:
        parts.append(f"answered from {source}")
    return "; ".join(parts) or "Answered automatically."


@register.simple_tag(takes_context=True)
def decision_reasons(context: template.Context, ticket) -> str:
    decisions = context.render_context.get(_CACHE_KEY)
    if decisions is None:
        ids = [row.pk for row in context.get("tickets", [])] or [ticket.pk]
        decisions = context.render_context[_CACHE_KEY] = _latest_decisions(ids)
    return format_html('<span class="small">{}</span>', explain(decisions.get(ticket.pk)))
