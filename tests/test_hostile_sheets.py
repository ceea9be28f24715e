"""A sheet whose cells reach far beyond any plan's table is refused before it is read.

python-calamine holds a sheet as the whole rectangle up to its farthest cell, so one value
in XFD1048576 would ask for hundreds of gigabytes. The safety check counts the cells really
there, and does not trust the sheet's own <dimension>.
"""

from __future__ import annotations

import io
import re
import resource
import time
import zipfile

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factory
from tracker.excel.importer import build_preview
from tracker.excel.reader import read_workbook
from tracker.excel.safety import UnsafeFile, inspect_xlsx
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
def test_a_sheet_reaching_far_is_refused_quickly_with_little_memory(cell, lie):
    data = far_workbook(cell)
    if lie:
        data = lying_dimension(data)
    assert len(data) < 10_000
    before, started = peak_memory_kb(), time.perf_counter()
    with pytest.raises(UnsafeFile) as refusal:
        inspect_xlsx(data, max_bytes=5 * 1024 * 1024)
    assert time.perf_counter() - started < 0.5
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
    started = time.perf_counter()
    result = preview_targets(data, plan=plan, file_name="far.xlsx", max_bytes=5 * 1024 * 1024)
    assert time.perf_counter() - started < 0.5
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


def test_millions_of_empty_cells_are_refused_without_scanning_them_all(monkeypatch):
    from tracker.excel import safety

    monkeypatch.setattr(safety, "MAX_RATIO", 10_000)  # let it past the zip-bomb check

    def many_empty_cells(body: bytes) -> bytes:
        cells = b'<c r="A3" s="0"/>' * (2_000_001)
        return body.replace(b"</sheetData>", b'<row r="3">' + cells + b"</row></sheetData>")

    data = rewrite_sheet(far_workbook(), many_empty_cells)
    started = time.perf_counter()
    with pytest.raises(UnsafeFile, match="年度数据"):
        inspect_xlsx(data, max_bytes=5 * 1024 * 1024)
    assert time.perf_counter() - started < 5


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
    started = time.perf_counter()
    with pytest.raises(UnsafeFile):
        inspect_xlsx(data, max_bytes=len(data) + 1)
    assert time.perf_counter() - started < 10
    preview = build_preview(data, file_name="text.xlsx", user=reporter, plan=plan)
    assert not preview.ok and not PendingImport.objects.exists()
