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
from tracker.excel.report import write_report
from tracker.excel.report.charts import MAX_TARGET_CHARTS
from tracker.excel.template import write_template
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.models import Explanation, Indicator, Series, Target
from tracker.standings.engine import COLOURS
from tracker.standings.formats import rounded
from tracker.standings.standing import plan_targets, standings

STATUS_WORDS = {"提前实现", "基本符合预期", "滞后", "严重滞后", "未到期", "无数据"}


def report(plan, year=None, **kwargs) -> tuple[bytes, openpyxl.Workbook]:
    year = year or plan.status_year()
    out = io.BytesIO()
    write_report(
        out, plan, year, standings(plan_targets(plan, viewer=ANY_ADMINISTRATOR), year), **kwargs
    )
    data = out.getvalue()
    return data, openpyxl.load_workbook(io.BytesIO(data))


def template(plan, year, targets, **kwargs) -> openpyxl.Workbook:
    out = io.BytesIO()
    write_template(out, plan, year, targets, **kwargs)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


@pytest.fixture
def demo_report(demo_plan, admin_user):
    return report(demo_plan, user=admin_user)[1]


HEADER = [
    "类别",
    "指标",
    "单位",
    "2020年（基期）",
    "2021年",
    "2022年",
    "2023年",
    "2024年",
    "2025年目标",
    "规划年均增长",
    "实际年均增长",
    "属性",
    "序时进度",
    "完成进度",
    "状态",
    "预计能否完成",
    "较上年增长",
    "责任单位",
    "原因及措施",
]
COL = {name: index for index, name in enumerate(HEADER)}


def summary_rows(wb, sheet="汇总"):
    return {r[1].value: r for r in wb[sheet].iter_rows(min_row=5)}


def english_rows(wb):
    """The English summary's targets by name, each {header: cell}; an area's row left out."""
    ws = wb["Summary"]
    header = [c.value for c in ws[4]]
    return {
        r[0].value.split("\n")[0]: dict(zip(header, r, strict=False))
        for r in ws.iter_rows(min_row=5)
        if "\n" in str(r[0].value)
    }


class TestSummary:
    def test_sheets_in_order_with_the_chart_data_hidden(self, demo_report):
        assert demo_report.sheetnames == ["汇总", "年度数据", "图表数据", "图表", "说明"]
        assert demo_report["图表数据"].sheet_state == "hidden"

    def test_the_header_follows_the_indicator_table_of_a_midterm_review(self, demo_report):
        assert [c.value for c in demo_report["汇总"][4]] == HEADER

    def test_every_target_with_the_engines_status_progress_and_colour(self, demo_report, demo_plan):
        rows = summary_rows(demo_report)
        assert len(rows) == 11
        for row in standings(plan_targets(demo_plan, viewer=ANY_ADMINISTRATOR), 2024):
            cells = rows[row.target.name]
            status_cell = cells[COL["状态"]]
            word, *based = status_cell.value.split("\n")
            assert word in STATUS_WORDS
            # The year a status rests on where the assessment says it is older.
            a = row.assessment
            assert based == ([f"依据{a.latest_year}年数据"] if a.rests_on_older_year else [])
            assert status_cell.fill.fgColor.rgb.endswith(COLOURS[row.assessment.status])
            progress = cells[COL["完成进度"]]
            if row.target.is_milestone:
                assert progress.value in {"完成", "未完成", None}
            elif row.assessment.progress is None:
                assert progress.value is None
            else:
                # Rounded half up as it prints, so that no application rounds it otherwise.
                assert progress.value == float(rounded(row.assessment.progress, 3))
                assert progress.number_format == "0.0%"
        assert {r[COL["状态"]].value.split("\n")[0] for r in rows.values()} == STATUS_WORDS

    def test_figures_keep_their_decimals_and_show_their_quality(self, demo_report):
        gdp = summary_rows(demo_report)["地区生产总值"]
        baseline = gdp[COL["2020年（基期）"]]
        assert baseline.value == pytest.approx(147.6) and baseline.number_format == '0.0"*"'
        assert gdp[COL["2023年"]].number_format == "0.0"  # final: no mark
        latest = gdp[COL["2024年"]]
        assert latest.value == pytest.approx(192.3) and latest.number_format == '0.0"†"'
        assert gdp[COL["2025年目标"]].value == pytest.approx(324.72)
        # 2.2 ** (1/5) - 1, and the row's basis stated once, under the planned pace.
        assert gdp[COL["规划年均增长"]].value == "17.1%\n按可比价"
        # The sample's published rate at comparable prices, not 192.3 / 178.5 - 1 = 7.7%.
        assert gdp[COL["较上年增长"]].value == pytest.approx(0.055)
        rd = summary_rows(demo_report)["科技研发投入占地区生产总值比重"]
        assert rd[COL["2024年"]].number_format == '0.00"†"'

    def test_milestones_read_done_or_not_done(self, demo_report):
        zone = summary_rows(demo_report)["国家级经济开发区"]
        assert zone[COL["2022年"]].value == "未完成" and zone[COL["2023年"]].value == "完成"
        assert zone[COL["预计能否完成"]].value == "已完成"

    def test_a_milestone_aims_for_completed_in_the_words_of_the_pages(self, demo_plan):
        zone = summary_rows(report(demo_plan)[1])["国家级经济开发区"]
        assert zone[COL["2025年目标"]].value == "完成"
        english = english_rows(report(demo_plan, language="en")[1])
        zone = english[Target.objects.get(plan=demo_plan, code="ECON-DEV-ZONE").name_en]
        assert zone["2025 target"].value == "Completed"
        assert zone["2023"].value == "Completed"

    def test_a_relative_target_compares_average_growth_and_names_the_single_year(self, demo_report):
        income = summary_rows(demo_report)["人均可支配收入"]
        assert "地区生产总值" in income[COL["2025年目标"]].value
        # 2020-2024: (32300 / 25000) ** (1/4) - 1 = 6.61% against (192.3 / 147.6) ** (1/4) - 1
        assert income[COL["实际年均增长"]].value == "年均6.6%（对照6.8%）"
        # The basis, stated once for the row, holds for both comparisons.
        assert income[COL["规划年均增长"]].value == "按现价"
        # 2024 alone: 32300 / 30400 - 1 = 6.25%, half up 6.3%, against 192.3 / 178.5 - 1
        assert income[COL["较上年增长"]].value == "2024年6.3%（对照7.7%）"

    def test_the_projection_says_whether_the_target_is_likely_met(self, demo_report):
        rows = summary_rows(demo_report)
        assert rows["地区生产总值"][COL["预计能否完成"]].value == "否"
        assert rows["一般公共预算收入"][COL["预计能否完成"]].value == "能"

    def test_areas_are_merged_over_their_rows(self, demo_report):
        ws = demo_report["汇总"]
        merged = {str(r) for r in ws.merged_cells.ranges}
        assert "A5:A8" in merged  # 综合经济实力: four targets
        assert ws["A5"].value == "综合经济实力" and ws["A6"].value is None

    def test_behind_and_off_track_targets_carry_their_reasons(self, demo_report):
        rows = summary_rows(demo_report)
        assert "旭阳焦化" in rows["地区生产总值"][COL["原因及措施"]].value
        on_track = next(r for r in rows.values() if r[COL["状态"]].value == "基本符合预期")
        assert on_track[COL["原因及措施"]].value is None

    def test_a_missing_reason_is_flagged(self, demo_plan):
        Explanation.objects.filter(target__plan=demo_plan, target__code="GDP").delete()
        cell = summary_rows(report(demo_plan)[1])["地区生产总值"][COL["原因及措施"]]
        assert cell.value == "（尚未填写原因及措施）" and cell.font.color.rgb.endswith("B3261E")

    def test_print_ready(self, demo_report):
        ws = demo_report["汇总"]
        assert ws.freeze_panes == "C5"
        assert ws.auto_filter.ref == "A4:S15"
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$4:$4"
        assert "十四五" in ws.oddHeader.left.text and ws.oddHeader.right.text == "截至2024年"
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
        assert re.fullmatch(r"生成日期 \d{4}-\d{2}-\d{2}", ws.oddFooter.right.text)
        for name in ["年度数据", "图表", "说明"]:
            assert demo_report[name].oddFooter.center.text == "第 &P 页，共 &N 页", name
            assert demo_report[name].page_setup.paperSize == 9, name

    def test_fonts_are_named_and_bold_keeps_the_face(self, demo_report):
        ws = demo_report["汇总"]
        assert {ws["A4"].font.name, ws["A5"].font.name, ws["B5"].font.name} == {"等线"}
        assert ws["A5"].font.b and ws["B5"].font.sz >= 9


class TestAsOfAndApprovedOnly:
    """A plan with figures after the report's year and figures not yet approved."""

    @pytest.fixture
    def plan(self, db, department):
        plan = factory.make_plan()
        target = factory.make_target(plan, name="地区生产总值", lead_department=department)
        factory.make_entry(target, 2021, "110", quality="final")
        factory.make_entry(target, 2022, "120", quality="preliminary", note="二〇二二年说明")
        factory.make_entry(target, 2023, "777", quality="final", note="后来的说明")
        factory.make_entry(target, 2024, "888")
        other = factory.make_target(plan, name="城镇人口", lead_department=department)
        factory.make_entry(other, 2021, "101", state="approved")
        factory.make_entry(other, 2022, "555", state="submitted", quality="estimate")
        return plan

    def text_of(self, wb) -> str:
        return " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row)

    def test_nothing_after_the_year_appears_anywhere(self, plan):
        wb = report(plan, year=2022)[1]
        text = self.text_of(wb)
        for later in ["777", "888", "后来的说明", "2023年", "2024年"]:
            assert later not in text, later
        assert [c.value for c in wb["年度数据"][1]][3:] == [2020, 2021, 2022]
        assert "2025年目标" in text  # the plan's own target stays

    def test_statuses_are_as_of_the_year(self, plan):
        wb = report(plan, year=2022)[1]
        header = [c.value for c in wb["汇总"][4]]
        gdp = summary_rows(wb)["地区生产总值"]
        assert gdp[header.index("完成进度")].value == pytest.approx(0.2)  # (120-100)/(200-100)
        assert gdp[header.index("2022年")].value == 120

    def test_unapproved_figures_stay_out_of_the_official_cells(self, plan):
        wb = report(plan, year=2022)[1]
        assert "555" not in self.text_of(wb)
        population = summary_rows(wb)["城镇人口"]
        assert population[5].value == "—"  # 2022: submitted only, a gap the notes explain
        notes = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True) if r[0]}
        assert notes["城镇人口"] == "2022年：未审核"
        assert "未审核数据" not in wb.sheetnames

    def test_on_request_they_are_listed_on_their_own_sheet(self, plan):
        wb = report(plan, year=2022, include_unapproved=True)[1]
        ws = wb["未审核数据"]
        rows = [r for r in ws.iter_rows(min_row=4, values_only=True)]
        assert len(rows) == 1
        code, name, unit, year, value, quality, state, note = rows[0]
        assert (name, year, value, quality, state) == ("城镇人口", 2022, 555, "预计", "已提交")
        assert summary_rows(wb)["城镇人口"][5].value == "—"  # still not official
        assert "888" not in self.text_of(wb)  # nor later ones

    def test_the_command_and_the_download_offer_them(self, plan, client, reporter, tmp_path):
        out = tmp_path / "r.xlsx"
        call_command(
            "export_report", plan=plan.slug, output=str(out), year=2022, include_unapproved=True
        )
        assert "未审核数据" in openpyxl.load_workbook(out).sheetnames
        client.force_login(reporter)
        url = reverse("tracker:report", args=[plan.slug])
        response = client.get(url, {"year": 2022, "include_unapproved": "1"})
        assert "未审核数据" in openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames
        response = client.get(url, {"year": 2022})
        assert "未审核数据" not in openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames

    def test_chart_data_stops_at_the_year(self, plan):
        wb = report(plan, year=2022)[1]
        data = list(wb["图表数据"].iter_rows(values_only=True))
        years = next(r for r in data[2:] if r and r[0] == "指标")
        actual = next(r for r in data if r and r[0] == "已审核")
        by_year = dict(zip(years[1:], actual[1:], strict=True))
        assert by_year[2022] == 120 and by_year[2023] is None and by_year[2024] is None


class TestYearMatrix:
    def test_approved_figures_under_numeric_year_headers(self, demo_report):
        ws = demo_report["年度数据"]
        header = [c.value for c in ws[1]]
        assert header == ["指标代码", "指标名称", "单位", 2020, 2021, 2022, 2023, 2024]
        rows = {r[0]: r[3:] for r in ws.iter_rows(min_row=2, values_only=True)}
        assert rows["GDP"][4] == pytest.approx(192.3)
        assert len(rows["GDP"]) == 5  # nothing after 2024, the report's year
        assert rows["ECON-DEV-ZONE"][3] == "是"
        assert rows["RD-SHARE"][0] == pytest.approx(1.2)  # the sample baseline-year figure
        # A preliminary milestone is marked like a preliminary figure, and still reads 否.
        eco = [r for r in ws.iter_rows(min_row=2) if r[0].value == "HIGH-TECH-ZONE"][0]
        assert eco[3 + 4].value == "否" and eco[3 + 4].number_format == '@"†"'
        assert eco[3 + 3].number_format == "@"

    @pytest.mark.parametrize("language", ["zh-hans", "en"])
    def test_the_summary_fits_the_width_for_9_points_in_2025(self, demo_plan, language):
        from tracker.excel.report.shared import WIDTH_BUDGET

        wb = report(demo_plan, 2025, language=language, include_unapproved=True)[1]
        ws = wb.worksheets[0]
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[4]]
        if language == "zh-hans":
            assert sum(widths) <= WIDTH_BUDGET + 0.01
        # Text columns gave up room; figures kept theirs, words were not broken.
        assert min(widths) >= 4.5

    def test_english_names_the_sheet_and_header_in_english(self, demo_plan):
        wb = report(demo_plan, language="en")[1]
        assert wb.sheetnames[:2] == ["Summary", "Yearly data"]
        assert wb["Yearly data"]["A1"].value == "Code"
        summary = english_rows(wb)
        assert "On track" in {r["Status"].value for r in summary.values()}
        # The unit and the nature under the name; the area on a row of its own above.
        gdp = summary["Gross domestic product"]
        assert (
            gdp["Target (unit, nature)"].value.split("\n")[1] == "100 million yuan · Anticipatory"
        )
        assert "km²" in summary["Urban built-up area"]["Target (unit, nature)"].value
        assert wb["Summary"]["A5"].value == "Overall economic strength"
        last = gdp["Reasons and measures"].column_letter
        assert f"A5:{last}5" in wb["Summary"].merged_cells
        # Chained comparable rates: (1.068 x 1.031 x 1.059 x 1.055) ** (1/4) - 1 = 5.3%.
        assert gdp["Planned / actual average annual growth"].value.split("\n")[0] == "17.1% / 5.3%"
        assert gdp["2024"].value == pytest.approx(192.3)  # figures stay numbers
        assert gdp["2024"].number_format == '0.0"†"'
        assert wb["Summary"].oddHeader.right.text == "As of 2024"
        assert wb["Summary"].oddFooter.center.text == "Page &P of &N"
        text = " ".join(str(c.value) for ws in wb.worksheets for r in ws.iter_rows() for c in r)
        for chinese in ["亿元", "万人", "平方公里", "已完成", "预期性", "严重滞后"]:
            assert chinese not in text, chinese


class TestCharts:
    def test_a_progress_chart_and_one_line_chart_per_numeric_target(self, demo_report):
        charts = demo_report["图表"]._charts
        numeric = Target.objects.exclude(kind__in=["milestone", "relative"]).count()
        assert len(charts) == 1 + numeric
        assert charts[0].tagname == "barChart"
        assert {c.tagname for c in charts[1:]} == {"lineChart"}

    def test_a_target_with_nothing_to_draw_gets_no_empty_chart(self, db):
        plan = factory.make_plan()
        factory.make_target(plan, code="GDP")
        factory.make_target(
            plan,
            code="RANK",
            kind="rank",
            direction="decrease",
            baseline_value=None,
            target_value=None,
        )
        wb = report(plan, year=2022)[1]
        charts = wb["图表"]._charts
        assert len(charts) == 2  # the progress chart and GDP's
        assert "RANK" not in str(charts[1].title.tx.rich.p[0].r[0].t)

    def test_a_very_large_plan_gets_the_progress_chart_alone(self, db):
        plan = factory.make_plan()
        area = factory.make_area(plan)
        codes = [f"L{i}" for i in range(MAX_TARGET_CHARTS + 1)]
        indicators = Indicator.objects.bulk_create(
            Indicator(code=code, name=code, measure="amount") for code in codes
        )
        statistics = Series.objects.bulk_create(
            Series(region=plan.region, indicator=indicator) for indicator in indicators
        )
        Target.objects.bulk_create(
            Target(
                plan=plan,
                area=area,
                indicator=indicators[i],
                series=statistics[i],
                code=codes[i],
                name=f"指标{i}",
                kind="level",
                baseline_value=Decimal(1),
                baseline_year=2020,
                target_value=Decimal(2),
                target_year=2025,
            )
            for i in range(MAX_TARGET_CHARTS + 1)
        )
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
    name_cell = wb["汇总"]["B5"]
    assert name_cell.value == '=HYPERLINK("http://x")' and name_cell.data_type == "s"
    template_wb = template(
        plan, 2021, list(Target.objects.for_plan(plan).with_entries(ANY_ADMINISTRATOR))
    )
    note = template_wb["填报"]["H5"]
    assert note.value == "+cmd|' /C calc'!A0" and note.data_type == "s"
    assert note.quotePrefix


def test_control_characters_in_a_note_do_not_break_the_report(db, department):
    plan = factory.make_plan()
    target = factory.make_target(plan, name="指标\x07名称", lead_department=department)
    factory.make_entry(target, 2021, "150", note="原因\x1f说明")
    target.entries.update(note="原因\x1f说明")
    wb = report(plan, year=2021)[1]
    assert wb["汇总"]["B5"].value == "指标名称"


class TestDownloadAndCommand:
    def test_the_dashboard_button_downloads_the_report(self, client, demo_plan):
        client.login(username="tongji", password="lingyuan-demo-2025")
        html = client.get(demo_plan.get_absolute_url()).content.decode()
        assert reverse("tracker:report", args=[demo_plan.slug]) in html
        assert 'name="include_unapproved"' in html
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

    def test_export_report_says_why_it_cannot_write(self, demo_plan, tmp_path):
        missing = tmp_path / "no such folder" / "x.xlsx"
        with pytest.raises(CommandError, match="Cannot write .*no such folder"):
            call_command("export_report", plan="lingyuan-14th", output=str(missing))


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
            "指标代码",
            "指标名称",
            "单位",
            "2024年数值",
            "2025年目标",
            "2025年数值",
            "数据质量",
            "备注",
            "审核状态",
            "可比价增速(%)",
            "来源",
        ]
        codes = [r[0] for r in ws.iter_rows(min_row=5, values_only=True)]
        assert codes == ["FIXED-ASSET-INVESTMENT", "COUNTY-RANK", "ECON-DEV-ZONE"]
        fai = list(ws.iter_rows(min_row=5, max_row=5, values_only=True))[0]
        assert fai[3] == pytest.approx(108.0)  # last year's figure
        assert fai[4] == pytest.approx(131.56)  # the target: 59.8 x 2.2
        assert fai[5] == pytest.approx(118.0) and fai[6] == "预计"  # this year's draft
        assert fai[8] == "草稿"

    def test_validation_and_locked_context(self, demo_plan):
        targets = list(Target.objects.for_plan(demo_plan).with_entries(ANY_ADMINISTRATOR))
        ws = template(demo_plan, 2025, targets)["填报"]
        rules = {dv.type: dv for dv in ws.data_validations.dataValidation}
        assert rules["list"] is not None and rules["custom"] is not None
        lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
        formulas = {dv.formula1 for dv in lists}
        assert '"预计,初步,最终"' in formulas and '"是,否"' in formulas
        milestone_rows = [
            i
            for i, r in enumerate(ws.iter_rows(min_row=5, values_only=True), start=5)
            if r[0] in {"HIGH-TECH-ZONE", "ECON-DEV-ZONE", "ECO-CITY"}
        ]
        yes_no = next(dv for dv in lists if dv.formula1 == '"是,否"')
        assert all(f"F{i}" in str(yes_no.sqref) for i in milestone_rows)
        assert ws.protection.sheet
        assert ws["A5"].protection.locked and ws["E5"].protection.locked
        assert not ws["F5"].protection.locked and not ws["G5"].protection.locked

    def test_a_milestone_aims_for_completed_in_the_words_of_the_pages(self, demo_plan):
        targets = list(Target.objects.for_plan(demo_plan).with_entries(ANY_ADMINISTRATOR))
        for language, word in [("zh-hans", "完成"), ("en", "Completed")]:
            ws = template(demo_plan, 2025, targets, language=language).worksheets[0]
            zone = next(
                r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] == "ECON-DEV-ZONE"
            )
            assert zone[4] == word, language

    def test_english_headers(self, demo_plan):
        ws = template(demo_plan, 2025, [], language="en").worksheets[0]
        assert [c.value for c in ws[4]] == [
            "Code",
            "Target",
            "Unit",
            "2024 value",
            "2025 target",
            "2025 value",
            "Quality",
            "Note",
            "State",
            "Growth at comparable prices (%)",
            "Source",
        ]
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


class TestTemplateLocksAndRules:
    def rows(self, ws):
        return {r[0].value: r for r in ws.iter_rows(min_row=5)}

    def test_approved_figures_are_locked_and_grey(self, demo_plan):
        targets = list(Target.objects.for_plan(demo_plan).with_entries(ANY_ADMINISTRATOR))
        ws = template(demo_plan, 2024, targets)["填报"]
        gdp = self.rows(ws)["GDP"]
        assert gdp[5].value == pytest.approx(192.3)
        assert gdp[5].protection.locked and gdp[6].protection.locked and gdp[7].protection.locked
        assert gdp[5].fill.fgColor.rgb.endswith("D9DCE0")
        assert gdp[8].value == "已审核（锁定）"
        open_row = self.rows(template(demo_plan, 2025, targets)["填报"])["FIXED-ASSET-INVESTMENT"]
        assert not open_row[5].protection.locked  # a draft stays open

    def test_validation_refuses_negatives_and_takes_every_reported_digit(self, db, department):
        plan = factory.make_plan()
        plain = factory.make_target(plan, decimal_places=1, comparable_growth=True)
        signed = factory.make_target(
            plan, decimal_places=2, allow_negative=True, comparable_growth=True
        )
        ws = template(plan, 2022, [plain, signed])["填报"]
        rules = [dv for dv in ws.data_validations.dataValidation if dv.type == "custom"]
        by_range = {str(dv.sqref): dv.formula1 for dv in rules}
        assert by_range == {
            "F5": "AND(ISNUMBER(F5),ROUND(F5,6)=F5,F5>=0)",
            "F6": "AND(ISNUMBER(F6),ROUND(F6,6)=F6)",
            "J5:J6": "AND(ISNUMBER(J5),J5>-100,ROUND(J5,6)=J5)",
        }
        assert [dv.error for dv in rules][:2] == [
            "请输入不小于零的数字，最多 6 位小数。",
            "请输入数字，最多 6 位小数。",
        ]

    def test_the_growth_column_is_open_only_for_amounts(self, db, department):
        plan = factory.make_plan()
        gdp = factory.make_target(plan, decimal_places=1, comparable_growth=True)
        share = factory.make_target(plan, unit="%", decimal_places=2)
        ws = template(plan, 2022, [gdp, share])["填报"]
        assert [ws["J4"].value, ws["K4"].value] == ["可比价增速(%)", "来源"]
        assert not ws["J5"].protection.locked and ws["J6"].protection.locked
        assert not ws["K5"].protection.locked and not ws["K6"].protection.locked

    def test_the_instructions_explain_the_quality_words(self, demo_plan):
        wb = template(demo_plan, 2025, [])
        text = " ".join(str(c.value) for row in wb["填报说明"].iter_rows() for c in row)
        for phrase in ["预计：", "初步：", "最终：", "灰色"]:
            assert phrase in text, phrase

    @pytest.mark.parametrize("language", ["zh-hans", "en"])
    def test_the_columns_fit_a4_at_9_points(self, demo_plan, language):
        from tracker.excel.template import TEMPLATE_WIDTH_BUDGET

        targets = list(Target.objects.for_plan(demo_plan).with_entries(ANY_ADMINISTRATOR))
        ws = template(demo_plan, 2025, targets, language=language).worksheets[0]
        widths = [ws.column_dimensions[c].width for c in "ABCDEFGHIJK"]
        assert sum(widths) <= TEMPLATE_WIDTH_BUDGET

    def test_fits_a4_width_headed_and_numbered(self, demo_plan):
        ws = template(demo_plan, 2025, [])["填报"]
        assert ws.page_setup.paperSize == 9 and ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
        assert ws.print_title_rows == "$4:$4"


def test_a_wrapped_unit_gets_the_height_it_needs_on_the_unapproved_sheet(demo_plan):
    from tracker.excel.common import LINE_HEIGHT

    wb = report(demo_plan, 2025, language="en", include_unapproved=True)[1]
    ws = wb["Figures not yet approved"]
    gdp = [r[0].row for r in ws.iter_rows(min_row=4) if r[0].value == "GDP"][0]
    assert ws.cell(gdp, 3).value == "100 million yuan"
    assert ws.column_dimensions["C"].width < 16  # wraps to two lines
    assert ws.row_dimensions[gdp].height >= 2 * LINE_HEIGHT


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_text_of_the_summary_has_the_height_it_wraps_to(demo_plans, language):
    """Goals in words (增速高于地区生产总值), milestone words and names alike: LibreOffice
    keeps a row's set height, and a taller text would be cut."""
    from tracker.excel.common import LINE_HEIGHT, wrapped_lines

    for plan in demo_plans:
        ws = report(plan, language=language)[1].worksheets[0]
        for row in ws.iter_rows(min_row=5):
            height = ws.row_dimensions[row[0].row].height
            for c in row:
                if isinstance(c.value, str) and ws.cell(4, c.column).value is not None:
                    width = ws.column_dimensions[c.column_letter].width
                    if c.coordinate in ws.merged_cells:
                        continue  # an area's name over its rows, or its heading row
                    lines = wrapped_lines(c.value, width)
                    assert height >= lines * LINE_HEIGHT, (plan.slug, c.coordinate, c.value)


def test_the_english_notes_name_the_region_in_english(demo_plan):
    wb = report(demo_plan, language="en")[1]
    notes = {row[0].value: row[1].value for row in wb["Notes"].iter_rows() if row[0].value}
    assert notes["Region"] == "Lingyuan"


def notes_of(wb, sheet="说明") -> dict:
    return {r[0]: r[1] for r in wb[sheet].iter_rows(values_only=True) if r[0]}


def printed_percent(value) -> str:
    """A percentage cell as Excel and LibreOffice print it with 0.0% (half up)."""
    return f"{rounded(Decimal(str(value)) * 100, 1):.1f}%"


class TestNumbersAsStatisticiansPublishThem:
    """Issue 24: shares in points, growth on its basis, the evaluation's words, the basis
    year and the gaps, one rounding rule."""

    def test_a_share_changes_in_percentage_points(self, demo_report, demo_plan):
        rd = summary_rows(demo_report)["科技研发投入占地区生产总值比重"]
        assert rd[COL["较上年增长"]].value == "+0.40个百分点"  # 1.90% in 2023, 2.30% in 2024
        # 1.20 to 2.50 over 2020-2025: 0.26 points a year, 1.30 in all
        assert rd[COL["规划年均增长"]].value == "+0.26个百分点\n〔累计提高1.30个百分点〕"
        # 1.20 to 2.30 over 2020-2024: 0.275 points a year, half up 0.28
        assert rd[COL["实际年均增长"]].value == "+0.28个百分点\n〔累计提高1.10个百分点〕"
        english = english_rows(report(demo_plan, language="en")[1])
        rd = english["R&D spending as a share of GDP"]
        assert rd["vs. last year"].value == "+0.40 percentage points"

    def test_other_targets_keep_percent_growth(self, demo_report):
        population = summary_rows(demo_report)["城镇人口"]
        assert population[COL["较上年增长"]].value == pytest.approx(0.078)  # 30.40 / 28.20
        assert population[COL["较上年增长"]].number_format == "0.0%"

    def test_the_summary_opens_with_the_count_by_status(self, demo_report, demo_plan):
        ws = demo_report["汇总"]
        assert ws["A2"].value == (
            "11项主要指标中，提前实现2项、基本符合预期2项、滞后2项、严重滞后2项、未到期2项、无数据1项"
        )
        assert "A2:S2" in ws.merged_cells
        english = report(demo_plan, language="en")[1]["Summary"]
        assert english["A2"].value.startswith("Of 11 main indicators: Met early 2, On track 2")

    def test_the_plans_last_year_states_completion(self, demo_plan):
        wb = report(demo_plan, 2025)[1]
        header = [c.value for c in wb["汇总"][4]]
        assert "完成情况" in header
        for gone in ["序时进度", "完成进度", "状态", "预计能否完成"]:
            assert gone not in header, gone
        rows = summary_rows(wb)
        verdicts = {
            name: r[header.index("完成情况")].value.split("\n")[0] for name, r in rows.items()
        }
        assert set(verdicts.values()) <= {"完成", "超额完成", "未完成", "无数据"}
        assert verdicts["国家级经济开发区"] == "完成"  # a milestone reads 完成, never 严重滞后
        assert verdicts["国家级生态市（县）"] == "未完成"
        assert verdicts["城镇人口"] == "超额完成"
        assert "完成情况" in notes_of(wb)["目标年份起"]

    def test_a_final_evaluation_states_completion(self, demo_plan, admin_user):
        from tracker.plans.evaluations import freeze, write_frozen_report

        evaluation = freeze(
            plan=demo_plan, year=2025, kind="final", title="终期评估", by=admin_user
        )
        out = io.BytesIO()
        write_frozen_report(out, evaluation, viewer=ANY_ADMINISTRATOR)
        wb = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
        header = [c.value for c in wb["汇总"][4]]
        assert "完成情况" in header and "序时进度" not in header
        assert wb["汇总"]["A2"].value.startswith("11项主要指标中，超额完成1项、完成1项、未完成8项")

    def test_an_evaluation_title_names_its_kind_once(self, demo_plan, admin_user):
        from tracker.plans.evaluations import freeze, write_frozen_report

        titled = {"终期评估（测试）": "终期评估（测试）", "2025年复核": "2025年复核（终期评估）"}
        for title, shown in titled.items():
            evaluation = freeze(plan=demo_plan, year=2025, kind="final", title=title, by=admin_user)
            out = io.BytesIO()
            write_frozen_report(out, evaluation, viewer=ANY_ADMINISTRATOR)
            ws = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["汇总"]
            assert ws["A1"].value.endswith(f" · {shown}"), ws["A1"].value
            assert ws["A1"].value.count("终期评估") == 1

    def test_a_status_resting_on_an_older_figure_says_its_year(self, demo_plan):
        wb = report(demo_plan, 2025)[1]
        header = [c.value for c in wb["汇总"][4]]
        gdp = summary_rows(wb)["地区生产总值"]
        assert gdp[header.index("完成情况")].value == "未完成\n依据2024年数据"
        notes = list(wb["说明"].iter_rows(values_only=True))
        heading = notes.index(("依据以前年度数据的评价", None))
        end = notes.index((None, None), heading)
        listed = dict(notes[heading + 1 : end])
        assert listed["地区生产总值"] == "依据2024年数据"
        # The report reads the assessment, as the pages and the API do (an achieved
        # milestone is the engine's to judge): the list, the status cells and the
        # assessment agree target by target.
        rows = summary_rows(wb)
        for row in standings(plan_targets(demo_plan, viewer=ANY_ADMINISTRATOR), 2025):
            name, a = row.target.display_name, row.assessment
            said = "依据" in rows[name][header.index("完成情况")].value
            assert said == a.rests_on_older_year == (name in listed), name

    def test_a_year_without_an_approved_figure_is_a_gap_the_notes_explain(self, demo_plan):
        wb = report(demo_plan, 2025)[1]
        header = [c.value for c in wb["汇总"][4]]
        rows = summary_rows(wb)
        for name in ["地区生产总值", "固定资产投资", "城市建设区面积"]:
            assert rows[name][header.index("2025年")].value == "—", name
        notes = notes_of(wb)
        assert notes["地区生产总值"].endswith("2025年：未审核")  # submitted
        assert notes["固定资产投资"].endswith("2025年：未报送")  # a draft
        assert notes["城市建设区面积"].endswith("2025年：已退回，未审核")  # returned, never 未报送
        assert notes["综合实力全省县域排名"] == "2020—2025年：无数据"
        assert "无已审核数据的年份（表中以“—”表示）" in notes
        # A milestone's year without a report is blank, and the notes say so.
        zone = rows["国家高新技术产业园区"]
        assert zone[header.index("2021年")].value is None
        assert "空白" in notes["里程碑指标"]

    def test_five_digit_figures_group_their_thousands_as_the_pages_do(self, demo_report):
        income = summary_rows(demo_report)["人均可支配收入"]
        base = income[COL["2020年（基期）"]]
        assert base.value == 25000 and base.number_format.startswith("#,##0")  # 25,000
        assert income[COL["2024年"]].number_format == '#,##0"†"'  # 32,300†
        gdp = summary_rows(demo_report)["地区生产总值"]
        assert gdp[COL["2024年"]].number_format == '0.0"†"'  # four digits: 192.3†
        matrix = {r[0].value: r for r in demo_report["年度数据"].iter_rows(min_row=2)}
        assert matrix["INCOME-GROWTH"][3 + 4].number_format == '#,##0"†"'

    def test_the_year_matrix_shows_every_digit_stored(self, db):
        plan = factory.make_plan()
        target = factory.make_target(plan, code="REV", decimal_places=1)
        factory.make_entry(target, 2021, "205.36", quality="final")
        factory.make_entry(target, 2022, "210.4", quality="estimate")
        factory.make_entry(target, 2023, "12345.678901", quality="final")
        wb = report(plan, 2023)[1]
        row = [r for r in wb["年度数据"].iter_rows(min_row=2) if r[0].value == "REV"][0]
        # At least the display decimals, every digit reported: 205.36 reads 205.36.
        assert row[3 + 1].value == pytest.approx(205.36)
        assert row[3 + 1].number_format == "0.00####"
        assert row[3 + 2].number_format == '0.0#####"*"'
        assert row[3 + 3].number_format == "#,##0.000000"
        # The summary shows the target's one decimal, as the pages do.
        assert summary_rows(wb)[target.name][COL["2021年"]].number_format == "0.0"

    def test_the_english_legend_and_goal_read_naturally(self, demo_plan):
        ws = report(demo_plan, language="en")[1]["Summary"]
        assert ws["A3"].value.endswith(
            "Approved figures only; * marks an estimate, † a preliminary figure."
        )
        income = english_rows(ws.parent)["Per-capita disposable income"]
        assert income["2025 target"].value == "Growing faster than gross domestic product"

    def test_the_notes_say_percentages_come_from_unrounded_figures(self, demo_report):
        notes = notes_of(demo_report)
        # A goal of 11.6 x 2.2 = 25.52 prints as 25.5: (22.0 - 11.6) / (25.52 - 11.6) is
        # 74.7%, while the printed figures give (22.0 - 11.6) / (25.5 - 11.6) = 74.8%.
        assert notes["一般公共预算收入"] == "完成进度74.7%（按表中数字计算为74.8%）"
        assert "百分比按未经四舍五入的数据计算" in notes

    def test_no_such_note_where_the_printed_figures_give_every_percentage_back(self, db):
        plan = factory.make_plan()
        target = factory.make_target(plan, name="城镇人口", unit="万人")
        factory.make_entry(target, 2021, "120")
        wb = report(plan, 2021)[1]
        assert "百分比按未经四舍五入的数据计算" not in notes_of(wb)

    def test_a_growth_goal_states_its_basis_and_a_year_given_as_a_rate(self, db):
        plan = factory.make_plan()
        gdp = factory.make_target(
            plan,
            name="地区生产总值",
            kind="multiple",
            baseline_value=Decimal("147.6"),
            target_value=None,
            factor=Decimal("2.2"),
            basis="comparable",
        )
        factory.make_entry(gdp, 2021, "158.2", growth=Decimal("6"), quality="final")
        factory.make_entry(
            gdp, 2022, None, growth=Decimal("3.1"), quality="final"
        )  # the bulletin's rate alone
        wb = report(plan, 2022)[1]
        header = [c.value for c in wb["汇总"][4]]
        row = dict(zip(header, summary_rows(wb)["地区生产总值"], strict=True))
        assert row["2022年"].value == "增长3.1%"
        assert row["较上年增长"].value == pytest.approx(0.031)  # the published rate
        # 1.06 x 1.031 = 1.09286: 9.3% in all, (1.09286 ** 0.5 - 1) = 4.5% a year
        assert row["实际年均增长"].value == "4.5%\n〔累计增长9.3%〕"
        assert row["规划年均增长"].value.endswith("\n按可比价")
        assert notes_of(wb)["地区生产总值"].startswith("增长按可比价计算")

    @pytest.mark.parametrize("year", [2024, 2025])
    def test_no_value_prints_two_ways(self, demo_plan, year):
        from tracker.standings import formats

        wb = report(demo_plan, year)[1]
        ws = wb["汇总"]
        header = [c.value for c in ws[4]]
        rows = summary_rows(wb)
        for row in standings(plan_targets(demo_plan, viewer=ANY_ADMINISTRATOR), year):
            cells = rows[row.target.name]
            for c in cells:
                if c.number_format == "0.0%" and c.value is not None:
                    # Held as printed: no application can round it another way.
                    assert Decimal(str(c.value)) == rounded(Decimal(str(c.value)), 3), c
            if "完成进度" in header and row.assessment.progress is not None:
                printed = printed_percent(cells[header.index("完成进度")].value)
                assert printed == formats.format_share(row.assessment.progress)
        notes = notes_of(wb)
        for name, text in notes.items():
            match = re.match(r"完成进度([\d.]+%)（", str(text))
            if match:  # the notes quote the percentage as the table prints it
                progress = rows[name][header.index("完成进度")].value
                assert match.group(1) == printed_percent(progress)


def test_a_notes_section_lists_its_first_targets_and_counts_the_rest():
    from tracker.excel.report import notes

    items = [(f"指标{i}", "2024年：未审核") for i in range(notes.NOTES_PER_SECTION + 5)]
    lines = notes._section("无已审核数据的年份", [None, *items])
    assert lines[2:-1] == items[: notes.NOTES_PER_SECTION]
    assert lines[-1] == ("", "……另有5项指标。")
