"""Administrators may look at evaluations and deletion records in the admin, never change them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["evaluation", "frozentarget", "evaluationdeletion"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admins, _ = Group.objects.get_or_create(name="administrators")
    admins.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="tracker",
            content_type__model__in=MODELS,
            codename__startswith="view_",
        )
    )


class Migration(migrations.Migration):
    dependencies = [("tracker", "0013_evaluations")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
