"""The 纲要 sheet: the plan's indicator table, one row per target, as the plan document prints
it.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from tracker.excel.common import (
    BOLD,
    CENTER,
    FLAG_FONT,
    HEADER_FILL,
    HEADER_FONT,
    LINE_HEIGHT,
    MIDDLE,
    MUTED_FONT,
    TITLE_FONT,
    WRAP,
    ZH,
    cell,
    number_format,
    quality_format,
    row_height,
    sheet,
    wrapped_lines,
)
from tracker.excel.report.shared import (
    AREA,
    PERCENT,
    PRINTABLE_HEIGHT,
    PRINTABLE_WIDTH,
    STATUS_FILLS,
    STATUS_FONT,
    WIDTH_BUDGET,
    Context,
    _approved,
    _baseline_quality,
    _column,
    _departments,
    _figure,
    _longest_word,
    _milestone_text,
    _numeral,
    _percents,
    _reason,
    _reference_name,
    _unit,
    _within_budget,
    _year_column,
)
from tracker.standings import engine
from tracker.standings import words as status_display
from tracker.standings.formats import milestone_word
from tracker.standings.standing import Standing


def _rate(goal: Decimal | None, base: Decimal | None, years: int) -> float | None:
    """Average yearly growth from `base` to `goal` over `years`, as a fraction."""
    if goal is None or base is None or base <= 0 or goal <= 0 or years <= 0:
        return None
    # Display only, to one decimal of a percent: a float is exact enough here.
    return (float(goal) / float(base)) ** (1 / years) - 1


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
    return engine.growth_rate(values, a.latest_year)


def _projection(row: Standing) -> str:
    """预计能否完成, from the engine's projection of the trend to the target year."""
    target, a = row.target, row.assessment
    status = a.status
    if status == engine.Status.ACHIEVED:
        return _("Met")
    if status == engine.Status.NO_DATA:
        return "—"
    if target.is_milestone:
        return "—" if status == engine.Status.PENDING else _("Unlikely")
    if target.kind == target.Kind.RELATIVE:
        yes = status == engine.Status.ON_TRACK
        return _("Likely") if yes else _("Unlikely")
    if a.projected_value is None:
        return "—"
    met = engine.is_met(row.spec, a.projected_value)
    if met is None:
        return "—"
    return _("Likely") if met else _("Unlikely")


def _summary(wb, ctx: Context, rows: list[Standing], made: str):
    ws = sheet(wb, _("Summary"))
    plan, year = ctx.plan, ctx.year
    statuses = {status: status_display.label(status) for status in engine.Status}
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
            (milestone_word(a.status == engine.Status.ACHIEVED) if a.latest_year else None)
            if target.is_milestone
            else a.progress
        )
        expected = a.expected_share
        if expected is None and not target.is_milestone:
            expected = engine.expected_share(row.spec, year)
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
