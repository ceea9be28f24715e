"""The charts sheet: each target's figures against its planned path."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.marker import Marker
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.line import LineProperties
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.drawing.text import Font as DrawingFont
from openpyxl.worksheet.pagebreak import Break

from tracker.excel.common import FONT_NAME, cell, clean_text, number_format, sheet
from tracker.excel.report.shared import (
    CHART_COLUMN_WIDTH,
    CHART_HEIGHT_CM,
    CHART_ROW_HEIGHT,
    CHART_ROWS,
    CHART_WIDTH_CM,
    Context,
    _approved,
    _unit,
)
from tracker.standings import engine
from tracker.standings.standing import Standing

# Above this many numeric targets, the charts sheet holds the progress chart alone.
MAX_TARGET_CHARTS = 300


def _label(ws, text: str):
    """A chart-data label: a target's name, which must never run as a formula."""
    return cell(ws, text, border=None)


def _line_style(series, colour: str, dash: str, marker: str, width: int = 22225) -> None:
    """Tell series apart without colour: a dash pattern and a marker of their own."""
    series.smooth = False
    series.graphicalProperties = GraphicalProperties(
        ln=LineProperties(solidFill=colour, prstDash=dash, w=width)
    )
    series.marker = Marker(symbol=marker, size=6)
    if marker != "none":
        series.marker.graphicalProperties = GraphicalProperties(
            solidFill=colour, ln=LineProperties(solidFill=colour)
        )


def _text_properties(size: int, bold: bool = False) -> RichText:
    """Chart text in the body font at `size` hundredths of a point."""
    props = CharacterProperties(
        sz=size, b=bold, latin=DrawingFont(typeface=FONT_NAME), ea=DrawingFont(typeface=FONT_NAME)
    )
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])


def _title(text: str) -> Title:
    props = CharacterProperties(
        sz=1100, b=True, latin=DrawingFont(typeface=FONT_NAME), ea=DrawingFont(typeface=FONT_NAME)
    )
    paragraph = Paragraph(
        pPr=ParagraphProperties(defRPr=props), r=[RegularTextRun(rPr=props, t=text)]
    )
    return Title(tx=Text(rich=RichText(p=[paragraph])), overlay=False)


def _show_axes(chart) -> None:
    # openpyxl marks new axes as deleted; Excel then draws none.
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _charts(wb, ctx: Context, rows: list[Standing]) -> bool:
    """A progress chart of every target, and a line chart per numeric target when few enough.

    Returns whether the per-target charts were drawn. The data sheet is hidden; the charts
    sit two to a row and two rows to a page, so no page break cuts one.
    """
    data = sheet(wb, _("Chart data"))
    data.sheet_state = "hidden"
    charts = sheet(wb, _("Charts"))
    charts.column_dimensions["A"].width = CHART_COLUMN_WIDTH
    charts.column_dimensions["B"].width = CHART_COLUMN_WIDTH
    ctx.print_setup(charts)
    plan, year = ctx.plan, ctx.year
    years = list(plan.entry_years)
    data.append([_("Target"), _("Progress made"), _("Expected progress")])
    for row in rows:
        a = row.assessment
        data.append([_label(data, row.target.display_name), a.progress, a.expected_share])
    n = len(rows)
    bar = BarChart()
    bar.type = "bar"
    bar.title = _title(_("Progress against the expected progress, as of %(year)s") % {"year": year})
    bar.x_axis.txPr = bar.y_axis.txPr = bar.legend.txPr = _text_properties(800)
    bar.y_axis.number_format = "0%"
    bar.y_axis.majorGridlines = None
    bar.add_data(
        Reference(data, min_col=2, max_col=3, min_row=1, max_row=n + 1), titles_from_data=True
    )
    bar.set_categories(Reference(data, min_col=1, min_row=2, max_row=n + 1))
    bar.x_axis.tickLblSkip = 1
    bar.x_axis.scaling.orientation = "maxMin"  # the table's order, first at the top
    bar.series[0].graphicalProperties = GraphicalProperties(
        solidFill="404040", ln=LineProperties(solidFill="000000")
    )
    bar.series[1].graphicalProperties = GraphicalProperties(
        solidFill="FFFFFF", ln=LineProperties(solidFill="000000", prstDash="dash")
    )
    bar.legend.position = "b"
    _show_axes(bar)
    # A line chart of each target measured in numbers that has something to draw: an
    # approved figure, a baseline or a goal.
    numeric = [
        r
        for r in rows
        if not r.target.is_milestone
        and r.target.kind != r.target.Kind.RELATIVE
        and (r.baseline is not None or r.goal is not None or _approved(r, year))
    ]
    drawn = len(numeric) <= MAX_TARGET_CHARTS
    slots = 1 + (len(numeric) if drawn else 0)
    # The progress chart spans the page's width, on as many rows of the grid as it needs;
    # the line charts follow, two to a row.
    bar.width = CHART_WIDTH_CM * 2
    grid_rows = max(1, math.ceil((0.45 * n + 3) / CHART_HEIGHT_CM))
    bar.height = CHART_HEIGHT_CM * grid_rows + (grid_rows - 1) * 0.3
    places = [(0, 0)] + [(grid_rows + i // 2, i % 2) for i in range(len(numeric))]
    charts.add_chart(bar, "A1")
    total_rows = (max(r for r, _c in places[:slots]) + 1) * CHART_ROWS
    # Empty rows of a fixed height make the grid; a page break after every second row.
    for r in range(1, total_rows + 1):
        charts.row_dimensions[r].height = CHART_ROW_HEIGHT
        charts.append([])
    for r in range(2 * CHART_ROWS, total_rows, 2 * CHART_ROWS):
        charts.row_breaks.append(Break(id=r))
    if not drawn:
        return False

    data.append([])
    data.append([_("Target"), *years])
    first_row = n + 3
    # The chart's title names the target: its legend needs only the kind of line.
    labels = {
        "actual": _("Approved"),
        "expected": _("Expected path"),
        "target": _("Target value"),
    }
    for index, row in enumerate(numeric):
        target = row.target
        spec = row.spec
        values = {y: e.value for y, e in _approved(row, year).items()}
        if row.baseline is not None:
            values.setdefault(target.baseline_year, row.baseline)
        top = first_row + 1 + index * 3
        # Approved figures up to the report's year only; the plan's path and target are the
        # plan's own, known from its start, and drawn to its end.
        data.append([_label(data, labels["actual"]), *map(values.get, years)])
        expected = [engine.expected_value(spec, y) for y in years]
        data.append([_label(data, labels["expected"]), *expected])
        data.append([_label(data, labels["target"]), *[row.goal for _y in years]])
        line = LineChart()
        unit = _unit(target)
        line.title = _title(
            clean_text(f"{target.display_name} ({unit})" if unit else target.display_name)
        )
        line.x_axis.txPr = line.y_axis.txPr = line.legend.txPr = _text_properties(800)
        line.add_data(
            Reference(data, min_col=1, max_col=len(years) + 1, min_row=top, max_row=top + 2),
            from_rows=True,
            titles_from_data=True,
        )
        actual, path, goal = line.series
        _line_style(actual, "000000", "solid", "circle", width=28575)
        _line_style(path, "595959", "dash", "triangle")
        _line_style(goal, "7F7F7F", "sysDot", "none")
        line.set_categories(Reference(data, min_col=2, max_col=len(years) + 1, min_row=first_row))
        line.y_axis.number_format = number_format(target.decimal_places)
        line.y_axis.majorGridlines = None
        if spec.lower_is_better and target.kind == target.Kind.RANK:
            line.y_axis.scaling.orientation = "maxMin"  # first place at the top
            line.y_axis.scaling.min = 1
        line.legend.position = "b"
        _show_axes(line)
        line.width, line.height = CHART_WIDTH_CM, CHART_HEIGHT_CM
        grid_row, grid_col = places[index + 1]
        charts.add_chart(line, f"{'AB'[grid_col]}{grid_row * CHART_ROWS + 1}")
    return True
