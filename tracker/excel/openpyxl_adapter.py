"""The one place that reaches into openpyxl's internals, for speed and a default font.

openpyxl's public write-only API binds every value to a cell object, hashes every style of
every cell and streams each cell through its XML library element by element: most of the
time of a province-sized report. Here the rows are written as XML text straight from their
values, styles are registered once per workbook, and the workbook's default font is set.
That takes openpyxl's private names (`_writer`, `_get_writer`, `_values_to_row`, `_fonts`,
`_cell_styles`, `_style`, `cell._writer`, `worksheet._writer`), which may change in any
release: openpyxl is pinned to the minor version tested (pyproject.toml), and importing
this module under another refuses with a message rather than writing wrong workbooks.
It writes the same workbook with lxml and without it (openpyxl's et_xmlfile), as
tests/test_row_writer.py checks.
"""

from __future__ import annotations

import math
import re
from copy import copy
from decimal import Decimal
from functools import partial
from typing import NamedTuple
from xml.sax.saxutils import escape

import openpyxl
from openpyxl import LXML, Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell._writer import etree_write_cell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import tostring, xmlfile

TESTED = "3.1."
if not openpyxl.__version__.startswith(TESTED):
    raise ImportError(
        f"tracker.excel.openpyxl_adapter uses openpyxl {TESTED}x's internals, and openpyxl "
        f"{openpyxl.__version__} is installed: install the version pyproject.toml names."
    )

# What XML 1.0 cannot hold: control characters (pasted from elsewhere), the two
# non-characters and halves of surrogate pairs.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Styled(NamedTuple):
    """A value and its style, registered with the workbook: a cell once its row is written."""

    value: object
    style: StyleArray
    style_id: int
    quote: bool


def register_style(ws, *, quote: bool, **styles) -> tuple[StyleArray, int]:
    """A cell style made of `styles` (font=..., fill=..., None for none), registered with the
    workbook of `ws`: its style array and its index."""
    scratch = WriteOnlyCell(ws)
    # Stored as a string with Excel's quote prefix: shown as typed, never run.
    scratch.quotePrefix = quote
    for name, style in styles.items():
        if style is not None:
            setattr(scratch, name, style)
    style = copy(scratch._style)
    return style, ws.parent._cell_styles.add(style)


def workbook(default_font) -> Workbook:
    """A write-only workbook whose default font is `default_font`: openpyxl offers no public
    setter, and the first font of a workbook is its default."""
    wb = Workbook(write_only=True)
    wb._fonts = IndexedList([default_font])
    return wb


def sheet(wb, title: str):
    """A write-only sheet whose rows may mix styled values (from `cell`) and plain ones."""
    ws = wb.create_sheet(title)
    ws._values_to_row = lambda values, row_idx: values
    ws.row_dimensions = RowHeights()
    # Styles by the identities of their parts, registered once for the whole workbook.
    ws.registered_styles = wb.__dict__.setdefault("registered_styles", {})
    ws._get_writer = partial(_get_row_writer, ws)
    return ws


def _get_row_writer(ws) -> None:
    # As WriteOnlyWorksheet._get_writer, with the writer below.
    if ws._writer is None:
        ws._writer = RowWriter(ws)
        ws._writer.write_top()


# The values written as they are (see RowWriter).
NUMBERS = {int, float, Decimal}
TEXT_ESCAPES = {"\r": "&#13;"}


class RowHeight:
    __slots__ = ("height",)

    def __init__(self):
        self.height = None


class RowHeights(dict):
    """A write-only sheet's rows, set as openpyxl's are (`ws.row_dimensions[n].height`) and
    written by RowWriter: openpyxl's object for each row costs more than its cells."""

    def __missing__(self, index: int) -> RowHeight:
        row = self[index] = RowHeight()
        return row


class _Collected(list):
    """Stands in for the XML stream when openpyxl writes a cell: keeps its element."""

    write = list.append


class _Utf8Text:
    """A text stream onto the sheet's file. Without lxml, openpyxl's XML writer
    (et_xmlfile) buffers what it writes to a binary file and cannot be flushed; given a text
    stream it writes through at once, so its parts and the rows stay in order."""

    def __init__(self, file):
        self.file = file

    def write(self, text: str) -> None:
        self.file.write(text.encode())


class RowWriter(WorksheetWriter):
    """Writes each appended row as one piece of XML, straight from its values.

    Text and finite numbers, nearly all of a report's cells, become the very XML openpyxl
    writes for them by formatting a string; anything else (a date, a formula, an error code,
    a value quoted as text) is serialised by openpyxl's own cell writer. The rest of the
    sheet (columns, print setup, merges) goes through openpyxl's stream as usual, which is
    flushed before each row.
    """

    def get_stream(self):
        # As WorksheetWriter.get_stream, on a file object that the rows are written to too.
        with open(self.out, "wb") as self.file:
            stream = (
                xmlfile(self.file) if LXML else xmlfile(_Utf8Text(self.file), encoding="unicode")
            )
            with stream as xf, xf.element("worksheet", xmlns=SHEET_MAIN_NS):
                try:
                    while True:
                        element = yield
                        if element is True:
                            yield xf
                        elif element is not None:
                            xf.write(element)
                except GeneratorExit:
                    pass

    def write_row(self, xf, row, row_idx):
        number = f"{row_idx}"
        height = getattr(self.ws.row_dimensions.get(row_idx), "height", None)
        size = "" if height is None else f' ht="{float(height)}" customHeight="1"'
        parts = [f'<row r="{number}"{size}>']
        for col_idx, value in enumerate(row, 1):
            if value is None:
                continue
            ref = get_column_letter(col_idx) + number
            if isinstance(value, Styled):
                text = _plain_xml(ref, value.value, f' s="{value.style_id}"', value.quote)
            else:
                text = _plain_xml(ref, value, "", False)
            parts.append(text if text is not None else self._openpyxl_xml(value, col_idx, row_idx))
        parts.append("</row>")
        if LXML:
            xf.flush()  # et_xmlfile, given a text stream, has written through already
        self.file.write("".join(parts).encode())

    def _openpyxl_xml(self, value, col_idx: int, row_idx: int) -> str:
        c = WriteOnlyCell(self.ws)
        if isinstance(value, Styled):
            c._style = copy(value.style)  # before the value: a date adds its number format
            c.value = value.value
            if value.quote:
                c.data_type = "s"
        else:
            c.value = value
        c.column, c.row = col_idx, row_idx
        collected = _Collected()
        etree_write_cell(collected, self.ws, c, c.has_style)
        return tostring(collected[0], encoding="unicode")


def _plain_xml(ref: str, value, style: str, quote: bool) -> str | None:
    """A cell's XML as openpyxl writes it, for empty cells, text and finite numbers; None
    for anything else, which openpyxl writes (or refuses) itself. `style` is its style
    attribute, or nothing."""
    if value is None:
        return f'<c r="{ref}"{style} t="n"/>'
    if type(value) is str:
        if quote or value in ERROR_CODES or value.startswith("=") or NOT_IN_XML.search(value):
            return None
        if not value:
            return f'<c r="{ref}"{style} t="inlineStr"/>'
        value = value[:32767]
        space = ' xml:space="preserve"' if value != value.strip() else ""
        if "&" in value or "<" in value or ">" in value or "\r" in value:
            value = escape(value, TEXT_ESCAPES)
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{value}</t></is></c>'
    if type(value) in NUMBERS and math.isfinite(value):  # openpyxl writes "" for the rest
        return f'<c r="{ref}"{style} t="n"><v>{value:.16g}</v></c>'
    return None
