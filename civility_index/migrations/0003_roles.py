from django.db import migrations

from wenzhou_portal.roles import roles_sync


class Migration(migrations.Migration):
    dependencies = [("civility_index", "0002_default_method"), ("wenzhou_portal", "0002_roles")]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
