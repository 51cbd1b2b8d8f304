"""Bulk import of labelled history. A bulk path: it calls no signals and decides no tickets."""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify
from tqdm import tqdm

from resolution.models import ExampleSource, Intent, KnowledgeEntry, TrainingExample
from resolution.services.knowledge_changes import knowledge_version_next

MAX_TEXT_LENGTH = 10_000


@dataclass
class ImportReport:
    examples: int = 0
    knowledge: int = 0
    duplicates: int = 0
    new_intents: list[str] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)


@transaction.atomic
def import_rows(
    rows: list[dict], *, text_column: str, label_column: str, answer_column: str | None = None
) -> ImportReport:
    report = ImportReport()
    intents = {i.slug: i for i in Intent.objects.all()}
    seen = set(TrainingExample.objects.values_list("intent__slug", "text"))
    known_questions = set(KnowledgeEntry.objects.values_list("question", flat=True))
    examples, entries = [], []
    for row in tqdm(rows, desc="Importing", unit="row", disable=None):
        text, slug = row[text_column], slugify(row[label_column])[:64]
        if not text:
            report.skipped["empty text"] += 1
            continue
        if not slug:
            report.skipped["empty or unusable label"] += 1
            continue
        if len(text) > MAX_TEXT_LENGTH:
            report.skipped[f"text longer than {MAX_TEXT_LENGTH} characters"] += 1
            continue
        intent = intents.get(slug)
        if intent is None:
            intent = Intent.objects.create(slug=slug, name=row[label_column].replace("_", " "))
            intents[slug] = intent
            report.new_intents.append(slug)
        if (slug, text) in seen:
            report.duplicates += 1
        else:
            seen.add((slug, text))
            examples.append(TrainingExample(text=text, intent=intent, source=ExampleSource.IMPORT))
        answer = row.get(answer_column, "") if answer_column else ""
        if answer and text not in known_questions:
            known_questions.add(text)
            entries.append(KnowledgeEntry(question=text, answer=answer, intent=intent))
    if report.duplicates:
        report.skipped["already imported (same text and intent)"] += report.duplicates
    TrainingExample.objects.bulk_create(examples, batch_size=2000)
    if entries:
        version = knowledge_version_next()
        for entry in entries:
            entry.change_version = version
        KnowledgeEntry.objects.bulk_create(entries, batch_size=2000)
    report.examples, report.knowledge = len(examples), len(entries)
    return report
