"""manage.py import_tickets: bootstrap training examples and knowledge from a historical export."""

from django.core.management.base import BaseCommand, CommandError

from resolution.services.csv_rows import CsvError, read_rows
from resolution.services.importer import import_rows


class Command(BaseCommand):
    help = (
        "Import labelled historical tickets as training examples (and knowledge entries when an "
        "answer column is given). Creates missing intents; reports what it skipped and why."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv", help="The CSV export.")
        parser.add_argument("--text-column", required=True)
        parser.add_argument("--label-column", required=True)
        parser.add_argument("--answer-column")
        parser.add_argument("--encoding", default="utf-8-sig")

    def handle(self, *args, **options):
        columns = [options["text_column"], options["label_column"]]
        if options["answer_column"]:
            columns.append(options["answer_column"])
        try:
            rows = read_rows(options["csv"], columns=columns, encoding=options["encoding"])
        except CsvError as exc:
            raise CommandError(str(exc)) from exc
        report = import_rows(
            rows,
            text_column=options["text_column"],
            label_column=options["label_column"],
            answer_column=options["answer_column"],
        )
        self.stdout.write(
            f"Imported {report.examples} training examples and {report.knowledge} knowledge "
            f"entries; created {len(report.new_intents)} intents"
            + (f" ({', '.join(report.new_intents)})" if report.new_intents else "")
            + "."
        )
        for reason, count in sorted(report.skipped.items()):
            self.stdout.write(self.style.WARNING(f"Skipped {count} rows: {reason}"))
        if not report.examples and not report.knowledge and not report.duplicates:
            raise CommandError("Nothing was imported.")
