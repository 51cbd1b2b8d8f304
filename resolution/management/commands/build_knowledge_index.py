"""manage.py build_knowledge_index: write the shared knowledge index snapshot that every web and
worker process memory-maps (docs/OPERATIONS.md, "The knowledge index")."""

from django.core.management.base import BaseCommand, CommandError

from resolution.engine.snapshot import KEEP_PREVIOUS, SnapshotError
from resolution.services.knowledge_snapshots import knowledge_snapshot_build
from resolution.services.registry import index_options, snapshot_dir


class Command(BaseCommand):
    help = (
        "Build the knowledge index from the active entries and save it as the shared snapshot "
        "(KNOWLEDGE_INDEX_DIR); running processes load it within MODEL_RELOAD_SECONDS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-previous",
            type=int,
            default=KEEP_PREVIOUS,
            help=f"Older snapshots to keep besides the new one (default {KEEP_PREVIOUS}).",
        )

    def handle(self, *args, keep_previous: int, **options):
        if keep_previous < 0:
            raise CommandError("--keep-previous must be 0 or more.")
        if index_options()["featurizer"] != "tfidf":
            raise CommandError(
                "Snapshots hold the TF-IDF index only; with INTENT_FEATURIZER using embeddings "
                "each process builds its own index."
            )
        try:
            meta = knowledge_snapshot_build(keep_previous=keep_previous)
        except SnapshotError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Snapshot {meta['name']}: {meta.get('entries', 0)} entries at knowledge change "
                f"{meta.get('version')}, {meta['seconds']} s, in {snapshot_dir()}."
            )
        )
