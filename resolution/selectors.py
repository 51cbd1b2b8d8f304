"""Reads for the resolution app."""

from resolution.models import Intent


def intent_slugs() -> list[str]:
    return list(Intent.objects.filter(active=True).values_list("slug", flat=True))


def intent_names() -> dict[str, str]:
    """slug -> plain-words name, for showing intents to people."""
    return dict(Intent.objects.values_list("slug", "name"))
