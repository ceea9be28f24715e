"""The .env file beside manage.py is read as a shell reads it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lingyuan.settings import read_dotenv

ROOT = Path(__file__).resolve().parent.parent

DOTENV = """\
# Production
DEBUG=0   # off in production
export SITE_URL=https://tracker.example.org
SECRET_KEY='s3cr#t with spaces'
DEFAULT_FROM_EMAIL="凌源市规划指标监测 <tracker@example.org>"   # quoted, then a comment
EMAIL_HOST_PASSWORD=pa#ss
DATABASE_URL=postgres://tracker:pa$word@db:5432/tracker
S3_PREFIX=${HOME}/evidence
ALLOWED_HOSTS=
ALREADY_SET=from the file
"""


def test_comments_quotes_and_export_are_read_as_a_shell_reads_them(tmp_path):
    path = tmp_path / ".env"
    path.write_text(DOTENV, encoding="utf-8")
    environ = {"ALREADY_SET": "from the environment"}
    read_dotenv(path, environ)
    assert environ == {
        "DEBUG": "0",
        "SITE_URL": "https://tracker.example.org",
        "SECRET_KEY": "s3cr#t with spaces",
        "DEFAULT_FROM_EMAIL": "凌源市规划指标监测 <tracker@example.org>",
        # A # inside a value, with no space before it, is part of the value.
        "EMAIL_HOST_PASSWORD": "pa#ss",
        "DATABASE_URL": "postgres://tracker:pa$word@db:5432/tracker",
        "S3_PREFIX": "${HOME}/evidence",
        "ALLOWED_HOSTS": "",
        # The environment wins over the file.
        "ALREADY_SET": "from the environment",
    }


def test_a_missing_file_sets_nothing(tmp_path):
    environ = {}
    read_dotenv(tmp_path / ".env", environ)
    assert environ == {}


def test_the_settings_read_a_dotenv_file_when_they_load(tmp_path):
    """The settings module as a server loads it, from a checkout with a .env beside it."""
    (tmp_path / "lingyuan").mkdir()
    (tmp_path / "lingyuan" / "settings.py").write_text(
        (ROOT / "lingyuan" / "settings.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "lingyuan" / "__init__.py").write_text("")
    (tmp_path / ".env").write_text(
        "DEBUG=0   # production\nexport SECRET_KEY='k#1 2'\nALLOWED_HOSTS=a.example.org\n",
        encoding="utf-8",
    )
    code = (
        "from lingyuan import settings; "
        "print(settings.DEBUG, repr(settings.SECRET_KEY), settings.ALLOWED_HOSTS)"
    )
    environment = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False 'k#1 2' ['a.example.org']"
