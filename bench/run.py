"""Benchmarks, run on demand (`make bench`); figures go to bench/RESULTS.md.

Measured on a fresh database (bench/out/bench.sqlite3, or BENCH_DATABASE_URL):
1. pages and the API: the province data set (200 plans x 50 targets x 5 years) and one plan
   of 2,000 targets x 5 years; median and p95 over repeated requests, SQL queries each;
2. the Excel report and data-entry template of a 10,000-target plan (x 5 years): time and
   peak memory, against openpyxl writing the same number of cells bare (the floor);
3. importing 20,000 figures (preview and confirm, as a user would) against a bare parse of
   the same file by python-calamine and openpyxl, and against django-import-export's
   dry-run-and-confirm of the same rows into the same model.
"""

from __future__ import annotations

import gc
import io
import os
import platform
import statistics
import sys
import time
import tracemalloc
from datetime import datetime
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
from django.db import connection  # noqa: E402
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


def setup_data():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("make_scale_data", plans=200, targets_per_plan=50, years=5, stdout=io.StringIO())
    province = time.perf_counter() - started
    quiet = {"stdout": io.StringIO()}
    call_command("make_scale_data", plans=1, targets_per_plan=2000, prefix="big-", **quiet)
    call_command("make_scale_data", plans=1, targets_per_plan=10000, prefix="huge-", **quiet)
    # 4,800 targets, of which 4,000 take numbers (every sixth is a milestone)
    call_command("make_scale_data", plans=1, targets_per_plan=4800, years=1, prefix="imp-", **quiet)
    admin = get_user_model().objects.create_user("bench-admin", password="x")
    admin.groups.add(Group.objects.get(name="administrators"))
    return admin, province


# -- 1. pages ----------------------------------------------------------------------------


def bench_pages(admin) -> list[tuple]:
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
        ("dashboard, 2,000 targets, filtered, sorted",
         big.get_absolute_url() + "?status=behind&sort=-progress"),
        ("API, 50 targets", f"/api/plans/{county.slug}/"),
        ("API, 2,000 targets", f"/api/plans/{big.slug}/"),
        ("dashboard, 10,000 targets (the largest plan)", huge.get_absolute_url()),
        ("API, 10,000 targets (the largest plan)", f"/api/plans/{huge.slug}/"),
        ("target page", f"/plans/{big.slug}/targets/S00001/"),
        ("departments, 2,000 targets", f"/plans/{big.slug}/departments/"),
    ]  # fmt: skip
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


def bench_exports(admin) -> list[tuple]:
    from tracker.excel.report import write_report
    from tracker.excel.template import write_template
    from tracker.models import Plan, Target
    from tracker.standing import plan_targets, standings

    plan = Plan.objects.get(slug="huge-0001")
    year = plan.status_year()
    load_times = timed(lambda: standings(plan_targets(plan), year), 3)
    rows = standings(plan_targets(plan), year)
    targets = list(Target.objects.for_plan(plan).with_entries())

    def report():
        out = io.BytesIO()
        write_report(out, plan, year, rows, user=admin)
        return out.getvalue()

    def template():
        out = io.BytesIO()
        write_template(out, plan, 2025, targets)
        return out.getvalue()

    results = [("loading and assessing 10,000 targets (both files need it)",
                f"{statistics.median(load_times):.2f} s", "", "", "", "")]  # fmt: skip
    for name, fn in [("report, 10,000 targets x 5 years", report),
                     ("template, 10,000 targets", template)]:  # fmt: skip
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
    return results


# -- 3. import ---------------------------------------------------------------------------


def bench_import(admin) -> tuple[list[tuple], dict]:
    import openpyxl
    import python_calamine
    from import_export import fields, resources, widgets

    from tracker import services
    from tracker.excel.importer import build_preview
    from tracker.models import Plan, ProgressEntry, Target

    plan = Plan.objects.get(slug="imp-0001")
    ProgressEntry.objects.filter(target__plan=plan).delete()
    codes = list(
        Target.objects.filter(plan=plan).exclude(kind="milestone").values_list("code", flat=True)
    )
    codes = codes[:4000]
    years = [2021, 2022, 2023, 2024, 2025]
    # The report's year matrix, as a person edits it: 20,000 figures.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年度数据"
    ws.append(["指标代码", *years])
    for i, code in enumerate(codes):
        ws.append([code, *[round(100 + i % 97 + y * 1.5, 1) for y in range(5)]])
    matrix = io.BytesIO()
    wb.save(matrix)
    matrix = matrix.getvalue()
    # The same figures, one per row, for django-import-export.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["target", "year", "value"])
    for i, code in enumerate(codes):
        for y, year in enumerate(years):
            ws.append([code, year, round(100 + i % 97 + y * 1.5, 1)])
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

    def ours():
        preview_started = time.perf_counter()
        preview = build_preview(matrix, file_name="matrix.xlsx", user=admin, plan=plan)
        assert preview.ok and len(preview.rows) == figures, preview.errors[:3]
        preview_time = time.perf_counter() - preview_started
        confirm_started = time.perf_counter()
        services.apply_import(
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
        ProgressEntry.objects.filter(target__plan=plan).delete()
        gc.collect()
        runs.append(ours())
    preview_time = statistics.median(r[0] for r in runs)
    confirm_time = statistics.median(r[1] for r in runs)
    total = preview_time + confirm_time

    class EntryResource(resources.ModelResource):
        target = fields.Field(
            column_name="target", attribute="target",
            widget=widgets.ForeignKeyWidget(Target, field="code"),
        )  # fmt: skip

        class Meta:
            model = ProgressEntry
            fields = ("target", "year", "value")
            import_id_fields = ("target", "year")

        def get_queryset(self):
            return ProgressEntry.objects.filter(target__plan=plan)

    EntryResource.fields["target"].widget.model = Target
    EntryResource.fields["target"].widget.get_queryset = lambda value, row, *a, **k: (
        Target.objects.filter(plan=plan)
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

    ProgressEntry.objects.filter(target__plan=plan).delete()
    peer = timed(import_export, 1)[0]
    ProgressEntry.objects.filter(target__plan=plan).delete()
    rows = [
        ("python-calamine, bare parse (floor a)", f"{bare:.2f} s"),
        ("openpyxl read-only, bare parse", f"{bare_openpyxl:.2f} s"),
        ("ours: preview (check, parse, judge, compare)", f"{preview_time:.2f} s"),
        ("ours: confirm (database writes, with history)", f"{confirm_time:.2f} s"),
        ("ours: preview + confirm", f"{total:.2f} s"),
        ("django-import-export, dry run + confirm (peer b)", f"{peer:.2f} s"),
    ]
    ratios = {
        "figures": figures,
        "vs_floor": total / (bare + confirm_time),
        "vs_peer": peer / total,
    }
    return rows, ratios


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
    return (f"{cpu or platform.processor()} ({os.cpu_count()} cores{memory}), "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"Django {django.get_version()}, {database}")  # fmt: skip


def table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def main():
    started = time.perf_counter()
    admin, province = setup_data()
    pages = bench_pages(admin)
    exports = bench_exports(admin)
    imports, ratios = bench_import(admin)
    load = (OUT / "load.md").read_text(encoding="utf-8") if (OUT / "load.md").exists() else ""
    text = f"""# Benchmark results

Made by `make bench` on {datetime.now():%Y-%m-%d %H:%M}, in {time.perf_counter() - started:.0f} s.
Machine: {machine()}.

## Data set

`make_scale_data --plans 200 --targets-per-plan 50 --years 5` built 10,000 targets and
50,000 yearly figures in {province:.1f} s (bulk inserts). Added: one plan of 2,000 targets
and one of 10,000 targets (x 5 years), and one of 4,000 targets for the import.

## 1. Pages and API

In-process, through Django's test client: 20 requests after 2 warm-ups (5 for the largest
plan).

{table(["page", "median", "p95", "SQL queries"], pages)}

The query count does not grow with the plan (tests/test_queries.py asserts it for 10 and
2,000 targets).

## 2. Excel exports, against openpyxl writing the same number of cells bare

{table(["file", "ours", "floor", "ratio", "ours, peak memory", "floor, peak memory"], exports)}

The floor is openpyxl (write-only) writing the same cells with their values and nothing
else: no styles, charts, validation, print setup. Both are timed from the assessed targets
in memory to the finished file; loading and assessing them is the first row. Goal: within
2x of the floor. Peak memory is Python's (tracemalloc) during one export, beyond its input.

## 3. Import of {ratios["figures"]:,} figures (the report's year matrix, 4,000 targets x 5 years)

{table(["step", "time"], imports)}

- ours against (bare parse + database writes): **{ratios["vs_floor"]:.2f}x** (goal: within 2x)
- django-import-export against ours: **{ratios["vs_peer"]:.0f}x slower** (goal: at least 20x)

{load}
"""
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--help":
        print(__doc__)
        sys.exit(0)
    main()
