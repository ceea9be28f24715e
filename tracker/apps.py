from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Plan targets")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The accounts admin replaces django.contrib.auth's once every admin module is loaded.
        from tracker import admin_users, checks  # noqa: F401
        from tracker.indicators import derived  # noqa: F401  (keeps computed figures current)
        from tracker.standings.store import forget_all

        post_migrate.connect(forget_all, sender=self)
        post_migrate.connect(make_cache_tables, sender=self)


def make_cache_tables(using="default", **kwargs):
    """The database cache's table (the public pages' rate limit counts in it), made with
    the database's tables: `migrate` is the one step every installation runs."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
