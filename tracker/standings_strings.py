"""Words tracker/standings translates through `_g`, a name for gettext that `makemessages`
does not look for: marked here so that they are extracted and keep their Chinese.

Once tracker/standings calls them through a name makemessages knows (`gettext`, `_`), this
module can go.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

MARKED = [
    gettext_noop("%(change)s percentage points"),
    gettext_noop("up %(amount)s percentage points in all"),
    gettext_noop("down %(amount)s percentage points in all"),
    gettext_noop("up %(amount)s in all"),
    gettext_noop("down %(amount)s in all"),
    gettext_noop("based on %(year)s figures"),
    gettext_noop("%(label)s %(count)s"),
    gettext_noop(", "),
]
