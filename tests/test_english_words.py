"""One word per concept, in both languages: the nature of a target, counts, units and the
name of the report's year sheet."""

from __future__ import annotations

import ast
import io
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tests import factory
from tracker.excel.common import MATRIX_SHEET
from tracker.excel.report import write_report
from tracker.figures.numbers import OutOfRange, every_digit_kept
from tracker.figures.plausibility import Known, Rules, check, flag_display, flag_text
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.figures.typed import read_figure
from tracker.forms import ImportForm
from tracker.standings.standing import plan_targets, standings

TRACKER = Path(__file__).resolve().parent.parent / "tracker"
POPULATION = Rules(unit="万人", unit_en="10,000 persons", places=2)


def speak(client, language: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the language switch


def notices(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# -- 预期性 is Anticipatory everywhere ---------------------------------------------------


def summary_names(plan, language: str) -> list[str]:
    out = io.BytesIO()
    rows = standings(plan_targets(plan, viewer=ANY_ADMINISTRATOR), 2024)
    write_report(out, plan, 2024, rows, language=language)
    ws = openpyxl.load_workbook(io.BytesIO(out.getvalue()))[
        "Summary" if language == "en" else "汇总"
    ]
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def test_the_report_names_the_nature_as_the_pages_do(demo_plan, client):
    english = "\n".join(summary_names(demo_plan, "en"))
    assert "Anticipatory" in english and "Indicative" not in english
    assert "预期性" in summary_names(demo_plan, "zh-hans")
    target = demo_plan.targets.filter(nature="anticipatory").first()
    client.login(username="tongji", password="lingyuan-demo-2025")
    speak(client, "en")
    assert "Anticipatory" in client.get(target.get_absolute_url()).content.decode()


def test_no_second_english_word_for_anticipatory_is_left():
    for path in TRACKER.rglob("*"):
        if path.suffix in {".py", ".html", ".po"} and "migrations" not in path.parts:
            assert "Indicative" not in path.read_text(encoding="utf-8"), path


# -- counts go through ngettext ----------------------------------------------------------

COUNTS = ("%(count)", "%(n)", "%(places)", "%(total)")


def _gettext_literals(tree) -> list[tuple[int, str]]:
    """The literal first argument of every call to `_`, gettext or gettext_lazy."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        first = node.args[0]
        if name in {"_", "gettext", "gettext_lazy"} and isinstance(first, ast.Constant):
            found.append((node.lineno, str(first.value)))
    return found


def test_no_count_bearing_message_is_singular_only():
    """ "1 figures approved" cannot come back: a message with a count is an ngettext."""
    singular_only = []
    for path in TRACKER.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for line, text in _gettext_literals(ast.parse(path.read_text(encoding="utf-8"))):
            if any(key in text for key in COUNTS) and "%(label)s" not in text:
                singular_only.append(f"{path.relative_to(TRACKER)}:{line}: {text[:60]}")
    assert singular_only == []


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "1 figure approved: ", "2 figures approved: "),
        ("zh-hans", "已审核通过 1 项：", "已审核通过 2 项："),
    ],
)
def test_approving_one_figure_says_one_figure(client, admin_user, language, one, two):
    plan = factory.make_plan()
    entries = [
        factory.make_entry(factory.make_target(plan), 2024, "1", state="submitted")
        for _ in range(3)
    ]
    client.force_login(admin_user)
    speak(client, language)
    url = reverse("tracker:approve")
    first = client.post(url, {"entry": [f"{entries[0].pk}:{entries[0].version}"]})
    assert [text for text in notices(first) if text.startswith(one)]
    rest = [f"{e.pk}:{e.version}" for e in entries[1:]]
    assert [text for text in notices(client.post(url, {"entry": rest})) if text.startswith(two)]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "more than 6 decimal places"), ("zh-hans", "超过 6 位小数")],
)
def test_too_many_decimals_is_said_with_a_plural(language, expected):
    with translation.override(language), pytest.raises(OutOfRange) as refusal:
        every_digit_kept(D("1.1234567"))
    assert expected in str(refusal.value)


def test_a_dashboard_of_one_target_shown_of_two_says_targets(client, demo_plan):
    client.login(username="tongji", password="lingyuan-demo-2025")
    speak(client, "en")
    area = demo_plan.areas.order_by("order").first()
    html = client.get(demo_plan.get_absolute_url(), {"area": area.pk}).content.decode()
    total = demo_plan.targets.count()
    assert f"of {total} targets." in html


# -- units in the reader's language -------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "40.6 times last year's figure (30.40); check the unit (10,000 persons)."),
        ("zh-hans", "是上年（30.40）的 40.6 倍，请核对单位（万人）。"),
    ],
)
def test_a_finding_names_the_unit_of_the_readers_language(language, expected):
    findings = check(D("1234.5"), POPULATION, Known(2024, {2023: D("30.40")}))
    with translation.override(language):
        assert str(findings[0]) == expected
        # A stored flag keeps both units, so that each reader gets theirs.
        assert flag_display(flag_text(findings)) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "is measured in 10,000 persons, not in percent"),
        ("zh-hans", "本指标以“万人”计"),
    ],
)
def test_every_unit_finding_says_the_readers_unit(language, expected):
    findings = check(D("31"), POPULATION, Known(2024), typed="31%")
    with translation.override(language):
        assert expected in str(findings[0])


def test_a_target_without_an_english_unit_names_its_own():
    findings = check(D("1234.5"), Rules(unit="万人"), Known(2024, {2023: D("30.40")}))
    with translation.override("en"):
        assert str(findings[0]).endswith("check the unit (万人).")


@pytest.mark.parametrize(("language", "unit"), [("en", "10,000 persons"), ("zh-hans", "万人")])
def test_the_entry_checks_name_the_readers_unit(db, language, unit):
    target = factory.make_target(unit="万人", unit_en="10,000 persons")
    with translation.override(language):
        with pytest.raises(ValidationError) as refusal:
            read_figure("-3", target)
        assert unit in refusal.value.messages[0]
        findings = target.check_figure(D("1234.5"), 2021)
        assert f"{unit})" in str(findings[0]) or f"{unit}）" in str(findings[0])


# -- one name for the report's year sheet --------------------------------------------------


@pytest.mark.parametrize(("language", "index"), [("en", 1), ("zh-hans", 0)])
def test_the_year_sheet_has_one_name_wherever_it_is_named(client, demo_plan, language, index):
    name = MATRIX_SHEET[index]
    out = io.BytesIO()
    rows = standings(plan_targets(demo_plan, viewer=ANY_ADMINISTRATOR), 2024)
    write_report(out, demo_plan, 2024, rows, language=language)
    workbook = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert name in workbook.sheetnames
    notes = workbook.worksheets[-1]
    said = "\n".join(str(c.value) for row in notes.iter_rows() for c in row if c.value)
    assert f"“{name}”" in said
    with translation.override(language):
        assert f"“{name}”" in str(ImportForm().fields["file"].help_text)
    client.login(username="tongji", password="lingyuan-demo-2025")
    speak(client, language)
    html = client.get(reverse("tracker:import", args=[demo_plan.slug])).content.decode()
    assert f"“{name}”" in html


def test_no_other_name_for_the_year_sheet_is_left():
    po = (TRACKER / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    for other in ("year matrix", "yearly data", "sheet of years", "年度数据表"):
        assert other not in po, other


# -- the English report keeps the Chinese report's columns where it can --------------------


def report_sheets(plan, year: int, language: str):
    out = io.BytesIO()
    rows = standings(plan_targets(plan, viewer=ANY_ADMINISTRATOR), year)
    write_report(out, plan, year, rows, language=language)
    workbook = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    summary, notes = workbook.worksheets[0], workbook.worksheets[-1]
    headers = [c.value for c in summary[4] if c.value]
    said = [(row[0].value or "", row[1].value or "") for row in notes.iter_rows()]
    return headers, said


def layout_notes(said) -> list[str]:
    if not any(label == "Layout" for label, _t in said):
        return []
    start = next(i for i, (label, _t) in enumerate(said) if label == "Layout")
    moved = []
    for label, text in said[start + 1 :]:
        if label or not text:
            break
        moved.append(text.split(" (")[0])
    return moved


def test_the_chinese_report_has_every_column_and_no_layout_note(demo_plan):
    headers, said = report_sheets(demo_plan, 2024, "zh-hans")
    assert headers[:3] == ["类别", "指标", "单位"]
    assert {"属性", "规划年均增长", "实际年均增长"} <= set(headers)
    assert not any(label in ("布局", "Layout") for label, _t in said)


def test_the_english_final_report_keeps_the_unit_column_and_says_what_moved(demo_plan):
    headers, said = report_sheets(demo_plan, 2025, "en")
    assert headers[:2] == ["Target (nature)", "Unit"]
    assert "Nature" not in headers and "Actual average annual growth" not in headers
    assert layout_notes(said) == ["Area", "Nature", "Actual average annual growth"]


def test_the_english_report_moves_the_unit_only_when_the_page_needs_it(demo_plan):
    headers, said = report_sheets(demo_plan, 2024, "en")
    assert headers[0] == "Target (unit, nature)" and "Unit" not in headers
    assert layout_notes(said) == ["Area", "Nature", "Actual average annual growth", "Unit"]
    assert any("under the target's name" in text for _label, text in said)
