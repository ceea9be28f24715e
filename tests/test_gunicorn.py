"""A gunicorn worker survives a hostile workbook and serves the next request.

The test starts gunicorn on loopback (one worker, the project's gunicorn.conf.py), signs in
as a reporter the way a browser does (session cookie and CSRF token), uploads a 7 KB
workbook with a value in XFD1048576, and checks the answer is a refusal and the same worker
answers the next request.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test.client import encode_multipart

from tests.test_hostile_sheets import far_workbook

ROOT = Path(__file__).resolve().parent.parent
PORTS = range(8120, 8130)
PASSWORD = "correct-horse-battery"
SETUP = """
from tests import factory

plan = factory.make_plan(slug="served")
department = factory.make_department(name="served-department")
factory.make_target(plan, code="GDP", lead_department=department)
factory.make_user("served", role="reporter", departments=[department])
"""


@pytest.fixture
def roles(transactional_db):
    """The groups a migration creates: another transactional test's flush removed them."""
    from django.contrib.auth.models import Group

    for name in ("administrators", "reporters"):
        Group.objects.get_or_create(name=name)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.skip("ports 8120-8129 are all taken")


def database_url(tmp_path) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'served.sqlite3'}"
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def server(roles, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url(tmp_path), "DEBUG": "1"}
    manage = [sys.executable, "manage.py"]
    if connection.vendor == "sqlite":
        subprocess.run(
            [*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True
        )
    subprocess.run([*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True)
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as errors:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "lingyuan.wsgi",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            cwd=ROOT,
            env=env,
            stdout=errors,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield base, log
    finally:
        process.terminate()
        process.wait(20)


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def open(self, path: str, data: bytes | None = None, content_type: str | None = None):
        request = urllib.request.Request(self.base + path, data=data)
        if content_type:
            request.add_header("Content-Type", content_type)
        request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def token(self, path: str) -> str:
        _status, page = self.open(path)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

    def sign_in(self, username: str, password: str) -> None:
        form = {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": self.token("/accounts/login/"),
        }
        self.open(
            "/accounts/login/",
            urllib.parse.urlencode(form).encode(),
            "application/x-www-form-urlencoded",
        )
        assert any(cookie.name == "sessionid" for cookie in self.cookies)


@pytest.mark.django_db(transaction=True)
def test_the_worker_refuses_a_hostile_workbook_and_lives_on(server):
    base, log = server
    browser = Browser(base)
    browser.sign_in("served", PASSWORD)
    token = browser.token("/plans/served/import/")

    class Upload:
        name = "far.xlsx"
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

        def __init__(self, data):
            self.data = data

        def read(self):
            return self.data

    body = encode_multipart(
        "HoStIlE", {"csrfmiddlewaretoken": token, "file": Upload(far_workbook("XFD1048576"))}
    )
    started = time.perf_counter()
    status, page = browser.open(
        "/plans/served/import/", body, "multipart/form-data; boundary=HoStIlE"
    )
    assert time.perf_counter() - started < 5
    assert status == 200 and "XFD1048576" in page
    status, page = browser.open("/plans/served/")
    assert status == 200
    booted = log.read_text().count("Booting worker")
    assert booted == 1, log.read_text()
