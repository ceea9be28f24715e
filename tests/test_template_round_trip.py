"""The data-entry template sent back as it came: nothing changed, nothing refused."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests import factory
from tests.test_excel_import import filled, messages, preview, save, template_bytes, workbook
from tracker.figures import writes
from tracker.models import ClosedYear, ProgressEntry, Target


@pytest.fixture
def plan(db, department):
    plan = factory.make_plan(slug="round-trip")
    area = factory.make_area(plan)
    common = dict(area=area, lead_department=department)
    gdp = factory.make_target(plan, code="GDP", name="地区生产总值", **common)
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
