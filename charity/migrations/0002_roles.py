from django.db import migrations

from wenzhou_portal.roles import roles_sync


class Migration(migrations.Migration):
    dependencies = [("charity", "0001_initial"), ("wenzhou_portal", "0002_roles")]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
