"""The two roles as groups: reporters enter figures, administrators run the plans."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMIN_MODELS = [
    "plan", "area", "department", "target", "progressentry", "closedyear", "importbatch",
    "pendingimport",
]


def create_roles(apps, schema_editor):
    # Permissions are normally created after migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admins, _ = Group.objects.get_or_create(name="administrators")
    Group.objects.get_or_create(name="reporters")
    admins.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="tracker", content_type__model__in=ADMIN_MODELS
        )
    )
    admins.permissions.add(
        *Permission.objects.filter(content_type__app_label="auth", content_type__model="user")
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["administrators", "reporters"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
