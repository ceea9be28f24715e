"""The Excel progress report: summary, year matrix, charts and notes, in one streaming pass.

`write_report` writes to any file-like object; the download view and the `export_report`
command are thin wrappers around it. Sheets are write-only (openpyxl streams each row to
disk as it goes), so a province-sized plan does not have to fit in memory twice.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from tracker import deadlines, plausibility, progress
from tracker import status as status_display
from tracker.excel.common import (
    BOLD,
    CENTER,
    HEADER_FILL,
    HEADER_FONT,
    MATRIX_CODE,
    MATRIX_SHEET,
    MUTED_FONT,
    NO,
    QUALITY_WORDS,
    TITLE_FONT,
    UNAPPROVED_FONT,
    WRAP,
    YES,
    cell,
    clean_text,
    fit_widths,
    language_index,
    number_format,
    sheet,
)
from tracker.models import Plan, Target, display_user
from tracker.standing import Standing

# Above this many numeric targets, the charts sheet holds the progress chart alone.
MAX_TARGET_CHARTS = 300
STATUS_FILLS = {s: PatternFill("solid", fgColor=c) for s, c in progress.COLOURS.items()}
STATUS_FONT = HEADER_FONT
PERCENT = "0.0%"


def _figure_cell(ws, entry, target):
    """A year's figure: approved plain, not yet approved in grey italics with a star."""
    if entry is None:
        return cell(ws, None)
    lang = language_index(translation.get_language())
    if target.is_milestone:
        value = None if entry.achieved is None else (YES if entry.achieved else NO)[lang]
        if value is not None and not entry.counts:
            value += "*"
        return cell(ws, value, alignment=CENTER, font=None if entry.counts else UNAPPROVED_FONT)
    if entry.value is None:
        return cell(ws, None)
    if entry.counts:
        return cell(ws, entry.value, number_format=number_format(target.decimal_places))
    return cell(
        ws,
        entry.value,
        number_format=number_format(target.decimal_places, "*"),
        font=UNAPPROVED_FONT,
    )


def _goal_text(row: Standing) -> str | Decimal | None:
    target = row.target
    if target.is_milestone:
        return _("Achieved")
    if target.kind == target.Kind.RELATIVE:
        reference = target.reference_target.display_name if target.reference_target else "—"
        return _("Growth above %(reference)s") % {"reference": reference}
    return row.goal


def _pace_text(row: Standing) -> str:
    """The 年均/累计 column: the average yearly growth the plan implies."""
    target, spec = row.target, row.spec
    if target.kind == target.Kind.ANNUAL_GROWTH:
        return _("%(rate)s%% a year") % {"rate": target.target_value}
    goal, base = row.goal, spec.baseline_value
    linear_or_multiple = target.kind in (target.Kind.LEVEL, target.Kind.MULTIPLE)
    if linear_or_multiple and goal and base and base > 0 and spec.span > 0:
        # Display only, to one decimal: a float is exact enough and far quicker here.
        rate = (float(goal) / float(base)) ** (1 / spec.span) - 1
        return _("%(rate)s%% a year") % {"rate": f"{rate * 100:.1f}"}
    return ""


def _explanation(row: Standing) -> str:
    """说明: why a target is behind, and any approved figure confirmed although questioned."""
    flagged = plausibility.flagged_remark(row.entries, row.assessment.as_of_year)
    return "\n".join(text for text in (_behind_explanation(row), flagged) if text)


def _behind_explanation(row: Standing) -> str:
    """For a target behind or off track, the reason and measures from its latest note."""
    if row.assessment.status not in (progress.Status.BEHIND, progress.Status.OFF_TRACK):
        return ""
    latest = row.entries.get(row.assessment.latest_year) if row.assessment.latest_year else None
    return latest.note if latest and latest.note else _("No explanation given yet.")


def _summary(wb, plan: Plan, year: int, rows: list[Standing], made: str):
    ws = sheet(wb, _("Summary"))
    years = list(plan.years)
    headers = [
        _("Area"),
        _("Target"),
        _("Unit"),
        _("%(year)s (baseline)") % {"year": plan.baseline_year},
        *[_("%(year)s") % {"year": y} for y in years],
        _("%(year)s target") % {"year": plan.end_year},
        _("Average / cumulative"),
        _("Nature"),
        _("Progress"),
        _("Status"),
        _("Responsible"),
        _("Explanation"),
    ]
    texts = [[h] for h in headers]
    for row in rows:
        texts[0].append(row.target.area.display_name)
        texts[1].append(row.target.display_name)
        texts[-2].append(
            row.target.lead_department.display_name if row.target.lead_department else ""
        )
    fit_widths(ws, texts, maximum=40)
    ws.column_dimensions[get_column_letter(len(headers))].width = 50
    last = get_column_letter(len(headers))
    ws.freeze_panes = "C4"
    ws.print_title_rows = "1:3"
    ws.auto_filter.ref = f"A3:{last}{len(rows) + 3}"
    _print_setup(ws, plan)

    title = _("%(plan)s: progress of targets as of %(year)s") % {
        "plan": plan.display_name,
        "year": year,
    }
    # Words looked up once, not once a row.
    natures = {key: str(label) for key, label in Target.Nature.choices}
    statuses = {status: status_display.label(status) for status in progress.Status}
    ws.append([cell(ws, title, font=TITLE_FONT, border=None)])
    ws.append([cell(ws, made, font=MUTED_FONT, border=None)])
    ws.append([cell(ws, h, font=HEADER_FONT, fill=HEADER_FILL, alignment=CENTER) for h in headers])
    for row in rows:
        target, a = row.target, row.assessment
        places = target.decimal_places
        goal = _goal_text(row)
        status = a.status
        ws.append(
            [
                cell(ws, target.area.display_name, font=BOLD, alignment=WRAP),
                cell(ws, target.display_name, alignment=WRAP),
                cell(ws, target.unit),
                cell(ws, row.baseline, number_format=number_format(places)),
                *[_figure_cell(ws, row.entries.get(y), target) for y in years],
                cell(ws, goal, number_format=number_format(places)),
                cell(ws, _pace_text(row)),
                cell(ws, natures[target.nature], alignment=CENTER),
                cell(ws, a.progress, number_format=PERCENT),
                cell(
                    ws,
                    statuses[status],
                    font=STATUS_FONT,
                    fill=STATUS_FILLS[status],
                    alignment=CENTER,
                ),
                cell(ws, target.lead_department.display_name if target.lead_department else ""),
                cell(ws, _explanation(row), alignment=WRAP),
            ]
        )
    return ws


def _matrix(wb, plan: Plan, rows: list[Standing], lang: int):
    """Approved figures, one row per target and one column per year; importable as it is."""
    ws = sheet(wb, MATRIX_SHEET[lang])
    years = list(plan.entry_years)
    ws.column_dimensions["A"].width = max(
        12, max((len(r.target.code) for r in rows), default=0) + 2
    )
    ws.freeze_panes = "B2"
    ws.append(
        [
            cell(ws, MATRIX_CODE[lang], font=HEADER_FONT, fill=HEADER_FILL),
            *[cell(ws, y, font=HEADER_FONT, fill=HEADER_FILL) for y in years],
        ]
    )
    # A data sheet, meant for editing and importing back: values and number formats only.
    for row in rows:
        target = row.target
        values = []
        for y in years:
            entry = row.entries.get(y)
            if entry is None or not entry.counts:
                values.append(None)
            elif target.is_milestone:
                achieved = entry.achieved
                values.append(None if achieved is None else (YES if achieved else NO)[lang])
            else:
                values.append(
                    cell(
                        ws,
                        entry.value,
                        number_format=number_format(target.decimal_places),
                        border=None,
                    )
                )
        ws.append([cell(ws, target.code, border=None), *values])
    return ws


def _label(ws, text: str):
    """A chart-data label: a target's name, which must never run as a formula."""
    return cell(ws, text, border=None)


def _charts(wb, plan: Plan, rows: list[Standing]) -> bool:
    """A progress chart of every target, and a line chart per numeric target when few enough.

    Returns whether the per-target charts were drawn. Chart data goes on its own sheet.
    """
    data = sheet(wb, _("Chart data"))
    charts = sheet(wb, _("Charts"))
    years = list(plan.entry_years)
    data.append([_("Target"), _("Progress"), _("Expected share")])
    for row in rows:
        a = row.assessment
        data.append([_label(data, row.target.display_name), a.progress, a.expected_share])
    n = len(rows)
    bar = BarChart()
    bar.type = "bar"
    bar.title = _("Progress against the expected share")
    bar.y_axis.number_format = "0%"
    bar.y_axis.title = _("Share of the distance to the target")
    bar.add_data(
        Reference(data, min_col=2, max_col=3, min_row=1, max_row=n + 1), titles_from_data=True
    )
    bar.set_categories(Reference(data, min_col=1, min_row=2, max_row=n + 1))
    bar.x_axis.tickLblSkip = 1
    bar.height, bar.width = max(8, 0.5 * n + 3) if n <= 60 else 30, 24
    charts.add_chart(bar, "A1")

    numeric = [
        r for r in rows if not r.target.is_milestone and r.target.kind != r.target.Kind.RELATIVE
    ]
    if len(numeric) > MAX_TARGET_CHARTS:
        return False
    data.append([])
    data.append([_("Target"), *years])
    first_row = n + 3
    for index, row in enumerate(numeric):
        target = row.target
        spec = row.spec
        values = dict(row.values)
        if spec.baseline_value is not None:
            values.setdefault(target.baseline_year, spec.baseline_value)
        top = first_row + 1 + index * 3
        name = {"target": target.display_name}
        data.append([_label(data, _("%(target)s: approved") % name), *map(values.get, years)])
        expected = [progress.expected_value(spec, y) for y in years]
        data.append([_label(data, _("%(target)s: expected path") % name), *expected])
        data.append([_label(data, _("%(target)s: target") % name), *[row.goal for _y in years]])
        line = LineChart()
        line.title = clean_text(
            f"{target.display_name} ({target.unit})" if target.unit else target.display_name
        )
        line.add_data(
            Reference(data, min_col=1, max_col=len(years) + 1, min_row=top, max_row=top + 2),
            from_rows=True,
            titles_from_data=True,
        )
        for series in line.series:
            series.smooth = False
        line.set_categories(Reference(data, min_col=2, max_col=len(years) + 1, min_row=first_row))
        line.height, line.width = 7.5, 15
        anchor_row = int(bar.height * 2) + 4 + (index // 2) * 16
        charts.add_chart(line, f"{'A' if index % 2 == 0 else 'J'}{anchor_row}")
    return True


def _notes(wb, plan: Plan, year: int, made: str, charted: bool, who: str):
    ws = sheet(wb, pgettext("sheet", "Notes"))
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 100
    lang = language_index(translation.get_language())
    lines = [
        (_("Plan"), f"{plan.display_name} ({plan.slug})"),
        (_("Region"), plan.region),
        (_("Period"), f"{plan.start_year}-{plan.end_year}, {_('baseline')} {plan.baseline_year}"),
        (_("Status as of"), str(year)),
        (_("Reporting deadlines"), deadlines.report_note(plan)),
        (_("Made"), made),
        (_("Made by"), who),
        ("", ""),
        (
            _("Which figures count"),
            _(
                "Only approved figures count toward progress and status. "
                "Figures not yet approved are shown in grey italics with a star (*)."
            ),
        ),
        (
            _("How status is computed"),
            _(
                "Progress share = (latest approved figure - baseline) / (target - baseline); the "
                "expected share is the same for the value the plan's path expects in that year "
                "(straight line for levels and ranks, constant growth for multiples and average "
                "growth). Following the rule 时间过半、任务过半 (half the time, half the task):"
            ),
        ),
        (
            status_display.label("achieved"),
            _("the target is met (at or below it where lower is better)."),
        ),
        (
            status_display.label("on_track"),
            _("progress share >= expected share x %(r)s.") % {"r": plan.on_track_ratio},
        ),
        (
            status_display.label("behind"),
            _("progress share >= expected share x %(r)s.") % {"r": plan.behind_ratio},
        ),
        (status_display.label("off_track"), _("below that.")),
        (
            status_display.label("pending"),
            _("a milestone before its target year, or a target with no baseline."),
        ),
        (status_display.label("no_data"), _("no approved figure yet.")),
        ("", ""),
        (_("Data quality"), " / ".join(words[lang] for words in QUALITY_WORDS.values())),
        (
            "",
            _(
                "Estimate: before the statistics are in; preliminary: first published figure; "
                "final: the statistics bureau's final figure."
            ),
        ),
    ]
    if not charted:
        lines.append(
            (
                _("Charts"),
                _(
                    "This plan has more than %(n)s numeric targets: the charts sheet holds "
                    "the progress chart alone."
                )
                % {"n": MAX_TARGET_CHARTS},
            )
        )
    for label, text in lines:
        ws.append(
            [cell(ws, label, font=BOLD, border=None), cell(ws, text, alignment=WRAP, border=None)]
        )


def _print_setup(ws, plan: Plan):
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.oddHeader.center.text = clean_text(plan.display_name).replace("&", "&&")
    ws.oddFooter.center.text = _("Page &P of &N")
    ws.oddFooter.right.text = "&D"


def write_report(
    out,
    plan: Plan,
    year: int,
    rows: list[Standing],
    *,
    user=None,
    language: str | None = None,
    now: datetime | None = None,
) -> None:
    """Write the progress report of `plan` as of `year` to the file-like `out`.

    `rows` are the plan's standings for `year` (tracker.standing.standings), in table order.
    """
    with translation.override(language or translation.get_language()):
        lang = language_index(translation.get_language())
        made_at = timezone.localtime(now or timezone.now()).strftime("%Y-%m-%d %H:%M")
        who = display_user(user)
        made = _(
            "Made %(when)s by %(who)s. Only approved figures count; "
            "* marks figures not yet approved."
        ) % {"when": made_at, "who": who}
        wb = Workbook(write_only=True)
        wb.properties.title = clean_text(plan.display_name)
        wb.properties.creator = clean_text(who)
        _summary(wb, plan, year, rows, made)
        _matrix(wb, plan, rows, lang)
        charted = _charts(wb, plan, rows)
        _notes(wb, plan, year, made, charted, who)
        wb.save(out)
