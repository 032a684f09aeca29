from django.db import migrations

from wenzhou_portal.roles import roles_sync


class Migration(migrations.Migration):
    dependencies = [
        ("rumors", "0002_calendar_seed"),
        ("wenzhou_portal", "0002_roles"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
