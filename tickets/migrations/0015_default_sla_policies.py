"""A sensible default: office hours Monday to Friday and targets per priority (admins edit them)."""

from django.db import migrations

# (priority, first response, resolution) in business minutes: an 8-hour business day.
DEFAULT_TARGETS = [
    ("urgent", 60, 4 * 60),
    ("high", 2 * 60, 8 * 60),
    ("normal", 4 * 60, 3 * 8 * 60),
    ("low", 8 * 60, 5 * 8 * 60),
]


def seed(apps, schema_editor):
    BusinessCalendar = apps.get_model("tickets", "BusinessCalendar")
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    calendar, _ = BusinessCalendar.objects.get_or_create(
        name="Office hours",
        defaults={
            "time_zone": "UTC",
            "weekly_hours": {str(day): [["09:00", "17:00"]] for day in range(5)},
        },
    )
    for priority, first, resolution in DEFAULT_TARGETS:
        SlaPolicy.objects.get_or_create(
            priority=priority,
            defaults={
                "calendar": calendar,
                "first_response_minutes": first,
                "resolution_minutes": resolution,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0014_sla_policies_calendars_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
