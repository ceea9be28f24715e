"""Benchmarks, run on demand (`make bench`); figures go to bench/RESULTS.md.

Measured on a fresh database (bench/out/bench.sqlite3, or BENCH_DATABASE_URL):
0. the goals, each a ratio within this run (see RESULTS.md for each timed span);
1. pages and the API: the province data set (200 plans x 50 targets x 5 years) and plans
   of 2,000 and 10,000 targets x 5 years; median and p95 over repeated requests, SQL queries;
2. the whole export_report command, the report writer and the data-entry template of a
   10,000-target plan (x 5 years): time and peak memory, against openpyxl writing the same
   cells bare (the floor); the export's peak RSS as a process of its own;
3. importing 20,000 figures (preview and confirm, as a user would) against a bare parse of
   the same file by python-calamine plus `bulk_create_with_history` of its rows, and against
   django-import-export's dry-run-and-confirm of the same rows into the same model;
5. hostile uploads (tests/hostile.py): each posted to the import page in a process of its
   own, its time and peak memory against the budget README states;
6. a province of 100 county-level units x 50 indicators x 2 plans, read by the province's
   administrator: its regions' matrix and one indicator compared, against a county's
   dashboard and `json.dumps` of the comparison's payload.

`python bench/run.py --uploads` runs 3 and 5 alone and rewrites only their sections;
`--hostile` runs 5 alone; `--regions` runs 6 alone, on the province alone, and rewrites
only its section (the goals table is written by a whole run).
"""

from __future__ import annotations

import gc
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
sys.path.insert(0, str(ROOT))
OUT.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lingyuan.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{OUT / 'bench.sqlite3'}"
)
os.environ.setdefault("DEBUG", "1")
os.environ["CONN_MAX_AGE"] = "600"  # one connection throughout, so queries can be counted

import django  # noqa: E402

if os.environ["DATABASE_URL"].startswith("sqlite"):
    (OUT / "bench.sqlite3").unlink(missing_ok=True)
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
settings.AXES_ENABLED = False
settings.IMPORT_MAX_BYTES = 50 * 1024 * 1024


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def peak_memory(fn) -> float:
    """Peak Python allocation of one call, in MB."""
    gc.collect()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024 / 1024


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


# -- data ------------------------------------------------------------------------------


def _delete_figures(plan) -> None:
    """Empty the plan's figures between runs, forgetting what they fed once."""
    from tracker.models import ProgressEntry
    from tracker.standings import store

    with store.batch():
        ProgressEntry.objects.filter(series__targets__plan=plan).delete()


PROVINCE = "970000"  # the province of the 100 counties (make_scale_data's default)
ELSEWHERE = "960000"  # another province, for the plans of 2,000, 10,000 and 4,800 targets


def make_province() -> float:
    """A province: 100 county-level regions, each with two plans (2021-2025 and 2026-2030),
    every figure approved, as the province reads them. Returns the seconds it took."""
    started = time.perf_counter()
    call_command(
        "make_scale_data",
        plans=200,
        targets_per_plan=50,
        years=5,
        plans_per_region=2,
        approved=True,
        province=PROVINCE,
        stdout=io.StringIO(),
    )
    return time.perf_counter() - started


def analyze() -> None:
    """Gather the planner's statistics after the bulk loads, as a database in use has them
    (PostgreSQL's autovacuum; on SQLite, without them, a figure's state index is taken over
    its statistic's for a few statistics' figures)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def setup_data():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    call_command("migrate", verbosity=0)
    province = make_province()
    quiet = {"stdout": io.StringIO(), "province": ELSEWHERE}
    call_command("make_scale_data", plans=1, targets_per_plan=2000, prefix="big-", **quiet)
    call_command("make_scale_data", plans=1, targets_per_plan=10000, prefix="huge-", **quiet)
    # 4,800 targets, of which 4,000 take numbers (every sixth is a milestone)
    call_command("make_scale_data", plans=1, targets_per_plan=4800, years=1, prefix="imp-", **quiet)
    analyze()
    admin = get_user_model().objects.create_user("bench-admin", password="x")
    admin.groups.add(Group.objects.get(name="administrators"))
    return admin, province


# -- 1. pages ----------------------------------------------------------------------------


def bench_pages(admin, medians: dict) -> list[tuple]:
    """Each page's median goes into `medians` too, for the goals' ratios."""
    from tracker.models import Plan

    client = Client()
    client.force_login(admin)
    big = Plan.objects.get(slug="big-0001")
    huge = Plan.objects.get(slug="huge-0001")
    county = Plan.objects.get(slug="scale-0001")
    pages = [
        ("plan list (202 plans)", "/"),
        ("dashboard, 50 targets", county.get_absolute_url()),
        ("dashboard, 2,000 targets", big.get_absolute_url()),
        (
            "dashboard, 2,000 targets, filtered, sorted",
            big.get_absolute_url() + "?status=behind&sort=-progress",
        ),
        ("API, 50 targets", f"/api/plans/{county.slug}/"),
        ("API, 2,000 targets", f"/api/plans/{big.slug}/"),
        ("dashboard, 10,000 targets (the largest plan)", huge.get_absolute_url()),
        ("API, 10,000 targets (the largest plan)", f"/api/plans/{huge.slug}/"),
        ("target page", f"/plans/{big.slug}/targets/S00001/"),
        ("departments, 2,000 targets", f"/plans/{big.slug}/departments/"),
    ]
    rows = []
    for name, url in pages:
        for _ in range(2):
            assert client.get(url).status_code == 200, url
        queries = []

        def count(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            client.get(url)
        times = timed(lambda url=url: client.get(url), 5 if "10,000" in name else 20)
        rows.append((name, ms(statistics.median(times)), ms(p95(times)), len(queries)))
        medians[name] = statistics.median(times)
    # The first request after a write that touched every target: the store is rebuilt.
    rebuilt = [
        ("dashboard, 2,000 targets, store rebuilt", big.get_absolute_url()),
        ("dashboard, 10,000 targets, store rebuilt", huge.get_absolute_url()),
        ("API, 10,000 targets, store rebuilt", f"/api/plans/{huge.slug}/"),
    ]
    for name, url in rebuilt:
        times = []
        for _ in range(3):
            (huge if "10,000" in name else big).save()  # forgets the plan's stored rows
            times += timed(lambda url=url: client.get(url), 1)
        rows.append((name, ms(statistics.median(times)), ms(max(times)), "grows"))
    return rows


# -- 2. exports --------------------------------------------------------------------------


def same_cells_bare(data: bytes):
    """The floor: openpyxl writing the very cells of `data` (values only, no styles)."""
    import openpyxl
    from openpyxl import Workbook

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheets = [(ws.title, [list(row) for row in ws.iter_rows(values_only=True)]) for ws in book]

    def write():
        wb = Workbook(write_only=True)
        for title, rows in sheets:
            ws = wb.create_sheet(title)
            for row in rows:
                ws.append(row)
        wb.save(io.BytesIO())

    cells = sum(len(row) for _title, rows in sheets for row in rows)
    return write, cells


def rss_of_export(slug: str, path: Path) -> float:
    """Peak resident memory of a whole `manage.py export_report` process, in MB.

    The process reads its own high-water mark (VmHWM): ru_maxrss would also count the memory
    of this benchmark, which the child shares between fork and exec.
    """
    code = (
        "import re, sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', *sys.argv[1:]]); "
        "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1], "
        "file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "export_report", "--plan", slug, "--output", str(path)],
        cwd=ROOT,
        env=os.environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stderr.strip().splitlines()[-1]) / 1024


def bench_exports(admin) -> tuple[list[tuple], dict]:
    from tracker.excel.report import write_report
    from tracker.excel.template import write_template
    from tracker.figures.rights import ANY_ADMINISTRATOR
    from tracker.models import Plan, Target
    from tracker.standings.loading import plan_standings

    plan = Plan.objects.get(slug="huge-0001")
    year = plan.status_year()
    path = OUT / "report.xlsx"

    def command():
        call_command("export_report", plan=plan.slug, output=str(path), stdout=io.StringIO())
        return path.read_bytes()

    # As the command loads them: with their 原因及措施, which the report prints.
    load_times = timed(
        lambda: plan_standings(plan, year, viewer=ANY_ADMINISTRATOR, explained=True), 3
    )
    rows = plan_standings(plan, year, viewer=ANY_ADMINISTRATOR, explained=True)
    targets = list(Target.objects.for_plan(plan).with_entries(ANY_ADMINISTRATOR))

    def report():
        out = io.BytesIO()
        write_report(out, plan, year, rows, user=admin)
        return out.getvalue()

    def template():
        out = io.BytesIO()
        write_template(out, plan, 2025, targets)
        return out.getvalue()

    results = [
        (
            "loading and assessing 10,000 targets (tracker.standings.loading)",
            f"{statistics.median(load_times):.2f} s",
            "",
            "",
            "",
            "",
        )
    ]
    goals = {}
    for name, fn in [
        ("export_report command, 10,000 targets x 5 years, end to end", command),
        ("report writer alone, from assessed targets in memory", report),
        ("template, 10,000 targets", template),
    ]:
        floor, cells = same_cells_bare(fn())
        ours = statistics.median(timed(fn, 3))
        bare = statistics.median(timed(floor, 3))
        ours_mb, bare_mb = peak_memory(fn), peak_memory(floor)
        results.append(
            (
                f"{name} ({cells:,} cells)",
                f"{ours:.2f} s",
                f"{bare:.2f} s",
                f"{ours / bare:.2f}x",
                f"{ours_mb:.0f} MB",
                f"{bare_mb:.0f} MB",
            )
        )
        if fn is command:
            goals.update(
                export=ours / bare, export_ours=ours, export_floor=bare, export_traced=ours_mb
            )
    goals["export_rss"] = rss_of_export(plan.slug, OUT / "report-rss.xlsx")
    return results, goals


def bench_api_floor(admin) -> tuple[float, float]:
    """The API of the largest plan against json.dumps of the same payload as plain dicts."""
    client = Client()
    client.force_login(admin)
    url = "/api/plans/huge-0001/"
    payload = json.loads(client.get(url).content)
    ours = statistics.median(timed(lambda: client.get(url), 5))
    bare = statistics.median(timed(lambda: json.dumps(payload, ensure_ascii=False), 5))
    return ours, bare


# -- 3. import ---------------------------------------------------------------------------


def import_rows(plan, count: int = 4000) -> list[list]:
    """The year matrix of `count` targets of `plan` for 2021-2025, as a person fills it:
    each figure on its target's own path (a few percent a year, a rank climbing towards
    its goal), so that none is questioned and needs an explanation the sheet cannot hold."""
    from tracker.models import Target

    targets = Target.objects.filter(plan=plan).exclude(kind="milestone").order_by("order", "pk")
    rows = [["指标代码", 2021, 2022, 2023, 2024, 2025]]
    for target in targets.exclude(baseline_value=None)[:count]:
        base = target.baseline_value
        if target.kind == "rank":
            goal = target.target_value
            figures = [int(base - (base - goal) * year / 5) for year in range(1, 6)]
        else:
            figures = [round(float(base) * 1.06**year, 1) for year in range(1, 6)]
        rows.append([target.code, *figures])
    return rows


def bench_import(admin) -> tuple[list[tuple], dict]:
    import openpyxl
    import python_calamine
    from import_export import fields, resources, widgets

    from tracker.excel.importer import build_preview
    from tracker.figures import writes
    from tracker.models import Plan, ProgressEntry, Series, Target

    settings.DEBUG = False  # no query log, as in production
    plan = Plan.objects.get(slug="imp-0001")
    _delete_figures(plan)
    matrix_rows = import_rows(plan)
    codes = [row[0] for row in matrix_rows[1:]]
    years = matrix_rows[0][1:]
    # The report's year matrix, as a person edits it: 20,000 figures.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年度数据"
    for row in matrix_rows:
        ws.append(row)
    matrix = io.BytesIO()
    wb.save(matrix)
    matrix = matrix.getvalue()
    # The same figures, one per row, for django-import-export.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["target", "year", "value"])
    for code, *figures in matrix_rows[1:]:
        for year, figure in zip(years, figures, strict=True):
            ws.append([code, year, figure])
    long = io.BytesIO()
    wb.save(long)
    long = long.getvalue()
    figures = len(codes) * len(years)

    def calamine_parse():
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(matrix))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()

    def openpyxl_parse():
        book = openpyxl.load_workbook(io.BytesIO(matrix), read_only=True)
        for sheet in book.worksheets:
            for _row in sheet.iter_rows(values_only=True):
                pass

    bare = statistics.median(timed(calamine_parse, 5))
    bare_openpyxl = statistics.median(timed(openpyxl_parse, 3))
    targets = dict(Target.objects.filter(plan=plan, code__in=codes).values_list("code", "series"))

    def bare_writes():
        """The floor's writes: the same figures built from the parsed rows and written by
        simple_history's `bulk_create_with_history`, as the confirm writes them, with no
        checks at all."""
        from simple_history.utils import bulk_create_with_history

        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(matrix))
        rows = book.get_sheet_by_index(0).to_python()
        header = rows[0]
        entries = [
            ProgressEntry(
                series_id=targets[row[0]],
                year=int(header[col]),
                value=Decimal(repr(row[col])),
                state=ProgressEntry.State.SUBMITTED,
                entered_by=admin,
            )
            for row in rows[1:]
            for col in range(1, len(header))
        ]
        with transaction.atomic():
            bulk_create_with_history(
                entries,
                ProgressEntry,
                batch_size=500,
                default_user=admin,
                default_change_reason="bench",
            )

    floor_runs = []
    for _ in range(3):
        _delete_figures(plan)
        floor_runs += timed(bare_writes, 1)
    floor = statistics.median(floor_runs)

    def ours():
        preview_started = time.perf_counter()
        preview = build_preview(matrix, file_name="matrix.xlsx", user=admin, plan=plan)
        assert preview.ok and len(preview.rows) == figures, preview.errors[:3]
        preview_time = time.perf_counter() - preview_started
        confirm_started = time.perf_counter()
        with transaction.atomic():  # as the confirm view writes it
            writes.apply_import(
                plan=plan,
                user=admin,
                rows=preview.rows,
                file_name="matrix.xlsx",
                sha256=preview.sha256,
                submit=True,
            )
        return preview_time, time.perf_counter() - confirm_started

    runs = []
    for _ in range(3):
        _delete_figures(plan)
        gc.collect()
        runs.append(ours())
    preview_time = statistics.median(r[0] for r in runs)
    confirm_time = statistics.median(r[1] for r in runs)
    total = preview_time + confirm_time

    class EntryResource(resources.ModelResource):
        # A figure is the region's statistic in a year: the file's code names the indicator.
        series = fields.Field(
            column_name="target",
            attribute="series",
            widget=widgets.ForeignKeyWidget(Series, field="indicator__code"),
        )

        class Meta:
            model = ProgressEntry
            fields = ("series", "year", "value")
            import_id_fields = ("series", "year")

        def get_queryset(self):
            return ProgressEntry.objects.filter(series__targets__plan=plan)

    EntryResource.fields["series"].widget.get_queryset = lambda value, row, *a, **k: (
        Series.objects.filter(region=plan.region_id)
    )

    def import_export():
        import tablib

        dataset = tablib.Dataset().load(io.BytesIO(long), format="xlsx")
        resource = EntryResource()
        result = resource.import_data(dataset, dry_run=True)
        assert not result.has_errors()
        dataset = tablib.Dataset().load(io.BytesIO(long), format="xlsx")
        result = resource.import_data(dataset, dry_run=False)
        assert not result.has_errors()

    _delete_figures(plan)
    peer = timed(import_export, 1)[0]
    _delete_figures(plan)
    rows = [
        ("python-calamine, bare parse", f"{bare:.2f} s"),
        (
            "floor: python-calamine's parse + `bulk_create_with_history` of the same rows",
            f"{floor:.2f} s",
        ),
        ("openpyxl read-only, bare parse", f"{bare_openpyxl:.2f} s"),
        ("ours: preview (check, parse, judge, compare)", f"{preview_time:.2f} s"),
        ("ours: confirm (database writes, with history)", f"{confirm_time:.2f} s"),
        ("ours: preview + confirm", f"{total:.2f} s"),
        ("django-import-export, dry run + confirm (peer b)", f"{peer:.2f} s"),
    ]
    ratios = {
        "figures": figures,
        "vs_floor": total / floor,
        "total": total,
        "floor": floor,
        "peer": peer,
        "vs_peer": peer / total,
    }
    return rows, ratios


# -- 5. hostile uploads ---------------------------------------------------------------

# The budget README states for any upload the limits admit: one request's time and the
# peak resident memory of the process serving it (interpreter and Django included).
BUDGET_SECONDS = 10
BUDGET_MB = 300
CHILD = r"""
import json, os, re, sys, time
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

settings.ALLOWED_HOSTS = ["*"]
# DEBUG=0 without collectstatic: static URLs unhashed
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
data = open(sys.argv[1], "rb").read()
client = Client()
client.force_login(get_user_model().objects.get(username="bench-admin"))
client.get("/plans/imp-0001/import/")  # warm: templates, translations
started = time.perf_counter()
response = client.post(
    "/plans/imp-0001/import/",
    {"file": SimpleUploadedFile("upload.xlsx", data, "application/octet-stream")},
)
seconds = time.perf_counter() - started
peak = int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read())[1]) / 1024
print(json.dumps({
    "seconds": seconds, "peak_mb": peak, "status": response.status_code,
    "bytes": len(response.content), "saved": response.status_code == 302,
}))
"""


def hostile_files(matrix_rows: list[list]) -> list[tuple[str, bytes]]:
    from tests import hostile

    honest = hostile.matrix_rows(matrix_rows)
    plan_codes = [row[0] for row in matrix_rows[1:]]
    return [
        ('`<c r="A1"><f>1</f>` x 40,000, no cell closed', hostile.unclosed_formulas(40_000)),
        ("`<sheetData>` and `<c ` x 300,000", hostile.open_cell_flood(300_000)),
        ("year matrix 100,000 rows x 15 columns (1.5 million cells)", hostile.dense_matrix()),
        (
            "year matrix 33,000 rows x 15 columns (495,000 cells, within the limits), "
            "every code unknown",
            hostile.dense_matrix(rows=33_000),
        ),
        (
            "strict OOXML, a formula without a saved result",
            hostile.strict_with_unsaved_formula(plan_codes[0]),
        ),
        (f"honest year matrix, {len(plan_codes) * 5:,} new figures", hostile.workbook(honest)),
    ]


def bench_hostile() -> tuple[list[tuple], bool]:
    """Each file uploaded once, in a process of its own, through the import page."""
    from tracker.models import Plan

    plan = Plan.objects.get(slug="imp-0001")
    _delete_figures(plan)
    matrix_rows = import_rows(plan)
    rows, within = [], True
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" * 10,
        "SECURE_SSL_REDIRECT": "0",  # plain http on loopback, as behind the proxy
        "PYTHONPATH": str(ROOT),
    }
    for name, data in hostile_files(matrix_rows):
        path = OUT / "hostile.xlsx"
        path.write_bytes(data)
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode:
            raise RuntimeError(done.stderr[-2000:])
        found = json.loads(done.stdout.strip().splitlines()[-1])
        if found["status"] not in (200, 302):
            raise RuntimeError(f"{name}: answered {found['status']}")
        met = found["seconds"] < BUDGET_SECONDS and found["peak_mb"] < BUDGET_MB
        within &= met
        rows.append(
            (
                name,
                f"{len(data) / 1024:,.0f} KB",
                f"{found['seconds']:.2f} s",
                f"{found['peak_mb']:.0f} MB",
                "preview saved"
                if found["saved"]
                else f"refused ({found['bytes'] / 1024:.0f} KB page)",
                verdict(met),
            )
        )
    _delete_figures(plan)
    return rows, within


# -- 6. a province's regions ------------------------------------------------------------

COMPARED = "S00001"  # an amount: each county's figure, ranked, and the province's sum
REGION_YEAR = 2025


def province_reader():
    """The province's administrator: Profile.region is the province, so every county's
    figure is read once approved, and the county's dashboard as the province sees it."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from tracker.models import Profile, Region

    user = get_user_model().objects.create_user("bench-province", password="x")
    user.groups.add(Group.objects.get(name="administrators"))
    Profile.objects.create(user=user, region=Region.objects.get(code=PROVINCE))
    return user


def measure(client, url: str, repeat: int = 20) -> tuple[list[float], int]:
    """`repeat` GETs of `url` after 2 warm-ups, and the SQL queries of one more."""
    for _ in range(2):
        assert client.get(url).status_code == 200, url
    queries = []

    def count(execute, sql, *args):
        queries.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        client.get(url)
    return timed(lambda: client.get(url), repeat), len(queries)


def bench_regions(user) -> tuple[list[tuple], dict]:
    """The province's pages as its administrator reads them, and the floors of the goals."""
    from tracker.models import Plan, Region, Target

    client = Client()
    client.force_login(user)
    province = Region.objects.get(code=PROVINCE)
    county = Plan.objects.get(slug="scale-0001")
    counties = Region.objects.filter(parent=province).count()
    covering = Plan.objects.filter(
        region__parent=province, start_year__lte=REGION_YEAR, end_year__gte=REGION_YEAR
    )
    cells = Target.objects.filter(plan__in=covering).count()
    year = f"?year={REGION_YEAR}"
    pages = [
        ("county", "one county's dashboard, 50 targets", county.get_absolute_url() + year),
        (
            "matrix",
            f"the regions' matrix, {counties} counties x 50 indicators ({cells:,} cells)",
            f"/regions/{PROVINCE}/{year}",
        ),
        ("matrix api", "the matrix's API", f"/api/regions/{PROVINCE}/{year}"),
        (
            "comparison page",
            f"one indicator compared ({COMPARED}), page with its charts",
            f"/regions/{PROVINCE}/indicators/{COMPARED}/{year}",
        ),
        (
            "comparison",
            f"one indicator compared ({COMPARED}), API",
            f"/api/regions/{PROVINCE}/indicators/{COMPARED}/{year}",
        ),
    ]
    rows, medians = [], {}
    for key, name, url in pages:
        times, queries = measure(client, url)
        medians[key] = statistics.median(times)
        rows.append((name, f"`{url}`", ms(medians[key]), ms(p95(times)), queries))
    # What any signed-in request of the API costs before it reads a figure: the test client,
    # the middleware, the session, the rights and the region, answering "no such indicator".
    unknown = f"/api/regions/{PROVINCE}/indicators/NONE/{year}"
    assert client.get(unknown).status_code == 404
    times = timed(lambda: client.get(unknown), 20)
    medians["api fixed"] = statistics.median(times)
    rows.append(
        (
            "the API answering 404 (no such indicator): the fixed cost of a signed-in request",
            f"`{unknown}`",
            ms(medians["api fixed"]),
            ms(p95(times)),
            "",
        )
    )
    payload = json.loads(client.get(pages[-1][2]).content)
    assert len(payload["regions"]) == counties and payload["parent"]["source"] == "sum", payload
    floor = timed(lambda: json.dumps(payload, ensure_ascii=False), 20)
    medians["comparison floor"] = statistics.median(floor)
    rows.append(
        (
            "floor: `json.dumps` of the comparison's payload as plain dicts",
            "",
            f"{medians['comparison floor'] * 1000:.2f} ms",
            f"{p95(floor) * 1000:.2f} ms",
            "",
        )
    )
    # The comparison's own encoding: from the comparison computed (as the API reads it) to
    # its JSON text, as the workbook's writer is timed from what was read.
    from tracker.models import Indicator
    from tracker.plans import regional
    from tracker.views.regions import comparison_payload

    result = regional.comparison(
        province, Indicator.objects.get(code=COMPARED), REGION_YEAR, stored=True
    )
    encoded = timed(lambda: json.dumps(comparison_payload(result), ensure_ascii=False), 20)
    medians["comparison encoded"] = statistics.median(encoded)
    rows.append(
        (
            "the comparison's encoding: `comparison_payload` of the computed comparison, "
            "then `json.dumps`",
            "",
            f"{medians['comparison encoded'] * 1000:.2f} ms",
            f"{p95(encoded) * 1000:.2f} ms",
            "",
        )
    )
    # -- the region workbook (export_region_report) ---------------------------------------
    rows += region_workbook_rows(province, medians)
    medians["counties"], medians["cells"] = counties, cells
    return rows, medians


def region_workbook_rows(province, medians: dict) -> list[tuple]:
    """The region's workbook: the whole command, and its writer alone from the matrix and
    comparisons gathered in memory, each against openpyxl writing the same cells bare
    (medians of 3)."""
    from tracker.excel.region_report import write_region_report
    from tracker.plans import region_workbook

    path = OUT / "region.xlsx"

    def command():
        call_command(
            "export_region_report",
            region=PROVINCE,
            output=str(path),
            year=REGION_YEAR,
            stdout=io.StringIO(),
        )

    book = region_workbook.gather(province, REGION_YEAR)

    def writer():
        write_region_report(io.BytesIO(), book.matrix, book.comparisons)

    command()
    floor, cells = same_cells_bare(path.read_bytes())
    medians["workbook cells"] = cells
    medians["workbook floor"] = statistics.median(timed(floor, 3))
    medians["workbook"] = statistics.median(timed(command, 3))
    medians["workbook writer"] = statistics.median(timed(writer, 3))
    medians["workbook gather"] = statistics.median(
        timed(lambda: region_workbook.gather(province, REGION_YEAR), 3)
    )
    sheets = len(book.comparisons) + 1
    return [
        (
            f"the region's workbook, `export_region_report --region {PROVINCE}` "
            f"({sheets} sheets, {cells:,} cells), end to end",
            "",
            f"{medians['workbook']:.2f} s",
            "",
            "",
        ),
        (
            "of which reading: the matrix and each indicator compared (`region_workbook.gather`)",
            "",
            f"{medians['workbook gather']:.2f} s",
            "",
            "",
        ),
        (
            "of which writing: `write_region_report` from what was read, in memory",
            "",
            f"{medians['workbook writer']:.2f} s",
            "",
            "",
        ),
        (
            "floor: openpyxl (write-only) writing the workbook's cells bare",
            "",
            f"{medians['workbook floor']:.2f} s",
            "",
            "",
        ),
    ]


def regions_goals(regions: dict) -> list[tuple]:
    """The province's rows of the goals table."""
    matrix = regions["matrix"] / regions["county"]
    compared = regions["comparison"] / regions["comparison floor"]
    return [
        (
            f"a province's regions' matrix ({regions['counties']} counties x 50 indicators), "
            "against one county's dashboard",
            "3x",
            f"{matrix:.2f}x ({ms(regions['matrix'])} / {ms(regions['county'])})",
            verdict(matrix <= 3),
        ),
        (
            f"one indicator compared across {regions['counties']} counties, encoded from the "
            "computed comparison, against `json.dumps` of its payload as plain dicts",
            "2x",
            f"{regions['comparison encoded'] / regions['comparison floor']:.2f}x "
            f"({regions['comparison encoded'] * 1000:.2f} ms / "
            f"{regions['comparison floor'] * 1000:.2f} ms)",
            verdict(regions["comparison encoded"] <= 2 * regions["comparison floor"]),
        ),
        (
            "the same, end to end: the API request through Django, the comparison computed "
            "from the database",
            "2x",
            f"{compared:.0f}x ({regions['comparison'] * 1000:.1f} ms / "
            f"{regions['comparison floor'] * 1000:.2f} ms)",
            verdict(compared <= 2),
        ),
        (
            f"the region's workbook ({regions['workbook cells']:,} cells), written, against "
            "openpyxl writing the same cells bare",
            "2x",
            f"{regions['workbook writer'] / regions['workbook floor']:.2f}x "
            f"({regions['workbook writer']:.2f} s / {regions['workbook floor']:.2f} s)",
            verdict(regions["workbook writer"] <= 2 * regions["workbook floor"]),
        ),
        (
            "the same, end to end: the command reading the figures and standings too",
            "2x",
            f"{regions['workbook'] / regions['workbook floor']:.2f}x "
            f"({regions['workbook']:.2f} s / {regions['workbook floor']:.2f} s)",
            verdict(regions["workbook"] <= 2 * regions["workbook floor"]),
        ),
    ]


def regions_section(rows, regions: dict) -> str:
    return f"""## 6. A province of {regions["counties"]} county-level units

Read by the province's administrator (Profile.region the province: the counties' approved
figures only), through Django's test client: 20 requests after 2 warm-ups each, as of
{REGION_YEAR}; each county is judged by its plan covering the year (2021-2025).

{table(["page", "URL", "median", "p95", "SQL queries"], rows)}

The query counts do not grow with the counties or the indicators (tests/test_queries.py
asserts it on the same data built smaller, 2 x 6 against 7 x 13).

- **county's dashboard**: `/plans/scale-0001/?year={REGION_YEAR}`, the same page as the
  "dashboard, 50 targets" of section 1, read by the province's administrator: the
  standings store checked, one page of 50 targets loaded, assessed and rendered.
- **matrix**: `/regions/{PROVINCE}/?year={REGION_YEAR}`, from the request to the rendered
  page (about 0.9 MB of HTML): rights, the plans' years, the counties and their plans
  covering the year, then where each of the 5,000 targets stands read from the standings
  store in one query (the stored API objects of approved figures, `json_approved`, of
  which the database extracts status, the year the status rests on, goal and latest
  figure: `store.summaries`; missing ones would be assessed and stored first, plan by
  plan), the targets' codes, areas and plans in one more, the indicators, whether any
  figure is sample data; counts per county and per indicator; the 5,000 cells written by
  one template tag (`matrix_cells`: each distinct status rendered once, each county's
  target links made from one `reverse`).
- **comparison (API)**: `/api/regions/{PROVINCE}/indicators/{COMPARED}/?year={REGION_YEAR}`,
  from the request to the encoded response (about 50 KB): rights, the indicator, the plans'
  years, the counties and their plans, the 100 targets' standings from the store (as the
  matrix), the approved figures of the indicator of the counties and the province over the
  plans' years in one query (as values, no models), ranks, the roll-up (a sum: every county
  has an approved figure), the payload built and `json.dumps`. **Floor**: `json.dumps`
  (ensure_ascii off, as the API) of that same payload, parsed back into plain dicts and
  lists first. Medians of 20.

- **region's workbook**: `export_region_report --region {PROVINCE} --year {REGION_YEAR}`,
  the whole command (the matrix and each of the 50 indicators compared, then the workbook
  of 51 sheets saved to a file), and its two parts: reading (`region_workbook.gather`:
  the matrix from the standings store as the page; for the comparisons, the counties'
  5,000 targets read as plain values, plan by plan, and assessed once by the engine, whose
  numbers the goal columns print, then each indicator's figures and ranks) and writing
  (`write_region_report`, styled, headed and set up for print). **Floor**: openpyxl in
  write-only mode writing the values of the very cells of the command's workbook, no
  styles. Medians of 3.

- **comparison's encoding**: from the comparison computed as the API computes it
  (`regional.comparison(..., stored=True)`, outside the timing) to its JSON text:
  `comparison_payload` (each figure printed to the indicator's decimals, the standings,
  ranks and roll-up as the API gives them) and `json.dumps`, against `json.dumps` alone
  of the same payload as plain dicts; medians of 20. It is the comparison's share of the
  API's time that its floor measures, as the workbook's writer is timed against openpyxl.

The comparison's API request, end to end, is not within 2x of that floor, and no request
through Django can be: the row "the API answering 404" is what a signed-in request costs
before it reads anything (test client, middleware, session, user, groups, profile,
region), itself many times the floor's fraction of a millisecond. Beyond it, the
comparison's own time is its dozen queries (each a fraction of a millisecond) and Python:
building 100 places, formatting about 1,200 figures, ranking and encoding. Before this
release's work it took about 140 ms (2.9 s for the matrix): every target of every county
was loaded with all its figures, conversations and explanations and assessed anew on each
request, the ranks were recomputed once per county (100 sorts of 100), the comparison's
figures were read as models, and the years with figures were asked with a `DISTINCT` that
the figures' default ordering made one row per figure. The comparison page (with its
charts) still assesses its 100 targets itself, as its goal column and charts need the
engine's numbers.
"""


# -- report ------------------------------------------------------------------------------


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    database = connection.vendor
    if database == "sqlite":
        database += f" {connection.Database.sqlite_version}"
    return (
        f"{cpu or platform.processor()} ({os.cpu_count()} cores{memory}), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"Django {django.get_version()}, {database}"
    )


def table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(met: bool) -> str:
    return "**met**" if met else "**not met**"


def goals_table(medians: dict, export: dict, api: tuple[float, float], regions: dict) -> str:
    small = medians["dashboard, 50 targets"]
    big = medians["dashboard, 2,000 targets"] / small
    huge = medians["dashboard, 10,000 targets (the largest plan)"] / small
    api_ratio = api[0] / api[1]
    rows = [
        (
            "whole `export_report`, 10,000 targets, against openpyxl writing its cells bare",
            "2x",
            f"{export['export']:.2f}x ({export['export_ours']:.2f} s / "
            f"{export['export_floor']:.2f} s)",
            verdict(export["export"] <= 2),
        ),
        (
            "dashboard, 2,000 targets, against 50 targets",
            "3x",
            f"{big:.2f}x ({ms(medians['dashboard, 2,000 targets'])} / {ms(small)})",
            verdict(big <= 3),
        ),
        (
            "dashboard, 10,000 targets, against 50 targets",
            "5x",
            f"{huge:.2f}x ({ms(medians['dashboard, 10,000 targets (the largest plan)'])} / "
            f"{ms(small)})",
            verdict(huge <= 5),
        ),
        (
            "API, 10,000 targets, against `json.dumps` of its payload as plain dicts",
            "3x",
            f"{api_ratio:.2f}x ({ms(api[0])} / {ms(api[1])})",
            verdict(api_ratio <= 3),
        ),
        (
            "peak memory of the 10,000-target export: Python allocations (tracemalloc)",
            "200 MB",
            f"{export['export_traced']:.0f} MB",
            verdict(export["export_traced"] < 200),
        ),
        (
            "peak memory of the 10,000-target export: the whole process (peak RSS)",
            "200 MB",
            f"{export['export_rss']:.0f} MB",
            verdict(export["export_rss"] < 200),
        ),
        *regions_goals(regions),
    ]
    return table(["goal", "within", "measured", ""], rows)


def main():
    started = time.perf_counter()
    admin, province = setup_data()
    medians = {}
    pages = bench_pages(admin, medians)
    exports, export_goals = bench_exports(admin)
    api = bench_api_floor(admin)
    regions_rows, regions = bench_regions(province_reader())
    imports, ratios = bench_import(admin)
    hostile = bench_hostile()
    load = (OUT / "load.md").read_text(encoding="utf-8") if (OUT / "load.md").exists() else ""
    text = f"""# Benchmark results

Made by `make bench` on {datetime.now():%Y-%m-%d %H:%M}, in {time.perf_counter() - started:.0f} s.
Machine: {machine()}.

## Goals

Each a ratio of two figures measured in the same run, so that a slower or busier machine
does not move it much. What each timed span contains is said below the table.

{goals_table(medians, export_goals, api, regions)}

- **whole `export_report`**: `call_command("export_report", plan=..., output=file)`, from the
  plan's slug to the closed file on disk: looking up the plan and its status year, loading
  the targets and figures (tracker/standings/loading.py, one query per table), assessing
  every target with the engine, measuring every text for column widths and row heights,
  writing the five sheets with styles, print setup and charts, saving. Median of 3. The
  report's rows are
  written as XML text by its own row writer (tracker/excel/openpyxl_adapter.py, `RowWriter`), in
  openpyxl's workbook. **Floor**: openpyxl (write-only) writing the same cells, read back
  from that very file, with their values and nothing else (no styles, charts, print setup),
  through its own writer, to memory. Median of 3.
- **dashboards**: one GET through Django's test client, signed in, from the request to the
  rendered page: status year, the standings store checked for missing rows (none: it was
  built by the warm-up requests), filters, counts, sorting and paging in SQL, then only the
  page's 50 targets loaded and assessed and rendered. Median of 20 (5 for 10,000) after 2
  warm-ups. The first request after a write that touched every target rebuilds the store:
  those figures are the "store rebuilt" rows of the pages table.
- **API**: one GET of `/api/plans/<slug>/` through the test client, signed in, from the
  request to the encoded response: status year, the store checked for targets without a
  stored object in the reader's language (none: the warm-up requests stored them), the
  10,000 stored objects read in table order and joined into the response. Median of 5.
  The first request after a write that touched every target assesses and encodes all of
  them: the "store rebuilt" row of the pages table. **Floor**: `json.dumps` (ensure_ascii
  off, as the API) of that same payload, parsed back into plain dicts and lists first.
  Median of 5.
- **province**: the regions' matrix and one indicator compared, read by the province's
  administrator: see section 6 for each span and what it contains.
- **memory**: tracemalloc's peak during one in-process `export_report` call (Python
  allocations, beyond what the process held before); and the peak resident set size of a
  separate `manage.py export_report` process, interpreter and Django included (its VmHWM).

## Data set

`make_scale_data --plans 200 --targets-per-plan 50 --years 5 --plans-per-region 2` built a
province of 100 county-level regions, each with two plans (2021-2025 and 2026-2030) reading
the region's figures: 10,000 targets and 50,000 yearly figures in {province:.1f} s (bulk
inserts), with `--approved`: every figure approved, as the province reads them (before,
each plan's last year with figures was a mix of approved, submitted and drafts; the pages
of section 1 read the same number of targets and figures, their statuses judged on a few
more approved ones). Added, under a province of their own (960000, so that the province
of section 6 has its 100 counties only): one plan of 2,000 targets and one of 10,000
targets (x 5 years), and one of 4,000 targets for the import. The database's planner
statistics are gathered after the loads (`ANALYZE`), as a database in use has them.

## 1. Pages and API

In-process, through Django's test client: 20 requests after 2 warm-ups (5 for the largest
plan). "store rebuilt": everything stored for the plan forgotten before each of 3 requests.

{table(["page", "median", "p95 (max for rebuilt)", "SQL queries"], pages)}

The query count does not grow with the plan, once its store is built (tests/test_queries.py
asserts it for 10 and 2,000 targets); rebuilding it inserts in batches.

## 2. Excel exports, against openpyxl writing the same number of cells bare

{table(["file", "ours", "floor", "ratio", "ours, peak memory", "floor, peak memory"], exports)}

The floor is openpyxl (write-only) writing the same cells with their values and nothing
else. The first export row is the whole command as above; the report writer and the template
are timed from their inputs in memory to the finished file, without loading. Peak memory is
Python's (tracemalloc) during one export.

{import_section(imports, ratios)}
{load}
{hostile_section(*hostile)}
{regions_section(regions_rows, regions)}"""
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


def import_section(imports, ratios) -> str:
    figures = f"{ratios['figures']:,}"
    return f"""## 3. Import of {figures} figures (the report's year matrix, 4,000 targets x 5 years)

{table(["step", "time"], imports)}

- ours (preview and confirm, every check included) against the floor (python-calamine's
  parse plus `bulk_create_with_history` of the same rows, no checks):
  **{ratios["vs_floor"]:.2f}x** ({ratios["total"]:.2f} s / {ratios["floor"]:.2f} s; goal:
  within 2x)
- django-import-export against ours: **{ratios["vs_peer"]:.0f}x slower**
  ({ratios["peer"]:.2f} s / {ratios["total"]:.2f} s; goal: at least 20x)

Each of ours and the floor is the median of 3, on an empty plan each time; the confirm runs
in one transaction, as the confirm page runs it. Django's query log is off (DEBUG=0), as in
production.
"""


def hostile_section(rows, within) -> str:
    return f"""## 5. Hostile uploads, against the budget

Each file is posted once to the import page (`/plans/imp-0001/import/`) through Django's
test client, in a process of its own (DEBUG=0), after one warm-up GET of the page: time
is that one request, from the upload to the rendered answer; memory is the process's peak
resident set (VmHWM), interpreter and Django included. Budget (README, "Limits"): under
{BUDGET_SECONDS} s and {BUDGET_MB} MB for any upload the limits admit. The files are built
by tests/hostile.py, whose tests check each refusal and its message.

{table(["file", "size", "time", "peak RSS", "answer", ""], rows)}

All within the budget: {verdict(within)}. The machine's load average when the section
ended: {" / ".join(f"{x:.1f}" for x in os.getloadavg())} (1, 5, 15 minutes; it has
{os.cpu_count()} cores), since absolute times move with it.
"""


def uploads_only(only_hostile: bool = False):
    """`python bench/run.py --uploads`: only sections 3 and 5, rewritten in RESULTS.md;
    `--hostile`: section 5 alone."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    call_command("migrate", verbosity=0)
    quiet = {"stdout": io.StringIO(), "province": ELSEWHERE}
    call_command("make_scale_data", plans=1, targets_per_plan=4800, years=1, prefix="imp-", **quiet)
    admin = get_user_model().objects.create_user("bench-admin", password="x")
    admin.groups.add(Group.objects.get(name="administrators"))
    hostile = bench_hostile()
    text, six, province = RESULTS.read_text(encoding="utf-8").partition("## 6. A province")
    province = f"\n{six}{province}" if six else ""  # section 6 is kept as it was
    if only_hostile:
        text = text.partition("## 5. Hostile uploads")[0].rstrip() + "\n\n"
        RESULTS.write_text(text + hostile_section(*hostile) + province, encoding="utf-8")
        print(hostile_section(*hostile))
        return
    imports, ratios = bench_import(admin)
    head, _, rest = text.partition("## 3. Import")
    head = head.partition("Sections 3 and 5 made by")[0].rstrip() + "\n\n"
    _old, _, tail = rest.partition("## 4. ")
    tail = ("## 4. " + tail) if tail else ""
    tail = tail.partition("## 5. Hostile uploads")[0]
    note = (
        f"Sections 3 and 5 made by `python bench/run.py --uploads` on "
        f"{datetime.now():%Y-%m-%d %H:%M}.\n\n"
    )
    text = head + note + import_section(imports, ratios) + "\n" + tail.rstrip() + "\n\n"
    text += hostile_section(*hostile) + province
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


def regions_only():
    """`python bench/run.py --regions`: section 6 alone, on the province alone, rewritten in
    RESULTS.md."""
    call_command("migrate", verbosity=0)
    make_province()
    analyze()
    rows, regions = bench_regions(province_reader())
    section = regions_section(rows, regions)
    goals = table(["goal", "within", "measured", ""], regions_goals(regions))
    note = (
        f"Section 6 made by `python bench/run.py --regions` on {datetime.now():%Y-%m-%d %H:%M}"
        f" ({machine()}); its goals in that run:\n\n{goals}\n"
    )
    text = RESULTS.read_text(encoding="utf-8").partition("## 6. A province")[0].rstrip()
    RESULTS.write_text(f"{text}\n\n{section}\n{note}", encoding="utf-8")
    print(section + "\n" + note)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--help":
        print(__doc__)
        sys.exit(0)
    if len(sys.argv) > 1 and sys.argv[1] == "--regions":
        regions_only()
        sys.exit(0)
    if len(sys.argv) > 1 and sys.argv[1] in ("--uploads", "--hostile"):
        uploads_only(only_hostile=sys.argv[1] == "--hostile")
    else:
        main()
