"""Each rule has one home, and every path asks it: found by reading the code, not listed.

The explanation a questioned figure needs, whether a year is in the plan and open, and who
is asked for a figure: a path that decides one of these for itself would drift from the
others, as reminders, deadlines, the admin and the import once did.
"""

from __future__ import annotations

import ast
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

import tracker
from tests import factory
from tracker.figures import plausibility, workflow, writes
from tracker.models import Deadline, ProgressEntry
from tracker.reminders import deadlines, todo

SOURCE = Path(tracker.__file__).parent


def modules() -> dict[str, ast.Module]:
    """Every module of the app but its migrations, by path relative to the package."""
    return {
        str(path.relative_to(SOURCE)): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts
    }


def calls(tree: ast.AST, name: str) -> bool:
    """Whether `tree` calls a function or method called `name`."""
    return any(
        isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Attribute) and node.func.attr == name)
            or (isinstance(node.func, ast.Name) and node.func.id == name)
        )
        for node in ast.walk(tree)
    )


def test_the_source_is_found():
    found = modules()
    assert "models.py" in found and "excel/importer.py" in found and len(found) > 40


# -- the explanation of a questioned figure ----------------------------------------------


def test_every_path_that_questions_a_figure_asks_the_explanation_rule():
    """A module that runs the plausibility check also asks `plausibility.explained_flag`
    what the figure is stored with: the entry page, the import and the admin alike."""
    questioning = [
        name
        for name, tree in modules().items()
        if calls(tree, "check_figure") and name != "models.py"
    ]
    assert {"forms.py", "excel/importer.py", "admin.py"} <= set(questioning)
    assert [name for name in questioning if not calls(modules()[name], "explained_flag")] == []


def test_every_writer_of_a_flag_asks_that_it_is_explained():
    """A module that stores findings on a figure asks `require_explanation` (or sets them
    from `explained_flag`), so no path writes a questioned figure without its explanation."""
    writers = []
    for name, tree in modules().items():
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                parts = target.elts if isinstance(target, ast.Tuple) else [target]
                if any(
                    isinstance(p, ast.Attribute) and p.attr == "plausibility_flag" for p in parts
                ):
                    writers.append(name)
    assert {"figures/workflow.py", "figures/writes.py", "admin.py"} <= set(writers)
    asks = ("require_explanation", "explained_flag")
    unasked = [n for n in set(writers) if not any(calls(modules()[n], a) for a in asks)]
    assert unasked == []


def test_the_writer_refuses_a_questioned_figure_without_its_explanation(department, reporter):
    target = factory.make_target(lead_department=department)
    factory.make_entry(target, 2021, "150")
    entry = ProgressEntry(target=target, year=2022)
    flag = plausibility.flag_text(target.check_figure(Decimal(1605), 2022))
    assert "10.7" in plausibility.flag_display(flag)
    save = dict(by=reporter, figure=Decimal(1605), quality="preliminary", version=0, submit=True)
    with pytest.raises(workflow.Refused, match="疑似有误"):
        workflow.save(entry, flag=(flag, "  "), **save)
    assert not ProgressEntry.objects.filter(year=2022).exists()
    workflow.save(entry, flag=(flag, " 口径调整 "), **save)
    assert ProgressEntry.objects.get(year=2022).plausibility_note == "口径调整"


# -- whether a year is in the plan and open ----------------------------------------------

HOME = "models.py"
BOUNDS = {"entry_years", "years", "baseline_year", "start_year", "end_year"}
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn)
# Modules that name ClosedYear for something other than whether a year is open.
OTHER_USES_OF_CLOSED_YEARS = {
    "figures/writes.py": "closes and reopens a year, under its lock",
    "admin.py": "registers the read-only list of closed years",
    "admin_users.py": "whether an account closed a year, before it is deleted",
    "demo.py": "writes the sample units' settled years as sample rows",
}


def _plan_bound(node: ast.AST) -> bool:
    """`plan.end_year`, `entry.target.plan.entry_years` and the like."""
    if not (isinstance(node, ast.Attribute) and node.attr in BOUNDS):
        return False
    owner = node.value
    return (isinstance(owner, ast.Name) and owner.id == "plan") or (
        isinstance(owner, ast.Attribute) and owner.attr == "plan"
    )


def years_decided(tree: ast.AST) -> list[str]:
    """Where `tree` decides for itself whether a year lies in a plan: an order or
    membership test against the plan's bounds, or set arithmetic on its years.
    (Equality with the baseline year asks which year it is, not whether it is allowed.)"""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, ORDERING) for op in node.ops):
            parts = [node.left, *node.comparators]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.Sub):
            parts = [node.left, node.right]
        else:
            continue
        if any(_plan_bound(sub) for part in parts for sub in ast.walk(part)):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def reads_closed_years(tree: ast.AST) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Name) and node.id == "ClosedYear")
        or (isinstance(node, ast.Attribute) and node.attr == "closed_years")
    ]


def test_the_scans_see_what_they_look_for():
    assert years_decided(ast.parse("y not in plan.entry_years")) == [
        "line 1: y not in plan.entry_years"
    ]
    assert years_decided(ast.parse("set(a) & set(e.target.plan.years)"))
    assert years_decided(ast.parse("year > plan.end_year"))
    assert not years_decided(ast.parse("year == plan.baseline_year"))
    assert reads_closed_years(ast.parse("ClosedYear.objects.filter(plan=p)")) == [1]
    assert reads_closed_years(ast.parse("p.closed_years.all()")) == [1]


def test_no_module_but_the_plan_decides_whether_a_year_is_in_it():
    """`Plan.year_outside`, `Plan.year_lock` and `Plan.status_year_outside` answer it."""
    found = {n: years_decided(t) for n, t in modules().items() if n != HOME}
    assert {n: lines for n, lines in found.items() if lines} == {}
    assert years_decided(modules()[HOME])  # the home itself does


def test_no_module_but_the_plan_reads_which_years_are_closed():
    """Whether a year is closed is `Plan.year_lock`'s (who closed it: `closed_by_year`)."""
    found = {
        name: reads_closed_years(tree)
        for name, tree in modules().items()
        if name != HOME and name not in OTHER_USES_OF_CLOSED_YEARS
    }
    assert {name: lines for name, lines in found.items() if lines} == {}
    for name in OTHER_USES_OF_CLOSED_YEARS:
        assert reads_closed_years(modules()[name]), f"{name} no longer needs its exception"


@pytest.mark.parametrize(
    "module", ["reminders/deadlines.py", "reminders/todo.py", "excel/template.py"]
)
def test_the_paths_that_once_read_closed_years_ask_the_lock(module):
    """Directly, or through `Plan.reporting_lock` / `reporting_years` (open for reporting:
    over and not closed)."""
    tree = modules()[module]
    assert any(calls(tree, name) for name in ("year_lock", "reporting_lock", "reporting_years"))


def test_a_closed_year_is_left_out_of_deadlines_and_work_and_locked_in_the_template(
    department, reporter, admin_user
):
    plan = factory.make_plan()
    target = factory.make_target(plan, lead_department=department)
    Deadline.objects.create(plan=plan, year=2023, due=date(2024, 3, 31))
    Deadline.objects.create(plan=plan, year=2024, due=date(2025, 3, 31))
    writes.close_year(plan, 2023, by=admin_user)
    assert {item.year for item in deadlines.outstanding(plan)} == {2024}
    years = {w.year: w for w in todo.year_work([target], today=date(2026, 1, 1))}
    assert 2023 not in years  # closed: nobody is asked for its figures
    assert years[2024].missing == [target]
    assert {(o.plan, o.year) for o in todo.open_years(today=date(2026, 1, 1))} == {
        (plan, y) for y in (2020, 2021, 2022, 2024, 2025) if y < 2026
    }


# -- the status year --------------------------------------------------------------------


def test_the_admin_shows_each_target_at_the_dashboards_year(admin_user, department, client):
    """A figure approved for the baseline year only is no status year: the pages show the
    first year of the plan, and so does the admin's status column."""
    plans = [factory.make_plan(), factory.make_plan()]
    first = factory.make_target(plans[0], lead_department=department)
    factory.make_entry(first, plans[0].baseline_year, "120")
    second = factory.make_target(plans[1], lead_department=department)
    factory.make_entry(second, 2023, "150")
    client.force_login(admin_user)
    response = client.get(reverse("admin:tracker_target_changelist"))
    shown = {t.plan_id: t.status_year for t in response.context["cl"].result_list}
    for plan in plans:
        dashboard = client.get(reverse("tracker:plan-dashboard", args=[plan.slug]))
        assert shown[plan.pk] == dashboard.context["year"] == plan.status_year()
    assert shown == {plans[0].pk: 2021, plans[1].pk: 2023}


# -- whose figures a person enters ------------------------------------------------------


def departments_matched(tree: ast.AST) -> list[str]:
    """Where `tree` matches a target's lead department against a person's departments for
    itself, as "my deadlines" once did: `target.lead_department_id in departments`."""
    return [
        f"line {node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops)
        and isinstance(node.left, ast.Attribute)
        and node.left.attr == "lead_department_id"
    ]


def test_no_module_but_the_rule_matches_departments_for_itself():
    """`rights.can_enter` / `reports_for`, and their query forms in the models."""
    assert departments_matched(ast.parse("item.target.lead_department_id in departments"))
    homes = {"figures/rights.py", "models.py"}
    found = {n: departments_matched(t) for n, t in modules().items() if n not in homes}
    assert {n: lines for n, lines in found.items() if lines} == {}
    # The rule's home: `reports_for` asks the query form, `Target.objects.reported_by`.
    assert "reported_by" in ast.unparse(modules()["figures/rights.py"])
