from django.db import migrations

from rumors.workdays import SEED_HOLIDAYS, SEED_MAKEUP_WORKDAYS


def seed_calendar(apps, schema_editor):
    calendar_day = apps.get_model("rumors", "CalendarDay")
    for days, name in SEED_HOLIDAYS:
        for day in days:
            calendar_day.objects.get_or_create(date=day, defaults={"kind": "holiday", "name": name})
    for iso, name in SEED_MAKEUP_WORKDAYS:
        calendar_day.objects.get_or_create(date=iso, defaults={"kind": "workday", "name": name})


class Migration(migrations.Migration):
    dependencies = [("rumors", "0001_initial")]

    operations = [migrations.RunPython(seed_calendar, migrations.RunPython.noop)]
