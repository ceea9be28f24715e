"""Excel in: every upload is hostile until validated; a file with any error writes nothing."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from tests import factory
from tracker.excel.importer import build_preview
from tracker.excel.report import write_report
from tracker.excel.template import write_template
from tracker.figures import workflow, writes
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.models import ClosedYear, ImportBatch, PendingImport, ProgressEntry, Target
from tracker.standings.standing import plan_targets, standings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- building files as people (and attackers) make them ---------------------------------


@pytest.fixture
def plan(db, department):
    plan = factory.make_plan(slug="city-14th")
    area = factory.make_area(plan)
    common = dict(area=area, lead_department=department)
    factory.make_target(plan, code="GDP", name="地区生产总值", **common)
    factory.make_target(plan, code="RD", name="研发投入占比", unit="%", decimal_places=2, **common)
    factory.make_milestone(plan, **common)
    return plan


def template_bytes(plan, year, user) -> bytes:
    targets = list(Target.objects.for_plan(plan).editable_by(user).with_entries(user))
    out = io.BytesIO()
    write_template(out, plan, year, targets)
    return out.getvalue()


def filled(plan, user, year=2023, **cells) -> bytes:
    """Export the template and fill cells by name, as a person does in Excel."""
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes(plan, year, user)))
    ws = wb.worksheets[0]
    for ref, value in cells.items():
        ws[ref] = value
    return save(wb)


def save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def workbook(rows, title="填报") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    return save(wb)


def patch_part(data: bytes, part: str, change) -> bytes:
    """Rewrite one part of an .xlsx (to craft what openpyxl will not write)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == part:
                body = change(body)
            target.writestr(item, body)
    return out.getvalue()


def preview(data, user, plan=None, name="upload.xlsx"):
    return build_preview(data, file_name=name, user=user, plan=plan)


def messages(result) -> list[str]:
    return [str(p) for p in result.errors]


# Rows of the template start at 5: GDP, RD, ZONE; value F, quality G, note H.


class TestRefusedFiles:
    @pytest.mark.parametrize(
        "data, reason",
        [
            (b"", "empty"),
            (b"code,2021\nGDP,1\n", "not an Excel .xlsx"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
            (b"just text pretending", "not an Excel .xlsx"),
        ],
    )
    def test_files_that_are_not_xlsx(self, plan, reporter, settings, data, reason):
        settings.LANGUAGE_CODE = "en"
        from django.utils import translation

        with translation.override("en"):
            result = preview(data, reporter, plan)
        assert not result.ok
        assert reason in messages(result)[0]

    def test_a_truncated_file(self, plan, reporter):
        data = filled(plan, reporter, F5=120)
        result = preview(data[: len(data) // 2], reporter, plan)
        assert not result.ok and "损坏" in messages(result)[0]

    def test_a_word_document_with_an_xlsx_name(self, plan, reporter):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<document/>")
        result = preview(out.getvalue(), reporter, plan)
        assert not result.ok and "Word" in messages(result)[0]

    def test_a_file_over_the_size_limit(self, plan, reporter, settings):
        settings.IMPORT_MAX_BYTES = 1000
        result = preview(filled(plan, reporter, F5=120), reporter, plan)
        assert not result.ok and "MB" in messages(result)[0]

    def test_a_zip_bomb_is_refused_quickly_without_inflating_it(self, plan, reporter):
        data = filled(plan, reporter, F5=120)
        bomb = patch_part(data, "xl/sharedStrings.xml", lambda body: body)
        out = io.BytesIO(bomb)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/media/padding.bin", b"\0" * (300 * 1024 * 1024))
        started = time.perf_counter()
        result = preview(out.getvalue(), reporter, plan)
        elapsed = time.perf_counter() - started
        assert not result.ok and "压缩炸弹" in messages(result)[0]
        assert elapsed < 5  # bounded work, not a benchmark: the inflating stops early

    def test_hostile_xml_is_refused_before_parsing(self, plan, reporter):
        laughs = (
            b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        )
        data = patch_part(
            filled(plan, reporter, F5=120),
            "xl/worksheets/sheet1.xml",
            lambda body: body.replace(b"<worksheet", laughs + b"<worksheet", 1),
        )
        result = preview(data, reporter, plan)
        assert not result.ok and "sheet1.xml" in messages(result)[0]
        assert not ProgressEntry.objects.exists()


class TestValues:
    def test_a_filled_template_is_read_with_exact_decimals(self, plan, reporter):
        result = preview(
            filled(plan, reporter, F5=123.4, G5="最终", F6="2.5%", H6="核实", F7="是"), reporter
        )
        assert result.ok, messages(result)
        rows = {r.code: r for r in result.rows}
        assert rows["GDP"].value == "123.4" and rows["GDP"].quality == "final"
        assert rows["RD"].value == "2.5"
        assert rows["ZONE"].achieved is True
        assert {r.status for r in result.rows} == {"new"}

    def test_float_residue_is_read_as_excel_shows_it(self, plan, reporter):
        # What Excel stores for =0.1+0.2; openpyxl itself would write 0.3.
        data = patch_part(
            filled(plan, reporter, F5=0.3, H5="核实"),
            "xl/worksheets/sheet1.xml",
            lambda body: body.replace(b"<v>0.3</v>", b"<v>0.30000000000000004</v>", 1),
        )
        result = preview(data, reporter)
        assert result.ok
        assert result.rows[0].value == "0.3"
        assert not [w for w in result.warnings if "0.30000000000000004" in str(w)]

    def test_a_whole_figure_sent_back_unchanged_is_not_reported_as_rounded(self, plan, reporter):
        Target.objects.filter(plan=plan, code="GDP").update(decimal_places=0)
        gdp = Target.objects.get(plan=plan, code="GDP")
        factory.make_entry(gdp, 2023, "5000", state="draft", entered_by=reporter)
        result = preview(filled(plan, reporter), reporter)
        assert result.ok and not [w for w in result.warnings if w.code == "rounded"]

    def test_a_figure_beyond_the_limit_is_refused(self, plan, reporter):
        result = preview(filled(plan, reporter, F5="1000000000000"), reporter)
        assert not result.ok
        assert "F5" in messages(result)[0] and "10¹²" in messages(result)[0]
        assert not ProgressEntry.objects.exists()

    def test_every_reported_digit_is_kept_whatever_the_target_shows(self, plan, reporter):
        # GDP shows one decimal place; the bulletin gave two.
        result = preview(filled(plan, reporter, F5=3.76, H5="核实"), reporter)
        assert result.ok and result.rows[0].value == "3.76"
        assert not [w for w in result.warnings if w.code == "rounded"]
        writes.apply_import(
            plan=plan,
            user=reporter,
            rows=result.rows,
            file_name="t.xlsx",
            sha256=result.sha256,
            submit=False,
        )
        assert ProgressEntry.objects.get().value == Decimal("3.76")

    def test_more_digits_than_a_figure_keeps_are_refused_at_their_cell(self, plan, reporter):
        result = preview(filled(plan, reporter, F5="3.1234567"), reporter)
        assert not result.ok
        assert "填报!F5" in messages(result)[0] and "6" in messages(result)[0]

    @pytest.mark.parametrize(
        "typed, expected",
        [("1,234.5", "1234.5"), ("１２３", "123"), (" 98.6 ", "98.6"), ("12", "12")],
    )
    def test_numbers_typed_as_text(self, plan, reporter, typed, expected):
        result = preview(filled(plan, reporter, F5=typed, H5="核实"), reporter)
        assert result.ok and result.rows[0].value == expected

    def test_a_percent_formatted_cell_in_a_percent_target(self, plan, reporter):
        wb = openpyxl.load_workbook(io.BytesIO(template_bytes(plan, 2023, reporter)))
        wb.worksheets[0]["F6"] = 0.025
        wb.worksheets[0]["F6"].number_format = "0.0%"
        wb.worksheets[0]["H6"] = "核实"
        result = preview(save(wb), reporter)
        assert result.ok and result.rows[0].value == "2.500"[: len(result.rows[0].value)]
        assert Decimal(result.rows[0].value) == Decimal("2.5")

    def test_a_percentage_in_a_target_not_measured_in_percent(self, plan, reporter):
        result = preview(filled(plan, reporter, F5="12%"), reporter)
        assert not result.ok and "填报!F5" in messages(result)[0]

    @pytest.mark.parametrize(
        "word, achieved",
        [
            ("是", True),
            ("否", False),
            ("已达成", True),
            ("未达成", False),
            ("yes", True),
            ("No", False),
        ],
    )
    def test_milestone_words(self, plan, reporter, word, achieved):
        result = preview(filled(plan, reporter, F7=word), reporter)
        assert result.ok and result.rows[0].achieved is achieved

    def test_a_formula_uses_its_saved_value(self, plan, reporter):
        data = filled(plan, reporter, F5="=100+20.5")
        data = patch_part(
            data,
            "xl/worksheets/sheet1.xml",
            lambda body: re.sub(rb"<v ?/>|<v></v>", b"<v>120.5</v>", body, count=1),
        )
        result = preview(data, reporter)
        assert result.ok, messages(result)
        assert result.rows[0].value == "120.5"

    def test_a_formula_without_a_saved_value_is_an_error(self, plan, reporter):
        result = preview(filled(plan, reporter, F5="=100+20.5"), reporter)
        assert not result.ok
        assert messages(result) == [messages(result)[0]] and "填报!F5" in messages(result)[0]
        assert "公式" in messages(result)[0]

    @pytest.mark.parametrize(
        "cells, where, words",
        [
            ({"F5": "一百"}, "填报!F5", "不是数字"),
            ({"F5": -3}, "填报!F5", "不能为负"),
            ({"G5": "大概", "F5": 1}, "填报!G5", "数据质量"),
            ({"F7": "maybe"}, "填报!F7", "是或否"),
        ],
    )
    def test_bad_values_name_their_cell(self, plan, reporter, cells, where, words):
        result = preview(filled(plan, reporter, **cells), reporter)
        assert not result.ok
        assert where in messages(result)[0] and words in messages(result)[0]


class TestStructure:
    def test_columns_in_any_order_unknown_ones_warned_blank_rows_skipped(self, plan, reporter):
        data = workbook(
            [
                ["规划", "city-14th"],
                ["年度", 2023],
                [],
                ["备注", "数值", "审核人", "指标代码", "数据质量"],
                ["注", 150, "x", "GDP", "初步"],
                [None, None, None, None, None],
                ["核实", "1", None, "RD", None],
            ]
        )
        result = preview(data, reporter)
        assert result.ok, messages(result)
        assert [(r.code, r.value, r.note) for r in result.rows] == [
            ("GDP", "150", "注"),
            ("RD", "1", "核实"),
        ]
        assert any("审核人" in str(w) and "C4" in str(w) for w in result.warnings)

    def test_unknown_codes_years_outside_the_plan_and_duplicates(self, plan, reporter):
        data = workbook(
            [["指标代码", 2019, 2023], ["NOPE", None, 1], ["GDP", 5, 6], ["GDP", None, 7]],
            title="年度数据",
        )
        found = messages(preview(data, reporter, plan))
        assert any("年度数据!A2" in m and "NOPE" in m for m in found)
        assert any("年度数据!B1" in m and "2019" in m for m in found)
        assert any("年度数据!C4" in m and "年度数据!C3" in m for m in found)

    def test_a_template_of_another_plan_is_refused(self, plan, reporter):
        other = factory.make_plan(slug="other-plan")
        result = preview(filled(plan, reporter, F5=1), reporter, other)
        assert not result.ok and "city-14th" in messages(result)[0]

    def test_a_matrix_without_a_plan_says_to_name_one(self, plan, reporter):
        result = preview(workbook([["指标代码", 2023], ["GDP", 1]]), reporter)
        assert not result.ok

    def test_a_workbook_without_a_known_sheet(self, plan, reporter):
        result = preview(workbook([["a", "b"], [1, 2]]), reporter, plan)
        assert not result.ok and "指标代码" in messages(result)[0]


class TestRightsAndLocks:
    def test_a_target_the_user_may_not_change(self, plan, reporter, other_department):
        factory.make_target(plan, code="REV", name="财政收入", lead_department=other_department)
        data = workbook([["指标代码", 2023], ["GDP", 150], ["REV", 2]])
        result = preview(data, reporter, plan)
        assert not result.ok and "财政收入" in messages(result)[0]

    def test_an_approved_figure_is_locked_for_reporters(self, plan, reporter, admin_user):
        factory.make_entry(Target.objects.get(code="GDP"), 2023, "100")
        data = filled(plan, reporter, F5=120)
        assert "已审核" in messages(preview(data, reporter))[0]
        # an administrator reopens it, with a reason, before correcting it
        assert "重新打开" in messages(preview(data, admin_user))[0]

    def test_a_closed_year_is_locked(self, plan, reporter, admin_user):
        ClosedYear.objects.create(region=plan.region, plan=plan, year=2023, closed_by=admin_user)
        result = preview(filled(plan, reporter, F5=120), reporter)
        assert not result.ok and "关闭" in messages(result)[0]

    def test_one_good_row_and_one_bad_row_write_nothing(self, client, plan, reporter):
        client.force_login(reporter)
        upload = SimpleUploadedFile("f.xlsx", filled(plan, reporter, F5=120, F6="abc"), XLSX)
        response = client.post(reverse("tracker:import", args=[plan.slug]), {"file": upload})
        html = response.content.decode()
        assert "F6" in html and "未写入" in html
        assert not ProgressEntry.objects.exists() and not PendingImport.objects.exists()


class TestPreviewConfirmRevert:
    def upload(self, client, plan, data, name="filled.xlsx"):
        return client.post(
            reverse("tracker:import", args=[plan.slug]),
            {"file": SimpleUploadedFile(name, data, XLSX)},
        )

    def test_upload_preview_confirm_and_revert(self, client, plan, reporter, admin_user):
        gdp = Target.objects.get(code="GDP")
        factory.make_entry(gdp, 2023, "100.0", state="draft", note="old")
        client.force_login(reporter)
        # 1. upload: a preview, nothing written yet
        response = self.upload(client, plan, filled(plan, reporter, F5=150, F7="是"))
        assert response.status_code == 302
        pending = PendingImport.objects.get()
        html = client.get(response["Location"]).content.decode()
        assert "100.0 → <strong>150.0</strong>" in html and "新增" in html
        assert ProgressEntry.objects.get(series=gdp.series_id).value == Decimal("100.0")
        # 2. confirm: written in one go, recorded as a batch
        client.post(response["Location"], {"confirm": "1", "state": "submitted"})
        assert not PendingImport.objects.filter(pk=pending.pk).exists()
        entry = ProgressEntry.objects.get(series=gdp.series_id)
        assert (entry.value, entry.state) == (Decimal("150.0"), "submitted")
        assert ProgressEntry.objects.get(series__indicator__code="ZONE").achieved is True
        batch = ImportBatch.objects.get()
        assert (batch.imported_by, batch.new_count, batch.changed_count) == (reporter, 1, 1)
        assert len(batch.sha256) == 64
        # 3. revert, by an administrator: the earlier figure is back, the new one gone
        client.force_login(admin_user)
        client.post(reverse("tracker:revert-import", args=[plan.slug, batch.pk]), {"confirm": "1"})
        entry.refresh_from_db()
        assert (entry.value, entry.state, entry.note) == (Decimal("100.0"), "draft", "old")
        assert not ProgressEntry.objects.filter(series__indicator__code="ZONE").exists()
        batch.refresh_from_db()
        assert batch.state == "reverted" and batch.reverted_by == admin_user
        assert f"import #{batch.pk}" in entry.history.first().history_change_reason

    def test_revert_is_refused_when_a_figure_changed_since(self, plan, reporter, admin_user):
        result = preview(filled(plan, reporter, F5=150), reporter)
        batch = writes.apply_import(
            plan=plan,
            user=reporter,
            rows=result.rows,
            file_name="f.xlsx",
            sha256=result.sha256,
            submit=True,
        )
        entry = ProgressEntry.objects.get(series__indicator__code="GDP")
        writes.approve_entries([entry], by=admin_user)
        with pytest.raises(writes.Refused, match="GDP 2023"):
            writes.revert_import(batch, by=admin_user)
        entry.refresh_from_db()
        assert entry.state == "approved"

    def test_cancel_discards_the_preview(self, client, plan, reporter):
        client.force_login(reporter)
        url = self.upload(client, plan, filled(plan, reporter, F5=150))["Location"]
        client.post(url, {"cancel": "1"})
        assert not PendingImport.objects.exists() and not ProgressEntry.objects.exists()

    def test_a_preview_belongs_to_its_user_and_expires(self, client, plan, reporter, department):
        client.force_login(reporter)
        url = self.upload(client, plan, filled(plan, reporter, F5=150))["Location"]
        colleague = factory.make_user("colleague", role="reporter", departments=[department])
        client.force_login(colleague)
        assert client.post(url, {"confirm": "1"}).status_code == 404
        client.force_login(reporter)
        PendingImport.objects.update(created_at=timezone.now() - timezone.timedelta(hours=2))
        assert client.get(url).status_code == 404
        assert not ProgressEntry.objects.exists()

    def test_a_figure_changed_between_preview_and_confirm_is_refused(self, client, plan, reporter):
        gdp = Target.objects.get(code="GDP")
        entry = factory.make_entry(gdp, 2023, "100.0", state="draft")
        client.force_login(reporter)
        url = self.upload(client, plan, filled(plan, reporter, F5=150))["Location"]
        writes.save_entries(
            plan=plan,
            year=2023,
            user=reporter,
            submit=False,
            changes=[
                writes.Change(
                    target=gdp, figure=Decimal("111.0"), quality="final", version=entry.version
                )
            ],
        )
        client.post(url, {"confirm": "1"})
        assert ProgressEntry.objects.get(series=gdp.series_id).value == Decimal("111.0")
        assert not ImportBatch.objects.exists()


class TestCommand:
    def run(self, *args) -> tuple[int, str]:
        out = io.StringIO()
        try:
            call_command("import_progress", *args, stdout=out, stderr=io.StringIO())
        except SystemExit as stop:
            return stop.code, out.getvalue()
        except CommandError as error:
            return error.returncode, str(error)
        return 0, out.getvalue()

    def test_exit_codes_and_problem_lines(self, plan, reporter, tmp_path):
        good = tmp_path / "good.xlsx"
        good.write_bytes(filled(plan, reporter, F5=150))
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(filled(plan, reporter, F5="x", F6=-1))
        code, _out = self.run(str(good), "--user", reporter.username, "--dry-run")
        assert code == 0 and not ProgressEntry.objects.exists()
        code, out = self.run(str(bad), "--user", reporter.username)
        assert code == 1
        assert [line.split(":")[0] for line in out.strip().splitlines()] == ["填报!F5", "填报!F6"]
        assert not ProgressEntry.objects.exists()
        assert self.run(str(good), "--user", "nobody")[0] == 2
        assert self.run(str(good), "--user", reporter.username, "--plan", "nope")[0] == 2
        assert self.run(str(tmp_path / "missing.xlsx"), "--user", reporter.username)[0] == 2
        code, out = self.run(str(good), "--user", reporter.username)
        assert code == 0 and "import #" in out
        assert ProgressEntry.objects.get(series__indicator__code="GDP").value == Decimal("150")

    def test_usage_errors_from_the_shell_exit_with_2(self):
        result = subprocess.run(
            [sys.executable, "manage.py", "import_progress"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2 and "--user" in result.stderr


def test_round_trip_template_to_report(plan, reporter, admin_user):
    # 1. export the template, fill it, import it
    result = preview(filled(plan, reporter, F5=131.5, F6=1.85, H6="核实", F7="否"), reporter)
    writes.apply_import(
        plan=plan,
        user=reporter,
        rows=result.rows,
        file_name="t.xlsx",
        sha256=result.sha256,
        submit=True,
    )
    writes.approve_entries(ProgressEntry.objects.all(), by=admin_user)
    # 2. export the report: the year matrix holds exactly what was filled in
    out = io.BytesIO()
    write_report(out, plan, 2023, standings(plan_targets(plan, viewer=ANY_ADMINISTRATOR), 2023))
    matrix = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["年度数据"]
    years = [c.value for c in matrix[1]]
    rows = {
        r[0]: dict(zip(years[1:], r[1:], strict=True))
        for r in matrix.iter_rows(min_row=2, values_only=True)
    }
    assert rows["GDP"][2023] == pytest.approx(131.5)
    assert rows["RD"][2023] == pytest.approx(1.85)
    assert rows["ZONE"][2023] == "否"
    # 3. edit the report's year matrix and import it back: only the edited figure changes
    wb = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    row = next(r for r in wb["年度数据"].iter_rows(min_row=2) if r[0].value == "GDP")
    edited = row[years.index(2023)]
    edited.value = 140
    locked = preview(save(wb), admin_user, plan, name="report.xlsx")
    assert [p.cell for p in locked.errors] == [edited.coordinate]  # approved: reopened first
    gdp = ProgressEntry.objects.get(series__indicator__code="GDP")
    workflow.reopen(gdp, by=admin_user, reason="统计局更正", version=gdp.version)
    back = preview(save(wb), admin_user, plan, name="report.xlsx")
    assert back.ok, messages(back)
    assert [(r.code, r.status) for r in back.rows if r.status != "unchanged"] == [
        ("GDP", "changed")
    ]
    assert back.counts == {"new": 0, "changed": 1, "unchanged": 2}
