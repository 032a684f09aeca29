from django.db import migrations

from wenzhou_portal.roles import roles_sync


class Migration(migrations.Migration):
    dependencies = [
        ("wenzhou_portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
