"""Load and fault test: many reporters and readers at once against gunicorn on PostgreSQL.

Loopback only, bounded in time. Needs a PostgreSQL role that may create databases:
LOAD_DATABASE_URL (default postgres://tracker:tracker@127.0.0.1:5432/tracker_load); the
database is created afresh. Written to bench/out/load.md, which bench/run.py folds into
bench/RESULTS.md.

1. 50 reporters enter and submit figures (pairs of them share targets, so the same figure
   is edited concurrently) and 10 readers open dashboards and download reports, for
   LOAD_SECONDS (default 120) against gunicorn with 4 workers: the quiet run;
2. the same again with LOAD_PUBLIC_READERS (default 200) anonymous readers beside them,
   each from an address of its own (behind one proxy, PROXY_COUNT=1, as X-Forwarded-For
   says; the rate limit counts per address), opening the published plans' public pages and
   downloading their open data, revalidating what they have (If-None-Match) as browsers do;
   requests served, error rate and p95 latency per kind are recorded for both runs, and
   the reporters' save latency is compared between them;
3. every write the server accepted must be in the database with its history, and every
   figure's history must show one version after another: one winner per concurrent edit;
4. a gunicorn worker killed in the middle of a large import (figures on the planned path
   of up to 4,000 targets, four years each) leaves the database as
   it was before that import.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DATABASE_URL = os.environ.get(
    "LOAD_DATABASE_URL", "postgres://tracker:tracker@127.0.0.1:5432/tracker_load"
)
SECONDS = int(os.environ.get("LOAD_SECONDS", "120"))
REPORTERS, READERS, WORKERS = 50, 10, 4
PUBLIC_READERS = int(os.environ.get("LOAD_PUBLIC_READERS", "200"))
PUBLISHED = 10  # load-0001 ... load-0010
PASSWORD = "load-test-password"
ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "DEBUG": "0",
    "SECRET_KEY": "load-test-" + "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "AXES_FAILURE_LIMIT": "1000",
    "IMPORT_MAX_BYTES": str(50 * 1024 * 1024),
    "CONN_MAX_AGE": "60",
    # The anonymous readers come through one proxy, each from its own address.
    "PROXY_COUNT": "1",
}
PYTHON = sys.executable


def manage(*args, check=True):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, check=check, capture_output=True, text=True
    )


def fresh_database():
    import psycopg

    url = urllib.parse.urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


SETUP = """
from django.contrib.auth.models import Group, User
from tracker.models import Department, Plan, Target
reporters = Group.objects.get(name="reporters")
plan = Plan.objects.get(slug="load-0001")
targets = list(Target.objects.filter(plan=plan).exclude(kind="milestone").order_by("code"))
for n in range({reporters}):
    department, _ = Department.objects.get_or_create(
        name=f"负载测试单位{{n // 2:02d}}", region=plan.region
    )
    user = User.objects.create_user(f"reporter{{n:02d}}", password="{password}")
    user.groups.add(reporters)
    department.members.add(user)
    for target in targets[(n // 2) * 4:(n // 2) * 4 + 4]:
        target.lead_department = department
        target.save(update_fields=["lead_department"])
for n in range({readers}):
    User.objects.create_user(f"reader{{n:02d}}", password="{password}")
admin = User.objects.create_user("load-admin", password="{password}", is_staff=True)
admin.groups.add(Group.objects.get(name="administrators"))
from tracker.models import Publication
for plan in Plan.objects.filter(slug__startswith="load-"):
    plan.published = True
    plan.save(update_fields=["published"])
    Publication.objects.create(plan=plan, published=True, reason="load test", by=admin)
"""


class Session:
    def __init__(self, base: str, log: list):
        self.base, self.log = base, log
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, kind: str, path: str, data: dict | None = None, timeout=60, headers=None):
        body = None
        headers = {"Referer": self.base + path, **(headers or {})}
        if data is not None:
            body = urllib.parse.urlencode(
                {**data, "csrfmiddlewaretoken": self.csrf()}, doseq=True
            ).encode()
        started = time.perf_counter()
        try:
            response = self.opener.open(
                urllib.request.Request(self.base + path, body, headers), timeout=timeout
            )
            status, content = response.status, response.read()
            self.last_headers = response.headers
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read()
            self.last_headers = error.headers
        except OSError:
            status, content = 0, b""
        self.log.append((kind, status, time.perf_counter() - started))
        return status, content.decode("utf-8", "replace")

    def login(self, username: str):
        self.request("login page", "/accounts/login/")
        status, _ = self.request(
            "login", "/accounts/login/", {"username": username, "password": PASSWORD}
        )
        assert status == 302, f"login of {username} gave {status}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp


ROW = re.compile(r'<tbody id="row-(?P<code>[^"]+)"[^>]*>(?P<body>.*?)</tbody>', re.S)
FIELD = re.compile(r'name="(t\d+)-version" value="(\d+)"')
QUESTIONED = re.compile(r'name="(t\d+)-confirmed_value" value="([^"]*)"')


outcomes: dict[str, int] = defaultdict(int)


def reporter_loop(base, username, deadline, log, accepted, lock):
    session = Session(base, log)
    session.login(username)
    rng = random.Random(username)
    year = 2025
    while time.monotonic() < deadline:
        status, page = session.request("entry page", f"/plans/load-0001/entry/{year}/")
        if status != 200:
            continue
        form = {}
        rows = []
        for match in ROW.finditer(page):
            found = FIELD.search(match.group("body"))
            if not found:
                continue  # locked row
            prefix, version = found.groups()
            value = str(rng.randint(100, 9999))  # whole numbers suit every target's decimals
            form.update(
                {
                    f"{prefix}-value": value,
                    f"{prefix}-quality": "preliminary",
                    f"{prefix}-note": f"{username}",
                    f"{prefix}-version": version,
                }
            )
            rows.append((match.group("code"), value))
        if not rows:  # every figure of the department is locked (approved) for now
            time.sleep(rng.uniform(0.5, 1.5))
            continue
        action = "submit" if rng.random() < 0.3 else "draft"
        status, page = session.request(
            "save figures", f"/plans/load-0001/entry/{year}/", {**form, action: "1"}
        )
        questioned = QUESTIONED.findall(page) if status == 200 else []
        if questioned:
            # Random figures often look implausible: the reporter ticks "the figure is
            # right", says why, and saves again, as the page asks.
            for prefix, value in questioned:
                form.update(
                    {
                        f"{prefix}-confirmed_value": value,
                        f"{prefix}-confirm": "on",
                        f"{prefix}-explanation": "load test",
                    }
                )
            status, page = session.request(
                "save figures, confirmed", f"/plans/load-0001/entry/{year}/", {**form, action: "1"}
            )
        with lock:
            if status == 302:  # saved; a refusal re-renders the page with 200
                accepted.extend((code, year, value, username) for code, value in rows)
            elif "在您编辑期间" in page:
                outcomes["refused as stale"] += 1
            else:
                outcomes["refused otherwise"] += 1
                reasons = re.findall(r'class="(?:error|message-error)">([^<]+)<', page)
                outcomes.setdefault("reasons", set()).update(reasons[:3])
        time.sleep(rng.uniform(0.2, 1.0))


def reader_loop(base, username, deadline, log):
    session = Session(base, log)
    session.login(username)
    rng = random.Random(username)
    while time.monotonic() < deadline:
        plan = f"load-{rng.randint(1, 10):04d}"
        session.request("dashboard", f"/plans/{plan}/")
        session.request("API", f"/api/plans/{plan}/")
        if rng.random() < 0.3:
            session.request("report download", f"/plans/{plan}/report.xlsx")
        time.sleep(rng.uniform(0.5, 2.0))


PUBLIC_FILES = ("targets.csv", "figures.csv", "data.json", "datapackage.json")


def public_reader_loop(base, n, deadline, log):
    """An anonymous reader at an address of its own: a plan's public pages, then its open
    data, each asked again with the ETag it got (a 304 when nothing changed)."""
    session = Session(base, log)
    address = {"X-Forwarded-For": f"198.51.{100 + n // 250}.{n % 250 + 1}"}
    rng = random.Random(f"public{n}")
    etags: dict[str, str] = {}
    time.sleep(rng.uniform(0, 5))  # not all at once
    while time.monotonic() < deadline:
        slug = f"load-{rng.randint(1, PUBLISHED):04d}"
        kind, path = rng.choice(
            [
                ("public index", "/public/"),
                ("public dashboard", f"/public/plans/{slug}/"),
                ("public evaluations", f"/public/plans/{slug}/evaluations/"),
                *(
                    (f"open data {name}", f"/public/plans/{slug}/data/{name}")
                    for name in PUBLIC_FILES
                ),
            ]
        )
        headers = dict(address)
        if path in etags:
            headers["If-None-Match"] = etags[path]
            kind += " (revalidated)"
        status, _ = session.request(kind, path, headers=headers)
        if status == 200 and session.last_headers.get("ETag"):
            etags[path] = session.last_headers["ETag"]
        time.sleep(rng.uniform(2.0, 8.0))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def verify(accepted) -> dict:
    """Accepted writes are in the history; each figure's versions follow one another."""
    code = """
import json, sys
from tracker.models import ProgressEntry
History = ProgressEntry.history.model
accepted = json.load(sys.stdin)
missing = 0
for code, year, value, user in accepted:
    if not History.objects.filter(series__targets__plan__slug="load-0001",
                                  series__indicator__code=code, year=year,
                                  value=value, history_user__username=user).exists():
        missing += 1
gaps = 0
for entry in ProgressEntry.objects.filter(series__targets__plan__slug="load-0001", year=2025):
    records = History.objects.filter(id=entry.id).order_by("history_id")
    versions = list(records.values_list("version", flat=True))
    # Figures made in bulk by make_scale_data start without history; from the first saved
    # change on, every version must follow the one before, up to the stored one.
    if versions and (versions != list(range(versions[0], versions[0] + len(versions)))
                     or versions[-1] != entry.version):
        gaps += 1
print(json.dumps({"missing": missing, "broken chains": gaps,
                  "history records": History.objects.filter(
                      series__targets__plan__slug="load-0001").count(),
                  }))
"""
    import json

    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=ENV,
        input=json.dumps(accepted),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


YEARS = (2022, 2023, 2024, 2025)


def killed_import(base, server_pid: int) -> str:
    """Kill every gunicorn worker while a large import is being confirmed."""
    import io

    import openpyxl

    code = """
from tracker.models import ProgressEntry, ImportBatch
print(ProgressEntry.objects.count(), ImportBatch.objects.count(), ProgressEntry.history.count())
"""
    before = manage("shell", "--no-imports", "-c", code).stdout.strip()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年度数据"
    # The years after the scale data's one: nothing there is approved, so nothing is locked.
    ws.append(["指标代码", *YEARS])
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from tracker.models import Target; print('\\n'.join(' '.join(map(str, row)) for row in"
        " Target.objects.filter(plan__slug='big-0001', kind='level')"
        ".exclude(baseline_value=None).exclude(target_value=None).exclude(target_year=None)"
        ".values_list('code',"
        " 'baseline_value', 'target_value', 'plan__baseline_year', 'target_year')[:4000]))",
    )
    # Figures on each target's planned path from its baseline to its goal: plausible, so
    # the import reaches its confirmation rather than stopping at questions.
    for line in result.stdout.splitlines():
        target_code, *numbers = line.split()
        start, goal, first, last = (float(n) for n in numbers)
        ws.append(
            [
                target_code,
                *(round(start + (goal - start) * (y - first) / (last - first), 2) for y in YEARS),
            ]
        )
    data = io.BytesIO()
    wb.save(data)
    confirm_log = []
    session = Session(base, confirm_log)
    session.login("load-admin")
    boundary = "----loadtest"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f"{session.csrf()}\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.xlsx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data.getvalue()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        base + "/plans/big-0001/import/",
        body,
        {"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": base + "/"},
    )
    response = session.opener.open(request, timeout=120)
    preview = response.headers.get("Location")
    if response.status != 302 or not preview:
        errors = re.findall(r"<td>([^<]{3,200})</td></tr>", response.read().decode())[:5]
        raise RuntimeError(f"the upload did not reach a preview ({response.status}): {errors}")
    thread = threading.Thread(
        target=session.request, args=("confirm", preview, {"confirm": "1", "state": "draft"}, 300)
    )
    thread.start()
    time.sleep(1.0)
    # This server's own workers only: the children of the gunicorn it started.
    workers = subprocess.run(
        ["pgrep", "-P", str(server_pid)], capture_output=True, text=True
    ).stdout.split()
    for pid in workers:
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid), signal.SIGKILL)
    thread.join()
    after = manage("shell", "--no-imports", "-c", code).stdout.strip()
    status = confirm_log[-1][1] if confirm_log else None
    answer = "cut off (no answer)" if status == 0 else f"answered {status}"
    return (
        f"{(ws.max_row - 1) * len(YEARS):,} figures: the confirm request was {answer}; "
        "figures, imports, history records before "
        f"`{before}`, after `{after}`"
    )


def run_phase(base, accepted, lock, *, public_readers: int):
    """Reporters, signed-in readers and `public_readers` anonymous ones for SECONDS."""
    log = []
    deadline = time.monotonic() + SECONDS
    threads = [
        threading.Thread(
            target=reporter_loop, args=(base, f"reporter{n:02d}", deadline, log, accepted, lock)
        )
        for n in range(REPORTERS)
    ]
    threads += [
        threading.Thread(target=reader_loop, args=(base, f"reader{n:02d}", deadline, log))
        for n in range(READERS)
    ]
    threads += [
        threading.Thread(target=public_reader_loop, args=(base, n, deadline, log))
        for n in range(public_readers)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return log, time.monotonic() - started


def percentile(times: list[float], share: float) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, round(share * (len(times) - 1)))]


def saves(log) -> list[float]:
    """How long each of the reporters' saves took."""
    return [seconds for kind, _status, seconds in log if kind.startswith("save figures")]


def table(log) -> list[str]:
    by_kind = defaultdict(list)
    for kind, status, seconds in log:
        by_kind[kind].append((status, seconds))
    lines = [
        "| request | served | 5xx | 429 | other errors | median | p95 |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, items in sorted(by_kind.items()):
        times = sorted(s for _, s in items)
        server_errors = sum(1 for status, _ in items if status >= 500)
        limited = sum(1 for status, _ in items if status == 429)
        other = sum(1 for status, _ in items if status == 0 or 400 <= status < 500) - limited
        lines.append(
            f"| {kind} | {len(items)} | {server_errors} | {limited} | {other} | "
            f"{statistics.median(times) * 1000:.0f} ms | {percentile(times, 0.95) * 1000:.0f} ms |"
        )
    return lines


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    fresh_database()
    manage("migrate")
    manage("load_demo")
    manage("make_scale_data", "--plans", "10", "--targets-per-plan", "50", "--prefix", "load-")
    manage(
        "make_scale_data",
        "--plans",
        "1",
        "--targets-per-plan",
        "4800",
        "--years",
        "1",
        "--prefix",
        "big-",
    )
    manage(
        "shell",
        "--no-imports",
        "-c",
        SETUP.format(reporters=REPORTERS, readers=READERS, password=PASSWORD),
    )
    manage("collectstatic", "--noinput")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "lingyuan.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--timeout",
            "300",
            "--graceful-timeout",
            "5",
        ],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        accepted, lock = [], threading.Lock()
        quiet_log, quiet_elapsed = run_phase(base, accepted, lock, public_readers=0)
        log, elapsed = run_phase(base, accepted, lock, public_readers=PUBLIC_READERS)
        checks = verify(accepted)
        try:
            fault = killed_import(base, server.pid)
        except RuntimeError as error:  # said in the results rather than losing the runs
            fault = f"not run: {str(error)[:300]}"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    lines = table(log)
    quiet_lines = table(quiet_log)
    quiet_saves, busy_saves = saves(quiet_log), saves(log)
    quiet_median, busy_median = statistics.median(quiet_saves), statistics.median(busy_saves)
    quiet_p95, busy_p95 = percentile(quiet_saves, 0.95), percentile(busy_saves, 0.95)
    ratio = busy_median / quiet_median
    public = [(k, st) for k, st, _ in log if k.startswith(("public", "open data"))]
    public_5xx = sum(1 for _, st in public if st >= 500 or st == 0)
    total = len(log)
    errors = sum(1 for _, status, _ in log if status >= 500 or status == 0)
    verdict = "met" if ratio <= 2 and public_5xx == 0 and errors == 0 else "not met"
    text = f"""## 4. Load and faults (bench/load.py)

gunicorn, {WORKERS} workers, PostgreSQL, loopback; {REPORTERS} reporters entering and
submitting figures (two per department, so the same figures are edited concurrently) and
{READERS} readers opening dashboards, the API and the Excel report: first alone (the quiet
run, {quiet_elapsed:.0f} s), then with {PUBLIC_READERS} anonymous readers beside them for
{elapsed:.0f} s, each from its own address through one proxy (X-Forwarded-For,
PROXY_COUNT=1; the default rate limit of the public pages, counted per address), opening
the public pages of the {PUBLISHED} published plans and downloading their open data, a
request every 2-8 s, sending back the ETag they got (a 304 when nothing changed).

Reporters' saves (every "save figures" request, confirmed or not): quiet median
{quiet_median * 1000:.0f} ms (p95 {quiet_p95 * 1000:.0f} ms); with the anonymous readers
median {busy_median * 1000:.0f} ms (p95 {busy_p95 * 1000:.0f} ms): **{ratio:.2f}x** the quiet
figure (goal: at most 2x); public requests: {len(public)}, server errors among them
(5xx or no answer): **{public_5xx}**: **{verdict}**.

With the anonymous readers (the counts below are of this run):

{chr(10).join(lines)}

The quiet run:

{chr(10).join(quiet_lines)}

- requests: {total}, {total / elapsed:.1f} a second; server errors (5xx or no answer): **{errors}**
- saves accepted: {len(accepted)} figures; pages refused as stale (the other reporter of
  the department saved first, and the refusal showed their value):
  {outcomes["refused as stale"]}; refused for any other reason: {outcomes["refused otherwise"]}
- accepted writes missing from the history: **{checks["missing"]}**; figures whose version
  chain has a gap or a repeat (a silent overwrite): **{checks["broken chains"]}**;
  history records written: {checks["history records"]}
- every gunicorn worker killed one second into confirming a large import: {fault}
"""
    if outcomes.get("reasons"):
        text += "- reasons for the other refusals: " + "; ".join(sorted(outcomes["reasons"])) + "\n"
    (OUT / "load.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
