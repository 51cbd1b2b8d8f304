"""manage.py evaluate: how well would the model do on a labelled CSV?"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from resolution.engine.classifier import IntentClassifier
from resolution.engine.decision import DEFAULT_MIN_MARGIN, knowledge_conflict
from resolution.engine.evaluation import calibration_record, evaluate, rule_report, split_holdout
from resolution.engine.replay import Case, fixed_policy, offline_decider, replay
from resolution.engine.similarity import SimilarityIndex
from resolution.engine.types import KnowledgeItem
from resolution.services.csv_rows import CsvError, read_rows
from resolution.services.policy import certify_calibration
from resolution.services.registry import NoActiveModel, registry
from resolution.services.training import HOLDOUT_FRACTION, example_languages, training_config
from tickets.language import language_detect

BATCH = 512


def risk_level(value: str) -> float:
    """α and δ: a probability in (0, 0.5], as DecisionPolicy accepts them."""
    try:
        level = float(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a number.") from None
    if not 0 < level <= 0.5:
        raise CommandError(f"{value} is not above 0 and at most 0.5.")
    return level


class Command(BaseCommand):
    help = (
        "Evaluate the active model (or one trained on --train-csv) on a labelled CSV: the whole "
        "live decision replayed on every row (per escalation reason and per --kind-column), "
        "accuracy, "
        "macro-F1, calibration error, auto-resolution coverage and precision. Rows whose label "
        "is not a known intent are out-of-scope and must escalate. Also: the certified "
        "threshold for --alpha/--delta (on a held-out split of --train-csv, or on the active "
        "model's stored split) and coverage/precision under it, with the margin rule on and off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--csv", required=True, help="Labelled CSV to evaluate on.")
        parser.add_argument("--text-column", default="text")
        parser.add_argument("--label-column", default="intent")
        parser.add_argument("--train-csv", help="Train a fresh model on this CSV instead.")
        parser.add_argument("--encoding", default="utf-8-sig")
        parser.add_argument("--threshold", type=float, default=settings.AUTO_RESOLVE_THRESHOLD)
        parser.add_argument(
            "--alpha", type=str, default="0.02", help="Error rate to certify (default 0.02)."
        )
        parser.add_argument(
            "--delta", type=str, default="0.1", help="Risk of missing it (default 0.1)."
        )
        parser.add_argument(
            "--min-margin",
            type=float,
            default=DEFAULT_MIN_MARGIN,
            help=f"The margin rule's minimum top-two margin (default {DEFAULT_MIN_MARGIN}).",
        )
        parser.add_argument(
            "--calibration-csv",
            help=(
                "Certify on this labelled CSV instead (e.g. recent agent-labelled tickets, "
                "drawn like the tickets to come), scored by the evaluated model."
            ),
        )
        parser.add_argument(
            "--knowledge",
            help=(
                "A knowledge base as JSON ([{question, answer, intent}], e.g. "
                "resolution/data/knowledge_base.json) to measure the knowledge-agreement check."
            ),
        )
        parser.add_argument(
            "--kind-column",
            default="kind",
            help="Optional column grouping the rows (e.g. path_failed, plain) in the replay.",
        )
        parser.add_argument(
            "--language-column",
            default="language",
            help=(
                "Optional column with each row's language (ISO 639-1) for the figures per "
                "language; without it, each row's language is detected as the desk does."
            ),
        )
        parser.add_argument(
            "--examples", type=int, default=10, help="Wrong automatic answers to show."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        alpha, delta = risk_level(options["alpha"]), risk_level(options["delta"])
        if not 0 <= options["min_margin"] <= 1:
            raise CommandError("--min-margin must be between 0 and 1.")
        columns = [options["text_column"], options["label_column"]]
        try:
            rows = read_rows(options["csv"], columns=columns, encoding=options["encoding"])
            knowledge = self.knowledge(options["knowledge"])
            calibration_rows = (
                read_rows(options["calibration_csv"], columns=columns, encoding=options["encoding"])
                if options["calibration_csv"]
                else None
            )
            classifier, calibration, source = self.classifier(
                options, columns, held_out=calibration_rows is None
            )
            if calibration_rows is not None:
                calibration_rows = [r for r in calibration_rows if r[columns[0]]]
                calibration = calibration_record(
                    self.predict(classifier, [r[columns[0]] for r in calibration_rows]),
                    [r[columns[1]] for r in calibration_rows],
                    known_labels=classifier.labels,
                )
                source = options["calibration_csv"]
        except (CsvError, NoActiveModel) as exc:
            raise CommandError(str(exc)) from exc
        rows = [r for r in rows if r[columns[0]]]
        texts = [r[columns[0]] for r in rows]
        labels = [r[columns[1]] for r in rows]
        predictions = self.predict(classifier, texts)
        known = set(classifier.labels)
        report = evaluate(predictions, labels, threshold=options["threshold"], known_labels=known)
        report["decision"] = self.decision_report(
            calibration_record(predictions, labels, known_labels=known),
            calibration,
            source=source,
            threshold=options["threshold"],
            alpha=alpha,
            delta=delta,
            min_margin=options["min_margin"],
            knowledge_conflicts=(
                self.conflicts(knowledge, texts, predictions) if knowledge is not None else None
            ),
        )
        report["replay"] = self.replay(options, classifier, knowledge, rows, columns)
        if options["json"]:
            self.stdout.write(json.dumps(report))
        else:
            self.print_report(report, options["threshold"])
            self.print_replay(report["replay"])

    def replay(self, options, classifier, knowledge, rows, columns) -> dict:
        """The whole live decision on every row (resolution.engine.assess: the pipeline's
        function): the desk's policy, templates and knowledge for the active model; for a
        model trained on --train-csv, the fixed threshold with every intent answered by a
        template. --knowledge replaces the knowledge base."""
        if options["train_csv"]:
            policy_for = fixed_policy(
                options["threshold"],
                min_margin=options["min_margin"],
                conflict_similarity=settings.SIMILARITY_THRESHOLD if knowledge else None,
            )
            index = knowledge
        else:
            from resolution.services.pipeline import intent_policy
            from resolution.services.policy import current_policy

            desk = current_policy(registry.model().version_id)

            def policy_for(intent: str):
                return intent_policy(intent, desk)

            index = knowledge if knowledge is not None else registry.index()
        kinds = self.column(options, options["kind_column"], len(rows))
        languages = self.column(options, options["language_column"], len(rows))
        cases = [
            Case(
                row[columns[0]], row[columns[1]], kind, language or language_detect(row[columns[0]])
            )
            for row, kind, language in zip(rows, kinds, languages, strict=True)
        ]
        decide_one = offline_decider(
            classifier,
            policy_for=policy_for,
            index=index,
            similarity_threshold=settings.SIMILARITY_THRESHOLD,
        )
        return replay(
            tqdm(cases, desc="Replaying", disable=None),
            decide_one,
            known_labels=classifier.labels,
            examples=options["examples"],
        )

    @staticmethod
    def column(options, name: str, n: int) -> list[str]:
        """An optional column of the evaluated rows (the same rows, non-empty texts), or ""."""
        columns = [options["text_column"], name]
        try:
            rows = read_rows(options["csv"], columns=columns, encoding=options["encoding"])
        except CsvError:
            return [""] * n
        kinds = [r[columns[1]] for r in rows if r[columns[0]]]
        return kinds if len(kinds) == n else [""] * n

    def print_replay(self, replay_report: dict) -> None:
        def pct(value) -> str:
            return "—" if value is None else f"{value:.1%}"

        write = self.stdout.write
        write("")
        write("The whole decision, replayed (every check the live pipeline applies):")
        groups = [("all", replay_report), *replay_report["by_kind"].items()]
        write(
            "  rows                  n   answered  right   in-scope answered  "
            "must-escalate answered"
        )
        for name, r in groups:
            write(
                f"  {name:<18} {r['n']:>5}  {r['auto']:>8}  {pct(r['auto_precision']):>6}  "
                f"{pct(r['in_scope_answered']):>17}  {pct(r['must_escalate_answered']):>22}"
            )
        if len(replay_report["by_language"]) > 1:
            write("  Per language:")
            for code, r in replay_report["by_language"].items():
                write(
                    f"  {code:<18} {r['n']:>5}  {r['auto']:>8}  {pct(r['auto_precision']):>6}  "
                    f"{pct(r['in_scope_answered']):>17}  {pct(r['must_escalate_answered']):>22}"
                )
        before = replay_report["without_abstentions"]
        write(
            f"  without the abstention checks: {before['auto']} answered, "
            f"{pct(before['auto_precision'])} right"
        )
        write("  Escalation reasons (tickets):")
        for reason, count in replay_report["by_reason"].items():
            write(f"    {reason:<26} {count:>6}")
        write("  Sent to people by an abstention alone (the decision would have answered):")
        for reason, count in replay_report["sent_to_people_by_abstention"].items():
            write(f"    {reason:<26} {count:>6}")
        for example in replay_report["wrong_examples"]:
            write(
                f"  wrong: {example['text'][:80]!r} answered as {example['answered_as']} "
                f"({example['confidence']:.2f}), expected {example['expected']}"
            )

    @staticmethod
    def knowledge(path: str | None) -> SimilarityIndex | None:
        if not path:
            return None
        try:
            entries = json.loads(Path(path).read_text(encoding="utf-8"))
            items = [
                KnowledgeItem(i, entry["question"], entry.get("answer", ""), entry.get("intent"))
                for i, entry in enumerate(entries)
            ]
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise CsvError(
                f"{path}: not a knowledge base (a JSON list of {{question, answer, intent}}): {exc}"
            ) from exc
        return SimilarityIndex.build(items, backend="exact")

    @staticmethod
    def conflicts(index: SimilarityIndex, texts: list[str], predictions: list) -> list[bool]:
        """Per row: the knowledge-agreement check fires (decide()'s own test)."""
        result = []
        for text, prediction in zip(texts, predictions, strict=True):
            found = index.search(text, k=1)
            result.append(
                knowledge_conflict(
                    prediction, found[0] if found else None, settings.SIMILARITY_THRESHOLD
                )
            )
        return result

    @staticmethod
    def predict(classifier: IntentClassifier, texts: list[str]) -> list:
        predictions = []
        for start in tqdm(range(0, len(texts), BATCH), desc="Evaluating", disable=None):
            predictions.extend(classifier.predict_many(texts[start : start + BATCH]))
        return predictions

    def classifier(
        self, options, columns, *, held_out: bool = True
    ) -> tuple[IntentClassifier, dict, str]:
        """The model to evaluate, the calibration record to certify on, and where it is from.

        With --train-csv, as `manage.py train` does: a trial model trained without a held-out
        split scores that split (the calibration record), and the evaluated model learns from
        all rows. Without, the active model and the record stored with it. ``held_out``
        False skips the trial model (another calibration source is given).
        """
        if not options["train_csv"]:
            loaded = registry.model()
            from resolution.models import ModelVersion

            stored = (
                ModelVersion.objects.values_list("calibration", flat=True).get(pk=loaded.version_id)
                or {}
            )
            return loaded.classifier, stored, f"model v{loaded.version} (stored held-out split)"
        train = read_rows(options["train_csv"], columns=columns, encoding=options["encoding"])
        train = [r for r in train if r[columns[0]] and r[columns[1]]]
        texts, labels = [r[columns[0]] for r in train], [r[columns[1]] for r in train]
        config = training_config()
        # As `manage.py train` does: a threshold certified per language (engine.language_threshold).
        languages = example_languages(texts)
        if not held_out:
            self.stderr.write(f"Training on {len(train)} rows of {options['train_csv']}…")
            return (
                IntentClassifier.train(texts, labels, config=config, languages=languages),
                {},
                "",
            )
        split = split_holdout(texts, labels, fraction=HOLDOUT_FRACTION, seed=0)
        self.stderr.write(
            f"Training on {len(split.train_texts)} rows of {options['train_csv']} to score "
            f"{len(split.test_texts)} held out for calibration…"
        )
        trial = IntentClassifier.train(split.train_texts, split.train_labels, config=config)
        calibration = calibration_record(
            self.predict(trial, split.test_texts), split.test_labels, known_labels=trial.labels
        )
        self.stderr.write(f"Training on {len(train)} rows of {options['train_csv']}…")
        final = IntentClassifier.train(texts, labels, config=config, languages=languages)
        return final, calibration, f"held-out {HOLDOUT_FRACTION:.0%} of {options['train_csv']}"

    @staticmethod
    def decision_report(
        test: dict,
        calibration: dict,
        *,
        source: str,
        threshold: float,
        alpha: float,
        delta: float,
        min_margin: float,
        knowledge_conflicts: list[bool] | None = None,
    ) -> dict:
        """The fixed and certified thresholds, each with the margin rule on and off (and,
        given a knowledge base, with the knowledge-agreement check too), on the test rows; the
        certificates are computed on the calibration record."""
        rows = (test["confidence"], test["correct"], test["margin"])
        report = {
            "alpha": alpha,
            "delta": delta,
            "min_margin": min_margin,
            "calibration_source": source,
            "fixed": rule_report(*rows, threshold=threshold, min_margin=min_margin),
            "fixed_no_margin": rule_report(*rows, threshold=threshold, min_margin=0.0),
        }
        certified_margin = None
        for name, margin in (("certified", min_margin), ("certified_no_margin", 0.0)):
            certificate = certify_calibration(
                calibration, alpha=alpha, delta=delta, min_margin=margin
            )
            certified_margin = certified_margin or certificate
            report[name] = {
                "calibration": certificate.to_dict(),
                "test": rule_report(*rows, threshold=certificate.threshold, min_margin=margin),
            }
        if knowledge_conflicts is not None:
            report["fixed_knowledge"] = rule_report(
                *rows,
                threshold=threshold,
                min_margin=min_margin,
                knowledge_conflict=knowledge_conflicts,
            )
            report["certified_knowledge"] = rule_report(
                *rows,
                threshold=certified_margin.threshold,
                min_margin=min_margin,
                knowledge_conflict=knowledge_conflicts,
            )
        return report

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
        decision = report["decision"]
        write("")
        write(
            f"Certified threshold (α {decision['alpha']:g}, δ {decision['delta']:g}), "
            f"calibrated on {decision['calibration_source']}:"
        )
        for name, label in (("certified", "margin rule on"), ("certified_no_margin", "off")):
            cert = decision[name]["calibration"]
            if cert["threshold"] is None:
                write(f"  {label:<15} none, never auto-resolve: {cert['reason']}")
            else:
                write(
                    f"  {label:<15} λ = {cert['threshold']:.3f}: {cert['errors']} wrong of "
                    f"{cert['n_auto']} above it (of {cert['n_calibration']}); "
                    f"error ≤ {pct(cert['upper_bound'])} at {1 - decision['delta']:.0%}"
                )
        write(f"Decision rules on this CSV (minimum margin {decision['min_margin']:g}):")
        rules = [
            ("fixed, margin on", decision["fixed"]),
            ("fixed, margin off", decision["fixed_no_margin"]),
            ("certified, margin on", decision["certified"]["test"]),
            ("certified, margin off", decision["certified_no_margin"]["test"]),
        ]
        if "fixed_knowledge" in decision:
            rules += [
                ("fixed, margin + knowledge", decision["fixed_knowledge"]),
                ("certified, margin + knowledge", decision["certified_knowledge"]),
            ]
        write("  rule                           threshold  coverage  precision  margin  knowledge")
        for label, rule in rules:
            shown = "never" if rule["threshold"] is None else f"{rule['threshold']:.3f}"
            write(
                f"  {label:<30} {shown:>9}  {pct(rule['coverage']):>8}  "
                f"{pct(rule['auto_precision']):>9}  {rule['fired']['low_margin_only']:>6}  "
                f"{rule['fired'].get('knowledge_conflict_only', '—'):>9}"
            )
        write("  (margin, knowledge: tickets that check alone escalated)")
