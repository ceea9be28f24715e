"""The 纲要 sheet: the plan's indicator table, one row per target, as the plan document prints
it, opened by the count by status every review starts with.

Every cell is written once as a `Shown`: what it holds (a number with its number format, or
a text already rounded half up by tracker.standings.formats), the text it prints (to size
its column and row) and its style. A share changes in percentage points (百分点), growth goals
say their basis, and in the plan's last year or a final evaluation the table states 完成情况.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    row_height,
    sheet,
    text_units,
    wrapped_lines,
)
from tracker.excel.report.shared import (
    AREA,
    GAP,
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
    _growth_text,
    _longest_word,
    _milestone_text,
    _numeral,
    _reason,
    _reference_name,
    _unit,
    _within_budget,
    figure_format,
    shows_gap,
    status_text,
)
from tracker.models import Target
from tracker.standings import engine, formats
from tracker.standings.standing import Standing, summary


@dataclass(frozen=True, slots=True)
class Shown:
    """One cell of the table: what it holds, the text it prints, and its style."""

    value: object = None
    text: str | None = None
    number_format: str | None = None
    alignment: object = None
    font: object = None
    fill: object = None

    @property
    def wraps(self) -> bool:
        return isinstance(self.value, str)

    def write(self, ws):
        return cell(
            ws,
            self.value,
            number_format=self.number_format,
            alignment=self.alignment,
            font=self.font,
            fill=self.fill,
        )


EMPTY = Shown()
NATURES = dict(Target.Nature.choices)


def _text(text: str | None, alignment=CENTER, font=None, fill=None) -> Shown:
    if not text:
        return EMPTY
    return Shown(text, text, alignment=alignment, font=font, fill=fill)


def _percent(value: Decimal | None) -> Shown:
    """A fraction as a percentage; the cell holds it rounded half up as it prints, so that
    no application rounds it another way."""
    if value is None:
        return EMPTY
    return Shown(formats.rounded(value, 3), formats.format_share(value), PERCENT)


def _figure(value: Decimal | None, places: int, quality: str | None = None) -> Shown:
    if value is None:
        return EMPTY
    return Shown(value, _numeral(value, places, quality), figure_format(value, places, quality))


def _lines(*lines: str | None) -> str:
    return "\n".join(line for line in lines if line)


# -- what each cell says -------------------------------------------------------------


def _year(row: Standing, year: int, approved) -> Shown:
    """A year's approved figure, its growth rate where only that was published, or the
    gap the notes explain."""
    target, entry = row.target, approved.get(year)
    if entry is not None:
        if target.is_milestone:
            return _text(_milestone_text(entry))
        if entry.value is not None:
            return _figure(entry.value, target.decimal_places, entry.quality)
        if entry.growth is not None:
            return _text(_growth_text(entry))
    return _text(GAP) if shows_gap(row, year) else EMPTY


def _baseline(row: Standing) -> Shown:
    target = row.target
    if row.baseline is not None:
        return _figure(row.baseline, target.decimal_places, _baseline_quality(row))
    return _text(GAP) if shows_gap(row, target.baseline_year) else EMPTY


def _goal(row: Standing) -> Shown:
    target = row.target
    if target.is_milestone:
        return _text(formats.milestone_word(True))
    if target.kind == target.Kind.RELATIVE:
        return _text(_("Growing faster than %(reference)s") % {"reference": _in_sentence(target)})
    if row.goal is None:
        return EMPTY
    return Shown(
        row.goal,
        _numeral(row.goal, target.decimal_places),
        figure_format(row.goal, target.decimal_places),
    )


def _in_sentence(target) -> str:
    """The reference target's name inside a sentence: "Growing faster than gross domestic
    product" in English (an acronym such as GDP kept); Chinese has no capitals."""
    name = _reference_name(target)
    if name[:1].isupper() and name[1:2].islower():
        return name[0].lower() + name[1:]
    return name


def _growth_goal(row: Standing) -> bool:
    target = row.target
    return target.kind in (target.Kind.MULTIPLE, target.Kind.ANNUAL_GROWTH)


def _cumulative(change: Decimal | None, points: bool, places: int) -> str:
    """The change since the baseline in the plan's notation, under the yearly pace:
    〔累计增长23.0%〕, 〔累计提高1.30个百分点〕."""
    return formats.format_cumulative(change, points, places)


def _basis(row: Standing) -> str:
    """A growth goal's basis, stated once in its row (按可比价 / 按现价): every growth the
    row prints, its 较上年 included, is on it."""
    return formats.basis_word(row.assessment.basis)


@dataclass(frozen=True, slots=True)
class Pace:
    """A yearly pace as printed, the fraction behind it where it is a plain percentage
    (the cell then holds a number), and the cumulative change printed below it."""

    text: str = ""
    fraction: Decimal | None = None
    total: str = ""

    def cell(self, *below: str) -> Shown:
        if self.fraction is not None and not self.total and not any(below):
            return _percent(self.fraction)
        return _text(_lines(self.text, self.total, *below))


NO_PACE = Pace()


def _percent_pace(fraction: Decimal | None, total: str = "") -> Pace:
    if fraction is None:
        return NO_PACE
    return Pace(formats.format_share(fraction), fraction, total)


def _planned_pace(row: Standing) -> Pace:
    """规划年均: the yearly pace the plan implies; points a year for a share, with the
    plan's cumulative change."""
    target = row.target
    if target.kind == target.Kind.ANNUAL_GROWTH:
        pace = None if target.target_value is None else target.target_value / 100
    elif target.kind in (target.Kind.LEVEL, target.Kind.MULTIPLE):
        pace = row.average_pace(row.planned_change(), row.spec.span)
    else:
        return NO_PACE
    if row.points:
        places = target.decimal_places
        return Pace(
            formats.format_change(pace, True, places),
            total=_cumulative(row.planned_change(), True, places),
        )
    return _percent_pace(pace)


def _actual_pace(row: Standing) -> Pace:
    """实际年均 from the baseline to the figure the status rests on, with the change since
    the baseline: points for a share, average growth on the row's basis for a growth
    goal, the two average growths of a relative goal."""
    target, a = row.target, row.assessment
    if target.kind == target.Kind.RELATIVE:
        if a.growth is None or a.reference_growth is None:
            return NO_PACE
        own = _("average %(own)s against %(reference)s") % {
            "own": formats.format_share(a.growth),
            "reference": formats.format_share(a.reference_growth),
        }
        return Pace(own)
    if target.is_milestone or target.kind == target.Kind.RANK or a.latest_year is None:
        return NO_PACE
    change = row.change()
    pace = row.average_pace(change, a.latest_year - target.baseline_year)
    places = target.decimal_places
    if row.points:
        return Pace(
            formats.format_change(pace, True, places), total=_cumulative(change, True, places)
        )
    if _growth_goal(row) and pace is not None:
        return _percent_pace(pace, _cumulative(change, False, places))
    return _percent_pace(pace)


def _paces(row: Standing, shared: bool) -> tuple[Shown, Shown]:
    """The planned and the actual pace cells, each pace with its cumulative change below
    it and the row's basis under the planned one. Where the actual pace has moved into the
    planned one's column (`shared`, an English layout), one cell: planned / actual, the
    actual cumulative change and the basis below (the planned cumulative change is the
    target's own column)."""
    planned, actual, basis = _planned_pace(row), _actual_pace(row), _basis(row)
    if not shared:
        return planned.cell(basis), actual.cell()
    if not (planned.text or actual.text):
        return _text(basis), EMPTY
    head = f"{planned.text or '—'} / {actual.text or '—'}"
    return _text(_lines(head, actual.total, basis)), EMPTY


def _on_last_year(row: Standing) -> Shown:
    """较上年: the year the status rests on against the year before; for a relative goal
    that year's two growth rates, named by the year so as not to pass for the average."""
    target, a = row.target, row.assessment
    if a.latest_year is None:
        return EMPTY
    if target.kind == target.Kind.RELATIVE:
        if a.year_growth is None or a.reference_year_growth is None:
            return EMPTY
        return _text(
            _("%(year)s: %(own)s against %(reference)s")
            % {
                "year": a.latest_year,
                "own": formats.format_share(a.year_growth),
                "reference": formats.format_share(a.reference_year_growth),
            }
        )
    change = row.year_change(a.latest_year)
    if row.points:
        return _text(formats.format_change(change, True, row.target.decimal_places))
    basis = _year_change_basis(row, a.latest_year)
    if change is None or basis == a.basis:
        return _percent(change)
    return _text(_lines(formats.format_share(change), formats.basis_word(basis)))


def _year_change_basis(row: Standing, year: int) -> str | None:
    """The basis of a year's growth over the one before: the published rate at comparable
    prices where the target is judged so and that year has one, else the ratio of levels,
    at current prices. Only a growth goal states it in its row (None for other targets
    judged on levels)."""
    target = row.target
    if target.price_basis == engine.Basis.COMPARABLE and row.growths().get(year) is not None:
        return engine.Basis.COMPARABLE
    return engine.Basis.CURRENT if row.assessment.basis is not None else None


def _progress(row: Standing) -> Shown:
    target, a = row.target, row.assessment
    if target.is_milestone:
        if a.latest_year is None:
            return EMPTY
        done = a.status in (engine.Status.ACHIEVED, engine.Status.COMPLETED)
        return _text(formats.milestone_word(done))
    return _percent(a.progress)


def _expected(row: Standing, year: int) -> Shown:
    if row.target.is_milestone:
        return EMPTY
    expected = row.assessment.expected_share
    if expected is None:
        expected = engine.expected_share(row.spec, year)
    return _percent(expected)


def _projection(row: Standing) -> str:
    """预计能否完成, from the engine's projection of the trend to the target year."""
    target, a = row.target, row.assessment
    status = a.status
    if status in (engine.Status.ACHIEVED, engine.Status.COMPLETED, engine.Status.EXCEEDED):
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


# -- the columns -------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column: its header, the bounds of its natural width, and the width below which
    it does not give up room."""

    key: str
    header: str
    least: float = 5
    most: float = 12
    floor: float = 5
    bold: bool = False
    # Lines kept whole down to `most`: a pace and its 〔cumulative change〕 each on one line.
    whole_lines: bool = False


# English words are longer than the Chinese report's columns are wide. In English an area
# heads its targets on a row of its own; then, while the table does not fit the page at
# 9 pt, these columns move, in this order: the nature under the target's name, the actual
# pace into the planned pace's column, the unit under the target's name. The notes say
# what moved where (tracker.excel.report.notes).
MOVES = ("nature", "actual", "unit")


@dataclass(frozen=True)
class Layout:
    """The summary's columns, its rows' cells, the columns' widths, and the columns of the
    Chinese report that moved (none in Chinese)."""

    columns: list
    body: list
    widths: list
    moved: frozenset = frozenset()


def _layout(ctx: Context, rows: list[Standing], english: bool) -> Layout:
    """The Chinese report's columns; in English, the fewest moves that fit the page."""
    moved: set[str] = {"area"} if english else set()
    for move in (None, *(MOVES if english else ())):
        if move:
            moved.add(move)
        columns = _columns(ctx, frozenset(moved))
        body = [_row(ctx, row, frozenset(moved)) for row in rows]
        widths = _widths(columns, body)
        if sum(widths) <= WIDTH_BUDGET + 0.5:
            break
    return Layout(columns, body, widths, frozenset(moved))


def _name_header(moved: frozenset) -> str:
    if {"unit", "nature"} <= moved:
        return _("Target (unit, nature)")
    if "nature" in moved:
        return _("Target (nature)")
    if "unit" in moved:
        return _("Target (unit)")
    return _("Target")


def _columns(ctx: Context, moved: frozenset) -> list[Column]:
    plan = ctx.plan
    english = "area" in moved
    years = [Column(f"y{y}", _("%(year)s") % {"year": y}, 6, 12, 0, bold=False) for y in ctx.years]
    columns = [
        Column("area", _("Area"), 5, 6.5, 4.5, bold=True),
        Column("name", _name_header(moved), floor=8 if english else 10),
        Column("unit", _("Unit"), 5, 6.5, 4.5),
        Column("base", _("%(year)s (base)") % {"year": plan.baseline_year}, floor=0),
        *years,
        Column("goal", _("%(year)s target") % {"year": plan.end_year}, floor=0),
        Column(
            "planned",
            _("Planned / actual average annual growth")
            if "actual" in moved
            else _("Planned average annual growth"),
            5,
            12 if "actual" in moved else 10,
            whole_lines=True,
        ),
        Column("actual", _("Actual average annual growth"), 5, 10, whole_lines=True),
        Column("nature", _("Nature"), 5, 8, 5),
        Column("expected", _("Due by now")),
        Column("progress", _("Done so far")),
        # 严重滞后 on one line: a status is read at a glance.
        Column(
            "status", _("Completion") if ctx.final else _("Status"), 6, 10, 5.5 if english else 7.3
        ),
        Column("projection", _("Likely to be met"), 4, 8, 4.5),
        Column("growth", _("vs. last year"), 5, 8),
        Column("departments", _("Led by"), 6, 10, 5),
        Column("reason", _("Reasons and measures"), floor=8 if english else 12),
    ]
    # Columns that moved (MOVES); in the plan's last year the table states 完成情况 in
    # place of the path.
    dropped = set(moved)
    if ctx.final:
        dropped |= {"expected", "progress", "projection"}
    if ctx.public:  # 原因及措施 are the departments' words to the government, not published
        dropped.add("reason")
    return [c for c in columns if c.key not in dropped]


def _row(ctx: Context, row: Standing, moved: frozenset) -> dict[str, Shown]:
    target, a = row.target, row.assessment
    year = ctx.year
    approved = _approved(row, year)
    # The plan's own word for its nature, as the pages say it (14th FYP: Binding / Anticipatory).
    nature = str(NATURES.get(target.nature, target.nature))
    reason, flagged = ("", False) if ctx.public else _reason(row, year)
    status = a.status
    planned, actual = _paces(row, "actual" in moved)
    cells = {
        "area": _text(target.area.display_name, alignment=AREA, font=BOLD),
        "name": _text(target.display_name, alignment=MIDDLE),
        "unit": _text(_unit(target)),
        "base": _baseline(row),
        **{f"y{y}": _year(row, y, approved) for y in ctx.years},
        "goal": _goal(row),
        "planned": planned,
        "actual": actual,
        "nature": _text(nature),
        "expected": _expected(row, year),
        "progress": _progress(row),
        "status": _text(status_text(row), font=STATUS_FONT, fill=STATUS_FILLS[status]),
        "projection": _text(_projection(row)),
        "growth": _on_last_year(row),
        "departments": _text(_departments(target), alignment=MIDDLE),
        "reason": _text(reason, alignment=MIDDLE, font=FLAG_FONT if flagged else None),
    }
    below = [text for key, text in (("unit", _unit(target)), ("nature", nature)) if key in moved]
    if below:
        under = " · ".join(text for text in below if text)
        cells["name"] = _text(_lines(target.display_name, under), alignment=MIDDLE)
    return cells


def _widths(columns: list[Column], body: list[dict[str, Shown]]) -> list[float]:
    """Each column's width: its natural width, the name and the reasons sharing what the
    page has left, then narrowed toward the floors to fit WIDTH_BUDGET."""
    natural, floors = [], []
    for column in columns:
        shown = [b[column.key] for b in body]
        texts = [s.text for s in shown if s.text]
        numbers = [s.text for s in shown if s.text and not s.wraps]
        words = [s.text for s in shown if s.wraps]
        bold = 1.15 if column.bold else 1
        header = max(_longest_word(column.header) * 1.15, _whole_year(column.header))
        word = max([_longest_word(t) * bold for t in words] + [header])
        natural.append(max(_column(texts, column.least, column.most), word))
        lines = [line for t in words for line in t.split("\n")] if column.whole_lines else []
        # A line longer than the column can be wraps anyway: it does not hold the floor up.
        fitting = [text_units(line) + 1.1 for line in lines]
        whole = max((w for w in fitting if w <= column.most), default=0)
        floors.append(max(column.floor, _column(numbers) if numbers else 0, word, whole))
    keys = [c.key for c in columns]
    name = keys.index("name")
    reason = keys.index("reason") if "reason" in keys else None
    left = WIDTH_BUDGET - sum(w for i, w in enumerate(natural) if i not in (name, reason))
    names = [b["name"].text for b in body]
    share = 0.45 if reason is not None else 1  # without 原因及措施, the names take the room
    natural[name] = max(
        10, min(_column(names, 10, 18 if reason is not None else 30), left * share), floors[name]
    )
    if reason is not None:
        natural[reason] = max(10, min(28, left - natural[name]), floors[reason])
    return _within_budget(natural, floors)


def _whole_year(header: str) -> float:
    """A year's header ("2021年", bold) on one line: it is not to break before its 年."""
    if header[:4].isdigit() and len(header) <= 5:
        return text_units(header) * 1.15 + 0.5
    return 0


def _summary(wb, ctx: Context, rows: list[Standing], made: str) -> frozenset:
    """Write the summary sheet; returns the columns of the Chinese report that moved."""
    ws = sheet(wb, _("Summary"))
    english = ctx.lang != ZH
    layout = _layout(ctx, rows, english)
    columns, body, widths = layout.columns, layout.body, layout.widths
    keys = [c.key for c in columns]
    headers = [c.header for c in columns]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    last = get_column_letter(len(columns))
    header_row = 4
    groups = []  # [area, first index, last index] of each run of one area's targets
    for index, row in enumerate(rows):
        area = row.target.area.display_name
        if groups and groups[-1][0] == area:
            groups[-1][2] = index
        else:
            groups.append([area, index, index])
    ws.freeze_panes = f"{'B' if english else 'C'}{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.auto_filter.ref = (
        f"A{header_row}:{last}{len(rows) + (len(groups) if english else 0) + header_row}"
    )
    ctx.print_setup(ws)

    # 1. title, the count by status, the legend and the header.
    title = _("%(plan)s: progress of targets as of %(year)s") % {
        "plan": ctx.plan.display_name,
        "year": ctx.year,
    }
    if ctx.evaluation:
        title = f"{title} · {ctx.evaluation}"
    total = sum(widths)
    ws.row_dimensions[1].height = 22
    ws.append([cell(ws, title, font=TITLE_FONT, border=None)])
    line = summary(rows)
    ws.row_dimensions[2].height = LINE_HEIGHT * wrapped_lines(line, total) + 2
    ws.append([cell(ws, line, font=BOLD, border=None, alignment=WRAP)])
    ws.merged_cells.add(f"A2:{last}2")
    ws.row_dimensions[3].height = LINE_HEIGHT * wrapped_lines(made, total) + 2
    ws.append([cell(ws, made, font=MUTED_FONT, border=None, alignment=WRAP)])
    ws.merged_cells.add(f"A3:{last}3")
    ws.row_dimensions[header_row].height = row_height(zip(headers, widths, strict=True))
    ws.append([cell(ws, h, font=HEADER_FONT, fill=HEADER_FILL, alignment=CENTER) for h in headers])

    # 2. one row per target; an area's name once, over its rows (in English, a row above).
    first_of = {start: (area, end - start + 1) for area, start, end in groups}
    spans = []  # each area's first and last sheet row
    row_number = header_row
    for index, cells in enumerate(body):
        area = first_of.get(index)
        if area:
            spans.append([row_number + 1, row_number + area[1]])
        if english and area:
            row_number += 1
            spans[-1][1] += 1
            ws.row_dimensions[row_number].height = row_height([(area[0], total)])
            ws.append([cell(ws, area[0], font=BOLD, alignment=MIDDLE)])
            ws.merged_cells.add(f"A{row_number}:{last}{row_number}")
        row_number += 1
        if not area:
            cells = {**cells, "area": Shown(alignment=AREA)}
        # Numbers never wrap; row_height() reads only the texts. An area's name counts
        # only where it stands over a single row (over several it is merged).
        height = row_height(
            [
                (cells[key].value, width)
                for key, width in zip(keys, widths, strict=True)
                if cells[key].wraps and (key != "area" or (area and area[1] == 1))
            ]
        )
        ws.row_dimensions[row_number].height = height
        ws.append([cells[key].write(ws) for key in keys])
    for first, end in spans:
        if end > first and not english:
            ws.merged_cells.add(f"A{first}:A{end}")
    _keep_areas_together(ws, spans, widths, header_row)
    return layout.moved


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
        while used > room:  # an area taller than a page breaks where the page ends
            used = top = header + used - room
