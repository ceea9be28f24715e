"""Checks an uploaded file before any parser sees it: every upload is hostile until validated.

Refused here, each with a reason a person understands: an empty file, one over the size
limit, anything that is not an .xlsx whatever its name (CSV, old .xls, text, a damaged or
truncated zip, another Office file), a zip bomb (counted by the bytes actually inflated,
not the sizes the archive claims), and XML with a DTD or entities (billion laughs, external
entities), and a sheet whose cells reach beyond anything a plan fills (python-calamine
holds a sheet as the full rectangle up to its farthest cell: one value in XFD1048576 would
ask for hundreds of gigabytes). The same pass notes formula cells without a saved value,
which the reader would otherwise see as blank.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from defusedxml import ElementTree
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

# What a real workbook of the largest plans needs, with a wide margin: the report of a
# 10,000-target plan inflates to 17 MB. A worker reading a file holds a few times this.
MAX_INFLATED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200  # inflated / packed, per member; real xlsx parts stay below ~30
MAX_MEMBERS = 2000
CHUNK = 1 << 16
PROLOG_BYTES = 4096  # a DTD can only come before the root element
# A sheet the reader accepts: the largest plans (10,000 targets, 30 years) fit with room to
# spare, and the rectangle calamine allocates (about 32 bytes a cell) stays under 64 MB.
MAX_ROWS = 100_000
MAX_COLUMNS = 300
MAX_AREA = 2_000_000

FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*(?<!/)>(.*?)</c>', re.S)
STYLED_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*? s="([0-9]+)"')
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]*[0-9]*:?([A-Z]*)([0-9]*)"')
ROW_OR_CELL = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]*?)(/?)>")
REF_ATTR = re.compile(rb'\sr="([A-Z]{0,3})([0-9]{0,7})"')


class UnsafeFile(Exception):
    """The file is refused before parsing; the message says why."""


@dataclass
class Inspection:
    """What the check learned, by sheet name: formula cells with no saved value, and cells
    formatted as percentages (Excel stores a typed 2.5% as 0.025)."""

    unsaved_formulas: dict[str, set[str]] = field(default_factory=dict)
    percent_cells: dict[str, set[str]] = field(default_factory=dict)


def inspect_xlsx(data: bytes, *, max_bytes: int) -> Inspection:
    """Refuse anything but a sane .xlsx; return what the reader needs to know."""
    if not data:
        raise UnsafeFile(_("The file is empty."))
    if len(data) > max_bytes:
        raise UnsafeFile(
            _("The file is %(size)s MB; at most %(limit)s MB is accepted.")
            % {"size": f"{len(data) / 1048576:.1f}", "limit": f"{max_bytes / 1048576:.0f}"}
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsafeFile(
            _(
                "This is an old Excel (.xls) file. "
                "Save it as .xlsx (Excel workbook) and upload again."
            )
        )
    if not data.startswith(b"PK\x03\x04"):
        raise UnsafeFile(
            _("This is not an Excel .xlsx file (it may be CSV or text with an .xlsx name).")
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnsafeFile(
            _("The file is damaged or incomplete: it cannot be opened as .xlsx.")
        ) from None
    names = {m.filename for m in members}
    if len(members) > MAX_MEMBERS:
        raise UnsafeFile(_("The file has too many parts to be a workbook."))
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UnsafeFile(
            _("This is not an Excel workbook (a Word or other file with an .xlsx name?).")
        )
    inflated_total = 0
    formulas: dict[str, set[str]] = {}
    percents: dict[str, set[str]] = {}
    sheets: dict[str, bytes] = {}
    for member in members:
        if member.flag_bits & 0x1:
            raise UnsafeFile(_("The file is encrypted; remove the password and upload again."))
        body, inflated = _inflate(archive, member, MAX_INFLATED_BYTES - inflated_total)
        inflated_total += inflated
        if member.filename.endswith((".xml", ".rels")) and body is not None:
            _refuse_dtd(body[:PROLOG_BYTES], member.filename)
            if b"<sheetData" in body or b":sheetData" in body:
                _refuse_far_cells(archive, member.filename, body)
            if member.filename.startswith("xl/worksheets/"):
                sheets[member.filename] = body
    percent_styles = _percent_styles(archive) if "xl/styles.xml" in names else set()
    for part, body in sheets.items():
        if b"<f" in body:
            formulas[part] = _formulas_without_value(body)
        if percent_styles:
            percents[part] = {
                ref.decode()
                for ref, style in STYLED_CELL.findall(body)
                if int(style) in percent_styles
            }
    if not any(formulas.values()) and not any(percents.values()):
        return Inspection()
    names_by_part = _sheet_names(archive)
    return Inspection(
        {names_by_part.get(p, p): cells for p, cells in formulas.items() if cells},
        {names_by_part.get(p, p): cells for p, cells in percents.items() if cells},
    )


DAMAGE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
    ValueError,
    KeyError,
    RuntimeError,
)


def _inflate(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int):
    """Inflate one member, counting the bytes really produced; keep worksheet XML.

    Returns (body or None, bytes inflated). Stops as soon as the budget or the ratio is
    passed, so a bomb costs a few megabytes of work rather than gigabytes.
    """
    keep = member.filename.endswith((".xml", ".rels"))
    limit = min(budget, max(member.compress_size, 1) * MAX_RATIO + 1024 * 1024)
    produced, parts = 0, []
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK):
                produced += len(chunk)
                if produced > limit:
                    raise UnsafeFile(
                        _(
                            "The file unpacks to far more than its size (a zip bomb?); "
                            "it is refused."
                        )
                    )
                if keep:
                    parts.append(chunk)
    except DAMAGE:
        raise UnsafeFile(
            _("The file is damaged or incomplete: it cannot be opened as .xlsx.")
        ) from None
    return (b"".join(parts) if keep else None), produced


def column_number(letters: bytes) -> int:
    """A column's number from its letters: A is 1, XFD is 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _refuse_far_cells(archive: zipfile.ZipFile, part: str, body: bytes) -> None:
    """Refuse a sheet whose cells reach beyond MAX_ROWS, MAX_COLUMNS or MAX_AREA.

    The sheet's own <dimension> is checked first, then the cells themselves, since the
    dimension may lie. A sheet with more cell or row elements than any table has is refused
    before the scan. Cells without a value (self-closing, as styles leave them) do not count
    toward the extent; cells without a reference follow the one before, as Excel places
    them. The scan stops at the first cell out of bounds.
    """
    dimension = DIMENSION.search(body, 0, 4096)
    if dimension:
        rows, columns = int(dimension[2] or b"1"), column_number(dimension[1] or b"A")
        _check_extent(archive, part, rows, columns, (rows, columns))
    cells = body.count(b"<c ") + body.count(b"<c>") + body.count(b":c ")
    rows = body.count(b"<row") + body.count(b":row")
    if cells > MAX_AREA or rows > MAX_ROWS:  # counted at C speed, before any scan
        _check_extent(archive, part, max(rows, MAX_ROWS + 1), 1, (rows, 1))
    row = column = 0
    far_row = far_column = 0
    for match in ROW_OR_CELL.finditer(body):
        ref = REF_ATTR.search(match[2])
        if match[1] == b"row":
            row = int(ref[2]) if ref and ref[2] else row + 1
            column = 0
            continue
        if ref and ref[1]:
            column = column_number(ref[1])
            row = int(ref[2]) if ref[2] else row
        else:
            column += 1
        if match[3]:
            continue
        if row > far_row or column > far_column:
            far_row, far_column = max(far_row, row), max(far_column, column)
            if far_row > MAX_ROWS or far_column > MAX_COLUMNS or far_row * far_column > MAX_AREA:
                _check_extent(archive, part, far_row, far_column, (row, column))


def _check_extent(archive, part: str, rows: int, columns: int, cell: tuple[int, int]) -> None:
    """Refuse the sheet if its extent is out of bounds; name the cell that takes it there."""
    if rows <= MAX_ROWS and columns <= MAX_COLUMNS and rows * columns <= MAX_AREA:
        return
    try:
        sheet = _sheet_names(archive).get(part, part)
    except UnsafeFile:
        sheet = part
    raise UnsafeFile(
        _(
            "The sheet “%(sheet)s” reaches cell %(cell)s, far beyond any plan's table "
            "(at most %(rows)s rows and %(columns)s columns are read). Delete what lies outside "
            "the table, or copy the table into a new workbook, and upload again."
        )
        % {
            "sheet": sheet,
            "cell": f"{get_column_letter(min(max(cell[1], 1), 18278))}{cell[0]}",
            "rows": f"{MAX_ROWS:,}",
            "columns": MAX_COLUMNS,
        }
    )


def _refuse_dtd(prolog: bytes, name: str) -> None:
    upper = prolog.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise UnsafeFile(
            _("The file contains XML declarations that are not allowed (in %(part)s).")
            % {"part": name}
        )


def _formulas_without_value(body: bytes) -> set[str]:
    missing = set()
    for match in FORMULA_CELL.finditer(body):
        inner = match.group(2)
        if b"<f" in inner and (b"<v>" not in inner or b"<v></v>" in inner):
            missing.add(match.group(1).decode())
    return missing


def _percent_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of cell styles whose number format shows a percentage."""
    styles = _parse(archive, "xl/styles.xml")
    custom = {
        int(fmt.get("numFmtId")): fmt.get("formatCode", "")
        for fmt in styles.iter(f"{MAIN_NS}numFmt")
    }
    cell_xfs = styles.find(f"{MAIN_NS}cellXfs")
    found = set()
    for index, xf in enumerate([] if cell_xfs is None else cell_xfs.iter(f"{MAIN_NS}xf")):
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id in (9, 10) or "%" in custom.get(fmt_id, "").replace('"%"', ""):
            found.add(index)
    return found


def _parse(archive: zipfile.ZipFile, name: str):
    try:
        return ElementTree.fromstring(archive.read(name))
    except Exception:  # defusedxml refusals and parse errors alike: the file is not sane
        raise UnsafeFile(
            _("The file is damaged or incomplete: it cannot be opened as .xlsx.")
        ) from None


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part names (xl/worksheets/sheet1.xml) to the sheet names people see."""
    workbook = _parse(archive, "xl/workbook.xml")
    rels = _parse(archive, "xl/_rels/workbook.xml.rels")
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{PKG_REL_NS}Relationship")}
    named = {}
    for sheet in workbook.iter(f"{MAIN_NS}sheet"):
        target = targets.get(sheet.get(f"{REL_NS}id"), "").lstrip("/")
        named[target if target.startswith("xl/") else f"xl/{target}"] = sheet.get("name")
    return named
