from django.db import migrations

from civility_index.defaults import EN_TEXTS


def fill(apps, schema_editor):
    indicator = apps.get_model("civility_index", "Indicator")
    for code, (description, unit) in EN_TEXTS.items():
        indicator.objects.filter(code=code, description_en="").update(
            description_en=description, unit_en=unit
        )


class Migration(migrations.Migration):
    dependencies = [("civility_index", "0004_english_texts")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
