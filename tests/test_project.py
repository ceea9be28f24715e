"""Project-level checks: migrations, system checks, settings from the environment."""

from __future__ import annotations

import gettext
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)


def manage(*args, env=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_system_check_is_clean():
    result = manage("check", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env={"DEBUG": "0", "SECRET_KEY": "", "ALLOWED_HOSTS": "x"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_malformed_boolean_is_named():
    result = manage("check", env={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_chinese_is_the_default_language_with_english_available():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.TIME_ZONE == "Asia/Shanghai"


def _po_entries(path: Path):
    """(msgctxt, msgid, msgstr) of each entry of a .po file, continuation lines joined;
    msgctxt is None for an entry without a context."""
    entries, current, field = [], {}, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith(("msgctxt ", "msgid ", "msgstr ", "msgstr[0] ", "msgid_plural ")):
            field, text = line.split(" ", 1)
            field = field.replace("[0]", "")
            if field == "msgctxt" or (field == "msgid" and "msgid" in current):
                entries.append(current)
                current = {}
            current[field] = text[1:-1]
        elif line.startswith('"') and field:
            current[field] += line[1:-1]
    entries.append(current)
    return [(e.get("msgctxt"), e["msgid"], e.get("msgstr", "")) for e in entries if e.get("msgid")]


def test_every_string_has_a_compiled_chinese_translation():
    po = ROOT / "tracker/locale/zh_Hans/LC_MESSAGES/django.po"
    entries = _po_entries(po)
    assert len(entries) > 100
    untranslated = [msgid for _context, msgid, msgstr in entries if not msgstr]
    assert untranslated == []
    with open(po.with_suffix(".mo"), "rb") as mo:
        catalog = gettext.GNUTranslations(mo)

    def compiled(context, msgid):
        msgid = msgid.replace('\\"', '"')
        return catalog.pgettext(context, msgid) if context else catalog.gettext(msgid)

    stale = [
        msgid
        for context, msgid, msgstr in entries
        if "%(" not in msgid and msgstr != msgid and compiled(context, msgid) == msgid
    ]
    assert stale == [], "the .mo is older than the .po: run make messages"


def test_the_filebased_mail_backend_writes_to_the_folder_from_the_environment(tmp_path):
    code = "from django.core.mail import send_mail; send_mail('s', 'body', None, ['a@example.org'])"
    result = manage(
        "shell",
        "-c",
        code,
        env={
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stderr
    [written] = tmp_path.iterdir()
    assert "a@example.org" in written.read_text()
