"""What an answer is written with: the language it goes out in and the template context
(the customer's name, the shop's name and links)."""

from __future__ import annotations

import threading
import time

from django.conf import settings

from resolution.engine.phrases import DEFAULT_LANGUAGE
from resolution.models import ShopProfile
from tickets.models import Ticket


class _ShopCache:
    """The shop profile, read at most every MODEL_RELOAD_SECONDS per process (as the intents'
    rules are): every answer needs it, and an admin's edit applies within that time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shop: dict[str, str] | None = None
        self._loaded = 0.0

    def clear(self) -> None:
        with self._lock:
            self._shop, self._loaded = None, 0.0

    def get(self) -> dict[str, str]:
        now = time.monotonic()
        with self._lock:
            if self._shop is None or now - self._loaded >= settings.MODEL_RELOAD_SECONDS:
                self._shop, self._loaded = ShopProfile.load().as_context(), now
            return self._shop


shop_profile = _ShopCache()


def answer_language(ticket: Ticket) -> str:
    """The language a ticket is answered in: the one it was written in if the desk serves it;
    for a ticket whose language is not known, the customer's own choice; else English."""
    served = settings.DESK_LANGUAGES
    for language in (ticket.language, ticket.customer.language):
        if language:
            return language if language in served else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def answer_context(ticket: Ticket) -> dict:
    """The context every answer template renders with (AnswerTemplate.body's help text)."""
    return {
        "ticket": ticket,
        "customer_name": ticket.customer.get_short_name(),
        "customer_full_name": ticket.customer.full_name,
        "shop": shop_profile.get(),
    }
