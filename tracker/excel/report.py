"""The Excel progress report: the 纲要 indicator table, year matrix, charts and notes.

`write_report` writes to any file-like object; the download view and the `export_report`
command are thin wrappers around it. Sheets are write-only (openpyxl streams each row to
disk as it goes), so a province-sized plan does not have to fit in memory twice.

A report for year Y is true as of Y: no figure of a later year appears anywhere, and its
official cells hold approved figures only. Figures not yet approved go, when asked for, to
a sheet of their own. Every sheet meant for reading prints on A4, headed and numbered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
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
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from tracker import deadlines, plausibility, progress
from tracker import status as status_display
from tracker.display import milestone_word
from tracker.excel.common import (
    BOLD,
    CENTER,
    FLAG_FONT,
    FONT_NAME,
    HEADER_FILL,
    HEADER_FONT,
    LINE_HEIGHT,
    MATRIX_CODE,
    MATRIX_SHEET,
    MEASURED,
    MIDDLE,
    MUTED_FONT,
    NO,
    QUALITY_MARKS,
    QUALITY_WORDS,
    TEMPLATE_COLUMNS,
    TITLE_FONT,
    UNAPPROVED_FONT,
    WRAP,
    YES,
    ZH,
    cell,
    clean_text,
    display_width,
    language_index,
    new_workbook,
    number_format,
    print_setup,
    quality_format,
    row_height,
    sheet,
    text_units,
    wrapped_lines,
)
from tracker.models import Plan, ProgressEntry, display_user, localized
from tracker.standing import Standing

# Above this many numeric targets, the charts sheet holds the progress chart alone.
MAX_TARGET_CHARTS = 300
STATUS_FILLS = {s: PatternFill("solid", fgColor=c) for s, c in progress.COLOURS.items()}
STATUS_FONT = HEADER_FONT
PERCENT = "0.0%"
AREA = Alignment(horizontal="center", vertical="top", wrap_text=True)
# Printable width of landscape A4 in column-width units (digits of the 10 pt default font;
# LibreOffice's substitute font makes them 6.35 pt) at the smallest scale that keeps 10 pt
# text at 9 pt or more (90%): the summary's columns are fitted into it.
WIDTH_BUDGET = 137
# Landscape A4 less the margins of tracker.excel.common.print_setup, in points.
PRINTABLE_WIDTH, PRINTABLE_HEIGHT = 842 - 36, 595 - 94
# The charts sheet: two charts side by side, two rows of them to a landscape page.
CHART_ROWS, CHART_ROW_HEIGHT = 16, 15.0
CHART_WIDTH_CM, CHART_HEIGHT_CM = 13.4, 8.2
CHART_COLUMN_WIDTH = 74


@dataclass(frozen=True)
class Context:
    """What every sheet of one report shares."""

    plan: Plan
    year: int
    lang: int
    made_on: str  # ISO date
    include_unapproved: bool
    evaluation: str = ""  # the frozen evaluation's title and kind, for its report

    @property
    def years(self) -> list[int]:
        """The plan's years up to the report's year: nothing after it is shown."""
        return [y for y in self.plan.years if y <= self.year]

    @property
    def entry_years(self) -> list[int]:
        return [y for y in self.plan.entry_years if y <= self.year]

    def print_setup(self, ws, *, landscape: bool = True) -> None:
        print_setup(
            ws,
            header_left=self.plan.display_name,
            header_right=" · ".join(
                t for t in (self.evaluation, _("As of %(year)s") % {"year": self.year}) if t
            ),
            footer_right=_("Generated %(date)s") % {"date": self.made_on},
            landscape=landscape,
            page_of=_("Page &P of &N"),
        )


def _evaluation_label(evaluation) -> str:
    """ "中期评估 (mid-term evaluation)", the kind left out where the title already says it."""
    if evaluation is None:
        return ""
    title, kind = clean_text(evaluation.title), str(evaluation.get_kind_display())
    if title == kind:
        return title
    return _("%(title)s (%(kind)s)") % {"title": title, "kind": kind}


def _as_of(row: Standing, year: int) -> dict[int, ProgressEntry]:
    return {y: e for y, e in row.entries.items() if y <= year}


def _approved(row: Standing, year: int) -> dict[int, ProgressEntry]:
    return {y: e for y, e in _as_of(row, year).items() if e.counts}


def _unit(target) -> str:
    return localized(target, "unit")


def _baseline_quality(row: Standing) -> str | None:
    target = row.target
    if target.baseline_value is not None:
        return target.baseline_quality or None
    entry = row.entries.get(target.baseline_year)
    return entry.quality if entry is not None and entry.counts else None


def _milestone_text(entry: ProgressEntry) -> str | None:
    """A milestone's yearly figure as printed: its word and the mark of its quality."""
    if entry.achieved is None:
        return None
    return milestone_word(entry.achieved) + QUALITY_MARKS[entry.quality]


def _figure(ws, entry: ProgressEntry | None, target, *, font=None):
    """A figure as a number with the mark of its quality; a milestone as a word."""
    if entry is None:
        return cell(ws, None)
    if target.is_milestone:
        return cell(ws, _milestone_text(entry), alignment=CENTER, font=font)
    if entry.value is None:
        return cell(ws, None)
    return cell(
        ws,
        entry.value,
        number_format=quality_format(target.decimal_places, entry.quality),
        font=font,
    )


def _rate(goal: Decimal | None, base: Decimal | None, years: int) -> float | None:
    """Average yearly growth from `base` to `goal` over `years`, as a fraction."""
    if goal is None or base is None or base <= 0 or goal <= 0 or years <= 0:
        return None
    # Display only, to one decimal of a percent: a float is exact enough here.
    return (float(goal) / float(base)) ** (1 / years) - 1


def _reference_name(target) -> str:
    return target.reference_target.display_name if target.reference_target else "—"


def _planned_pace(row: Standing):
    """规划年均增长: the growth a year the plan implies, or its words for a relative target."""
    target = row.target
    spec = row.spec
    if target.kind == target.Kind.ANNUAL_GROWTH:
        return target.target_value / 100 if target.target_value is not None else None
    if target.kind in (target.Kind.LEVEL, target.Kind.MULTIPLE):
        return _rate(row.goal, spec.baseline_value, spec.span)
    return None


def _actual_pace(row: Standing):
    """实际年均增长 so far; a relative target prints its growth against its reference's."""
    target, a = row.target, row.assessment
    if target.kind == target.Kind.RELATIVE:
        if a.growth is None or a.reference_growth is None:
            return None
        return _("%(own)s against %(reference)s") % {
            "own": f"{a.growth * 100:.1f}%",
            "reference": f"{a.reference_growth * 100:.1f}%",
        }
    if target.kind in (target.Kind.LEVEL, target.Kind.MULTIPLE, target.Kind.ANNUAL_GROWTH):
        if a.latest_year is None:
            return None
        return _rate(a.latest_value, row.baseline, a.latest_year - target.baseline_year)
    return None


def _on_year_growth(row: Standing, year: int):
    """较上年增长: the latest approved figure against the year before it."""
    target, a = row.target, row.assessment
    if target.kind == target.Kind.RELATIVE:
        return a.growth
    if target.is_milestone or target.kind == target.Kind.RANK or a.latest_year is None:
        return None
    values = {y: e.value for y, e in _approved(row, year).items() if e.value is not None}
    if row.baseline is not None:
        values.setdefault(target.baseline_year, row.baseline)
    return progress.growth_rate(values, a.latest_year)


def _projection(row: Standing) -> str:
    """预计能否完成, from the engine's projection of the trend to the target year."""
    target, a = row.target, row.assessment
    status = a.status
    if status == progress.Status.ACHIEVED:
        return _("Met")
    if status == progress.Status.NO_DATA:
        return "—"
    if target.is_milestone:
        return "—" if status == progress.Status.PENDING else _("Unlikely")
    if target.kind == target.Kind.RELATIVE:
        yes = status == progress.Status.ON_TRACK
        return _("Likely") if yes else _("Unlikely")
    if a.projected_value is None:
        return "—"
    met = progress.is_met(row.spec, a.projected_value)
    if met is None:
        return "—"
    return _("Likely") if met else _("Unlikely")


def _reason(row: Standing, year: int) -> tuple[str, bool]:
    """原因及措施 for a target behind or off track, from its latest figure's note.

    Returns the text and whether it is the flag for a missing explanation.
    """
    if row.assessment.status not in (progress.Status.BEHIND, progress.Status.OFF_TRACK):
        return "", False
    latest = row.assessment.latest_year
    entry = _approved(row, year).get(latest) if latest else None
    if entry is not None and entry.note.strip():
        return entry.note.strip(), False
    return _("Reasons and measures not given yet."), True


def _departments(target) -> str:
    names = [target.lead_department.display_name] if target.lead_department else []
    names += [d.display_name for d in target.co_departments.all()]
    separator = "、" if language_index(translation.get_language()) == ZH else ", "
    return separator.join(names)


def _column(texts, minimum: float = 5, maximum: float = 12, pad: float = 1.1) -> float:
    """A column's width for the longest of `texts` on one line, within bounds."""
    texts = [str(t) for t in texts if t not in (None, "")]
    longest = max((text_units(t) for t in texts), default=0)
    return max(minimum, min(maximum, longest + pad), *(_longest_word(t) for t in texts))


@lru_cache(maxsize=MEASURED)
def _longest_word(text: str) -> float:
    """Text may wrap between words, never inside one; CJK text wraps anywhere."""
    words = [w for w in text.replace("(", " (").split() if display_width(w) == len(w)]
    return max((text_units(w) + 1.2 for w in words), default=0)


def _numeral(value, places: int, quality: str | None = None) -> str | None:
    if not isinstance(value, Decimal):
        return None
    return f"{value:.{places}f}{QUALITY_MARKS.get(quality or 'final', '')}"


def _year_column(entries, places) -> float:
    texts = []
    for entry, p in zip(entries, places, strict=True):
        if entry is None:
            continue
        texts.append(_milestone_text(entry) or _numeral(entry.value, p, entry.quality))
    return _column(texts)


def _within_budget(widths: list[float], floors: list[float]) -> list[float]:
    """`widths` narrowed toward `floors`, each in proportion to its room, to WIDTH_BUDGET."""
    over = sum(widths) - WIDTH_BUDGET
    room = [max(0.0, w - f) for w, f in zip(widths, floors, strict=True)]
    if over <= 0 or not sum(room):
        return widths
    share = min(1.0, over / sum(room))
    return [w - r * share for w, r in zip(widths, room, strict=True)]


def _percents(values) -> list[str]:
    return [f"{float(v) * 100:.1f}%" for v in values if isinstance(v, Decimal | float)]


def _fit(texts: list[list], minimum: float, maximum: float) -> float:
    longest = max((display_width(t) for t in texts if t not in (None, "")), default=0)
    return max(minimum, min(maximum, longest + 2))


def _summary(wb, ctx: Context, rows: list[Standing], made: str):
    ws = sheet(wb, _("Summary"))
    plan, year = ctx.plan, ctx.year
    statuses = {status: status_display.label(status) for status in progress.Status}
    natures = {
        "binding": _("Binding"),
        "anticipatory": _("Indicative"),
    }

    # 1. every row's cells as (value, style) before anything is written, to size columns.
    body = []
    for row in rows:
        target, a = row.target, row.assessment
        approved = _approved(row, year)
        reason, flagged = _reason(row, year)
        progress_cell = (
            (milestone_word(a.status == progress.Status.ACHIEVED) if a.latest_year else None)
            if target.is_milestone
            else a.progress
        )
        expected = a.expected_share
        if expected is None and not target.is_milestone:
            expected = progress.expected_share(row.spec, year)
        body.append(
            {
                "area": target.area.display_name,
                "name": target.display_name,
                "unit": _unit(target),
                "baseline": row.baseline,
                "baseline_quality": _baseline_quality(row),
                "years": [approved.get(y) for y in ctx.years],
                "goal": _goal(row),
                "planned": _planned_pace(row),
                "actual": _actual_pace(row),
                "nature": natures.get(target.nature, target.nature),
                "expected": expected,
                "progress": progress_cell,
                "status": a.status,
                "projection": _projection(row),
                "growth": _on_year_growth(row, year),
                "departments": _departments(target),
                "reason": reason,
                "flagged": flagged,
                "target": target,
            }
        )
    # In English, long words: an area heads its targets on a row of its own, the unit and
    # the nature go under the target's name, and the planned and actual growth share a
    # column. Four columns fewer, so that the summary prints at 9 pt.
    english = ctx.lang != ZH
    if english:
        for b in body:
            b["name"] = "\n".join([b["name"], " · ".join(t for t in (b["unit"], b["nature"]) if t)])
            paces = [_pace_text(b["planned"]), _pace_text(b["actual"])]
            b["planned"] = " / ".join(p or "—" for p in paces) if any(paces) else None
    headers = [
        _("Area"),
        _("Target (unit, nature)") if english else _("Target"),
        _("Unit"),
        _("%(year)s (base)") % {"year": plan.baseline_year},
        *[_("%(year)s") % {"year": y} for y in ctx.years],
        _("%(year)s target") % {"year": plan.end_year},
        _("Planned / actual yearly growth") if english else _("Planned yearly growth"),
        _("Actual yearly growth"),
        _("Nature"),
        _("Due by now"),
        _("Done so far"),
        _("Status"),
        _("Likely to be met"),
        _("vs. last year"),
        _("Led by"),
        _("Reasons and measures"),
    ]
    n_years = len(ctx.years)
    texts = lambda key: [b[key] for b in body]  # noqa: E731
    places = [b["target"].decimal_places for b in body]

    def numerals(values, marks=None):
        marks = marks or [None] * len(values)
        return [_numeral(v, p, m) for v, p, m in zip(values, places, marks, strict=True)]

    fixed = [
        # Bold, so its longest word needs a little more room.
        max([_column(texts("area"), 5, 6.5)] + [_longest_word(a) * 1.15 for a in texts("area")]),
        None,  # the name: what the page has left, shared with the reasons
        _column(texts("unit"), 5, 6.5),
        _column(numerals(texts("baseline"), texts("baseline_quality"))),
        *(
            [_year_column(column, places) for column in zip(*texts("years"), strict=True)]
            if body
            else [6] * n_years
        ),
        max(
            [_column(numerals(texts("goal")))]
            + [_longest_word(g) for g in texts("goal") if isinstance(g, str)]
        ),
        _column(_percents(texts("planned"))),
        _column(_percents(texts("actual"))),
        _column(texts("nature"), 5, 8),
        _column(_percents(texts("expected"))),
        _column(
            _percents(texts("progress")) + [v for v in texts("progress") if isinstance(v, str)]
        ),
        _column([statuses[s] for s in texts("status")], 6, 10),
        _column(texts("projection"), 4, 8),
        _column(_percents(texts("growth"))),
        _column(texts("departments"), 6, 10),
        None,  # the reasons
    ]
    widths = [
        max(width, _longest_word(header)) if width is not None else None
        for width, header in zip(fixed, headers, strict=True)
    ]
    dropped = {0, 2, n_years + 6, n_years + 7} if english else set()
    for index in dropped:
        widths[index] = 0
    # The name and the reasons share what the page has left, within reason.
    left = WIDTH_BUDGET - sum(w for w in widths if w is not None)
    widths[1] = max(10, min(_column(texts("name"), 10, 18), left * 0.45))
    widths[1] = max([widths[1]] + [_longest_word(t) for t in texts("name")])
    widths[-1] = max([10, min(28, left - widths[1])] + [_longest_word(t) for t in texts("reason")])
    # Too wide for 9 pt (many years, long English words): text columns give up room down
    # to a floor and wrap, inside a word if they must; figures keep the room they need.
    goal = 4 + n_years
    floors = [4.5, 8, 4.5, fixed[3]]
    for index in range(n_years):
        entries = [b["years"][index] for b in body]
        floors.append(
            _column(
                [
                    _numeral(e.value, p, e.quality)
                    for e, p in zip(entries, places, strict=True)
                    if e is not None and e.achieved is None
                ]
            )
        )
    floors.append(_column(numerals(texts("goal"))))
    floors += [fixed[goal + 1], fixed[goal + 2], 5, fixed[goal + 4]]
    floors.append(_column(_percents(texts("progress"))))
    floors += [5.5, 4.5, fixed[goal + 8], 5, 8]
    # Words are not broken: a column keeps its longest word, header or body (CJK text
    # wraps anywhere and has none).
    milestones = [
        [milestone_word(e.achieved) for e in column if e is not None and e.achieved is not None]
        for column in zip(*texts("years"), strict=True)
    ]
    words = [
        texts("area"),
        texts("name"),
        texts("unit"),
        [],
        *milestones,
        texts("goal"),
        texts("planned"),
        texts("actual"),
        texts("nature"),
        [],
        texts("progress"),
        [statuses[s] for s in texts("status")],
        texts("projection"),
        [],
        texts("departments"),
        texts("reason"),
    ]
    floors = [
        max(
            floor,
            _longest_word(header) * 1.15,  # bold
            *[_longest_word(t) * (1.15 if i == 0 else 1) for t in column if isinstance(t, str)],
        )
        for i, (floor, header, column) in enumerate(zip(floors, headers, words, strict=True))
    ]
    kept = [i for i in range(len(headers)) if i not in dropped]
    fitted = iter(_within_budget([widths[i] for i in kept], [floors[i] for i in kept]))
    widths = [0 if i in dropped else next(fitted) for i in range(len(headers))]
    shown = [widths[i] for i in kept]
    headers = [headers[i] for i in kept]
    for index, width in enumerate(shown, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    last = get_column_letter(len(headers))
    header_row = 3
    groups = []  # [area, first index, last index] of each run of one area's targets
    for index, b in enumerate(body):
        if groups and groups[-1][0] == b["area"]:
            groups[-1][2] = index
        else:
            groups.append([b["area"], index, index])
    ws.freeze_panes = f"{'B' if english else 'C'}{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.auto_filter.ref = (
        f"A{header_row}:{last}{len(rows) + (len(groups) if english else 0) + header_row}"
    )
    ctx.print_setup(ws)

    # 2. title, legend and header.
    title = _("%(plan)s: progress of targets as of %(year)s") % {
        "plan": plan.display_name,
        "year": year,
    }
    if ctx.evaluation:
        title = f"{title} · {ctx.evaluation}"
    ws.row_dimensions[1].height = 22
    ws.append([cell(ws, title, font=TITLE_FONT, border=None)])
    ws.row_dimensions[2].height = LINE_HEIGHT * wrapped_lines(made, sum(shown)) + 2
    ws.append([cell(ws, made, font=MUTED_FONT, border=None, alignment=WRAP)])
    ws.merged_cells.add(f"A2:{last}2")
    ws.row_dimensions[header_row].height = row_height(zip(headers, shown, strict=True))
    ws.append([cell(ws, h, font=HEADER_FONT, fill=HEADER_FILL, alignment=CENTER) for h in headers])

    # 3. one row per target; an area's name once, over its rows (in English, a row above).
    first_of = {start: (area, end - start + 1) for area, start, end in groups}
    spans = []  # each area's first and last sheet row
    row_number = header_row
    for index, b in enumerate(body):
        if index in first_of:
            spans.append([row_number + 1, row_number + first_of[index][1]])
        if english and index in first_of:
            row_number += 1
            spans[-1][1] += 1
            ws.row_dimensions[row_number].height = row_height([(b["area"], sum(shown))])
            ws.append([cell(ws, b["area"], font=BOLD, alignment=MIDDLE)])
            ws.merged_cells.add(f"A{row_number}:{last}{row_number}")
        row_number += 1
        target = b["target"]
        places = target.decimal_places
        status = b["status"]
        area = first_of.get(index)
        texts_in_row = [  # numbers never wrap; row_height() reads only the texts
            (b["name"], widths[1]),
            (None if english else b["unit"], widths[2]),
            *[
                (_milestone_text(entry), widths[4 + i])
                for i, entry in enumerate(b["years"])
                if entry is not None
            ],
            (b["goal"], widths[goal]),
            (b["progress"], widths[goal + 5]),
            (b["planned"], widths[4 + n_years + 1]),
            (None if english else b["actual"], widths[4 + n_years + 2]),
            (None if english else b["nature"], widths[4 + n_years + 3]),
            (statuses[status], widths[4 + n_years + 6]),
            (b["projection"], widths[4 + n_years + 7]),
            (b["departments"], widths[-2]),
            (b["reason"], widths[-1]),
        ]
        height = row_height(texts_in_row)
        if area and area[1] == 1 and not english:
            height = max(height, row_height([(area[0], widths[0])]))
        ws.row_dimensions[row_number].height = height
        row = [
            # At the top of its rows: a page break inside them leaves it readable.
            cell(ws, area[0] if area else None, font=BOLD, alignment=AREA),
            cell(ws, b["name"], alignment=MIDDLE),
            cell(ws, b["unit"], alignment=CENTER),
            cell(
                ws,
                b["baseline"],
                alignment=None,
                number_format=quality_format(places, b["baseline_quality"]),
            ),
            *[_figure(ws, entry, target) for entry in b["years"]],
            cell(
                ws,
                b["goal"],
                number_format=number_format(places),
                alignment=CENTER if isinstance(b["goal"], str) else None,
            ),
            _pace(ws, b["planned"]),
            _pace(ws, b["actual"]),
            cell(ws, b["nature"], alignment=CENTER),
            cell(ws, b["expected"], number_format=PERCENT),
            cell(
                ws,
                b["progress"],
                number_format=PERCENT,
                alignment=CENTER if isinstance(b["progress"], str) else None,
            ),
            cell(
                ws,
                statuses[status],
                font=STATUS_FONT,
                fill=STATUS_FILLS[status],
                alignment=CENTER,
            ),
            cell(ws, b["projection"], alignment=CENTER),
            cell(ws, b["growth"], number_format=PERCENT),
            cell(ws, b["departments"], alignment=MIDDLE),
            cell(
                ws,
                b["reason"] or None,
                alignment=MIDDLE,
                font=FLAG_FONT if b["flagged"] else None,
            ),
        ]
        ws.append([row[i] for i in kept])
    for first, end in spans:
        if end > first and not english:
            ws.merged_cells.add(f"A{first}:A{end}")
    _keep_areas_together(ws, spans, shown, header_row)
    return ws


def _keep_areas_together(ws, spans, widths, header_row: int) -> None:
    """Break pages between areas, so that no page break cuts an area's merged name.

    Row heights are set, so a page holds a known height once the scale is known. Fitted
    to the width, the sheet prints at most at Excel's scale (its width units are the
    narrower, 5.25 pt against LibreOffice's 6.35): counting with that one, a page never
    holds less than reckoned here, in either application.
    """
    scale = min(1.0, PRINTABLE_WIDTH / (sum(widths) * 5.25))
    room = PRINTABLE_HEIGHT / scale
    heights = ws.row_dimensions
    header = heights[header_row].height
    used = top = sum(heights[r].height for r in range(1, header_row + 1))
    for first, last in spans:
        group = sum(heights[r].height for r in range(first, last + 1))
        if used + group > room and used > top:  # a page of its title and header alone: no
            ws.row_breaks.append(Break(id=first - 1))
            used = top = header
        used += group


def _pace_text(value) -> str | None:
    if isinstance(value, Decimal | float):
        return f"{float(value) * 100:.1f}%"
    return value or None


def _pace(ws, value):
    if isinstance(value, str):
        return cell(ws, value, alignment=CENTER)
    return cell(ws, value, number_format=PERCENT)


def _goal(row: Standing):
    target = row.target
    if target.is_milestone:
        return milestone_word(True)
    if target.kind == target.Kind.RELATIVE:
        return _("Growth above %(reference)s") % {"reference": _reference_name(target)}
    return row.goal


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
                fmt = quality_format(target.decimal_places, entry.quality)
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
        expected = [progress.expected_value(spec, y) for y in years]
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


def _notes(wb, ctx: Context, rows: list[Standing], made: str, charted: bool, who: str):
    ws = sheet(wb, pgettext("sheet", "Notes"))
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 110
    ctx.print_setup(ws)
    plan, year, lang = ctx.plan, ctx.year, ctx.lang
    marks = {
        "estimate": QUALITY_MARKS["estimate"],
        "preliminary": QUALITY_MARKS["preliminary"],
    }
    lines = [
        (_("Plan"), f"{plan.display_name} ({plan.slug})"),
        (_("Region"), plan.display_region),
        (_("Period"), f"{plan.start_year}-{plan.end_year}, {_('baseline')} {plan.baseline_year}"),
        (_("Status as of"), str(year)),
        *([(_("Frozen evaluation"), ctx.evaluation)] if ctx.evaluation else []),
        (_("Reporting deadlines"), deadlines.report_note(plan, up_to=year)),
        (_("Made"), made),
        (_("Made by"), who),
        ("", ""),
        (
            _("Which figures count"),
            _(
                "Only approved figures count toward progress and status, and only they are "
                "printed in the summary, the yearly data and the charts. Nothing after %(year)s "
                "is shown: the report is true as of that year."
            )
            % {"year": year},
        ),
        (
            _("Figures not yet approved"),
            _("Listed on their own sheet, with their state, when asked for; never counted.")
            if ctx.include_unapproved
            else _("Left out of this report."),
        ),
        (
            _("Data quality"),
            _(
                "%(estimate_mark)s after a figure: %(estimate)s (before the statistics are in); "
                "%(preliminary_mark)s: %(preliminary)s (first published figure); no mark: "
                "%(final)s (the statistics bureau's final figure). Baselines are marked the same "
                "way."
            )
            % {
                "estimate_mark": marks["estimate"],
                "preliminary_mark": marks["preliminary"],
                "estimate": QUALITY_WORDS["estimate"][lang],
                "preliminary": QUALITY_WORDS["preliminary"][lang],
                "final": QUALITY_WORDS["final"][lang],
            },
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
        (
            _("Likely to be met"),
            _(
                "Whether the trend from the baseline to the latest approved figure, carried on "
                "to the target year, reaches the target."
            ),
        ),
    ]
    flagged = [
        (row.target.display_name, remark)
        for row in rows
        if (remark := plausibility.flagged_remark(row.entries, year))
    ]
    if flagged:
        lines.append(("", ""))
        lines.append((_("Figures confirmed although questioned"), ""))
        lines += flagged
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
    for index, (label, text) in enumerate(lines, start=1):
        ws.row_dimensions[index].height = row_height([(label, 20), (text, 110)])
        ws.append(
            [
                cell(ws, label, font=BOLD, border=None, alignment=WRAP),
                cell(ws, text, alignment=WRAP, border=None),
            ]
        )


def write_report(
    out,
    plan: Plan,
    year: int,
    rows: list[Standing],
    *,
    user=None,
    language: str | None = None,
    now: datetime | None = None,
    include_unapproved: bool = False,
    evaluation=None,
) -> None:
    """Write the progress report of `plan` as of `year` to the file-like `out`.

    `rows` are the plan's standings for `year` (tracker.standing.standings), in table order.
    Figures of later years are left out; figures not yet approved appear only with
    `include_unapproved`, on a sheet of their own. The report of a frozen `evaluation`
    names it in its title, its page headers and its notes.
    """
    with translation.override(language or translation.get_language()):
        made_at = timezone.localtime(now or timezone.now())
        ctx = Context(
            plan=plan,
            year=year,
            lang=language_index(translation.get_language()),
            made_on=made_at.date().isoformat(),
            include_unapproved=include_unapproved,
            evaluation=_evaluation_label(evaluation),
        )
        who = display_user(user)
        by = (
            _("Made %(when)s by %(who)s.")
            if user is not None
            else _("Made %(when)s by the export command.")
        )
        made = (
            by
            + " "
            + _(
                "Approved figures only; %(estimate_mark)s marks an estimate (%(estimate)s), "
                "%(preliminary_mark)s a preliminary figure (%(preliminary)s)."
            )
        ) % {
            "when": made_at.strftime("%Y-%m-%d %H:%M"),
            "who": who,
            "estimate_mark": QUALITY_MARKS["estimate"],
            "estimate": QUALITY_WORDS["estimate"][ctx.lang],
            "preliminary_mark": QUALITY_MARKS["preliminary"],
            "preliminary": QUALITY_WORDS["preliminary"][ctx.lang],
        }
        wb = new_workbook()
        wb.properties.title = clean_text(plan.display_name)
        wb.properties.creator = clean_text(who)
        _summary(wb, ctx, rows, made)
        _matrix(wb, ctx, rows)
        if include_unapproved:
            _unapproved(wb, ctx, rows)
        charted = _charts(wb, ctx, rows)
        _notes(wb, ctx, rows, made, charted, who)
        wb.save(out)
