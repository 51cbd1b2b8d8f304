"""The notifications bell in the agents' navigation (base.html): `{% notifications_bell %}`."""

from django import template

from tickets.notifications import notifications_unread_count

register = template.Library()


@register.inclusion_tag("partials/notifications_bell.html", takes_context=True)
def notifications_bell(context) -> dict:
    user = context["user"]
    return {"unread": notifications_unread_count(user), "current": context.get("request")}
