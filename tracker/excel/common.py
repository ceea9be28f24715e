"""What the Excel writers and the reader share: fixed headers, words, styles, safe text.

Headers and words below are interfaces other tooling fills and reads by name, so they are
spelled out in both languages here rather than left to the translation catalogue.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

# The rows' writer, and everything else that reaches into openpyxl's internals.
from tracker.excel.openpyxl_adapter import (  # noqa: F401 (sheet: the writers' API)
    NOT_IN_XML,
    Styled,
    register_style,
    sheet,
    workbook,
)

ZH, EN = 0, 1

# Columns of the data-entry template, keyed by what they hold.
TEMPLATE_COLUMNS = {
    "code": ("指标代码", "Code"),
    "name": ("指标名称", "Target"),
    "unit": ("单位", "Unit"),
    "previous": ("上年数值", "Last year"),
    "target": ("目标值", "Target value"),
    "value": ("数值", "Value"),
    "quality": ("数据质量", "Quality"),
    "note": ("备注", "Note"),
    "state": ("审核状态", "State"),
    # Beside the level: its growth over the previous year at comparable prices, and where
    # the figure was published. Templates made before them import as they are.
    "growth": ("可比价增速(%)", "Growth at comparable prices (%)"),
    "source": ("来源", "Source"),
}
# With the year in it, as the template writes them: 2024年数值, 2023年数值, 2025年目标.
YEARED_COLUMNS = {
    "value": ("{year}年数值", "{year} value"),
    "previous": ("{year}年数值", "{year} value"),
    "target": ("{year}年目标", "{year} target"),
}
YEARED_HEADER = re.compile(r"^(\d{4})\s*(?:年\s*(数值|目标)|(value|target))$")
TEMPLATE_SHEET = ("填报", "Entry")
PLAN_LABEL = ("规划", "Plan")
YEAR_LABEL = ("年度", "Year")
MATRIX_SHEET = ("年度数据", "Yearly data")
MATRIX_CODE = TEMPLATE_COLUMNS["code"]

QUALITY_WORDS = {
    "estimate": ("预计", "estimate"),
    "preliminary": ("初步", "preliminary"),
    "final": ("最终", "final"),
}
YES, NO = ("是", "yes"), ("否", "no")


def yeared_header(text) -> tuple[str, int] | None:
    """A template header with a year: '2024年数值' -> ('value', 2024), '2025年目标' -> ('target',
    2025); None for any other text. Which of two value columns holds the figures is the
    reader's call (the later year)."""
    found = YEARED_HEADER.match(unicodedata.normalize("NFKC", str(text or "")).strip().lower())
    if not found:
        return None
    word = found.group(2) or found.group(3)
    return ("value" if word in ("数值", "value") else "target"), int(found.group(1))


def language_index(language: str | None) -> int:
    return EN if (language or "").startswith("en") else ZH


# -- styles, shared objects so openpyxl stores each once ------------------------------

# Named explicitly: Excel and WPS on Chinese Windows have 等线; elsewhere (LibreOffice on
# Linux) it is missing and fontconfig substitutes its CJK sans face (Noto Sans CJK),
# bold included, instead of a Western serif.
FONT_NAME = "等线"
BODY_SIZE = 10  # printed at 90% or more of this: never below 9 pt
THIN = Side(style="thin", color="A0A4A8")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BODY_FONT = Font(name=FONT_NAME, size=BODY_SIZE)
HEADER_FONT = Font(name=FONT_NAME, size=BODY_SIZE, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="8A1C1C")
TITLE_FONT = Font(name=FONT_NAME, bold=True, size=14)
MUTED_FONT = Font(name=FONT_NAME, color="4A5058", size=9)
BOLD = Font(name=FONT_NAME, size=BODY_SIZE, bold=True)
UNAPPROVED_FONT = Font(name=FONT_NAME, size=BODY_SIZE, italic=True, color="4A4A4A")
FLAG_FONT = Font(name=FONT_NAME, size=BODY_SIZE, italic=True, color="B3261E")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
MIDDLE = Alignment(vertical="center", wrap_text=True)
NUMBER = Alignment(vertical="center")
UNLOCKED = Protection(locked=False)
INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")
CONTEXT_FILL = PatternFill("solid", fgColor="F0F2F4")
LOCKED_FILL = PatternFill("solid", fgColor="D9DCE0")

# How settled a printed figure is, shown by a mark after the number (a number format, so
# the cell stays a number): 预计 estimates and 初步 preliminary figures; final ones bare.
QUALITY_MARKS = {"estimate": "*", "preliminary": "†", "final": ""}

FORMULA_STARTS = ("=", "+", "-", "@")


def clean_text(text: str) -> str:
    """Text without the characters that XML cannot hold."""
    return NOT_IN_XML.sub("", text)


def cell(
    ws,
    value=None,
    *,
    font=None,
    fill=None,
    number_format=None,
    alignment=None,
    border=BORDER,
    protection=None,
) -> Styled:
    """A styled cell for a write-only sheet (see `sheet`); text a user typed is never a
    formula.

    Style arguments must be long-lived objects (the constants above): each combination is
    registered with the workbook once and later cells reuse its style and its index, since
    openpyxl otherwise hashes every style object of every cell (most of an export's time).
    """
    quote = False
    if isinstance(value, str):
        value = clean_text(value)
        quote = value.startswith(FORMULA_STARTS)
    key = (id(font), id(fill), number_format, id(alignment), id(border), id(protection), quote)
    styles = ws.registered_styles
    known = styles.get(key)
    if known is None:
        known = styles[key] = register_style(
            ws,
            quote=quote,
            font=font or BODY_FONT,
            fill=fill,
            number_format=number_format,
            alignment=alignment or NUMBER,
            border=border,
            protection=protection,
        )
    return Styled(value, *known, quote)


def new_workbook() -> Workbook:
    """A write-only workbook whose default font is the body font.

    Column widths count digits of the default font. With Calibri 11 (openpyxl's default)
    LibreOffice on Linux substitutes a face whose digits are a third wider than Excel's, and
    a report sized for Excel printed there at three quarters of its size; with 等线 10 pt
    both come within a fifth.
    """
    return workbook(BODY_FONT)


@cache
def number_format(places: int, suffix: str = "") -> str:
    base = "0" if places <= 0 else "0." + "0" * places
    return f'{base}"{suffix}"' if suffix else base


def quality_format(places: int, quality: str | None) -> str:
    """The number format of a figure: its decimals and the mark of its data quality."""
    return number_format(places, QUALITY_MARKS.get(quality or "final", ""))


def print_setup(
    ws,
    *,
    header_left: str,
    header_right: str,
    footer_right: str,
    landscape: bool = True,
    page_of: str = "",
) -> None:
    """A4, fitted to the page width, headed and numbered on every page."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(
        left=0.25, right=0.25, top=0.7, bottom=0.6, header=0.3, footer=0.3
    )
    for header in (ws.oddHeader, ws.evenHeader, ws.firstHeader):
        header.left.text = _header_text(header_left)
        header.right.text = _header_text(header_right)
    for footer in (ws.oddFooter, ws.evenFooter, ws.firstFooter):
        footer.center.text = page_of
        footer.right.text = _header_text(footer_right)


def _header_text(text: str) -> str:
    # "&" starts a header code in Excel: a literal one is doubled.
    return clean_text(text).replace("&", "&&")


class _CharWidths(dict):
    """Columns a character needs, looked up in Unicode once per character."""

    def __missing__(self, ch: str) -> int:
        width = self[ch] = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        return width


CHAR_WIDTHS = _CharWidths()

# A report measures every text of every row, and a province's rows repeat their areas,
# departments, units and words: each text is measured once.
MEASURED = 1 << 16


@lru_cache(maxsize=MEASURED)
def display_width(text: str) -> float:
    """Columns a text needs: CJK characters count double."""
    text = str(text)
    if text.isascii():
        return len(text)
    return sum(map(CHAR_WIDTHS.__getitem__, text))


LINE_HEIGHT = 14.5  # points per line of 10 pt text (Noto Sans CJK sets lines loosely)


def text_units(text) -> float:
    """Column-width units a text takes on one line: about a digit each, a CJK character 1.9."""
    return display_width(text) * 0.95


@lru_cache(maxsize=MEASURED)
def wrapped_lines(text, width: float) -> int:
    """Printed lines a wrapped text takes in a column of `width` (counted generously)."""
    if text is None or text == "":
        return 1
    usable = max(1.0, width - 1)
    return sum(_lines(part, usable) for part in str(text).split("\n"))


def _tokens(text: str):
    """(space before, token): words of narrow characters, and each wide (CJK) character."""
    space, word = "", ""
    for ch in text:
        if ch.isspace() or CHAR_WIDTHS[ch] == 2:
            if word:
                yield space, word
                space, word = "", ""
            if ch.isspace():
                space += ch
            else:
                yield space, ch
                space = ""
        else:
            word += ch
    if word:
        yield space, word


def _lines(text: str, usable: float) -> int:
    """Lines a paragraph wraps to: between words and CJK characters, inside a word only
    where the word is longer than a line (as Excel and LibreOffice do)."""
    lines, used = 1, 0.0
    for space, token in _tokens(text):
        size = text_units(token)
        gap = text_units(space) if used and space else 0
        if used + gap + size <= usable:
            used += gap + size
            continue
        if used:
            lines, used = lines + 1, 0.0
        while size > usable:
            lines, size = lines + 1, size - usable
        used = size
    return lines


def row_height(cells) -> float:
    """A row's height for the most lines any of its (text, width) cells wraps to.

    Set, not left to the application: LibreOffice keeps the default height of a row
    written without one, and wrapped text would be cut.
    """
    texts = [(t, w) for t, w in cells if isinstance(t, str)]
    return max([wrapped_lines(t, w) for t, w in texts] + [1]) * LINE_HEIGHT + 4


def fit_widths(ws, columns: list[list[str]], minimum=6, maximum=50) -> None:
    """Set each column's width to fit its longest text (before rows are written)."""
    for index, texts in enumerate(columns, start=1):
        width = max((display_width(t) for t in texts if t is not None), default=minimum)
        ws.column_dimensions[get_column_letter(index)].width = max(minimum, min(maximum, width + 2))


def change_counts(statuses) -> dict[str, int]:
    """How many rows of an import preview are new, changed and unchanged."""
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    for status in statuses:
        counts[status] += 1
    return counts
