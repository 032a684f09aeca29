from django.db import migrations

from wenzhou_portal.roles import roles_sync


class Migration(migrations.Migration):
    dependencies = [("rumors", "0006_debunk_permissions")]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
