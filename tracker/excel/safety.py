"""Checks an uploaded file before any parser sees it: every upload is hostile until validated.

Refused here, each with a reason a person understands: an empty file, one over the size
limit, anything that is not an .xlsx whatever its name (CSV, old .xls, text, a damaged or
truncated zip, another Office file), a zip bomb (counted by the bytes actually inflated,
not the sizes the archive claims), XML with a DTD or entities (billion laughs, external
entities) or that is not well-formed, and a sheet whose cells reach beyond anything a plan
fills (python-calamine holds a sheet as the full rectangle up to its farthest cell: one
value in XFD1048576 would ask for hundreds of gigabytes) or a workbook with more filled
cells than any plan's table. The same pass notes formula cells without a saved value, which
the reader would otherwise see as blank, and cells formatted as percentages.

Every XML part is read once, as it is inflated, by expat (a streaming parser: no tree is
built and each element costs the same whatever follows it), so the check's time grows with
the file and its memory does not. Elements are matched by their local name, as
python-calamine matches them: the transitional namespaces Excel writes, the strict ones
(purl.oclc.org) and any other prefix are judged alike.
"""

from __future__ import annotations

import io
import math
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.parsers import expat

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

# What a real workbook of the largest plans needs, with a wide margin: the report of a
# 10,000-target plan inflates to 17 MB. A worker reading a file holds a few times this.
MAX_INFLATED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200  # inflated / packed, per member; real xlsx parts stay below ~30
MAX_MEMBERS = 2000
CHUNK = 1 << 16
# A sheet the reader accepts: the largest plans (10,000 targets, 30 years) fit with room to
# spare, and the rectangle calamine allocates (about 32 bytes a cell) stays under 16 MB.
MAX_ROWS = 100_000
MAX_COLUMNS = 300
MAX_AREA = 500_000
# Filled cells in the whole workbook: the full report of a 10,000-target plan has 317,000.
# Reading and judging cost a few microseconds a cell, so this bounds an upload's time.
MAX_CELLS = 500_000
# Cell elements of any kind, empty styled ones included, in the whole workbook.
MAX_CELL_ELEMENTS = 1_000_000
MAX_STYLES = 65_536  # Excel itself keeps at most 64,000 cell formats
MAX_SHEETS = MAX_MEMBERS
# The parts whose content the other checks need, read before the sheets.
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
STYLES = "xl/styles.xml"


class UnsafeFile(Exception):
    """The file is refused before parsing; the message says why, and where when it is one
    cell (`sheet`, `cell`)."""

    def __init__(self, message, *, sheet: str = "", cell: str = ""):
        super().__init__(message)
        self.sheet, self.cell = sheet, cell


@dataclass
class Inspection:
    """What the check learned, by sheet name: formula cells with no saved value, and cells
    formatted as percentages (Excel stores a typed 2.5% as 0.025)."""

    unsaved_formulas: dict[str, set[str]] = field(default_factory=dict)
    percent_cells: dict[str, set[str]] = field(default_factory=dict)


def damaged() -> UnsafeFile:
    return UnsafeFile(_("The file is damaged or incomplete: it cannot be opened as .xlsx."))


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
        raise damaged() from None
    names = {m.filename for m in members}
    if len(members) > MAX_MEMBERS:
        raise UnsafeFile(_("The file has too many parts to be a workbook."))
    if "[Content_Types].xml" not in names or WORKBOOK not in names:
        raise UnsafeFile(
            _("This is not an Excel workbook (a Word or other file with an .xlsx name?).")
        )
    scan = _Scan()
    # The workbook, its relationships and the styles first: the sheets' checks name sheets
    # and know percentage styles as they go.
    order = {WORKBOOK: 0, WORKBOOK_RELS: 1, STYLES: 2}
    for member in sorted(members, key=lambda m: order.get(m.filename, 3)):
        if member.flag_bits & 0x1:
            raise UnsafeFile(_("The file is encrypted; remove the password and upload again."))
        scan.read(archive, member)
    return scan.inspection()


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


def column_number(letters: str) -> int:
    """A column's number from its letters: A is 1, XFD is 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def local_name(name: str) -> str:
    return name.rpartition(":")[2]


class _Names:
    """Local names of the qualified names a part uses, looked up once each.

    The cache is bounded, so a part of millions of distinct names costs time, not memory.
    """

    def __init__(self):
        self.known: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        local = self.known.get(name)
        if local is None:
            local = local_name(name)
            if len(self.known) < 1024:
                self.known[name] = local
        return local


class _Scan:
    """One pass over every member of the archive, keeping only what the reader needs."""

    def __init__(self):
        self.inflated = 0
        self.cells = 0  # filled cells, workbook-wide
        self.cell_elements = 0
        self.sheet_ids: dict[str, str] = {}  # relationship id -> sheet name
        self.targets: dict[str, str] = {}  # relationship id -> part name
        self.xf_formats: list[int] = []  # each cell style's number format, in order
        self.percent_formats: set[int] = {9, 10}
        self.unsaved: dict[str, set[str]] = {}
        self.percents: dict[str, set[str]] = {}
        self._percent_styles: set[int] | None = None

    # -- the archive ------------------------------------------------------------------

    def read(self, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
        """Inflate one member, counting the bytes really produced, and parse its XML.

        Stops as soon as the budget or the ratio is passed, so a bomb costs a few megabytes
        of work rather than gigabytes.
        """
        name = member.filename
        parser = None
        part = None
        if name.endswith((".xml", ".rels")):
            part = _Part(self, name)
            parser = part.parser
        limit = min(
            MAX_INFLATED_BYTES - self.inflated,
            max(member.compress_size, 1) * MAX_RATIO + 1024 * 1024,
        )
        produced = 0
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
                    if parser is not None:
                        parser = part.feed(chunk)
            if parser is not None:
                part.feed(b"", final=True)
        except DAMAGE:
            raise damaged() from None
        self.inflated += produced

    def inspection(self) -> Inspection:
        names = self.sheet_names()
        return Inspection(
            {names.get(p, p): cells for p, cells in self.unsaved.items() if cells},
            {names.get(p, p): cells for p, cells in self.percents.items() if cells},
        )

    def sheet_names(self) -> dict[str, str]:
        """Worksheet part names (xl/worksheets/sheet1.xml) to the sheet names people see."""
        named = {}
        for rid, sheet in self.sheet_ids.items():
            target = self.targets.get(rid, "")
            if target.startswith("/"):
                target = target.lstrip("/")
            elif not target.startswith("xl/"):
                target = f"xl/{target}"
            named[target] = sheet
        return named

    def percent_styles(self) -> set[int]:
        if self._percent_styles is None:
            self._percent_styles = {
                index for index, fmt in enumerate(self.xf_formats) if fmt in self.percent_formats
            }
        return self._percent_styles

    # -- limits -----------------------------------------------------------------------

    def check_extent(self, part: str, rows: int, columns: int, cell: tuple[int, int]) -> None:
        """Refuse the sheet if its extent is out of bounds; name the cell that takes it
        there."""
        if rows <= MAX_ROWS and columns <= MAX_COLUMNS and rows * columns <= MAX_AREA:
            return
        raise UnsafeFile(
            _(
                "The sheet “%(sheet)s” reaches cell %(cell)s, far beyond any plan's table "
                "(at most %(rows)s rows, %(columns)s columns and %(area)s cells from A1 to "
                "the last are read). Delete what lies outside the table, or copy the table "
                "into a new workbook, and upload again."
            )
            % {
                "sheet": self.sheet_names().get(part, part),
                "cell": f"{get_column_letter(min(max(cell[1], 1), 18278))}{cell[0]}",
                "rows": f"{MAX_ROWS:,}",
                "columns": MAX_COLUMNS,
                "area": f"{MAX_AREA:,}",
            }
        )

    def refuse_number(self, part: str, row: int, column: int, number: str) -> None:
        cell = f"{get_column_letter(min(max(column, 1), 18278))}{row}"
        sheet = self.sheet_names().get(part, part)
        raise UnsafeFile(
            _(
                "The cell %(cell)s of the sheet “%(sheet)s” holds the number %(number)s, "
                "which no figure can be: a figure is zero, or from 0.000001 to below 10¹². "
                "Type the figure itself and upload again."
            )
            % {"cell": cell, "sheet": sheet, "number": number.strip()[:40]},
            sheet=sheet,
            cell=cell,
        )

    def too_many_cells(self, part: str, limit: int) -> UnsafeFile:
        return UnsafeFile(
            _(
                "The workbook holds more than %(cells)s cells (the sheet “%(sheet)s” passes "
                "the count), far more than any plan's table. Delete what lies outside the "
                "table, or copy the table into a new workbook, and upload again."
            )
            % {"cells": f"{limit:,}", "sheet": self.sheet_names().get(part, part)}
        )


def _refuse_declarations(*_args):
    raise _Declarations


class _Declarations(Exception):
    pass


class _Part:
    """One XML part, parsed as it is inflated.

    Every part is parsed for declarations (a DTD or entities are refused wherever they
    are). The workbook, its relationships and the styles yield sheet names and percentage
    formats. Any part with a <sheetData> is judged as a sheet from there on, whatever its
    name, since a relationship may point a sheet at any part. A part the reader never
    needs may be malformed: that is left to the reader, which skips it.
    """

    def __init__(self, scan: _Scan, name: str):
        self.scan, self.name = scan, name
        self.needed = name in (WORKBOOK, WORKBOOK_RELS, STYLES)
        self.sheet: _Sheet | None = None
        self.local = _Names()
        self.depth = 0
        self.in_cell_formats = False
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = _refuse_declarations
        parser.EntityDeclHandler = _refuse_declarations
        parser.UnparsedEntityDeclHandler = _refuse_declarations
        parser.ExternalEntityRefHandler = _refuse_declarations
        parser.StartElementHandler = self.start
        if name == STYLES:
            parser.EndElementHandler = self.end
        self.parser = parser

    def feed(self, chunk: bytes, final: bool = False):
        """Parse a chunk; the parser, or None once a part nobody reads stops parsing."""
        try:
            self.parser.Parse(chunk, final)
        except _Declarations:
            raise UnsafeFile(
                _("The file contains XML declarations that are not allowed (in %(part)s).")
                % {"part": self.name}
            ) from None
        except expat.ExpatError:
            if self.needed or self.sheet is not None:
                raise damaged() from None
            return None
        if final and self.sheet is not None:
            self.sheet.close_cell()
        return self.parser

    def start(self, name: str, attrs: dict) -> None:
        local = self.local(name)
        if local == "sheetData":
            self.sheet = _Sheet(self.scan, self.name, self.parser, self.local)
            self.parser.StartElementHandler = self.sheet.start
            return
        if self.name == WORKBOOK:
            if local == "sheet" and len(self.scan.sheet_ids) < MAX_SHEETS:
                rid = next((v for k, v in attrs.items() if local_name(k) == "id" and ":" in k), "")
                self.scan.sheet_ids[rid] = attrs.get("name", "")
        elif self.name == WORKBOOK_RELS:
            if local == "Relationship" and len(self.scan.targets) < MAX_SHEETS:
                self.scan.targets[attrs.get("Id", "")] = attrs.get("Target", "")
        elif self.name == STYLES:
            self._style(local, attrs)

    def _style(self, local: str, attrs: dict) -> None:
        if local == "numFmt":
            code = attrs.get("formatCode", "").replace('"%"', "")
            number = _integer(attrs.get("numFmtId"))
            if "%" in code and number is not None:
                self.scan.percent_formats.add(number)
        elif local == "cellXfs":
            self.in_cell_formats = True
        elif local == "xf" and self.in_cell_formats and len(self.scan.xf_formats) < MAX_STYLES:
            self.scan.xf_formats.append(_integer(attrs.get("numFmtId", "0")) or 0)

    def end(self, name: str) -> None:
        if self.local(name) == "cellXfs":
            self.in_cell_formats = False


def _integer(text: str | None) -> int | None:
    return int(text) if text and len(text) < 10 and text.isdigit() else None


class _Sheet:
    """The cells of one sheet, element by element.

    A cell is judged when the next cell or row starts, or the part ends, so only start tags
    need a handler: what a cell held (a value, a formula) is known by then. Cells without
    a reference follow the one before, and rows without one the row before, as Excel
    places them. Empty cells (as styles leave them) do not count toward the extent. The
    handler runs for every element of the sheet: it does a few dictionary lookups and
    comparisons, never a search.
    """

    def __init__(self, scan: _Scan, part: str, parser, names: _Names):
        self.scan, self.part, self.parser, self.local = scan, part, parser, names
        self.known = names.known
        self.row = self.column = 0
        self.far_row = self.far_column = 0
        self.rows = 0
        self.open = self.watching = False
        self.filled = self.formula = self.value = self.numeric = False
        self.number = ""
        self.style: str | None = None
        self.unsaved = scan.unsaved.setdefault(part, set())
        self.percents = scan.percents.setdefault(part, set())
        self.percent_styles = scan.percent_styles()

    def start(self, name: str, attrs: dict) -> None:
        local = self.known.get(name) or self.local(name)
        if self.watching:
            self.parser.CharacterDataHandler = None
            self.watching = False
        if local == "c":
            if self.open:
                self.close_cell()
            scan = self.scan
            scan.cell_elements += 1
            if scan.cell_elements > MAX_CELL_ELEMENTS:
                raise scan.too_many_cells(self.part, MAX_CELL_ELEMENTS)
            place = attrs.get("r")
            if place:
                letters, number = _place(place)
                if letters:
                    self.column = letters
                    if number:
                        self.row = number
                else:
                    self.column += 1
            else:
                self.column += 1
            self.open = True
            self.filled = self.formula = self.value = False
            self.numeric = attrs.get("t", "n") == "n"
            self.style = attrs.get("s")
        elif local == "v":
            self.filled = True
            if self.formula:  # only then does the value's text matter
                self.parser.CharacterDataHandler = self.text
                self.watching = True
            elif self.numeric:  # a number's text, to see what a float would hide
                self.parser.CharacterDataHandler = self.digits
                self.watching = True
        elif local == "f":
            self.filled = self.formula = True
        elif local == "is":
            self.filled = True
        elif local == "row":
            if self.open:
                self.close_cell()
            self.rows += 1
            if self.rows > MAX_ROWS:
                self.scan.check_extent(self.part, MAX_ROWS + 1, 1, (MAX_ROWS + 1, 1))
            place = attrs.get("r")
            number = _integer(place) if place else None
            self.row = number if number is not None else self.row + 1
            self.column = 0

    def text(self, data: str) -> None:
        if not self.value and data.strip():
            self.value = True

    def digits(self, data: str) -> None:
        if len(self.number) < 400:
            self.number += data

    def close_cell(self) -> None:
        if not self.open:
            return
        self.open = False
        row, column = self.row, self.column
        if self.number:
            number, self.number = self.number, ""
            if _beyond_a_float(number):
                self.scan.refuse_number(self.part, row, column, number)
        if self.percent_styles and _integer(self.style) in self.percent_styles:
            self.percents.add(f"{get_column_letter(min(column, 18278) or 1)}{row}")
        if not self.filled:
            return
        scan = self.scan
        scan.cells += 1
        if scan.cells > MAX_CELLS:
            raise scan.too_many_cells(self.part, MAX_CELLS)
        if row > self.far_row or column > self.far_column:
            self.far_row, self.far_column = max(self.far_row, row), max(self.far_column, column)
            far = self.far_row, self.far_column
            if far[0] > MAX_ROWS or far[1] > MAX_COLUMNS or far[0] * far[1] > MAX_AREA:
                scan.check_extent(self.part, *far, (row, column))
        if self.formula and not self.value:
            self.unsaved.add(f"{get_column_letter(min(column, 18278) or 1)}{row}")


def _beyond_a_float(text: str) -> bool:
    """Whether a number cell's text is one a reader's float turns into something else:
    1E-999999 into 0 (a figure that is not zero read as zero), 1E+999999 into infinity."""
    try:
        number = float(text)
    except ValueError:
        return False  # not a number: the reader says so at its cell
    if math.isinf(number) or math.isnan(number):
        return True
    return number == 0 and any(c in "123456789" for c in text.lower().partition("e")[0])


COLUMNS: dict[str, int] = {}
DIGITS = frozenset("0123456789")


def _place(place: str) -> tuple[int, int]:
    """A cell reference's column and row numbers (0 where it has none): "B12" is (2, 12).

    Anything else (too long, lower case, other characters) counts as no reference.
    """
    if len(place) > 10:
        return 0, 0
    letters = place.rstrip("0123456789")
    column = COLUMNS.get(letters)
    if column is None:
        if not (
            len(letters) <= 3 and letters.isascii() and letters.isalpha() and letters.isupper()
        ):
            return 0, 0
        column = COLUMNS[letters] = column_number(letters)
    digits = place[len(letters) :]
    return column, int(digits) if digits else 0
