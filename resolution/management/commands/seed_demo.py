"""Load the default taxonomy, starter data and a model; with DEBUG on, a demo desk too."""

from django.conf import settings
from django.core.management.base import BaseCommand

from resolution.models import ModelVersion
from resolution.services import seed
from resolution.services.demo import DEMO_PASSWORDS, load_demo_desk
from resolution.services.training import train_model


class Command(BaseCommand):
    help = (
        "Load intents, templates, starter examples and knowledge; train a first model; demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-users",
            action="store_true",
            help="Create the demo users and tickets even with DEBUG off (never in production).",
        )

    def handle(self, *args, **options):
        out = self.stdout
        out.write(f"Intents: {seed.load_taxonomy()} new")
        out.write(f"Starter training examples: {seed.load_starter_examples()} new")
        out.write(f"Starter knowledge entries: {seed.load_starter_knowledge()} new")
        if not ModelVersion.objects.filter(is_active=True).exists():
            out.write("Training the first model from the starter data…")
            result = train_model()
            accuracy = result.version.metrics.get("accuracy", 0)
            out.write(f"Model v{result.version.version}: held-out accuracy {accuracy:.1%}")
        if not (settings.DEBUG or options["demo_users"]):
            out.write("DEBUG is off: no demo users or tickets (use --demo-users to force).")
            return
        created = load_demo_desk()
        out.write(f"Demo tickets: {created} new")
        out.write(self.style.SUCCESS("Demo logins (http://127.0.0.1:8000/):"))
        for email, password in DEMO_PASSWORDS.items():
            out.write(f"  {email:<24} {password}")
