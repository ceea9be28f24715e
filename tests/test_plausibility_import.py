"""Implausible figures in an import: explained in their note (备注), a warning naming each
cell, and confirming keeps the flag with the note as its explanation; unexplained, refused at
their cell, as the entry page refuses them."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tests import factory
from tests.test_excel_import import XLSX, filled, preview, workbook
from tracker.figures import writes
from tracker.models import ImportBatch, Indicator, ProgressEntry

# Rows of the template start at 5, by code: GDP, POP, RD; value F, quality G, note H.


@pytest.fixture
def plan(db, department):
    plan = factory.make_plan(slug="city-14th")
    area = factory.make_area(plan)
    common = dict(area=area, lead_department=department)
    gdp = factory.make_target(plan, code="GDP", name="地区生产总值", **common)
    rd = factory.make_target(
        plan, code="RD", name="研发投入占比", unit="%", decimal_places=3, **common
    )
    pop = factory.make_target(
        plan, code="POP", name="城镇人口", unit="万人", decimal_places=2, **common
    )
    factory.make_entry(gdp, 2022, "150")
    factory.make_entry(rd, 2022, "2.31")
    factory.make_entry(pop, 2022, "30.40")
    return plan


def warnings(result) -> list[str]:
    return [str(w) for w in result.warnings if w.code == "implausible"]


def test_each_implausible_figure_is_a_warning_naming_its_cell(plan, reporter):
    result = preview(
        filled(plan, reporter, F5=15820000000, F6="30.4万人", F7=0.025, H5="核实无误", H7="核实"),
        reporter,
        plan,
    )
    assert result.ok
    found = warnings(result)
    assert len(found) == 2, found
    assert found[0].startswith("填报!F5: 是上年（150.0）的 105466666.7 倍")
    assert found[1].startswith("填报!F7: 0.025 像是比例")
    assert "2.5" in found[1]


def test_a_proportion_is_questioned_as_typed_and_kept_as_typed(plan, reporter):
    """RD shows 2 decimals; 0.025 is kept as it was given, and 2.5 is what was meant."""
    plan.targets.filter(code="RD").update(decimal_places=2)
    result = preview(filled(plan, reporter, F7=0.025, H7="核实"), reporter, plan)
    assert [r.value for r in result.rows] == ["0.025"]
    (found,) = warnings(result)
    assert found.startswith("填报!F7: 0.025 像是比例")
    assert "2.5% 应填 2.5" in found and "3% 应填 3" not in found


def test_a_unit_sign_typed_in_a_cell_is_a_warning(plan, reporter):
    """Where the target takes no growth rate, as on the entry page; where it takes one, a
    level in another unit is refused (test_excel_import)."""
    Indicator.objects.filter(targets__code="POP").update(measure=Indicator.Measure.COUNT)
    result = preview(filled(plan, reporter, F6="304000人", H6="按人计"), reporter, plan)
    assert warnings(result)[0].startswith("填报!F6: 输入带有“人”")
    assert result.rows[0].value == "304000"


def test_plausible_figures_raise_no_warning_and_no_flag(plan, reporter):
    result = preview(filled(plan, reporter, F5=160, F6=31, F7=2.4), reporter, plan)
    assert warnings(result) == []
    assert {row.flag for row in result.rows} == {""}


def test_confirming_the_import_confirms_them_and_keeps_the_flag(client, plan, reporter):
    client.force_login(reporter)
    url = reverse("tracker:import", args=[plan.slug])
    data = filled(plan, reporter, F5=1580, F6=31, H5="统计口径调整")
    upload = SimpleUploadedFile("f.xlsx", data, XLSX)
    response = client.post(url, {"file": upload}, follow=True)
    html = response.content.decode()
    assert "F5" in html and "是上年（150.0）的 10.5 倍" in html
    preview_url = response.redirect_chain[-1][0]
    client.post(preview_url, {"confirm": "1", "state": "submitted"})
    gdp = ProgressEntry.objects.get(series__indicator__code="GDP", year=2023)
    assert gdp.state == "submitted" and "10.5" in gdp.plausibility_flag
    assert gdp.plausibility_note == "统计口径调整"
    assert not ProgressEntry.objects.get(series__indicator__code="POP", year=2023).is_flagged


def test_reverting_the_import_restores_the_earlier_flag(plan, reporter, admin_user):
    gdp = ProgressEntry.objects.get(series__indicator__code="GDP", year=2022).target
    factory.make_entry(gdp, 2023, "160", state="draft")
    result = preview(filled(plan, reporter, F5=1580, H5="口径调整"), reporter, plan)
    batch = writes.apply_import(
        plan=plan, user=reporter, rows=result.rows, file_name="f.xlsx", sha256="x", submit=True
    )
    assert ProgressEntry.objects.get(series=gdp.series_id, year=2023).is_flagged
    writes.revert_import(ImportBatch.objects.get(pk=batch.pk), by=admin_user)
    entry = ProgressEntry.objects.get(series=gdp.series_id, year=2023)
    assert entry.value == Decimal("160") and not entry.is_flagged


def test_the_command_lists_them_too(plan, reporter, tmp_path):
    path = tmp_path / "f.xlsx"
    path.write_bytes(filled(plan, reporter, F5=1580, H5="口径调整"))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_progress", str(path), "--user", reporter.username, stdout=out, stderr=err)
    assert "warning: 填报!F5: 是上年（150.0）的 10.5 倍" in err.getvalue()
    assert "1 figure(s) look implausible" in out.getvalue()
    entry = ProgressEntry.objects.get(series__indicator__code="GDP", year=2023)
    assert entry.value == Decimal("1580") and entry.is_flagged


def test_an_unexplained_figure_is_refused_at_its_cell_naming_the_note_cell(plan, reporter):
    """10.7 times last year's figure, no note: refused as on the entry page, nothing kept."""
    result = preview(filled(plan, reporter, F5=1605, F6=31), reporter, plan)
    assert not result.ok and [row.code for row in result.rows] == ["POP"]
    (problem,) = result.errors
    assert problem.code == "unexplained" and problem.cell == "F5"
    assert str(problem).startswith("填报!F5: 是上年（150.0）的 10.7 倍")
    assert "填报!H5" in str(problem)


def test_the_command_refuses_it_and_writes_nothing(plan, reporter, tmp_path):
    path = tmp_path / "f.xlsx"
    path.write_bytes(filled(plan, reporter, F5=1605, F6=31))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "import_progress", str(path), "--user", reporter.username, stdout=out, stderr=err
        )
    assert "填报!F5" in out.getvalue() and "填报!H5" in out.getvalue()
    assert not ProgressEntry.objects.filter(year=2023).exists()


def test_a_sheet_of_years_has_no_note_so_it_says_where_one_goes(plan, reporter):
    data = workbook([["指标代码", "2023"], ["GDP", 1605], ["POP", 31]], title="年度数据")
    result = preview(data, reporter, plan)
    (problem,) = result.errors
    assert problem.code == "unexplained" and problem.cell == "B2"
    assert "备注" in str(problem)


def test_a_preview_kept_from_before_cannot_confirm_an_unexplained_flag(plan, reporter):
    """The writer asks the rule too: a stored preview's questioned row without a note."""
    result = preview(filled(plan, reporter, F5=1605, H5="口径调整"), reporter, plan)
    (row,) = result.rows
    row.note = ""
    with pytest.raises(writes.ImportRefused, match="填报!F5"):
        writes.apply_import(
            plan=plan, user=reporter, rows=[row], file_name="f.xlsx", sha256="x", submit=True
        )
    assert not ProgressEntry.objects.filter(year=2023).exists()


def test_the_note_kept_with_the_earlier_figure_explains_nothing_new(plan, reporter):
    """The template writes the stored note back; sent back unchanged, it is no explanation."""
    gdp = ProgressEntry.objects.get(series__indicator__code="GDP", year=2022).target
    factory.make_entry(gdp, 2023, "160", state="draft", note="初步核算", entered_by=reporter)
    result = preview(filled(plan, reporter, F5=1605), reporter, plan)
    (problem,) = result.errors
    assert problem.code == "unexplained" and "填报!H5" in str(problem)
    assert "原数值所附的备注" in str(problem)
    result = preview(filled(plan, reporter, F5=1605, H5="新口径"), reporter, plan)
    assert result.ok and result.rows[0].flag
