"""A database made by the previous release, and what it says, in a form any release can read.

`build` extracts the previous release's tree from git and fills a fresh database through its
own commands and workflow, as its users would have: the demo (14th and 15th plans), a slice
of the synthetic scale data, approvals, a reopened and corrected figure, a closed year, an
import and a reverted one, deadlines and frozen evaluations. `capture` then writes what that
database says (the API's JSON for every plan, year and evaluation, and the rows that must
survive) to a JSON file, with whichever release's code is on sys.path: the same function is
run on the old tree before the migration and on the current one after it.

Run as a script, it is that code inside a subprocess:
    python tests/previous_release.py act|capture TREE [OUT]
with DATABASE_URL set, TREE's code first on sys.path.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
import tarfile
from decimal import Decimal
from pathlib import Path

# The release whose databases must migrate forward with nothing lost.
PREVIOUS_RELEASE = "0c15efd34d46e24e2f1eae769753639151edeeb8"

ROOT = Path(__file__).resolve().parent.parent
# Big enough to exercise bulk-made plans, small enough to build in seconds.
SCALE = ["--plans", "3", "--targets-per-plan", "60", "--years", "5", "--prefix", "scale-"]

# What the workflow does to the demo, as the issue tells it: the 14th plan's GDP 2025 was
# approved and carried into the 15th plan's baseline, then corrected and approved again.
FOURTEENTH, FIFTEENTH = "lingyuan-14th", "lingyuan-15th"
CORRECTED_GDP_2025 = "207.1"

# The history of figures: what each row recorded, compared row by row after migrating.
HISTORY_COLUMNS = [
    "history_id",
    "year",
    "value",
    "achieved",
    "state",
    "quality",
    "note",
    "history_date",
    "history_change_reason",
    "history_type",
]
FIGURE_COLUMNS = ["id", "year", "value", "state", "quality", "version", "note"]
# Rows kept with their ids, every column compared (see `test_previous_release.MAY_CHANGE`).
KEPT_TABLES = [
    "tracker_evaluation",
    "tracker_frozentarget",
    "tracker_frozenfigure",
    "tracker_importbatch",
    "tracker_deadline",
]


# -- driving a release's tree from outside -------------------------------------------------


def extract(commit: str, destination: Path) -> Path:
    """The commit's tree, from the repository the tests run in, written under `destination`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit],
        capture_output=True,
        check=False,
    )
    if archive.returncode:
        raise RuntimeError(
            f"git archive {commit} failed in {ROOT} (a shallow clone lacks the previous "
            f"release; fetch it): {archive.stderr.decode(errors='replace')}"
        )
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(destination, filter="data")
    return destination


def environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(DATABASE_URL=database_url, DEBUG="1", DJANGO_SETTINGS_MODULE="lingyuan.settings")
    return env


def run(tree: Path, database_url: str, *args: str) -> str:
    """Run a command with `tree`'s code on the database; its output, or an error showing it."""
    result = subprocess.run(
        [sys.executable, *args],
        cwd=tree,
        env=environment(database_url),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise AssertionError(
            f"`{' '.join(args)}` in {tree} exited {result.returncode}:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
        )
    return result.stdout


def manage(tree: Path, database_url: str, *args: str) -> str:
    return run(tree, database_url, "manage.py", *args)


def build(tree: Path, database_url: str) -> None:
    """Fill an empty database through the previous release's own code paths."""
    manage(tree, database_url, "migrate", "--noinput", "-v0")
    manage(tree, database_url, "load_demo")
    manage(tree, database_url, "make_scale_data", *SCALE)
    run(tree, database_url, __file__, "act", str(tree))


def capture(tree: Path, database_url: str, out: Path) -> dict:
    """What the database says through `tree`'s code, as written to `out`."""
    run(tree, database_url, __file__, "capture", str(tree), str(out))
    return json.loads(out.read_text(encoding="utf-8"))


# -- inside the subprocess: the previous release's users at work ---------------------------


def act(work: Path) -> None:
    """Approve, correct, close, import and freeze, through the release's workflow (run by
    the previous release's code: its module names, not this tree's)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from tracker import services, workflow
    from tracker.models import Deadline, ImportBatch, Plan, ProgressEntry

    users = get_user_model().objects
    admin, statistics = users.get(username="admin"), users.get(username="tongji")
    fourteenth, fifteenth = Plan.objects.get(slug=FOURTEENTH), Plan.objects.get(slug=FIFTEENTH)

    def figure(plan, code, year):
        return ProgressEntry.objects.select_related("target__plan").get(
            target__plan=plan, target__code=code, year=year
        )

    # 2025's submitted figures approved: GDP 205.0, as the 15th plan's baseline says.
    submitted = ProgressEntry.objects.filter(target__plan=fourteenth, year=2025, state="submitted")
    services.approve_entries(list(submitted.select_related("target__plan")), by=admin)
    call_command("start_next_plan", "--slug", FIFTEENTH, "--fill-baselines", "--user", "admin")
    call_command(
        "freeze_evaluation",
        *("--plan", FOURTEENTH, "--year", "2024", "--kind", "midterm"),
        *("--title", "中期评估（示例）", "--user", "admin"),
    )

    # The bulletin corrects GDP 2025: reopened, entered again, approved. The 15th plan's
    # baseline still says 205.0: the disagreement the migration must settle.
    gdp = figure(fourteenth, "GDP", 2025)
    gdp = workflow.reopen(gdp, by=admin, reason="统计公报更正", version=gdp.version)
    gdp = workflow.save(
        gdp,
        by=statistics,
        figure=Decimal(CORRECTED_GDP_2025),
        quality="preliminary",
        note="统计公报初步数",
        version=gdp.version,
        submit=True,
    )
    services.approve_entries([gdp], by=admin)
    services.close_year(fourteenth, 2025, by=admin, reason="统计公报已发布")
    call_command(
        "freeze_evaluation",
        *("--plan", FOURTEENTH, "--year", "2025", "--kind", "final"),
        *("--title", "总结评估（示例）", "--summary", "示例数据", "--user", "admin"),
    )

    # Two imports of the 15th plan's 2027 GDP by the statistics bureau; the second reverted.
    for value in ("231.5", "232.0"):
        path = work / f"template-{value}.xlsx"
        call_command(
            "export_template",
            *("--plan", FIFTEENTH, "--year", "2027", "--output", str(path)),
            *("--user", "tongji"),
        )
        _fill_template(path, "GDP", 2027, Decimal(value))
        call_command("import_progress", str(path), "--user", "tongji")
    services.revert_import(ImportBatch.objects.latest("pk"), by=admin)

    Deadline.objects.create(
        plan=fifteenth,
        year=2026,
        target=figure(fifteenth, "GDP", 2026).target,
        due=datetime.date(2027, 2, 28),
        note="示例数据：GDP 提前报送",
    )
    scale = Plan.objects.filter(slug__startswith="scale-").order_by("slug").first()
    services.close_year(scale, 2021, by=admin, reason="合成数据")
    call_command(
        "freeze_evaluation",
        *("--plan", scale.slug, "--year", "2023", "--kind", "annual"),
        *("--title", "合成数据年度评估", "--user", "admin"),
    )


def _fill_template(path: Path, code: str, year: int, value: Decimal) -> None:
    """Type `value` (初步) into the template's row of the target `code`, as in Excel."""
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    header = next(row for row in sheet.iter_rows() if any(cell.value == "指标代码" for cell in row))
    columns = {cell.value: cell.column for cell in header}
    for row in sheet.iter_rows(min_row=header[0].row + 1):
        if row[columns["指标代码"] - 1].value == code:
            sheet.cell(row=row[0].row, column=columns[f"{year}年数值"], value=float(value))
            sheet.cell(row=row[0].row, column=columns["数据质量"], value="初步")
            workbook.save(path)
            return
    raise AssertionError(f"no row for {code} in {path}")


# -- inside the subprocess: what the database says -----------------------------------------


def plain(value):
    """A stored value as JSON, alike on SQLite and PostgreSQL and across column changes."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in "[{":
        try:  # a JSON column on SQLite: as text, compared by content
            return json.dumps(json.loads(value), sort_keys=True, ensure_ascii=False)
        except ValueError:
            return value
    return value


# Decimal columns: SQLite may hand back 232 for 232.0, PostgreSQL Decimal("232.0").
NUMBERS = {"value"}


def rows(sql: str) -> list[dict]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        names = [column[0] for column in cursor.description]
        found = [dict(zip(names, map(plain, row), strict=True)) for row in cursor.fetchall()]
    for row in found:
        for name in NUMBERS & row.keys():
            if row[name] is not None:
                row[name] = plain(Decimal(str(row[name])))
    return found


def closed_years() -> list[dict]:
    """Every closed year as (region, year) with who and why.

    The previous release keys them by plan; a release keying them by region reads its own
    table here, giving the same fields (the region's name as the plan showed it).
    """
    from django.db import connection

    if "tracker_region" in connection.introspection.table_names():
        return rows(
            "SELECT r.name AS region, c.year, c.closed_by_name, c.reason "
            "FROM tracker_closedyear c JOIN tracker_region r ON r.id = c.region_id "
            "ORDER BY r.name, c.year"
        )
    return rows(
        "SELECT p.region AS region, c.year, c.closed_by_name, c.reason "
        "FROM tracker_closedyear c JOIN tracker_plan p ON p.id = c.plan_id "
        "ORDER BY p.region, c.year"
    )


def api_answers() -> dict[str, dict]:
    """The API's JSON, as an administrator sees it, for every plan and year and evaluation."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    plan_model = apps.get_model("tracker", "Plan")
    asked = [
        (plan.slug, f"year={year}")
        for plan in plan_model.objects.order_by("slug")
        for year in range(plan.start_year, plan.end_year + 1)
    ]
    asked += [
        (slug, f"evaluation={pk}")
        for pk, slug in apps.get_model("tracker", "Evaluation")
        .objects.order_by("pk")
        .values_list("pk", "plan__slug")
    ]
    answers = {}
    for slug, query in asked:
        response = client.get(f"/api/plans/{slug}/?{query}")
        if response.status_code != 200:
            raise AssertionError(f"{slug}?{query}: {response.status_code} {response.content[:500]}")
        answers[f"{slug}?{query}"] = json.loads(response.content)
    return answers


def capture_here(out: Path) -> None:
    from django.apps import apps

    snapshot = {
        "models": sorted(
            model._meta.model_name for model in apps.get_app_config("tracker").get_models()
        ),
        "api": api_answers(),
        "history": rows(
            f"SELECT {', '.join(HISTORY_COLUMNS)} FROM tracker_historicalprogressentry "
            "ORDER BY history_id"
        ),
        "figures": rows(
            f"SELECT {', '.join(FIGURE_COLUMNS)} FROM tracker_progressentry ORDER BY id"
        ),
        "closed_years": closed_years(),
        "tables": {table: rows(f"SELECT * FROM {table} ORDER BY id") for table in KEPT_TABLES},
    }
    out.write_text(json.dumps(snapshot, ensure_ascii=False, indent=1), encoding="utf-8")


def _main(command: str, tree: str, *rest: str) -> None:
    # This file's folder must not shadow the tree's modules.
    sys.path[0] = tree
    os.chdir(tree)
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # mail to memory, and the test client's host allowed
    if command == "act":
        act(Path(tree))
    elif command == "capture":
        capture_here(Path(rest[0]))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    _main(*sys.argv[1:])
