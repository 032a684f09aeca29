from django.db import migrations

from civility_index.defaults import ensure_default_method


class Migration(migrations.Migration):
    """Campaign participation joins the method now that campaigns have landed."""

    dependencies = [("civility_index", "0005_english_texts_fill")]

    operations = [migrations.RunPython(ensure_default_method, migrations.RunPython.noop)]
