"""The shipped starter data (written by us, in resolution/data/) and the demo desk."""

import json

from django.conf import settings
from django.db import transaction

from resolution.models import (
    AnswerTemplate,
    ExampleSource,
    Intent,
    KnowledgeEntry,
    KnowledgeStatus,
    TrainingExample,
)
from resolution.starter_data import DATA_DIR, starter_examples


@transaction.atomic
def load_taxonomy() -> int:
    """Create or update the default intents and their templates. Returns how many are new."""
    created_count = 0
    for spec in json.loads((DATA_DIR / "intents.json").read_text(encoding="utf-8")):
        intent, created = Intent.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "description": spec["description"],
                "always_escalate": spec["always_escalate"],
            },
        )
        created_count += created
        # Admins may have edited a template since: only add one where none exists.
        if not intent.templates.exists():
            AnswerTemplate.objects.create(intent=intent, body=spec["template"])
    return created_count


@transaction.atomic
def load_starter_examples() -> int:
    """Add the starter training examples that are not there yet. Returns how many were added."""
    intents = dict(Intent.objects.values_list("slug", "id"))
    existing = set(
        TrainingExample.objects.filter(source=ExampleSource.STARTER).values_list(
            "intent_id", "text"
        )
    )
    new = []
    # Only the languages the desk serves: a language it escalates anyway needs no training.
    for text, slug in starter_examples(settings.DESK_LANGUAGES):
        intent_id = intents.get(slug)
        if intent_id is not None and (intent_id, text) not in existing:
            existing.add((intent_id, text))
            new.append(
                TrainingExample(text=text, intent_id=intent_id, source=ExampleSource.STARTER)
            )
    TrainingExample.objects.bulk_create(new, batch_size=1000)
    return len(new)


@transaction.atomic
def load_starter_knowledge() -> int:
    intents = {i.slug: i for i in Intent.objects.all()}
    existing = set(KnowledgeEntry.objects.values_list("question", flat=True))
    new = [
        KnowledgeEntry(
            question=spec["question"],
            title=spec["question"][:200],  # written by us for everyone
            answer=spec["answer"],
            intent=intents.get(spec["intent"]),
            status=KnowledgeStatus.ACTIVE,
        )
        for spec in json.loads((DATA_DIR / "knowledge_base.json").read_text(encoding="utf-8"))
        if spec["question"] not in existing
    ]
    KnowledgeEntry.objects.bulk_create(new)
    return len(new)
