"""Administrators export and import a plan's target definitions, preview first."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factory
from tracker.models import Area, PendingImport, Target

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def export(client, plan) -> openpyxl.Workbook:
    response = client.get(reverse("tracker:targets-export", args=[plan.slug]))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def upload(client, plan, wb):
    out = io.BytesIO()
    wb.save(out)
    return client.post(
        reverse("tracker:targets-import", args=[plan.slug]),
        {"file": SimpleUploadedFile("targets.xlsx", out.getvalue(), XLSX)},
    )


def test_the_seed_plan_exports_and_round_trips_unchanged(as_admin, seed_plan):
    wb = export(as_admin, seed_plan)
    ws = wb["指标定义"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["指标代码", "指标名称", "英文名称", "类别"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["GDP"][header.index("系数")] == pytest.approx(2.2)
    assert rows["INCOME-GROWTH"][header.index("参照指标代码")] == "GDP"
    response = upload(as_admin, seed_plan, wb)
    pending = PendingImport.objects.get(kind="targets")
    assert response["Location"] == pending.get_absolute_url()
    assert {row["status"] for row in pending.payload["rows"]} == {"unchanged"}


def test_a_new_plan_is_set_up_from_a_spreadsheet(as_admin, admin_user):
    plan = factory.make_plan(slug="new-plan")
    department = factory.make_department(name="统计局")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "指标代码",
            "指标名称",
            "类别",
            "单位",
            "类型",
            "方向",
            "属性",
            "基期值",
            "目标值",
            "系数",
            "牵头单位",
            "参照指标代码",
        ]
    )
    ws.append(
        [
            "GDP",
            "地区生产总值",
            "经济",
            "亿元",
            "基期倍数",
            "越高越好",
            "预期性",
            100,
            None,
            2,
            "统计局",
            None,
        ]
    )
    ws.append(
        [
            "INC",
            "收入增速",
            "民生",
            "元",
            "relative",
            "increase",
            "binding",
            None,
            None,
            None,
            None,
            "GDP",
        ]
    )
    ws.append(
        [
            "PM",
            "细颗粒物浓度",
            "生态",
            "微克/立方米",
            "水平值",
            "越低越好",
            "约束性",
            "45.5",
            35,
            None,
            None,
            None,
        ]
    )
    response = upload(as_admin, plan, wb)
    preview_url = response["Location"]
    html = as_admin.get(preview_url).content.decode()
    assert html.count("tag-new") == 3
    assert not Target.objects.filter(plan=plan).exists()  # nothing before confirming
    as_admin.post(preview_url, {"confirm": "1"})
    targets = {t.code: t for t in Target.objects.filter(plan=plan)}
    assert set(targets) == {"GDP", "INC", "PM"}
    assert targets["GDP"].factor == Decimal("2") and targets["GDP"].lead_department == department
    assert targets["INC"].reference_target == targets["GDP"]
    assert targets["PM"].direction == "decrease" and targets["PM"].nature == "binding"
    assert targets["PM"].baseline_value == Decimal("45.5")
    assert set(Area.objects.filter(plan=plan).values_list("name", flat=True)) == {
        "经济",
        "民生",
        "生态",
    }
    assert targets["GDP"].history.first().history_user == admin_user


def test_changes_are_listed_then_applied_with_history(as_admin, seed_plan):
    wb = export(as_admin, seed_plan)
    ws = wb["指标定义"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "GDP":
            row[header.index("系数")].value = 2.0
    preview_url = upload(as_admin, seed_plan, wb)["Location"]
    html = as_admin.get(preview_url).content.decode()
    assert "系数: 2.2000 → 2.0" in html
    as_admin.post(preview_url, {"confirm": "1"})
    gdp = Target.objects.get(plan=seed_plan, code="GDP")
    assert gdp.factor == Decimal("2.0")
    assert gdp.history.count() >= 1


@pytest.mark.parametrize(
    "cells, expected",
    [
        ({"类型": "sometimes"}, "不是以下之一"),
        ({"目标值": "lots"}, "不是数字"),
        ({"牵头单位": "不存在局"}, "不存在局"),
        ({"指标名称": None}, "必须填写"),
        ({"目标年份": 2031}, "2025"),
    ],
)
def test_bad_rows_are_refused_with_their_cell_and_nothing_written(
    as_admin, seed_plan, cells, expected
):
    wb = export(as_admin, seed_plan)
    ws = wb["指标定义"]
    header = [c.value for c in ws[1]]
    target_row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "RD-SHARE")
    for title, value in cells.items():
        target_row[header.index(title)].value = value
    response = upload(as_admin, seed_plan, wb)
    assert response.status_code == 200
    html = response.content.decode()
    assert expected in html and "指标定义" in html
    assert not PendingImport.objects.exists()
    assert Target.objects.get(plan=seed_plan, code="RD-SHARE").target_value == Decimal("2.5")


def test_reporters_may_not_define_targets(client, reporter, seed_plan):
    client.force_login(reporter)
    assert client.get(reverse("tracker:targets-export", args=[seed_plan.slug])).status_code == 403
    assert client.get(reverse("tracker:targets-import", args=[seed_plan.slug])).status_code == 403


def test_a_formula_without_a_saved_result_is_refused_not_read_as_empty(as_admin, seed_plan):
    wb = export(as_admin, seed_plan)
    ws = wb["指标定义"]
    header = [c.value for c in ws[1]]
    lead = ws.cell(row=2, column=header.index("牵头单位") + 1)
    lead.value = '=HYPERLINK("http://example.org","统计局")'
    response = upload(as_admin, seed_plan, wb)
    problems = [(p.cell, p.code) for p in response.context["preview"].errors]
    assert problems == [(lead.coordinate, "unsaved_formula")]
    assert not PendingImport.objects.exists()


def test_a_goals_basis_of_growth_round_trips_blank_for_the_usual(as_admin, seed_plan):
    Target.objects.filter(plan=seed_plan, code="BUDGET-REVENUE").update(basis="current")
    wb = export(as_admin, seed_plan)
    ws = wb["指标定义"]
    header = [c.value for c in ws[1]]
    assert header[header.index("系数") + 1] == "增长口径"
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    column = header.index("增长口径")
    assert rows["GDP"][column] is None  # the indicator's usual: comparable prices
    assert rows["BUDGET-REVENUE"][column] == "现价"
    upload(as_admin, seed_plan, wb)
    pending = PendingImport.objects.get(kind="targets")
    assert {row["status"] for row in pending.payload["rows"]} == {"unchanged"}


def test_the_english_sheet_names_the_basis_in_english(as_admin, seed_plan):
    Target.objects.filter(plan=seed_plan, code="GDP").update(basis="comparable")
    as_admin.post(reverse("set_language"), {"language": "en", "next": "/"})
    ws = export(as_admin, seed_plan)["Targets"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["GDP"][header.index("Basis of growth")] == "At comparable prices (可比价)"


@pytest.mark.parametrize(
    "word, basis",
    [("现价", "current"), ("可比价格", "comparable"), ("At current prices (现价)", "current")],
)
def test_a_sheet_sets_a_goals_basis_of_growth(as_admin, seed_plan, word, basis):
    wb = export(as_admin, seed_plan)
    ws = wb["指标定义"]
    header = [c.value for c in ws[1]]
    gdp = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "GDP")
    gdp[header.index("增长口径")].value = word
    preview_url = upload(as_admin, seed_plan, wb)["Location"]
    assert f"增长口径: — → {basis}" in as_admin.get(preview_url).content.decode()
    as_admin.post(preview_url, {"confirm": "1"})
    assert Target.objects.get(plan=seed_plan, code="GDP").basis == basis


@pytest.mark.parametrize(
    "code, word, expected",
    [
        ("GDP", "不变价", "不是以下之一：comparable, current"),
        ("RD-SHARE", "可比价", "只有倍增、年均增长和相对目标才有增长计算口径"),
    ],
)
def test_a_basis_that_does_not_fit_is_refused_at_its_cell(
    as_admin, seed_plan, code, word, expected
):
    wb = export(as_admin, seed_plan)
    ws = wb["指标定义"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == code)
    cell = row[header.index("增长口径")]
    cell.value = word
    response = upload(as_admin, seed_plan, wb)
    problems = [(p.cell, p.message) for p in response.context["preview"].errors]
    assert [c for c, _m in problems] == [cell.coordinate] and expected in problems[0][1]
    assert not PendingImport.objects.exists()


def test_a_sheet_without_the_basis_column_leaves_each_basis_as_it_stands(as_admin, seed_plan):
    Target.objects.filter(plan=seed_plan, code="GDP").update(basis="current")
    wb = export(as_admin, seed_plan)
    ws = wb["指标定义"]
    header = [c.value for c in ws[1]]
    ws.delete_cols(header.index("增长口径") + 1)
    upload(as_admin, seed_plan, wb)
    pending = PendingImport.objects.get(kind="targets")
    assert {row["status"] for row in pending.payload["rows"]} == {"unchanged"}
