"""The data-entry template: the targets a person may fill for a year, ready for Excel or WPS."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from tracker import progress
from tracker.excel.common import (
    BOLD,
    CONTEXT_FILL,
    HEADER_FILL,
    HEADER_FONT,
    INPUT_FILL,
    MUTED_FONT,
    NO,
    PLAN_LABEL,
    QUALITY_WORDS,
    TEMPLATE_COLUMNS,
    TEMPLATE_SHEET,
    UNLOCKED,
    WRAP,
    YEAR_LABEL,
    YES,
    cell,
    fit_widths,
    language_index,
    number_format,
    sheet,
)
from tracker.models import Plan, Target

HEADER_ROW = 4  # rows 1-2 name the plan and year; row 3 says how to fill the sheet


def write_template(
    out, plan: Plan, year: int, targets: list[Target], *, language: str | None = None
) -> None:
    """Write the data-entry template of `plan` for `year` with one row per target.

    `targets` come from `Target.objects.for_plan(plan).editable_by(user).with_entries()`.
    The context columns are locked (the sheet is protected without a password, so nobody
    overwrites them by accident); value, quality and note are open, with validation.
    """
    with translation.override(language or translation.get_language()):
        lang = language_index(translation.get_language())
        wb = Workbook(write_only=True)
        ws = sheet(wb, TEMPLATE_SHEET[lang])
        keys = list(TEMPLATE_COLUMNS)
        headers = [TEMPLATE_COLUMNS[k][lang] for k in keys]
        last_row = HEADER_ROW + len(targets)
        quality_words = [words[lang] for words in QUALITY_WORDS.values()]

        fit_widths(
            ws,
            [
                [headers[0], *[t.code for t in targets]],
                [headers[1], *[t.display_name for t in targets]],
                [headers[2], *[t.unit for t in targets]],
                [headers[3], "0000000.00"],
                [headers[4], "0000000.00"],
                [headers[5], "0000000.00"],
                [headers[6], *quality_words],
                [headers[7], "x" * 40],
            ],
        )
        ws.freeze_panes = f"C{HEADER_ROW + 1}"
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.protection.sheet = True
        ws.protection.formatColumns = False
        ws.protection.formatRows = False

        value_col, quality_col = "F", "G"
        numbers = DataValidation(
            type="decimal",
            operator="between",
            formula1="-99999999999999",
            formula2="99999999999999",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("Not a number"),
            error=_("Enter a number, such as 12.5."),
        )
        yes_no = DataValidation(
            type="list",
            formula1=f'"{YES[lang]},{NO[lang]}"',
            allow_blank=True,
            showErrorMessage=True,
            error=_("Choose %(yes)s or %(no)s.") % {"yes": YES[lang], "no": NO[lang]},
        )
        quality = DataValidation(
            type="list",
            formula1=f'"{",".join(quality_words)}"',
            allow_blank=True,
            showErrorMessage=True,
            error=_("Choose one of: %(words)s.") % {"words": ", ".join(quality_words)},
        )
        if targets:
            quality.sqref = MultiCellRange(f"{quality_col}{HEADER_ROW + 1}:{quality_col}{last_row}")
        for dv in (numbers, yes_no, quality):
            ws.data_validations.append(dv)
        number_rows, yes_no_rows = [], []

        ws.append(
            [
                cell(ws, PLAN_LABEL[lang], font=BOLD),
                cell(ws, plan.slug),
                cell(ws, plan.display_name, border=None),
            ]
        )
        ws.append([cell(ws, YEAR_LABEL[lang], font=BOLD), cell(ws, year)])
        ws.append(
            [
                cell(
                    ws,
                    _(
                        "Fill the yellow columns; leave a row blank to leave it as it is. "
                        "Quality: %(words)s."
                    )
                    % {"words": " / ".join(quality_words)},
                    font=MUTED_FONT,
                    border=None,
                )
            ]
        )
        ws.append([cell(ws, h, font=HEADER_FONT, fill=HEADER_FILL) for h in headers])
        for index, target in enumerate(targets, start=HEADER_ROW + 1):
            entries = {e.year: e for e in target.entries.all()}
            previous, current = entries.get(year - 1), entries.get(year)
            spec = target.spec(target.approved_values())
            goal = progress.goal_value(spec)
            places = target.decimal_places
            if target.is_milestone:
                yes_no_rows.append(index)
                shown = current.achieved if current else None
                value = None if shown is None else (YES if shown else NO)[lang]
                before = (
                    None
                    if not previous or previous.achieved is None
                    else (YES if previous.achieved else NO)[lang]
                )
                goal_cell = _("Achieved")
            else:
                number_rows.append(index)
                value = current.value if current else None
                before = previous.value if previous else None
                goal_cell = goal
            fmt = None if target.is_milestone else number_format(places)
            ws.append(
                [
                    cell(ws, target.code, fill=CONTEXT_FILL),
                    cell(ws, target.display_name, fill=CONTEXT_FILL, alignment=WRAP),
                    cell(ws, target.unit, fill=CONTEXT_FILL),
                    cell(ws, before, fill=CONTEXT_FILL, number_format=fmt),
                    cell(ws, goal_cell, fill=CONTEXT_FILL, number_format=fmt),
                    cell(ws, value, fill=INPUT_FILL, protection=UNLOCKED, number_format=fmt),
                    cell(
                        ws,
                        QUALITY_WORDS[current.quality][lang] if current else None,
                        fill=INPUT_FILL,
                        protection=UNLOCKED,
                    ),
                    cell(
                        ws,
                        current.note if current else None,
                        fill=INPUT_FILL,
                        protection=UNLOCKED,
                        alignment=WRAP,
                    ),
                ]
            )
        numbers.sqref = column_ranges(value_col, number_rows)
        yes_no.sqref = column_ranges(value_col, yes_no_rows)
        _instructions(wb, plan, year, lang)
        wb.save(out)


def column_ranges(column: str, rows: list[int]) -> MultiCellRange:
    """Rows of one column as few ranges: [5, 6, 7, 9] -> F5:F7 F9 (one pass, not one per cell)."""
    ranges, start, previous = [], None, None
    for row in rows:
        if start is None:
            start = previous = row
        elif row == previous + 1:
            previous = row
        else:
            ranges.append((start, previous))
            start = previous = row
    if start is not None:
        ranges.append((start, previous))
    return MultiCellRange(
        " ".join(f"{column}{a}:{column}{b}" if a != b else f"{column}{a}" for a, b in ranges)
    )


def _instructions(wb, plan: Plan, year: int, lang: int) -> None:
    ws = sheet(wb, _("Instructions"))
    ws.column_dimensions["A"].width = 110
    words = " / ".join(w[lang] for w in QUALITY_WORDS.values())
    lines = [
        _("Data-entry template: %(plan)s, %(year)s") % {"plan": plan.display_name, "year": year},
        "",
        _("1. Fill the yellow columns of the first sheet: value, data quality and note."),
        _(
            "2. Numbers only in the value column, with no more decimals than the target allows; "
            "for a milestone choose %(yes)s or %(no)s."
        )
        % {"yes": YES[lang], "no": NO[lang]},
        _("3. Data quality is one of: %(words)s.") % {"words": words},
        _("4. Leave a row blank to leave that figure as it is; do not change codes or headers."),
        _(
            "5. Upload the file on the import page; you will see every change before it is saved, "
            "and a file with any error saves nothing."
        ),
        "",
        _("Plan and year are read from the cells above the header: keep them."),
    ]
    for line in lines:
        ws.append([cell(ws, line, alignment=WRAP, border=None)])
