"""The data-entry template sent back as it came: nothing changed, nothing refused."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from tests import factory
from tests.test_excel_import import filled, messages, preview, save, template_bytes, workbook
from tracker.figures import writes
from tracker.models import ClosedYear, Indicator, ProgressEntry, Target


@pytest.fixture
def plan(db, department):
    plan = factory.make_plan(slug="round-trip")
    area = factory.make_area(plan)
    common = dict(area=area, lead_department=department)
    gdp = factory.make_target(
        plan, code="GDP", name="地区生产总值", comparable_growth=True, **common
    )
    rd = factory.make_target(
        plan, code="RD", name="研发投入占比", unit="%", decimal_places=2, **common
    )
    zone = factory.make_milestone(plan, **common)
    factory.make_entry(gdp, 2023, "131.5", quality="preliminary", note="初步核算")
    factory.make_entry(rd, 2023, "1.85", quality="final")
    factory.make_entry(zone, 2023, False, quality="final")
    factory.make_entry(gdp, 2022, "120.0")
    return plan


def test_an_unchanged_template_with_approved_figures_imports_as_nothing_changed(plan, reporter):
    result = preview(template_bytes(plan, 2023, reporter), reporter)
    assert result.ok, messages(result)
    assert result.counts == {"new": 0, "changed": 0, "unchanged": 3}
    before = list(ProgressEntry.objects.values_list("pk", "version", "state"))
    batch = writes.apply_import(
        plan=plan,
        user=reporter,
        rows=result.rows,
        file_name="t.xlsx",
        sha256=result.sha256,
        submit=True,
    )
    assert (batch.new_count, batch.changed_count, batch.unchanged_count) == (0, 0, 3)
    assert list(ProgressEntry.objects.values_list("pk", "version", "state")) == before


def test_a_whole_number_sent_back_is_not_said_to_be_rounded(plan, reporter, department):
    income = factory.make_target(
        plan,
        code="INCOME",
        name="城镇居民人均可支配收入",
        unit="元",
        decimal_places=0,
        area=plan.areas.first(),
        lead_department=department,
    )
    factory.make_entry(income, 2023, "32300", quality="preliminary")
    result = preview(template_bytes(plan, 2023, reporter), reporter)
    assert result.ok, messages(result)
    assert result.counts == {"new": 0, "changed": 0, "unchanged": 4}
    assert [str(w) for w in result.warnings] == []


def test_an_unchanged_closed_year_imports_as_nothing_changed(plan, reporter, admin_user):
    ClosedYear.objects.create(region=plan.region, plan=plan, year=2023, closed_by=admin_user)
    result = preview(template_bytes(plan, 2023, reporter), reporter)
    assert result.ok and result.counts["unchanged"] == 3


def test_a_changed_approved_figure_is_still_refused(plan, reporter):
    result = preview(filled(plan, reporter, F5=140), reporter)
    assert not result.ok and "已审核" in messages(result)[0]
    result = preview(filled(plan, reporter, G5="最终"), reporter)  # the quality is a change too
    assert not result.ok


def test_the_headers_carry_their_years_and_both_value_headers_are_read(plan, reporter):
    ws = openpyxl.load_workbook(io.BytesIO(template_bytes(plan, 2024, reporter))).worksheets[0]
    assert [c.value for c in ws[4]][3:6] == ["2023年数值", "2025年目标", "2024年数值"]
    ws["F5"] = 150  # GDP 2024, beside its 2023 figure in D5
    result = preview(save(ws.parent), reporter)
    assert result.ok, messages(result)
    assert [(r.code, r.year, r.new) for r in result.rows] == [("GDP", 2024, "150.0")]
    plain = workbook([["规划", "round-trip"], ["年度", 2024], ["指标代码", "数值"], ["GDP", 151]])
    assert [r.new for r in preview(plain, reporter).rows] == ["151.0"]


def test_the_template_offers_only_the_users_targets(plan, reporter, other_department):
    factory.make_target(plan, code="REV", lead_department=other_department)
    ws = openpyxl.load_workbook(io.BytesIO(template_bytes(plan, 2023, reporter))).worksheets[0]
    codes = [r[0] for r in ws.iter_rows(min_row=5, values_only=True)]
    assert set(codes) == set(Target.objects.exclude(code="REV").values_list("code", flat=True))


# -- growth at comparable prices beside the level -------------------------------------


def apply(result, reporter, plan):
    return writes.apply_import(
        plan=plan,
        user=reporter,
        rows=result.rows,
        file_name="t.xlsx",
        sha256=result.sha256,
        submit=True,
    )


def test_the_level_and_its_growth_go_in_and_come_back_out(plan, reporter):
    ws = openpyxl.load_workbook(io.BytesIO(template_bytes(plan, 2024, reporter))).worksheets[0]
    assert [ws["J4"].value, ws["K4"].value] == ["可比价增速(%)", "来源"]
    ws["F5"], ws["J5"], ws["K5"] = 140.25, -2.3, "2024年统计公报"
    result = preview(save(ws.parent), reporter)
    assert result.ok, messages(result)
    [row] = result.rows
    assert (row.value, row.growth, row.new_growth) == ("140.25", "-2.3", "-2.3%")
    apply(result, reporter, plan)
    entry = ProgressEntry.objects.get(series__indicator__code="GDP", year=2024)
    assert (entry.value, entry.growth, entry.source) == (
        Decimal("140.25"),
        Decimal("-2.3"),
        "2024年统计公报",
    )
    assert entry.history.latest().growth == Decimal("-2.3")
    again = openpyxl.load_workbook(io.BytesIO(template_bytes(plan, 2024, reporter))).worksheets[0]
    assert (again["F5"].value, again["J5"].value, again["K5"].value) == (
        pytest.approx(140.25),
        pytest.approx(-2.3),
        "2024年统计公报",
    )
    assert preview(template_bytes(plan, 2024, reporter), reporter).counts["changed"] == 0


def test_a_row_with_only_the_rate_is_a_growth_without_a_level(plan, reporter):
    data = filled(plan, reporter, 2024, J5="按可比价格计算增长3.1%")
    result = preview(data, reporter)
    assert result.ok, messages(result)
    apply(result, reporter, plan)
    entry = ProgressEntry.objects.get(series__indicator__code="GDP", year=2024)
    assert entry.value is None and entry.growth == Decimal("3.1")


def test_a_percent_formatted_growth_cell_reads_as_it_shows(plan, reporter):
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes(plan, 2024, reporter)))
    wb.worksheets[0]["J5"] = 0.031
    wb.worksheets[0]["J5"].number_format = "0.0%"
    result = preview(save(wb), reporter)
    assert result.ok and result.rows[0].growth == "3.1"


@pytest.mark.parametrize(
    "cells, where, words",
    [
        ({"J6": 3.1}, "填报!J6", "可比价增速(%)"),  # a share
        ({"J7": 3.1}, "填报!J7", "可比价增速(%)"),  # a milestone
        ({"J5": "按现价计算增长5%"}, "填报!J5", "可比价格"),
        ({"J5": -100}, "填报!J5", "100"),
        ({"J5": "三点一"}, "填报!J5", "3.1"),
    ],
)
def test_a_rate_that_cannot_be_taken_names_its_sheet_row_and_column(
    plan, reporter, cells, where, words
):
    result = preview(filled(plan, reporter, 2024, **cells), reporter)
    assert not result.ok
    assert where in messages(result)[0] and words in messages(result)[0]
    assert not ProgressEntry.objects.filter(year=2024).exists()


@pytest.fixture
def gdp_takes_growth(plan):
    """GDP's growth is published at comparable prices, however the catalogue says so."""
    Indicator.objects.filter(targets__code="GDP").update(
        measure=Indicator.Measure.AMOUNT, comparable_growth=True
    )


def test_a_level_in_another_unit_is_refused_at_its_cell_as_on_the_entry_page(
    plan, reporter, gdp_takes_growth
):
    with translation.override("en"):
        result = preview(filled(plan, reporter, 2024, F5="205.36万元"), reporter)
        assert not result.ok
        [message] = messages(result)
    assert "!F5: " in message
    assert "is given in 万元, but this target is measured in 亿元" in message


def test_the_bulletins_sentence_in_the_value_cell_gives_level_and_growth(
    plan, reporter, gdp_takes_growth
):
    typed = "地区生产总值205.36亿元，按可比价格计算增长3.1%"
    result = preview(filled(plan, reporter, 2024, F5=typed), reporter)
    assert result.ok, messages(result)
    [row] = result.rows
    assert (row.value, row.growth, row.new) == ("205.36", "3.1", "205.36")


def test_a_rate_alone_in_the_value_cell_keeps_the_stored_level(plan, reporter, gdp_takes_growth):
    factory.make_entry(Target.objects.get(code="GDP"), 2024, "150", state="draft")
    result = preview(filled(plan, reporter, 2024, F5="增长5.2%"), reporter)
    assert result.ok, messages(result)
    [row] = [r for r in result.rows if r.code == "GDP"]
    assert (Decimal(row.value), row.growth) == (Decimal("150"), "5.2")


def test_a_second_rate_in_the_growth_column_is_refused(plan, reporter, gdp_takes_growth):
    data = filled(plan, reporter, 2024, F5="160亿元，增长3.1%", J5=2.9)
    result = preview(data, reporter)
    assert not result.ok and "填报!F5" in messages(result)[0]


def test_the_preview_shows_every_digit_the_file_gives(plan, reporter):
    factory.make_entry(Target.objects.get(code="GDP"), 2024, "160", state="draft")
    result = preview(filled(plan, reporter, 2024, F5=205.36), reporter)
    [row] = [r for r in result.rows if r.code == "GDP"]
    assert (row.old, row.new) == ("160.0", "205.36")


def test_a_template_made_before_the_growth_column_still_imports(plan, reporter):
    factory.make_entry(
        Target.objects.get(code="GDP"), 2024, "150", state="draft", growth=Decimal("3.1")
    )
    old = workbook(
        [
            ["规划", "round-trip"],
            ["年度", 2024],
            [],
            ["指标代码", "指标名称", "单位", "2024年数值", "数据质量", "备注", "审核状态"],
            ["GDP", "地区生产总值", "亿元", 152.5, "初步", "修订", "草稿"],
        ]
    )
    result = preview(old, reporter)
    assert result.ok, messages(result)
    apply(result, reporter, plan)
    entry = ProgressEntry.objects.get(series__indicator__code="GDP", year=2024)
    assert (entry.value, entry.growth) == (Decimal("152.5"), Decimal("3.1"))  # growth kept


def test_english_headers_are_read_too(plan, reporter):
    data = workbook(
        [
            ["Plan", "round-trip"],
            ["Year", 2024],
            ["Code", "2024 value", "Growth at comparable prices (%)", "Source"],
            ["GDP", 150, 4.2, "bulletin"],
        ]
    )
    result = preview(data, reporter)
    assert result.ok, messages(result)
    assert (result.rows[0].growth, result.rows[0].source) == ("4.2", "bulletin")


def test_reverting_the_import_restores_the_growth_before_it(plan, reporter, admin_user):
    gdp = Target.objects.get(code="GDP")
    factory.make_entry(gdp, 2024, "150", state="draft", growth=Decimal("3.1"), source="快报")
    result = preview(filled(plan, reporter, 2024, J5=3.4, K5="统计公报"), reporter)
    assert result.ok, messages(result)
    batch = apply(result, reporter, plan)
    entry = ProgressEntry.objects.get(series=gdp.series_id, year=2024)
    assert (entry.growth, entry.source) == (Decimal("3.4"), "统计公报")
    writes.revert_import(batch, by=admin_user)
    entry.refresh_from_db()
    assert (entry.value, entry.growth, entry.source) == (Decimal("150"), Decimal("3.1"), "快报")


def test_the_preview_shows_the_level_and_the_growth(client, plan, reporter):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.test_excel_import import XLSX

    client.force_login(reporter)
    upload = SimpleUploadedFile("f.xlsx", filled(plan, reporter, 2024, F5=140, J5=3.1), XLSX)
    response = client.post(reverse("tracker:import", args=[plan.slug]), {"file": upload})
    html = client.get(response["Location"]).content.decode()
    assert "140.0" in html and "3.1%" in html and "可比价增速" in html


def test_the_template_shows_a_figure_with_every_digit_it_was_reported_with(plan, reporter):
    factory.make_entry(Target.objects.get(code="GDP"), 2024, "205.36", state="draft")
    ws = openpyxl.load_workbook(io.BytesIO(template_bytes(plan, 2024, reporter))).worksheets[0]
    # At least the target's one decimal, up to the six a figure keeps: 205.36 reads 205.36.
    assert ws["F5"].number_format == "0.0#####"
    assert ws["F5"].value == pytest.approx(205.36)
