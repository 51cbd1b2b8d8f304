from django.db import migrations, models
from django.db.models import F


def trust_existing_accounts(apps, schema_editor) -> None:
    """Accounts made before verification existed keep working: their address counts as
    confirmed since they joined."""
    User = apps.get_model("accounts", "User")
    User.objects.filter(email_verified_at__isnull=True).update(email_verified_at=F("date_joined"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(trust_existing_accounts, migrations.RunPython.noop),
    ]
