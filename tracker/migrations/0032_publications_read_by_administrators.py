"""Administrators read the record of publications in the admin (it is written by the
publishing page only)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    # Permissions are normally created after migrations; the grant needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admins, _ = Group.objects.get_or_create(name="administrators")
    admins.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="tracker", codename="view_publication"
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0031_publishing_and_ranks"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
