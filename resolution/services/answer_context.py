"""What an answer is written with: the language it goes out in and the template context
(the customer's name, the shop's name and links)."""

from __future__ import annotations

import threading
import time

from django.conf import settings

from resolution.engine.phrases import DEFAULT_LANGUAGE
from resolution.models import ShopProfile
from tickets.models import Ticket
from tickets.selectors import ticket_language


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
    """The language a ticket is answered in (tickets.selectors.ticket_language)."""
    return ticket_language(ticket) or DEFAULT_LANGUAGE


def answer_context(ticket: Ticket) -> dict:
    """The context every answer template renders with (AnswerTemplate.body's help text)."""
    return {
        "ticket": ticket,
        "customer_name": ticket.customer.get_short_name(),
        "customer_full_name": ticket.customer.full_name,
        "shop": shop_profile.get(),
    }
