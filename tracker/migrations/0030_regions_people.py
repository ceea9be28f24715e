"""People in regions: an administrator's or viewer's region (`Profile.region`; empty, as for
every account before, means every region), set by administrators on the account's page, and
the read-only role `viewers`."""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def create_viewers(apps, schema_editor):
    # Permissions are normally created after migrations; the grant needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get_or_create(name="viewers")
    admins, _ = Group.objects.get_or_create(name="administrators")
    admins.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="tracker",
            codename__in=["add_profile", "change_profile", "view_profile"],
        )
    )


def remove_viewers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="viewers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0029_conversations_and_explanations"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="region",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "Administrators act on the plans of this region only; administrators and "
                    "viewers read the approved figures of this region and the regions below it. "
                    "Empty: every region (a superuser always has every region)."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="profiles",
                to="tracker.region",
                verbose_name="region",
            ),
        ),
        migrations.RunPython(create_viewers, remove_viewers),
    ]
