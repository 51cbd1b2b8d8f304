"""Knowledge text as one customer receives it: `{{ text|for_customer:user }}`.

Knowledge is stored with placeholders for the customer's name (resolution.engine.scrub); every
page that shows an entry to a customer, or hands it to an agent answering one, fills them in
for that customer.
"""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from resolution.services.scrubbing import SAMPLE_CUSTOMER, render_for, render_for_user

register = template.Library()


@register.filter
def for_customer(text: str, user) -> str:
    return render_for_user(text or "", user)


@register.filter
def for_sample(text: str) -> str:
    """As the review's sample customer receives it (see SAMPLE_CUSTOMER)."""
    return render_for(text or "", **SAMPLE_CUSTOMER)


@register.filter
def added_ago(moment) -> str:
    """ "just now" under a minute (timesince said "0 minutes ago"), else "3 hours ago"."""
    if moment is None:
        return ""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"
