"""Excel out: the progress report and the data-entry template, opened and checked."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests import factory
from tracker.excel.report import MAX_TARGET_CHARTS, write_report
from tracker.excel.template import write_template
from tracker.models import Target
from tracker.progress import COLOURS
from tracker.standing import plan_targets, standings

STATUS_WORDS = {"达成", "正常", "滞后", "严重滞后", "未到期", "无数据"}


def report(plan, year=None, **kwargs) -> tuple[bytes, openpyxl.Workbook]:
    year = year or plan.status_year()
    out = io.BytesIO()
    write_report(out, plan, year, standings(plan_targets(plan), year), **kwargs)
    data = out.getvalue()
    return data, openpyxl.load_workbook(io.BytesIO(data))


def template(plan, year, targets, **kwargs) -> openpyxl.Workbook:
    out = io.BytesIO()
    write_template(out, plan, year, targets, **kwargs)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


@pytest.fixture
def demo_report(demo_plan, admin_user):
    return report(demo_plan, user=admin_user)[1]


class TestSummary:
    def test_sheets_in_order(self, demo_report):
        assert demo_report.sheetnames == ["汇总", "年度数据", "图表数据", "图表", "说明"]

    def test_the_header_follows_the_indicator_table(self, demo_report):
        header = [c.value for c in demo_report["汇总"][3]]
        assert header == [
            "类别", "指标", "单位", "2020年（基期）", "2021年", "2022年", "2023年", "2024年",
            "2025年", "2025年目标", "年均/累计", "属性", "进度", "状态", "责任单位", "说明",
        ]  # fmt: skip

    def test_every_target_with_the_engines_status_progress_and_colour(self, demo_report, demo_plan):
        ws = demo_report["汇总"]
        rows = list(ws.iter_rows(min_row=4))
        assert len(rows) == 11
        by_name = {r[1].value: r for r in rows}
        for row in standings(plan_targets(demo_plan), 2024):
            cells = by_name[row.target.name]
            status_cell = cells[13]
            assert status_cell.value in STATUS_WORDS
            assert status_cell.fill.fgColor.rgb.endswith(COLOURS[row.assessment.status])
            if row.assessment.progress is None:
                assert cells[12].value is None
            else:
                assert cells[12].value == pytest.approx(float(row.assessment.progress))
                assert cells[12].number_format == "0.0%"
        assert {r[13].value for r in rows} == STATUS_WORDS

    def test_figures_keep_their_decimals_and_unapproved_ones_are_marked(self, demo_report):
        ws = demo_report["汇总"]
        gdp = next(r for r in ws.iter_rows(min_row=4) if r[1].value == "地区生产总值")
        assert gdp[7].value == pytest.approx(192.3) and gdp[7].number_format == "0.0"
        assert gdp[8].value == pytest.approx(205.0)  # 2025, submitted
        assert gdp[8].number_format == '0.0"*"' and gdp[8].font.i
        assert gdp[9].value == pytest.approx(324.72)
        assert "%" in gdp[10].value  # average yearly growth the plan implies
        rd = next(r for r in ws.iter_rows(min_row=4) if r[1].value.startswith("科技研发"))
        assert rd[7].number_format == "0.00"

    def test_areas_are_grouped(self, demo_report):
        areas = [r[0].value for r in demo_report["汇总"].iter_rows(min_row=4)]
        assert areas == sorted(areas, key=areas.index)  # each area's rows together
        assert areas[0] == "综合经济实力" and areas[-1] == "生态环境"

    def test_behind_and_off_track_targets_carry_their_latest_note(self, demo_report):
        ws = demo_report["汇总"]
        gdp = next(r for r in ws.iter_rows(min_row=4) if r[1].value == "地区生产总值")
        assert "旭阳焦化" in gdp[15].value
        on_track = next(r for r in ws.iter_rows(min_row=4) if r[13].value == "正常")
        assert on_track[15].value is None

    def test_frozen_filtered_and_print_ready(self, demo_report):
        ws = demo_report["汇总"]
        assert ws.freeze_panes == "C4"
        assert ws.auto_filter.ref == "A3:P14"
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$3"
        assert "十四五" in ws.oddHeader.center.text
        assert "&P" in ws.oddFooter.center.text and "&D" in ws.oddFooter.right.text
        assert ws.column_dimensions["B"].width >= 20  # fits the Chinese names


class TestYearMatrix:
    def test_approved_figures_under_numeric_year_headers(self, demo_report):
        ws = demo_report["年度数据"]
        header = [c.value for c in ws[1]]
        assert header == ["指标代码", 2020, 2021, 2022, 2023, 2024, 2025]
        rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=2, values_only=True)}
        assert rows["GDP"][4] == pytest.approx(192.3)
        assert rows["GDP"][5] is None  # 2025 is only submitted
        assert rows["ECON-DEV-ZONE"][3] == "是"
        assert rows["RD-SHARE"][0] == pytest.approx(1.2)  # the sample baseline-year figure

    def test_english_names_the_sheet_and_header_in_english(self, demo_plan):
        wb = report(demo_plan, language="en")[1]
        assert wb.sheetnames[:2] == ["Summary", "Yearly data"]
        assert wb["Yearly data"]["A1"].value == "Code"
        assert "On track" in {r[13].value for r in wb["Summary"].iter_rows(min_row=4)}


class TestCharts:
    def test_a_progress_chart_and_one_line_chart_per_numeric_target(self, demo_report):
        charts = demo_report["图表"]._charts
        numeric = Target.objects.exclude(kind__in=["milestone", "relative"]).count()
        assert len(charts) == 1 + numeric
        assert charts[0].tagname == "barChart"
        assert {c.tagname for c in charts[1:]} == {"lineChart"}

    def test_a_very_large_plan_gets_the_progress_chart_alone(self, db):
        plan = factory.make_plan()
        area = factory.make_area(plan)
        Target.objects.bulk_create(
            Target(plan=plan, area=area, code=f"L{i}", name=f"指标{i}", kind="level",
                   baseline_value=Decimal(1), baseline_year=2020, target_value=Decimal(2),
                   target_year=2025)
            for i in range(MAX_TARGET_CHARTS + 1)
        )  # fmt: skip
        wb = report(plan, year=2021)[1]
        assert len(wb["图表"]._charts) == 1
        notes = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row)
        assert str(MAX_TARGET_CHARTS) in notes


def test_the_notes_sheet_explains_status_quality_and_origin(demo_report, admin_user):
    text = " ".join(str(c.value) for row in demo_report["说明"].iter_rows() for c in row)
    for phrase in [
        "时间过半、任务过半",
        "1.00",
        "0.80",
        "预计",
        "初步",
        "最终",
        "已审核",
        "lingyuan-14th",
    ]:
        assert phrase in text, phrase
    assert admin_user.username in text


def test_text_a_user_typed_is_never_a_formula(db, reporter, department):
    plan = factory.make_plan()
    target = factory.make_target(plan, name='=HYPERLINK("http://x")', lead_department=department)
    factory.make_entry(target, 2021, "1", note="+cmd|' /C calc'!A0")
    factory.make_entry(target, 2022, "0.1", note="@SUM(A1:A9)")
    target.entries.filter(year=2022).update(state="submitted")
    data, wb = report(plan, year=2022)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if "worksheets/sheet" in n]
    assert not any("<f>" in xml for xml in sheets)
    name_cell = wb["汇总"]["B4"]
    assert name_cell.value == '=HYPERLINK("http://x")' and name_cell.data_type == "s"
    template_wb = template(plan, 2021, list(Target.objects.for_plan(plan).with_entries()))
    note = template_wb["填报"]["H5"]
    assert note.value == "+cmd|' /C calc'!A0" and note.data_type == "s"
    assert note.quotePrefix


def test_control_characters_in_a_note_do_not_break_the_report(db, department):
    plan = factory.make_plan()
    target = factory.make_target(plan, name="指标\x07名称", lead_department=department)
    factory.make_entry(target, 2021, "150", note="原因\x1f说明")
    target.entries.update(note="原因\x1f说明")
    wb = report(plan, year=2021)[1]
    assert wb["汇总"]["B4"].value == "指标名称"


class TestDownloadAndCommand:
    def test_the_dashboard_button_downloads_the_report(self, client, demo_plan):
        client.login(username="tongji", password="lingyuan-demo-2025")
        html = client.get(demo_plan.get_absolute_url()).content.decode()
        assert reverse("tracker:report", args=[demo_plan.slug]) in html
        response = client.get(reverse("tracker:report", args=[demo_plan.slug]), {"year": 2023})
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        filename = re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)
        assert filename.startswith("lingyuan-14th-report-2023-") and filename.endswith(".xlsx")
        wb = openpyxl.load_workbook(io.BytesIO(response.content))
        assert "截至2023年" in wb["汇总"]["A1"].value

    def test_the_report_speaks_the_requests_language(self, client, demo_plan):
        client.login(username="tongji", password="lingyuan-demo-2025")
        client.cookies["django_language"] = "en"
        response = client.get(reverse("tracker:report", args=[demo_plan.slug]))
        assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames[0] == "Summary"

    def test_export_report_command(self, demo_plan, tmp_path):
        out = tmp_path / "report.xlsx"
        call_command("export_report", plan="lingyuan-14th", output=str(out), year=2023)
        wb = openpyxl.load_workbook(out)
        assert "截至2023年" in wb["汇总"]["A1"].value
        call_command("export_report", plan="lingyuan-14th", output=str(out), language="en")
        assert openpyxl.load_workbook(out).sheetnames[0] == "Summary"

    def test_export_report_refuses_an_unknown_plan_or_year(self, demo_plan, tmp_path):
        with pytest.raises(CommandError, match="No plan"):
            call_command("export_report", plan="nope", output=str(tmp_path / "x.xlsx"))
        with pytest.raises(CommandError, match="2021-2025"):
            call_command("export_report", plan="lingyuan-14th", output="x.xlsx", year=2030)


class TestTemplate:
    def test_headers_labels_and_the_users_targets_only(self, demo_plan, tmp_path):
        out = tmp_path / "t.xlsx"
        call_command(
            "export_template", plan="lingyuan-14th", year=2025, output=str(out), user="fagai"
        )
        wb = openpyxl.load_workbook(out)
        assert wb.sheetnames == ["填报", "填报说明"]
        ws = wb["填报"]
        assert (ws["A1"].value, ws["B1"].value) == ("规划", "lingyuan-14th")
        assert (ws["A2"].value, ws["B2"].value) == ("年度", 2025)
        assert [c.value for c in ws[4]] == [
            "指标代码", "指标名称", "单位", "上年数值", "目标值", "数值", "数据质量", "备注",
        ]  # fmt: skip
        codes = [r[0] for r in ws.iter_rows(min_row=5, values_only=True)]
        assert codes == ["FIXED-ASSET-INVESTMENT", "COUNTY-RANK", "ECON-DEV-ZONE"]
        fai = list(ws.iter_rows(min_row=5, max_row=5, values_only=True))[0]
        assert fai[3] == pytest.approx(108.0)  # last year's figure
        assert fai[4] == pytest.approx(131.56)  # the target: 59.8 x 2.2
        assert fai[5] == pytest.approx(118.0) and fai[6] == "预计"  # this year's draft

    def test_validation_and_locked_context(self, demo_plan):
        targets = list(Target.objects.for_plan(demo_plan).with_entries())
        ws = template(demo_plan, 2025, targets)["填报"]
        rules = {dv.type: dv for dv in ws.data_validations.dataValidation}
        assert rules["list"] is not None and rules["decimal"] is not None
        lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
        formulas = {dv.formula1 for dv in lists}
        assert '"预计,初步,最终"' in formulas and '"是,否"' in formulas
        milestone_rows = [
            i for i, r in enumerate(ws.iter_rows(min_row=5, values_only=True), start=5)
            if r[0] in {"HIGH-TECH-ZONE", "ECON-DEV-ZONE", "ECO-CITY"}
        ]  # fmt: skip
        yes_no = next(dv for dv in lists if dv.formula1 == '"是,否"')
        assert all(f"F{i}" in str(yes_no.sqref) for i in milestone_rows)
        assert ws.protection.sheet
        assert ws["A5"].protection.locked and ws["E5"].protection.locked
        assert not ws["F5"].protection.locked and not ws["G5"].protection.locked

    def test_english_headers(self, demo_plan):
        ws = template(demo_plan, 2025, [], language="en").worksheets[0]
        assert [c.value for c in ws[4]] == [
            "Code", "Target", "Unit", "Last year", "Target value", "Value", "Quality", "Note",
        ]  # fmt: skip
        assert ws["A1"].value == "Plan"

    def test_the_entry_page_offers_the_template(self, client, demo_plan):
        client.login(username="keji", password="lingyuan-demo-2025")
        url = reverse("tracker:template", args=[demo_plan.slug, 2025])
        assert (
            url
            in client.get(
                reverse("tracker:data-entry", args=[demo_plan.slug, 2025])
            ).content.decode()
        )
        wb = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
        codes = [r[0] for r in wb.worksheets[0].iter_rows(min_row=5, values_only=True)]
        assert codes == ["RD-SHARE", "HIGH-TECH-ZONE"]
