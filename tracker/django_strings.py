"""Django's own strings that Django 5.2 ships without Chinese, translated by the tracker.

The admin's zh_Hans catalog lacks a few strings of Django 5.2's templates (the user add
page's "After you’ve created a user…", the screen-reader headers of the admin's index) and
the password validator's current wording, so a Chinese page showed them in English. They
are marked here, never used, so that `makemessages` keeps them in tracker's django.po,
whose translations take precedence over the installed apps' (LOCALE_PATHS). Each msgid is
Django's, character for character (its curly apostrophes too).

The group picker's strings are JavaScript: they are in tracker's djangojs.po (see
tracker/locale/zh_Hans/LC_MESSAGES/djangojs.po), which the admin's /admin/jsi18n/ merges
with Django's own in the same way.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_ADMIN = [
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
]

DJANGO_AUTH = [
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
]
