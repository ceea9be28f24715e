"""A sheet whose cells reach far beyond any plan's table is refused before it is read.

python-calamine holds a sheet as the whole rectangle up to its farthest cell, so one value
in XFD1048576 would ask for hundreds of gigabytes. The safety check counts the cells really
there, and does not trust the sheet's own <dimension>. Small files built to cost far more
than their size (tests/hostile.py) are refused, or stop at the error limit; how long each
takes and how much memory it needs is measured by `make bench` (bench/run.py), not here.
"""

from __future__ import annotations

import io
import re
import resource
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factory, hostile
from tracker.excel.importer import build_preview
from tracker.excel.reader import MAX_PROBLEMS, read_workbook
from tracker.excel.safety import MAX_CELLS, UnsafeFile, damaged, inspect_xlsx
from tracker.excel.targets import preview_targets
from tracker.models import PendingImport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def far_workbook(*cells: str) -> bytes:
    """A small data-entry-like sheet with a value in each of the given far cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年度数据"
    ws.append(["指标代码", 2021, 2022])
    ws.append(["GDP", 150, 160])
    for cell in cells:
        ws[cell] = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rewrite_sheet(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = change(body)
            target.writestr(item, body)
    return out.getvalue()


def lying_dimension(data: bytes) -> bytes:
    """The same file, its <dimension> claiming A1:C2 whatever the cells say."""
    return rewrite_sheet(
        data, lambda body: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C2"', body)
    )


def peak_memory_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.fixture
def plan(db, department):
    plan = factory.make_plan(slug="far-plan")
    factory.make_target(plan, code="GDP", area=factory.make_area(plan), lead_department=department)
    return plan


@pytest.mark.parametrize("cell", ["XFD1048576", "CV500000", "A100001", "KO1"])
@pytest.mark.parametrize("lie", [False, True], ids=["dimension-true", "dimension-lies"])
def test_a_sheet_reaching_far_is_refused_with_little_memory(cell, lie):
    data = far_workbook(cell)
    if lie:
        data = lying_dimension(data)
    assert len(data) < 10_000
    before = peak_memory_kb()
    with pytest.raises(UnsafeFile) as refusal:
        inspect_xlsx(data, max_bytes=5 * 1024 * 1024)
    assert peak_memory_kb() - before < 50_000
    assert "年度数据" in str(refusal.value)
    # The cell itself when the dimension lies, else the dimension's far corner.
    assert (cell if lie else cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) in str(refusal.value)


def test_a_wide_and_long_sheet_is_refused_by_its_area():
    # Neither the row (20,000) nor the column (GR, 200) is out of bounds; the rectangle is.
    with pytest.raises(UnsafeFile):
        inspect_xlsx(far_workbook("A20000", "GR1"), max_bytes=5 * 1024 * 1024)


def test_cells_without_a_reference_are_placed_as_excel_places_them():
    def strip_references(body: bytes) -> bytes:
        body = re.sub(rb'<dimension ref="[^"]*"/>', b"", body)
        body = re.sub(rb'(<c) r="[A-Z]+[0-9]+"', rb"\1", body)
        # One row far down, without a reference on its cells.
        return body.replace(
            b"</sheetData>", b'<row r="500000"><c t="n"><v>1</v></c></row></sheetData>'
        )

    with pytest.raises(UnsafeFile, match="A500000"):
        inspect_xlsx(rewrite_sheet(far_workbook(), strip_references), max_bytes=5 * 1024 * 1024)


def test_empty_styled_cells_far_away_do_not_count():
    def styled_far_cell(body: bytes) -> bytes:
        return body.replace(
            b"</sheetData>", b'<row r="900000"><c r="XFD900000" s="0"/></row></sheetData>'
        )

    data = lying_dimension(rewrite_sheet(far_workbook(), styled_far_cell))
    inspect_xlsx(data, max_bytes=5 * 1024 * 1024)


def test_the_import_refuses_it_and_writes_nothing(plan, reporter):
    result = build_preview(
        far_workbook("XFD1048576"), file_name="far.xlsx", user=reporter, plan=plan
    )
    assert not result.ok
    assert "XFD1048576" in str(result.errors[0])


def test_the_target_definition_import_refuses_it(plan):
    data = lying_dimension(far_workbook("CV500000"))
    result = preview_targets(data, plan=plan, file_name="far.xlsx", max_bytes=5 * 1024 * 1024)
    assert not result.ok and "CV500000" in str(result.errors[0])


def test_a_table_starting_far_from_a1_is_read_at_its_own_cells(plan, reporter):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["D8"], ws["E8"] = "指标代码", 2023
    ws["D9"], ws["E9"] = "GDP", 151.5
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    read = read_workbook(data, inspect_xlsx(data, max_bytes=5 * 1024 * 1024))
    assert not read.errors, [str(e) for e in read.errors]
    assert [(r.code, r.year, r.value_cell) for r in read.rows] == [("GDP", 2023, "E9")]
    assert build_preview(data, file_name="moved.xlsx", user=reporter, plan=plan).ok


def test_the_upload_page_shows_the_refusal(client, plan, reporter):
    client.force_login(reporter)
    response = client.post(
        reverse("tracker:import", args=[plan.slug]),
        {"file": SimpleUploadedFile("far.xlsx", far_workbook("XFD1048576"), XLSX)},
    )
    assert response.status_code == 200
    assert "XFD1048576" in response.content.decode()
    assert not PendingImport.objects.exists()


def test_millions_of_empty_cells_are_refused(monkeypatch):
    from tracker.excel import safety

    monkeypatch.setattr(safety, "MAX_RATIO", 10_000)  # let it past the zip-bomb check

    def many_empty_cells(body: bytes) -> bytes:
        cells = b'<c r="A3" s="0"/>' * (2_000_001)
        return body.replace(b"</sheetData>", b'<row r="3">' + cells + b"</row></sheetData>")

    data = rewrite_sheet(far_workbook(), many_empty_cells)
    with pytest.raises(UnsafeFile, match="年度数据"):
        inspect_xlsx(data, max_bytes=5 * 1024 * 1024)


def test_a_cell_of_hundreds_of_megabytes_of_text_is_refused_before_it_is_read(plan, reporter):
    """Packed 80 to 1 it passes the zip-bomb check, and 300 MB is no plan's workbook."""
    text = "".join(f"{i:08d}" + "凌源" * 40 for i in range(150 * 1024 * 1024 // 128))
    data = rewrite_sheet(
        far_workbook(),
        lambda body: body.replace(b"<v>150</v>", b"<is><t>" + text.encode() + b"</t></is>").replace(
            b'<c r="B2" t="n">', b'<c r="B2" t="inlineStr">'
        ),
    )
    assert len(data) < settings.IMPORT_MAX_BYTES
    with pytest.raises(UnsafeFile):
        inspect_xlsx(data, max_bytes=len(data) + 1)
    preview = build_preview(data, file_name="text.xlsx", user=reporter, plan=plan)
    assert not preview.ok and not PendingImport.objects.exists()


def upload(client, plan, data: bytes):
    return client.post(
        reverse("tracker:import", args=[plan.slug]),
        {"file": SimpleUploadedFile("hostile.xlsx", data, XLSX)},
    )


@pytest.mark.parametrize(
    "data",
    [hostile.unclosed_formulas(), hostile.open_cell_flood()],
    ids=["formula-cells-never-closed", "open-cell-flood"],
)
def test_a_small_file_of_broken_xml_is_refused_as_damaged(client, plan, reporter, data):
    assert len(data) < 4_000
    with pytest.raises(UnsafeFile) as refusal:
        inspect_xlsx(data, max_bytes=5 * 1024 * 1024)
    assert str(refusal.value) == str(damaged())
    client.force_login(reporter)
    response = upload(client, plan, data)
    assert response.status_code == 200
    assert str(damaged()) in response.content.decode()
    assert not PendingImport.objects.exists()


def test_a_dense_sheet_beyond_the_cell_limit_is_refused_before_it_is_read(plan, reporter):
    data = hostile.dense_matrix()  # 100,000 rows x 15 columns: 1.5 million cells
    assert len(data) < settings.IMPORT_MAX_BYTES
    with pytest.raises(UnsafeFile, match="年度数据") as refusal:
        inspect_xlsx(data, max_bytes=settings.IMPORT_MAX_BYTES)
    assert "A33334" in str(refusal.value)  # 33,334 rows x 15 columns pass 500,000 cells
    assert "500,000 个单元格" in str(refusal.value)  # the limit it passed, named
    preview = build_preview(data, file_name="dense.xlsx", user=reporter, plan=plan)
    assert not preview.ok and [e.code for e in preview.errors] == ["unsafe"]


def test_cells_are_counted_across_the_workbook():
    """Two sheets each within the area limit, together beyond the cell limit."""
    rows = MAX_CELLS // 2 // 10 + 1
    sheet = hostile.matrix_rows([["X", *range(9)]] * rows)
    data = hostile.workbook(sheet)
    source = zipfile.ZipFile(io.BytesIO(data))
    second = source.read("xl/worksheets/sheet1.xml")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                body = body.replace(
                    b"</sheets>", b'<sheet name="second" sheetId="2" r:id="rId2"/></sheets>'
                )
            if item.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId2" Type="x" Target="worksheets/sheet2.xml"/>'
                    b"</Relationships>",
                )
            target.writestr(item, body)
        target.writestr("xl/worksheets/sheet2.xml", second)
    inspect_xlsx(data, max_bytes=settings.IMPORT_MAX_BYTES)  # one sheet alone passes
    with pytest.raises(UnsafeFile, match="second"):
        inspect_xlsx(out.getvalue(), max_bytes=settings.IMPORT_MAX_BYTES)


def test_a_file_of_many_errors_stops_at_the_limit_and_says_so(client, plan, reporter):
    data = hostile.dense_matrix(rows=3_000, years=5)  # 15,000 figures of unknown targets
    preview = build_preview(data, file_name="dense.xlsx", user=reporter, plan=plan)
    assert len(preview.errors) == MAX_PROBLEMS and preview.errors.full
    assert {e.code for e in preview.errors} == {"unknown_code"}
    assert preview.unchecked == 15_000 - MAX_PROBLEMS
    client.force_login(reporter)
    page = upload(client, plan, data).content.decode()
    assert f"文件有 {MAX_PROBLEMS} 处或更多错误" in page
    assert "另有 14800 项未检查" in page
    assert page.count("X000") <= MAX_PROBLEMS + 5  # the first errors, not all
    assert not PendingImport.objects.exists()


def test_reading_stops_at_the_error_limit(plan):
    """Rows with figures but no code: the reader's own errors stop it too."""
    rows = [["指标代码", 2021, 2022], *[["", 1, 2]] * 5_000]
    data = hostile.workbook(hostile.matrix_rows(rows))
    read = read_workbook(data, inspect_xlsx(data, max_bytes=settings.IMPORT_MAX_BYTES))
    assert len(read.errors) == MAX_PROBLEMS
    assert read.rows == []


def test_warnings_past_the_limit_are_counted_not_kept(plan, reporter):
    from tracker.models import Target

    codes = [f"R{i:04d}" for i in range(MAX_PROBLEMS + 50)]
    for code in codes:
        factory.make_target(
            plan,
            code=code,
            area=Target.objects.first().area,
            lead_department=reporter.departments.first(),
        )
    # Ten times the plan's path, each explained in its note: a warning per figure.
    head = [["规划", plan.slug], ["年度", 2023], ["指标代码", "数值", "备注"]]
    rows = [*head, *[[code, 1600, "核实"] for code in codes]]
    data = hostile.workbook(hostile.matrix_rows(rows))
    preview = build_preview(data, file_name="many.xlsx", user=reporter, plan=plan)
    assert preview.ok, preview.errors[:3]
    questioned = [w for w in preview.warnings if w.code == "implausible"]
    assert len(preview.warnings) == MAX_PROBLEMS
    assert len(questioned) + preview.warnings.more >= len(codes)
    assert preview.payload()["more_warnings"] == preview.warnings.more > 0


@pytest.mark.parametrize("strict", [False, True], ids=["transitional", "strict"])
def test_a_formula_without_a_saved_result_is_refused_in_either_namespace(plan, reporter, strict):
    make = (
        hostile.strict_with_unsaved_formula
        if strict
        else (hostile.transitional_with_unsaved_formula)
    )
    data = make("GDP")
    assert (b"purl.oclc.org" in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")) == strict
    preview = build_preview(data, file_name="formula.xlsx", user=reporter, plan=plan)
    assert not preview.ok
    assert [(e.sheet, e.cell, e.code) for e in preview.errors] == [
        ("年度数据", "C2", "unsaved_formula")
    ]


@pytest.mark.parametrize("number", ["1E-999999", "1e-999994", "-1E-400", "1E+999999", "NaN"])
def test_a_number_a_float_would_turn_into_another_is_refused_at_its_cell(plan, reporter, number):
    """Read as a float, 1E-999999 is 0 and 1E+999999 infinity: the cell's own text decides."""
    rows = [["指标代码", 2021, 2022], ["GDP", 150, Decimal(number)]]  # written as typed
    data = hostile.workbook(hostile.matrix_rows(rows))
    with pytest.raises(UnsafeFile, match=f"单元格 C2 中的数值 {re.escape(str(Decimal(number)))}"):
        inspect_xlsx(data, max_bytes=settings.IMPORT_MAX_BYTES)
    preview = build_preview(data, file_name="tiny.xlsx", user=reporter, plan=plan)
    assert not preview.ok and [e.code for e in preview.errors] == ["unsafe"]


@pytest.mark.parametrize("number", ["0", "0.0", "0E+5", "-0", "1E-6", "150.25", "9.99E+11"])
def test_zero_and_numbers_a_float_keeps_pass_the_check(number):
    data = hostile.workbook(hostile.matrix_rows([["指标代码", 2021], ["GDP", Decimal(number)]]))
    inspect_xlsx(data, max_bytes=settings.IMPORT_MAX_BYTES)
