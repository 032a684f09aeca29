from django.db import migrations

from civility_index.defaults import ensure_default_method


class Migration(migrations.Migration):
    dependencies = [("civility_index", "0001_initial")]

    operations = [migrations.RunPython(ensure_default_method, migrations.RunPython.noop)]
