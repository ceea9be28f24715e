"""Administrators keep the regions and the indicator catalogue, and look at each region's
statistics (whose figures change through the workflow, never here)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q


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
            Q(content_type__model__in=["region", "indicator"])
            | Q(content_type__model="series", codename__in=["view_series", "change_series"]),
            content_type__app_label="tracker",
        )
    )


class Migration(migrations.Migration):
    dependencies = [("tracker", "0025_one_statistic")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
