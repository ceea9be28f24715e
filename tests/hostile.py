"""Small workbooks built to cost a server far more than their size, and a strict one.

Each is written as raw XML into a zip, so a test (or bench/run.py) can make it in a moment
without going through a library that would refuse to write it. The sheet is the report's
year matrix (指标代码 and year columns), in the transitional namespaces Excel writes or the
strict ones (purl.oclc.org) that "Strict Open XML" saves use.
"""

from __future__ import annotations

import io
import zipfile

TRANSITIONAL = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "rel": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "sheet": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet",
}
STRICT = {
    "main": "http://purl.oclc.org/ooxml/spreadsheetml/main",
    "rel": "http://purl.oclc.org/ooxml/officeDocument/relationships",
    "sheet": "http://purl.oclc.org/ooxml/officeDocument/relationships/worksheet",
}
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_NAME = "年度数据"


def workbook(sheet_data: bytes, *, strict: bool = False, sheet_name: str = SHEET_NAME) -> bytes:
    """A one-sheet workbook whose <sheetData> is `sheet_data`, as it is (even broken)."""
    ns = STRICT if strict else TRANSITIONAL
    office = (
        "http://purl.oclc.org/ooxml/officeDocument"
        if strict
        else ("http://schemas.openxmlformats.org/officeDocument/2006")
    )
    parts = {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" '
            b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/xl/workbook.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            b"</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
            f'<Relationship Id="rId1" Type="{office}/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns["main"]}" '
            f'xmlns:r="{ns["rel"]}"><sheets><sheet name="{sheet_name}" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
            f'<Relationship Id="rId1" Type="{ns["sheet"]}" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns["main"]}" '
            f'xmlns:r="{ns["rel"]}"><sheetData>'
        ).encode()
        + sheet_data
        + b"</sheetData></worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def matrix_rows(rows: list[list], first_row: int = 1) -> bytes:
    """Rows of cells from A: text inline, numbers as numbers, "=..." as a formula without
    a saved result."""
    out = []
    for r, values in enumerate(rows, start=first_row):
        cells = []
        for c, value in enumerate(values):
            ref = f"{chr(65 + c)}{r}"
            if isinstance(value, str) and value.startswith("="):
                cells.append(f'<c r="{ref}"><f>{value[1:]}</f></c>')
            elif isinstance(value, str):
                cells.append(text_cell(ref, value))
            else:
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return "".join(out).encode()


def unclosed_formulas(count: int = 40_000) -> bytes:
    """`<c r="A1"><f>1</f>` again and again, no cell ever closed: a few KB packed.

    A pattern that looks for each cell's end from each cell's start reads the rest of the
    sheet for every cell: quadratic.
    """
    return workbook(b'<row r="1">' + b'<c r="A1"><f>1</f>' * count)


def open_cell_flood(count: int = 300_000) -> bytes:
    """<sheetData> and then `<c ` again and again, not one tag closed."""
    return workbook(b"<c " * count)


def dense_matrix(rows: int = 100_000, years: int = 14) -> bytes:
    """A year matrix at the limits: `rows` codes no plan has, each with a figure a year."""
    header = matrix_rows([["指标代码", *range(2011, 2011 + years)]])
    letters = [chr(66 + c) for c in range(years)]
    body = io.BytesIO()
    body.write(header)
    for r in range(2, rows + 2):
        cells = "".join(
            f'<c r="{col}{r}"><v>{(r + c) % 10}</v></c>' for c, col in enumerate(letters)
        )
        body.write(f'<row r="{r}">{text_cell(f"A{r}", f"X{r:06d}")}{cells}</row>'.encode())
    return workbook(body.getvalue())


def strict_with_unsaved_formula(code: str = "GDP") -> bytes:
    """A strict OOXML year matrix: one figure typed, one a formula never calculated."""
    return workbook(matrix_rows([["指标代码", 2021, 2022], [code, 150, "=B2*2"]]), strict=True)


def transitional_with_unsaved_formula(code: str = "GDP") -> bytes:
    """The same workbook in the transitional namespaces Excel writes by default."""
    return workbook(matrix_rows([["指标代码", 2021, 2022], [code, 150, "=B2*2"]]))
