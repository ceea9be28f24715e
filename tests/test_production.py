"""Production settings: Django's deploy checks, secure defaults, CSP, login rate limits."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import factory

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "tracker.example.org",
    "SITE_URL": "https://tracker.example.org",
}


def run(*args, env):
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(**extra) -> dict:
    code = (
        "from django.conf import settings as s; import json; print(json.dumps({k: getattr(s, k) "
        "for k in ['SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SECURE_HSTS_SECONDS', 'DEBUG']}))"
    )
    result = run("shell", "-c", code, env={**PRODUCTION, **extra})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_only_the_four_variables_set():
    result = run("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_server_without_site_url_is_warned_before_mail_fails():
    without = {k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}
    result = run("check", "--fail-level", "WARNING", env=without)
    assert result.returncode != 0 and "tracker.W001" in result.stderr + result.stdout


def test_secure_choices_are_the_defaults_when_debug_is_off():
    assert production_settings() == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "DEBUG": False,
    }


def test_each_secure_choice_is_switchable():
    found = production_settings(
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
    )
    assert not found["SECURE_SSL_REDIRECT"] and not found["SESSION_COOKIE_SECURE"]
    assert not found["CSRF_COOKIE_SECURE"] and found["SECURE_HSTS_SECONDS"] == 0


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_failed_logins_are_rate_limited(client, reporter, settings):
    settings.AXES_ENABLED = True
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": reporter.username, "password": "wrong"})
        assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    client.post(url, {"username": reporter.username, "password": "wrong"})
    # now even the right password is refused, with a page that says why
    response = client.post(url, {"username": reporter.username, "password": factory.PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_validators_are_on():
    with pytest.raises(ValidationError):
        validate_password("12345678")
