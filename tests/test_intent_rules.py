"""Intents' rules and templates are read once per MODEL_RELOAD_SECONDS per process, not per
ticket, and an admin's edit applies once that time has passed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resolution.models import AnswerTemplate, Intent
from resolution.services.intent_rules import intent_rules
from resolution.services.pipeline import intent_policy

pytestmark = pytest.mark.django_db


def test_many_tickets_cost_the_database_one_read_of_the_rules(taxonomy, settings):
    settings.MODEL_RELOAD_SECONDS = 60
    intent_policy("track_order")  # loads the rules (and the desk policy)
    with CaptureQueriesContext(connection) as queries:
        for slug in ("track_order", "cancel_order", "recover_password", "no_such_intent"):
            intent_policy(slug)
    assert len(queries) == 0


def test_an_edit_applies_once_the_cache_expires(taxonomy, settings):
    settings.MODEL_RELOAD_SECONDS = 60
    assert intent_policy("track_order")[0].threshold == settings.AUTO_RESOLVE_THRESHOLD
    Intent.objects.filter(slug="track_order").update(threshold_override=0.95)
    AnswerTemplate.objects.create(
        intent=Intent.objects.get(slug="track_order"), body="Newest template", active=True
    )
    assert intent_policy("track_order")[0].threshold == settings.AUTO_RESOLVE_THRESHOLD
    settings.MODEL_RELOAD_SECONDS = 0
    policy, templates = intent_policy("track_order")
    assert policy.threshold == 0.95 and templates["en"] == "Newest template"
    assert templates["es"].startswith("Puedes seguir tu pedido")  # each language its newest


def test_inactive_intents_and_inactive_templates_do_not_apply(taxonomy):
    Intent.objects.filter(slug="cancel_order").update(active=False, always_escalate=True)
    AnswerTemplate.objects.filter(intent__slug="track_order").update(active=False)
    assert intent_rules.get("cancel_order") is None
    assert not intent_policy("cancel_order")[0].always_escalate
    assert intent_rules.get("track_order").templates == {}
    assert intent_rules.get("complaint").always_escalate
