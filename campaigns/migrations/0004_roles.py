from django.db import migrations

from wenzhou_portal.roles import roles_sync


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0003_votes_and_contests")]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
