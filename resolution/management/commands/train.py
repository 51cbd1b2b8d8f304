"""manage.py train: train a model from TrainingExamples and promote it if it is not worse."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from resolution.models import ModelVersion
from resolution.services.training import TrainingError, train_model


class Command(BaseCommand):
    help = "Train a new intent model, evaluate it on a held-out split, promote it if not worse."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Promote even if it is worse.")
        parser.add_argument(
            "--if-missing", action="store_true", help="Only train when no model is active."
        )
        parser.add_argument("--seed", type=int, default=0, help="Random seed for the split.")

    def handle(self, *args, force: bool, if_missing: bool, seed: int, **options):
        if if_missing and ModelVersion.objects.filter(is_active=True).exists():
            self.stdout.write("A model is active already; nothing to do.")
            return
        with tqdm(total=1, desc="Training", unit="model", disable=None) as bar:
            try:
                result = train_model(force=force, seed=seed)
            except TrainingError as exc:
                raise CommandError(str(exc)) from exc
            bar.update(1)
        metrics = result.version.metrics
        self.stdout.write(
            f"Model v{result.version.version}: trained on {result.version.trained_on['total']} "
            f"examples; held-out accuracy {metrics.get('accuracy', 0):.1%}, "
            f"macro-F1 {metrics.get('macro_f1', 0):.3f}, ECE {metrics.get('ece', 0):.3f}, "
            f"auto-resolve coverage {metrics.get('coverage', 0):.1%} "
            f"at precision {metrics.get('auto_precision') or 0:.1%}"
        )
        if result.promoted:
            self.stdout.write(self.style.SUCCESS(f"Promoted ({result.reason})."))
        else:
            self.stdout.write(self.style.WARNING(f"Not promoted: {result.reason}."))
