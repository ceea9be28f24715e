"""Each rule has one home, and every path asks it: found by reading the code, not listed.

The explanation a questioned figure needs, whether a year is in the plan and open, and who
is asked for a figure: a path that decides one of these for itself would drift from the
others, as reminders, deadlines, the admin and the import once did.
"""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

import tracker
from tests import factory
from tracker import plausibility, workflow
from tracker.models import ProgressEntry

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
    assert {"workflow.py", "services.py", "admin.py"} <= set(writers)
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
    with pytest.raises(workflow.Refused, match="implausible"):
        workflow.save(entry, flag=(flag, "  "), **save)
    assert not ProgressEntry.objects.filter(year=2022).exists()
    workflow.save(entry, flag=(flag, " 口径调整 "), **save)
    assert ProgressEntry.objects.get(year=2022).plausibility_note == "口径调整"
