"""The year matrix: every target's approved figures, one column per year."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from tracker.excel.common import (
    CENTER,
    HEADER_FILL,
    HEADER_FONT,
    MATRIX_CODE,
    MATRIX_SHEET,
    MIDDLE,
    NO,
    QUALITY_MARKS,
    TEMPLATE_COLUMNS,
    YES,
    cell,
    row_height,
    sheet,
)
from tracker.excel.report.shared import Context, _approved, _fit, _unit, figure_format
from tracker.standings.standing import Standing


def _matrix(wb, ctx: Context, rows: list[Standing]):
    """Approved figures, one row per target and one column per year; importable as it is."""
    lang = ctx.lang
    ws = sheet(wb, MATRIX_SHEET[lang])
    years = ctx.entry_years
    headers = [MATRIX_CODE[lang], TEMPLATE_COLUMNS["name"][lang], TEMPLATE_COLUMNS["unit"][lang]]
    widths = [
        _fit([r.target.code for r in rows] + [headers[0]], 10, 26),
        _fit([r.target.display_name for r in rows], 12, 30),
        _fit([_unit(r.target) for r in rows] + [headers[2]], 6, 18),
    ]
    for index, width in enumerate([*widths, *[9] * len(years)], start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "B2"
    ws.print_title_rows = "1:1"
    ctx.print_setup(ws, landscape=sum(widths) + 9 * len(years) > 100)
    ws.append(
        [
            *[cell(ws, h, font=HEADER_FONT, fill=HEADER_FILL, alignment=CENTER) for h in headers],
            *[cell(ws, y, font=HEADER_FONT, fill=HEADER_FILL, alignment=CENTER) for y in years],
        ]
    )
    # Meant for editing and importing back too: values and number formats only (the marks
    # of data quality are number formats, so the cells stay numbers).
    for index, row in enumerate(rows, start=2):
        target = row.target
        ws.row_dimensions[index].height = row_height([(target.display_name, widths[1])])
        approved = _approved(row, ctx.year)
        values = []
        for y in years:
            entry = approved.get(y)
            if entry is None:
                values.append(cell(ws, None))
            elif target.is_milestone:
                achieved = entry.achieved
                word = None if achieved is None else (YES if achieved else NO)[lang]
                # The quality mark as a text format: the cell still reads 是 or 否.
                mark = QUALITY_MARKS[entry.quality or "final"]
                fmt = f'@"{mark}"' if mark else "@"
                values.append(cell(ws, word, alignment=CENTER, number_format=fmt))
            else:
                # Every digit stored shows: what is seen is what is imported back.
                fmt = figure_format(
                    entry.value, target.decimal_places, entry.quality, every_digit=True
                )
                values.append(cell(ws, entry.value, number_format=fmt))
        ws.append(
            [
                cell(ws, target.code),
                cell(ws, target.display_name, alignment=MIDDLE),
                cell(ws, _unit(target), alignment=CENTER),
                *values,
            ]
        )
    return ws
