"""Reads a filled template or a report's year matrix into plain rows and problems.

The reader never touches the database: it finds sheets and columns by their headers (in
any order, in Chinese or English), skips blank rows, and reports every problem with its
sheet, cell and a sentence a person understands. Values stay as the file holds them; the
importer judges them against each target. Parsing is python-calamine's (a Rust reader,
about ten times faster than openpyxl's read-only mode on a 20,000-row file).
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time

import python_calamine
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from tracker.excel.common import (
    MATRIX_CODE,
    PLAN_LABEL,
    TEMPLATE_COLUMNS,
    YEAR_LABEL,
    yeared_header,
)
from tracker.excel.safety import Inspection
from tracker.text import quoted

HEADER_SEARCH_ROWS = 12
# Errors (and warnings) kept for a file: enough to see what is wrong, few enough that a
# broken file of half a million cells costs no more than a good one. Reading stops once the
# errors are full; further warnings are only counted.
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Problem:
    sheet: str
    cell: str
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else (self.sheet or _("file"))
        return f"{where}: {self.message}"


class Problems(list):
    """Problems in the order found, at most MAX_PROBLEMS kept; the rest only counted."""

    def __init__(self, problems=(), limit: int = MAX_PROBLEMS):
        super().__init__()
        self.limit, self.more = limit, 0
        self.extend(problems)

    def append(self, problem: Problem) -> None:
        if len(self) < self.limit:
            super().append(problem)
        else:
            self.more += 1

    def extend(self, problems) -> None:
        for problem in problems:
            self.append(problem)
        self.more += getattr(problems, "more", 0)

    @property
    def full(self) -> bool:
        return len(self) >= self.limit


@dataclass(slots=True)
class RawRow:
    """One figure as the file holds it."""

    sheet: str
    row: int
    code: str
    code_cell: str
    year: int
    year_cell: str
    value: object
    value_cell: str
    percent: bool = False
    quality: object = None
    quality_cell: str = ""
    note: object = None
    note_cell: str = ""
    growth: object = None  # the growth at comparable prices, in percent
    growth_cell: str = ""
    growth_percent: bool = False  # a cell formatted as a percentage: 0.031 is 3.1
    source: object = None
    source_cell: str = ""


@dataclass
class ReadResult:
    rows: list[RawRow] = field(default_factory=list)
    errors: Problems = field(default_factory=Problems)
    warnings: Problems = field(default_factory=Problems)
    plan_slug: str | None = None


def normalise(value) -> str:
    """Header and word matching: full-width folded, spaces trimmed, case ignored."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip().lower()


COLUMN_BY_HEADER = {normalise(h): key for key, names in TEMPLATE_COLUMNS.items() for h in names}
CODE_HEADERS = {normalise(h) for h in MATRIX_CODE}
PLAN_LABELS = {normalise(h) for h in PLAN_LABEL}
YEAR_LABELS = {normalise(h) for h in YEAR_LABEL}


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_year(value) -> int | None:
    """A header or label cell as a year: 2021, 2021.0, '2021', '2021年'."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        year = int(value)
    else:
        text = normalise(value).removesuffix("年")
        if not text.isdecimal() or len(text) > 4:  # int() refuses 4,300 digits and more
            return None
        year = int(text)
    return year if 1900 <= year <= 2200 else None


def ref(row: int, col: int) -> str:
    """A cell's name from 0-based indexes: (0, 0) is A1."""
    return f"{get_column_letter(col + 1)}{row + 1}"


def sheet_grid(sheet) -> list[list]:
    """A sheet's rows, indexed as the sheet numbers them, from its first filled cell on.

    Only the rectangle from the first to the last filled cell is read, not the one from
    A1 (the safety check has already refused sheets whose cells reach too far); rows above
    the first filled one are empty lists, and row lists may be shorter than the header.
    """
    start = sheet.start
    if start is None:
        return []
    first_row, first_column = start
    padding = [None] * first_column
    return [[] for _ in range(first_row)] + [padding + row for row in sheet.to_python()]


def read_workbook(data: bytes, inspection: Inspection) -> ReadResult:
    """Read every sheet that looks like a template or a year matrix."""
    result = ReadResult()
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # calamine raises its own errors for every kind of damage
        result.errors.append(Problem("", "", _("The workbook cannot be read; is it damaged?")))
        return result
    found = False
    for name in workbook.sheet_names:
        if result.errors.full:
            break
        try:
            grid = sheet_grid(workbook.get_sheet_by_name(name))
        except Exception:
            result.errors.append(Problem(name, "", _("This sheet cannot be read.")))
            continue
        found |= _read_sheet(name, grid, inspection, result)
    if not found and not result.errors:
        result.errors.append(
            Problem(
                "",
                "",
                _(
                    "No sheet has a header row with “%(code)s” and either “%(value)s” "
                    "or year columns: is this a data-entry template or a report?"
                )
                % {"code": MATRIX_CODE[0], "value": TEMPLATE_COLUMNS["value"][0]},
            )
        )
    return result


def _header_row(grid) -> int | None:
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if any(normalise(v) in CODE_HEADERS for v in row):
            return index
    return None


def _read_sheet(name: str, grid, inspection: Inspection, result: ReadResult) -> bool:
    header_index = _header_row(grid)
    if header_index is None:
        return False
    header = grid[header_index]
    columns, years, unknown, yeared = {}, {}, [], []
    for col, title in enumerate(header):
        if blank(title):
            continue
        key = COLUMN_BY_HEADER.get(normalise(title))
        year = as_year(title)
        if key and key not in columns:
            columns[key] = col
        elif yeared_header(title):
            yeared.append((*yeared_header(title), col))
        elif year is not None:
            years[col] = year
        else:
            unknown.append((col, title))
    # 2024年数值 beside 2023年数值: the later year holds the figures, the other is context.
    for key, _year, col in sorted(yeared, key=lambda found: -found[1]):
        if key == "value" and "value" in columns:
            key = "previous"
        columns.setdefault(key, col)
    if "value" in columns:
        label_year = _labels(name, grid[:header_index], result)
        kind_reader = _template_rows
    elif years:
        label_year = None
        kind_reader = _matrix_rows
    else:
        result.warnings.append(
            Problem(name, "", _("This sheet has no value or year columns; it was skipped."))
        )
        return False
    for col, title in unknown:
        result.warnings.append(
            Problem(
                name,
                ref(header_index, col),
                _("The column “%(title)s” is not one this file type has; it was ignored.")
                % {"title": quoted(title)},
            )
        )
    formulas = inspection.unsaved_formulas.get(name, set())
    percents = inspection.percent_cells.get(name, set())
    kind_reader(name, grid, header_index, columns, years, label_year, formulas, percents, result)
    return True


def _labels(name: str, rows, result: ReadResult) -> tuple[int | None, str]:
    """The plan and year the template names in labelled cells above its header."""
    year, year_cell = None, ""
    for r, row in enumerate(rows):
        for c, value in enumerate(row[:-1]):
            label = normalise(value)
            if label in PLAN_LABELS and not blank(row[c + 1]):
                result.plan_slug = str(row[c + 1]).strip()
            elif label in YEAR_LABELS:
                year_cell = ref(r, c + 1)
                year = as_year(row[c + 1])
                if year is None:
                    result.errors.append(
                        Problem(name, year_cell, _("The year is missing or not a year."))
                    )
    if year is None and not year_cell:
        result.errors.append(
            Problem(
                name,
                "",
                _("The template does not say its year: keep the “%(label)s” cell above the header.")
                % {"label": YEAR_LABEL[0]},
            )
        )
    return year, year_cell


# A template row is read when any of these holds something.
FILLED = ("code", "value", "quality", "note", "growth", "source")


def _template_rows(name, grid, header, columns, years, label_year, formulas, percents, result):
    year, year_cell = label_year
    code_col = columns.get("code")
    for r in range(header + 1, len(grid)):
        if result.errors.full:
            return
        row = grid[r]
        cells = {key: row[col] if col < len(row) else None for key, col in columns.items()}
        if all(blank(cells.get(k)) for k in FILLED):
            continue
        code = "" if blank(cells.get("code")) else str(cells["code"]).strip()
        value_ref = ref(r, columns["value"])
        growth_ref = ref(r, columns["growth"]) if "growth" in columns else ""
        if not code:
            result.errors.append(Problem(name, ref(r, code_col), _("This row has no target code.")))
            continue
        unsaved = [c for c in (value_ref, growth_ref) if c in formulas]
        if unsaved:
            result.errors.extend(unsaved_formula(name, c) for c in unsaved)
            continue
        if blank(cells.get("value")) and blank(cells.get("growth")):
            if any(not blank(cells.get(k)) for k in ("quality", "note", "source")):
                result.warnings.append(
                    Problem(name, value_ref, _("No value: the row was left as it is."))
                )
            continue
        if year is None:
            continue  # already reported once for the sheet
        result.rows.append(
            RawRow(
                sheet=name,
                row=r + 1,
                code=code,
                code_cell=ref(r, code_col),
                year=year,
                year_cell=year_cell,
                value=None if blank(cells.get("value")) else cells["value"],
                value_cell=value_ref,
                percent=value_ref in percents,
                quality=cells.get("quality"),
                quality_cell=ref(r, columns["quality"]) if "quality" in columns else "",
                note=cells.get("note"),
                note_cell=ref(r, columns["note"]) if "note" in columns else "",
                growth=None if blank(cells.get("growth")) else cells["growth"],
                growth_cell=growth_ref,
                growth_percent=growth_ref in percents,
                source=cells.get("source"),
                source_cell=ref(r, columns["source"]) if "source" in columns else "",
            )
        )


def _matrix_rows(name, grid, header, columns, years, label_year, formulas, percents, result):
    code_col = columns["code"]
    year_cells = {col: ref(header, col) for col in years}
    for r in range(header + 1, len(grid)):
        if result.errors.full:
            return
        row = grid[r]
        values = {col: row[col] for col in years if col < len(row) and not blank(row[col])}
        code_value = row[code_col] if code_col < len(row) else None
        if blank(code_value):
            if values:
                result.errors.append(
                    Problem(name, ref(r, code_col), _("This row has no target code."))
                )
            continue
        code = str(code_value).strip()
        code_cell = ref(r, code_col)
        for col, value in values.items():
            cell_ref = ref(r, col)
            if cell_ref in formulas:
                result.errors.append(unsaved_formula(name, cell_ref))
                continue
            result.rows.append(
                RawRow(
                    sheet=name,
                    row=r + 1,
                    code=code,
                    code_cell=code_cell,
                    year=years[col],
                    year_cell=year_cells[col],
                    value=value,
                    value_cell=cell_ref,
                    percent=cell_ref in percents,
                )
            )
        for col in years:
            cell_ref = ref(r, col)
            if cell_ref in formulas and col not in values:
                result.errors.append(unsaved_formula(name, cell_ref))


def unsaved_formula(sheet: str, cell: str) -> Problem:
    return Problem(
        sheet,
        cell,
        _(
            "This cell holds a formula with no saved result. Open the file in Excel or WPS, "
            "save it, and upload it again, or type the number itself."
        ),
        code="unsaved_formula",
    )


def plain(value) -> bool:
    """Whether a cell holds something a figure can be read from (not a date or time)."""
    return not isinstance(value, datetime | date | time)
