"""What the OpenAPI schema says about fields whose valid values live in the database.

A reply's `intent` is one of the known (active) intents' slugs, or "" to keep it: the schema
lists the slugs as an enum, read when the schema is generated, so generated clients and
schema-driven testers know what the server accepts. Loaded by TicketsConfig.ready().
"""

import logging

from django.db import DatabaseError
from drf_spectacular.extensions import OpenApiSerializerFieldExtension

from tickets.services import known_intent_slugs

logger = logging.getLogger(__name__)


def _slugs_or_none() -> list[str] | None:
    """The known slugs; None when the database cannot be read (e.g. generating the schema at
    build time with no database), when the field is described as plain text instead."""
    try:
        return sorted(known_intent_slugs())
    except (DatabaseError, RuntimeError) as exc:  # RuntimeError: pytest-django's DB blocker
        logger.debug("OpenAPI: intent slugs unavailable (%s); `intent` shown as text", exc)
        return None


class IntentSlugFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "tickets.serializers.IntentSlugField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        slugs = _slugs_or_none()
        if not slugs:
            return schema
        # Spectacular adds "" (keep the intent) as its own `maxLength: 0` alternative.
        described = {k: v for k, v in schema.items() if k in ("description", "default")}
        return {**described, "type": "string", "enum": slugs}
