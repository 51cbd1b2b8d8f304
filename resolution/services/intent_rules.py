"""Each intent's own rules and answer template, cached per process like the model.

The pipeline needs them for every ticket; reading them from the database each time cost two
queries per ticket (about a tenth of a POST's time with the pipeline in the request). All
active intents are read at once, at most every MODEL_RELOAD_SECONDS, so an admin's edit
applies within that time in every process.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings

from resolution.models import AnswerTemplate, Intent


@dataclass(frozen=True)
class IntentRules:
    threshold_override: float | None
    always_escalate: bool
    # The newest active answer template in each language it is written in (may be empty).
    templates: dict[str, str]
    autonomy: str = ""  # off, draft, auto; "" follows the desk (engine/autonomy.py)


class _IntentRulesCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, IntentRules] | None = None
        self._loaded = 0.0

    def clear(self) -> None:
        with self._lock:
            self._rules, self._loaded = None, 0.0

    def get(self, slug: str) -> IntentRules | None:
        """The rules of an active intent; None for an unknown or inactive one."""
        now = time.monotonic()
        with self._lock:
            if self._rules is None or now - self._loaded >= settings.MODEL_RELOAD_SECONDS:
                self._rules, self._loaded = self._load(), now
            return self._rules.get(slug)

    @staticmethod
    def _load() -> dict[str, IntentRules]:
        templates: dict[int, dict[str, str]] = {}
        newest_first = AnswerTemplate.objects.filter(active=True).order_by(
            "intent_id", "language", "-updated_at"
        )
        for intent_id, language, body in newest_first.values_list("intent_id", "language", "body"):
            templates.setdefault(intent_id, {}).setdefault(language, body)
        return {
            slug: IntentRules(override, always_escalate, templates.get(pk, {}), autonomy)
            for pk, slug, override, always_escalate, autonomy in Intent.objects.filter(
                active=True
            ).values_list("id", "slug", "threshold_override", "always_escalate", "autonomy")
        }


intent_rules = _IntentRulesCache()
