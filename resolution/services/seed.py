"""The shipped starter data (written by us, in resolution/data/) and the demo desk."""

import hashlib
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
from resolution.services.knowledge_changes import knowledge_version_next
from resolution.starter_data import (
    DATA_DIR,
    starter_examples,
    starter_knowledge_translations,
    starter_translations,
)

# The English templates shipped before the shop's links and the desk's own greeting (they sent
# customers to desk paths that 404 and greeted in the body): a desk still holding one exactly
# as shipped gets today's version; one an admin edited is left alone. sha256, first 16 hex.
SUPERSEDED_TEMPLATES = frozenset(
    {
        "00e801718877d4df", "04e84f4adb82c959", "10b7d6ce50f9e98f", "16c2e043d314b508",
        "1d7efa6e1b5fd915", "1f58b222b749f7c6", "3073f79a842e5473", "34391ba4237e0ff7",
        "381df1ab5b3a1860", "3e832f56f178f278", "40aa878e4925ad6e", "42558715fdb92e26",
        "49ee0913a44b9464", "4e2f77b93734d3de", "73477ae297e65b2a", "8c12252fb7929a3e",
        "94393b9142d46bd3", "9b2402c5c1aa0b23", "a8c9334951a5d09d", "b01bcd5587c302bb",
        "d4f1983b4db4ea52", "dc37e3486c6ee08f", "dda715c59c05f3e2", "e941658a1cbd1188",
        "ebbfc532b169c14f", "f7d992b49047f12f", "fa6bcde564f80c1f",
    }
)  # fmt: skip


def superseded(body: str) -> bool:
    return hashlib.sha256(body.encode()).hexdigest()[:16] in SUPERSEDED_TEMPLATES


@transaction.atomic
def load_taxonomy() -> int:
    """Create or update the default intents and their templates. Returns how many are new."""
    created_count = 0
    translations = starter_translations()
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
        # Admins may have edited a template since: only add one where none exists in a language.
        for old in intent.templates.filter(language="en"):
            if superseded(old.body):
                old.body = spec["template"]
                old.save(update_fields=["body", "updated_at"])
        have = set(intent.templates.values_list("language", flat=True))
        if "en" not in have:
            AnswerTemplate.objects.create(intent=intent, language="en", body=spec["template"])
        for language, templates in translations.items():
            if language in settings.DESK_LANGUAGES and language not in have:
                body = templates.get(spec["slug"])
                if body:
                    AnswerTemplate.objects.create(intent=intent, language=language, body=body)
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
    """The starter entries in English and our reviewed translations of them in each served
    language (active, linked to their English source). Returns how many were added."""
    intents = {i.slug: i for i in Intent.objects.all()}
    existing = set(KnowledgeEntry.objects.values_list("language", "question"))
    specs = json.loads((DATA_DIR / "knowledge_base.json").read_text(encoding="utf-8"))
    new = [
        KnowledgeEntry(
            question=spec["question"],
            title=spec["question"][:200],  # written by us for everyone
            answer=spec["answer"],
            intent=intents.get(spec["intent"]),
            status=KnowledgeStatus.ACTIVE,
        )
        for spec in specs
        if ("en", spec["question"]) not in existing
    ]
    version = knowledge_version_next() if new else None
    for entry in new:
        entry.change_version = version
    KnowledgeEntry.objects.bulk_create(new)
    sources = {
        e.question: e
        for e in KnowledgeEntry.objects.filter(language="en", translation_of=None).select_related(
            "intent"
        )
    }
    translated = []
    for language, entries in starter_knowledge_translations().items():
        if language not in settings.DESK_LANGUAGES:
            continue
        for spec in entries:
            source = sources.get(spec["source"])
            if source is None or (language, spec["question"]) in existing:
                continue
            translated.append(
                KnowledgeEntry(
                    question=spec["question"],
                    title=spec["question"][:200],
                    answer=spec["answer"],
                    intent=source.intent,
                    language=language,
                    translation_of=source,
                    status=KnowledgeStatus.ACTIVE,  # written and reviewed by us
                )
            )
    if translated and version is None:
        version = knowledge_version_next()
    for entry in translated:  # one version for the whole load
        entry.change_version = version
    KnowledgeEntry.objects.bulk_create(translated)
    return len(new) + len(translated)
