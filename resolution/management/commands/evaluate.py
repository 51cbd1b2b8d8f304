"""manage.py evaluate: how well would the model do on a labelled CSV?"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from resolution.engine.classifier import IntentClassifier
from resolution.engine.evaluation import evaluate
from resolution.services.csv_rows import CsvError, read_rows
from resolution.services.registry import NoActiveModel, registry
from resolution.services.training import training_config

BATCH = 512


class Command(BaseCommand):
    help = (
        "Evaluate the active model (or one trained on --train-csv) on a labelled CSV: accuracy, "
        "macro-F1, calibration error, auto-resolution coverage and precision. Rows whose label "
        "is not a known intent are out-of-scope and must escalate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--csv", required=True, help="Labelled CSV to evaluate on.")
        parser.add_argument("--text-column", default="text")
        parser.add_argument("--label-column", default="intent")
        parser.add_argument("--train-csv", help="Train a fresh model on this CSV instead.")
        parser.add_argument("--encoding", default="utf-8-sig")
        parser.add_argument("--threshold", type=float, default=settings.AUTO_RESOLVE_THRESHOLD)
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        columns = [options["text_column"], options["label_column"]]
        try:
            rows = read_rows(options["csv"], columns=columns, encoding=options["encoding"])
            classifier = self.classifier(options, columns)
        except (CsvError, NoActiveModel) as exc:
            raise CommandError(str(exc)) from exc
        rows = [r for r in rows if r[columns[0]]]
        texts = [r[columns[0]] for r in rows]
        labels = [r[columns[1]] for r in rows]
        predictions = []
        for start in tqdm(range(0, len(texts), BATCH), desc="Evaluating", disable=None):
            predictions.extend(classifier.predict_many(texts[start : start + BATCH]))
        report = evaluate(
            predictions, labels, threshold=options["threshold"], known_labels=set(classifier.labels)
        )
        if options["json"]:
            self.stdout.write(json.dumps(report))
        else:
            self.print_report(report, options["threshold"])

    def classifier(self, options, columns) -> IntentClassifier:
        if not options["train_csv"]:
            return registry.model().classifier
        train = read_rows(options["train_csv"], columns=columns, encoding=options["encoding"])
        train = [r for r in train if r[columns[0]] and r[columns[1]]]
        self.stderr.write(f"Training on {len(train)} rows of {options['train_csv']}…")
        return IntentClassifier.train(
            [r[columns[0]] for r in train], [r[columns[1]] for r in train], config=training_config()
        )

    def print_report(self, report: dict, threshold: float) -> None:
        def pct(value) -> str:
            return "—" if value is None else f"{value:.1%}"

        write = self.stdout.write
        write(f"Rows: {report['n']} ({report['n_oos']} out of scope)")
        write(f"Accuracy (in scope):        {pct(report['accuracy'])}")
        write(f"Macro-F1 (in scope):        {report['macro_f1']:.3f}")
        write(f"Calibration error (ECE):    {report['ece']:.3f}")
        write(f"Auto-resolved at {threshold:.2f}:     {pct(report['coverage'])} of tickets")
        write(f"  of which right:           {pct(report['auto_precision'])}")
        write(f"Out-of-scope auto-resolved: {pct(report['oos_auto_rate'])}")
        write("Risk-coverage:  threshold  coverage  precision")
        for row in report["risk_coverage"]:
            write(
                f"                {row['threshold']:>9.2f}  {pct(row['coverage']):>8}  "
                f"{pct(row['precision']):>9}"
            )
