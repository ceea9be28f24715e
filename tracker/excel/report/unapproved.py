"""The sheet of figures not yet approved, when asked for."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from tracker.excel.common import (
    BOLD,
    CENTER,
    HEADER_FILL,
    HEADER_FONT,
    LINE_HEIGHT,
    MUTED_FONT,
    QUALITY_WORDS,
    TITLE_FONT,
    UNAPPROVED_FONT,
    WRAP,
    cell,
    row_height,
    sheet,
    wrapped_lines,
)
from tracker.excel.report.shared import Context, _as_of, _figure, _fit, _unit
from tracker.models import ProgressEntry
from tracker.standings.standing import Standing


def _unapproved(wb, ctx: Context, rows: list[Standing]):
    """Figures up to the report's year that are not approved: never among the official ones."""
    ws = sheet(wb, _("Figures not yet approved"))
    states = {key: str(label) for key, label in ProgressEntry.State.choices}
    headers = [
        _("Code"),
        _("Target"),
        _("Unit"),
        _("Year"),
        _("Figure (not approved)"),
        _("Data quality"),
        _("Workflow state"),
        _("Note or reason for return"),
    ]
    found = []
    for row in rows:
        for y, entry in sorted(_as_of(row, ctx.year).items()):
            if not entry.counts:
                found.append((row.target, y, entry))
    widths = [
        _fit([t.code for t, _y, _e in found] + [headers[0]], 8, 24),
        _fit([t.display_name for t, _y, _e in found], 12, 30),
        _fit([_unit(t) for t, _y, _e in found] + [headers[2]], 6, 12),
        7,
        12,
        10,
        10,
        40,
    ]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.print_title_rows = "3:3"
    ctx.print_setup(ws)
    ws.append(
        [cell(ws, _("Figures not yet approved: they do not count"), font=TITLE_FONT, border=None)]
    )
    explanation = _(
        "These figures are still in the workflow (draft, submitted or returned). They are "
        "listed for information only and are not part of the summary, its statuses or charts."
    )
    ws.row_dimensions[2].height = LINE_HEIGHT * wrapped_lines(explanation, sum(widths)) + 2
    ws.append([cell(ws, explanation, font=MUTED_FONT, border=None, alignment=WRAP)])
    ws.merged_cells.add(f"A2:{get_column_letter(len(headers))}2")
    ws.row_dimensions[3].height = row_height(zip(headers, widths, strict=True))
    ws.append([cell(ws, h, font=HEADER_FONT, fill=HEADER_FILL, alignment=CENTER) for h in headers])
    for index, (target, y, entry) in enumerate(found, start=4):
        note = entry.return_reason if entry.state == entry.State.RETURNED else entry.note
        ws.row_dimensions[index].height = row_height(
            [(target.display_name, widths[1]), (_unit(target), widths[2]), (note, widths[-1])]
        )
        ws.append(
            [
                cell(ws, target.code),
                cell(ws, target.display_name, alignment=WRAP),
                cell(ws, _unit(target), alignment=CENTER),
                cell(ws, y, alignment=CENTER),
                _figure(ws, entry, target, font=UNAPPROVED_FONT),
                cell(ws, QUALITY_WORDS[entry.quality][ctx.lang], alignment=CENTER),
                cell(ws, states[entry.state], font=BOLD, alignment=CENTER),
                cell(ws, note or None, alignment=WRAP),
            ]
        )
    if not found:
        ws.append([cell(ws, _("None."), border=None)])
    return ws
