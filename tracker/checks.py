"""Settings a production server needs, said by `manage.py check` before anything fails."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register()
def site_url(app_configs, **kwargs):
    """Without SITE_URL and with DEBUG off, every approval's notice mail fails to be built."""
    if settings.DEBUG or settings.SITE_URL:
        return []
    return [
        checks.Warning(
            "SITE_URL is not set: notices, reminders and digests cannot link to the tracker "
            "and are not sent.",
            hint="Set SITE_URL to the address people open the tracker at, "
            "e.g. https://tracker.example.org.",
            id="tracker.W001",
        )
    ]
