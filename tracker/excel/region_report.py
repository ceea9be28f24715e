"""The prefecture's workbook: its regions' status matrix, and one sheet per indicator with its
comparison across them, printed as the county report is (A4 landscape, headed, numbered,
nothing cut).

It writes what `tracker.plans.regional` computed (a `Matrix` and its `Comparison`s, given by
`tracker.plans.region_workbook`) and computes nothing of its own: the same as-of year and
approved figures only, as the region pages. Rows are written as the county report's are
(`sheet`, `cell`: each style registered once, each row one piece of XML).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from tracker.excel.common import (
    BOLD,
    CENTER,
    HEADER_FILL,
    HEADER_FONT,
    LINE_HEIGHT,
    MIDDLE,
    MUTED_FONT,
    QUALITY_MARKS,
    TITLE_FONT,
    WRAP,
    cell,
    clean_text,
    new_workbook,
    print_setup,
    row_height,
    sheet,
    text_units,
    wrapped_lines,
)
from tracker.excel.report.shared import (
    GAP,
    STATUS_FILLS,
    STATUS_FONT,
    WIDTH_BUDGET,
    _column,
    figure_format,
)
from tracker.models import Indicator, display_user, localized
from tracker.standings import formats, words
from tracker.standings.engine import Status

# Excel's rules for a sheet's name: at most 31 characters, none of these, not opening or
# closing with an apostrophe, unique whatever the case, and never "History" (reserved).
SHEET_NAME_LENGTH = 31
NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
RESERVED_SHEET_NAMES = {"history"}

# A word that may not be broken: a run of Latin letters, digits and signs.
NARROW_WORD = re.compile(r"[!-~\u00a0-\u024f]+")

# The matrix prints at this scale where its columns do not fit one page's width: 10 pt text
# at 9 pt, as the county report's smallest; its pages go across and down, the regions'
# names and the header repeated on each.
# A matrix of more regions than this prints over as many pages down as it needs.
TALL = 25


def sheet_names(titles: list[str]) -> list[str]:
    """A sheet name for each title, by Excel's rules: characters it refuses replaced, cut to
    31 characters, and made unique (ignoring case) by a number where two would be one.

    >>> sheet_names(["GDP: 地区生产总值", "a/b", "A_B", "History"])
    ['GDP_ 地区生产总值', 'a_b', 'A_B (2)', 'History (2)']
    >>> [len(name) for name in sheet_names(["x" * 40, "x" * 40])]
    [31, 31]
    """
    used = set(RESERVED_SHEET_NAMES)
    names = []
    for title in titles:
        base = " ".join(NOT_IN_SHEET_NAME.sub("_", clean_text(str(title))).split())
        base = base.strip("'").strip() or "_"
        name, n = _cut(base, SHEET_NAME_LENGTH), 1
        while name.casefold() in used:
            n += 1
            suffix = f" ({n})"
            name = _cut(base, SHEET_NAME_LENGTH - len(suffix)) + suffix
        used.add(name.casefold())
        names.append(name)
    return names


def _cut(text: str, length: int) -> str:
    return text[:length].rstrip().rstrip("'") or "_"


class _StatusTexts(dict):
    """The status word, and the year it rests on where older (滞后 / 依据2022年数据), by
    status and year: a province's workbook prints tens of thousands of them, in one
    language."""

    def __missing__(self, key: tuple[str, int | None]) -> str:
        status, older = key
        text = words.label(status)
        if older is not None:
            text += "\n" + formats.based_on(older)
        self[key] = text
        return text


@dataclass(frozen=True)
class Page:
    """What every sheet of one workbook prints around its cells."""

    region: str
    year: int
    made_on: str
    made: str  # who made it when, and the marks of data quality
    sample: bool  # some plan or figure shown is sample data (示例数据)
    texts: _StatusTexts = field(default_factory=lambda: _StatusTexts())

    def status(self, assessment) -> str:
        """滞后, or 滞后 / 依据2022年数据 where the status rests on an older figure."""
        older = assessment.latest_year if assessment.rests_on_older_year else None
        return self.texts[assessment.status, older]

    def setup(self, ws, *, across: int = 1, tall: bool = False) -> None:
        """A4 landscape, headed with the region, the year and the date, and numbered; fitted
        to the page's width, or to `across` pages side by side (the first column repeated
        on each); a sheet not `tall` is kept to one page down, so that no row is parted
        from the rows it is counted with."""
        region = self.region
        if self.sample:
            region = f"{region} · {_('sample data')}"
        print_setup(
            ws,
            header_left=region,
            header_right=" · ".join(
                [
                    _("As of %(year)s") % {"year": self.year},
                    _("Generated %(date)s") % {"date": self.made_on},
                ]
            ),
            footer_right=_("Regions compared"),
            page_of=_("Page &P of &N"),
        )
        if across > 1:
            ws.page_setup.fitToWidth = across
            ws.page_setup.fitToHeight = 0 if tall else 1

    def notes(self) -> list[str]:
        """The lines under a sheet's title: who made it, and the sample data's label."""
        lines = [self.made]
        if self.sample:
            lines.append(
                _(
                    "Sample data (示例数据): the plans and figures marked so were invented "
                    "for the demonstration; they are not statistics."
                )
            )
        return lines


def write_region_report(
    out,
    matrix,
    comparisons: list,
    *,
    language: str | None = None,
    user=None,
    now: datetime | None = None,
) -> None:
    """Write the workbook of `matrix` (a `tracker.plans.regional.Matrix`) and its
    `comparisons` (one `Comparison` per column, in order) to `out`, a path or a file-like
    object, in `language` (default: the active one)."""
    with translation.override(language or translation.get_language()):
        made_at = timezone.localtime(now or timezone.now())
        by = (
            _("Made %(when)s by %(who)s.")
            if user is not None
            else _("Made %(when)s by the export command.")
        )
        made = (
            by
            + " "
            + _(
                "Approved figures only; %(estimate_mark)s marks an estimate, "
                "%(preliminary_mark)s a preliminary figure."
            )
        ) % {
            "when": made_at.strftime("%Y-%m-%d %H:%M"),
            "who": display_user(user),
            "estimate_mark": QUALITY_MARKS["estimate"],
            "preliminary_mark": QUALITY_MARKS["preliminary"],
        }
        page = Page(
            region=matrix.region.display_name,
            year=matrix.year,
            made_on=made_at.date().isoformat(),
            made=made,
            sample=matrix.has_sample,
        )
        names = sheet_names(
            [_("Status matrix")]
            + [f"{c.indicator.code} {c.indicator.display_name}" for c in comparisons]
        )
        wb = new_workbook()
        wb.properties.title = clean_text(
            f"{matrix.region.display_name} · {_('Regions compared')} · {matrix.year}"
        )
        wb.properties.creator = clean_text(display_user(user))
        _matrix_sheet(sheet(wb, names[0]), matrix, page)
        for name, result in zip(names[1:], comparisons, strict=True):
            _comparison_sheet(sheet(wb, name), result, page)
        wb.save(out)


def _status_cell(ws, assessment, text: str):
    status = Status(assessment.status)
    return cell(ws, text, font=STATUS_FONT, fill=STATUS_FILLS[status], alignment=CENTER)


def _header(ws, texts: list[str]) -> list:
    return [cell(ws, t, font=HEADER_FONT, fill=HEADER_FILL, alignment=CENTER) for t in texts]


def _lead(ws, lines: list[tuple[str, object]], widths: list[float], skip: int = 0) -> None:
    """The title and the lines under it, each merged over the columns of `widths` after
    the first `skip` (left empty: a column repeated on every page across would print a
    slice of them)."""
    width = sum(widths[skip:])
    first, last = get_column_letter(skip + 1), get_column_letter(len(widths))
    for row, (text, font) in enumerate(lines, start=1):
        if font is TITLE_FONT:  # 14 pt: a line holds 10/14 of the 10 pt text
            ws.row_dimensions[row].height = 22 * wrapped_lines(text, width * 10 / 14)
        else:
            ws.row_dimensions[row].height = LINE_HEIGHT * wrapped_lines(text, width) + 2
        ws.append([None] * skip + [cell(ws, text, font=font, border=None, alignment=WRAP)])
        ws.merged_cells.add(f"{first}{row}:{last}{row}")


def _bold_word(text: str) -> float:
    """The width the longest word of a bold header takes: a header wraps between words,
    never inside one (CJK text wraps anywhere)."""
    return max((text_units(word) * 1.15 + 1 for word in NARROW_WORD.findall(text)), default=0)


def _set_widths(ws, widths: list[float]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _pages_across(widths: list[float]) -> int:
    """How many pages side by side the columns take at the budget's scale, the first
    column printed again on each page after the first."""
    pages, used = 1, 0.0
    for width in widths:
        if used + width > WIDTH_BUDGET and used > widths[0]:
            pages, used = pages + 1, widths[0]
        used += width
    return pages


def _first_page(widths: list[float]) -> int:
    """How many columns from the left print on the first page across (at least one)."""
    used, count = 0.0, 0
    for width in widths:
        if used + width > WIDTH_BUDGET and count:
            break
        used, count = used + width, count + 1
    return count


# -- the status matrix --------------------------------------------------------------------


def _matrix_sheet(ws, matrix, page: Page) -> None:
    """Rows: the child regions; columns: their plan, the count of targets by status, and
    each indicator's status; under them, each indicator's count by status."""
    statuses = [status for status, _n in matrix.counts]
    grid = matrix.grid()
    names = [row.region.display_name for row, _cells in grid]
    plans = [
        row.plan.display_name if row.plan else _("no plan covers this year") for row in matrix.rows
    ]
    headers = [
        _("Region"),
        _("Plan"),
        _("Targets"),
        *[words.label(s) for s in statuses],
        *[c.indicator.display_name for c in matrix.columns],
    ]
    texts = [[page.status(c.assessment) for c in column.cells] for column in matrix.columns]
    counted = 3 + len(statuses)
    widths = [
        _column([*names, headers[0], *[words.label(s) for s in statuses]], 6, 16),
        _column([*plans, headers[1]], 10, 22),
        *[max(6, _bold_word(h)) for h in headers[2:counted]],
        *[
            max(_column(t, 8, 16), _bold_word(h))
            for t, h in zip(texts, headers[counted:], strict=True)
        ],
    ]
    _set_widths(ws, widths)
    fits = sum(widths) <= WIDTH_BUDGET
    first = _first_page(widths)
    lead = [
        (
            _("%(region)s: its regions' plan targets as of %(year)s")
            % {"region": matrix.region.display_name, "year": matrix.year},
            TITLE_FONT,
        ),
        (words.summary_line(matrix.counts), BOLD),
        (
            _(
                "Only approved figures of each region count here: a region's figures are "
                "approved in the region before anyone above reads them. Each region is judged "
                "by its own plan covering the year."
            )
            + " "
            + _(
                "Rows: the regions; columns: the indicators their plans target. Each cell is "
                "the status as of %(year)s; a blank cell: the region's plan has no target on "
                "it."
            )
            % {"year": matrix.year},
            MUTED_FONT,
        ),
        *[(line, MUTED_FONT) for line in page.notes()],
    ]
    # Before the first row: a write-only sheet writes its views and page setup first.
    header_row = len(lead) + 1
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_title_cols = "A:A"
    ws.freeze_panes = f"{get_column_letter(counted + 1)}{header_row + 1}"
    page.setup(ws, across=_pages_across(widths), tall=len(grid) > TALL)
    _lead(ws, lead, widths[: len(widths) if fits else first], 0 if fits else 1)
    ws.row_dimensions[header_row].height = row_height(zip(headers, widths, strict=True))
    ws.append(_header(ws, headers))

    for number, ((row, cells), name, plan) in enumerate(
        zip(grid, names, plans, strict=True), start=header_row + 1
    ):
        counts = dict(row.counts)
        said = [None if c is None else page.status(c.assessment) for c in cells]
        shown = [(name, widths[0]), (plan, widths[1])]
        shown += list(zip(said, widths[counted:], strict=True))
        ws.row_dimensions[number].height = row_height(shown)
        ws.append(
            [
                cell(ws, name, font=BOLD, alignment=MIDDLE),
                cell(ws, plan, alignment=MIDDLE, font=None if row.plan else MUTED_FONT),
                cell(ws, len(row.cells), alignment=CENTER),
                *[cell(ws, counts.get(s) or None, alignment=CENTER) for s in statuses],
                *[
                    cell(ws) if c is None else _status_cell(ws, c.assessment, text)
                    for c, text in zip(cells, said, strict=True)
                ],
            ]
        )

    # Each indicator's count by status, then its number of targets.
    number = header_row + len(grid)
    for status, total in matrix.counts:
        number += 1
        label = words.label(status)
        by_column = [dict(c.counts).get(status) for c in matrix.columns]
        ws.row_dimensions[number].height = row_height([(label, widths[0])])
        ws.append(
            [
                cell(
                    ws, label, font=STATUS_FONT, fill=STATUS_FILLS[Status(status)], alignment=CENTER
                ),
                cell(ws, _("Count"), alignment=MIDDLE),
                cell(ws),
                *[cell(ws, total if s == status else None, alignment=CENTER) for s in statuses],
                *[cell(ws, n, alignment=CENTER) for n in by_column],
            ]
        )
    number += 1
    ws.row_dimensions[number].height = row_height([(headers[2], widths[0])])
    ws.append(
        [
            cell(ws, headers[2], font=BOLD, alignment=CENTER),
            cell(ws),
            cell(ws, sum(n for _s, n in matrix.counts), font=BOLD, alignment=CENTER),
            *[cell(ws, n, font=BOLD, alignment=CENTER) for _s, n in matrix.counts],
            *[cell(ws, len(c.cells), font=BOLD, alignment=CENTER) for c in matrix.columns],
        ]
    )


# -- one indicator compared -----------------------------------------------------------------


def _figure_cell(ws, indicator, value, achieved, quality, *, font=None):
    """A child's figure: a number with the mark of its quality, a milestone's word, or a
    dash where there is no approved figure."""
    if indicator.is_milestone:
        word = formats.milestone_word(achieved)
        return cell(
            ws,
            word + QUALITY_MARKS.get(quality or "final", "") if word else GAP,
            alignment=CENTER,
            font=font,
        )
    if value is None:
        return cell(ws, GAP, alignment=CENTER, font=font)
    return cell(
        ws, value, number_format=figure_format(value, indicator.decimal_places, quality), font=font
    )


def _figure_text(indicator, value, achieved, quality) -> str:
    if indicator.is_milestone:
        return formats.milestone_word(achieved) or GAP
    if value is None:
        return GAP
    return formats.format_figure(value, indicator.decimal_places) + QUALITY_MARKS.get(
        quality or "final", ""
    )


def _goal(ws, standing):
    """A child's own target: a number where it is one, else the plan's words for it."""
    if standing is None:
        return cell(ws, _("no target"), alignment=CENTER, font=MUTED_FONT)
    target, goal = standing.target, standing.goal
    if isinstance(goal, Decimal) and target.kind in ("level", "multiple", "rank"):
        return cell(ws, goal, number_format=figure_format(goal, target.decimal_places))
    return cell(ws, formats.goal_text(target, goal) or GAP, alignment=CENTER)


def _source(result) -> str:
    """What the parent's figure is, or why none is given."""
    return {
        "own": _("its own approved figure"),
        "sum": _("sum of the regions' figures"),
        "recomputed": _("recomputed from the regions' summed inputs, not averaged"),
    }.get(result.parent_source, result.no_rollup)


def _comparison_sheet(ws, result, page: Page) -> None:
    """Each child's figure, its own target and status, its rank; the parent's figure or
    roll-up, or why none is given."""
    indicator, year = result.indicator, result.year
    ranked, computed = result.ranked, result.ranks_computed
    figure_header = (
        _("Published rank %(year)s") % {"year": year}
        if indicator.measure == Indicator.Measure.RANK
        else _("Figure %(year)s") % {"year": year}
    )
    headers = [
        _("Region"),
        *([_("Rank")] if ranked else []),
        figure_header,
        *([_("Computed rank")] if computed else []),
        _("Target value"),
        _("Status"),
        _("Plan"),
    ]
    places = result.places
    names = [p.region.display_name for p in places]
    figures = [_figure_text(indicator, p.value, p.achieved, p.quality) for p in places]
    # A computed rank that differs from the published one is marked as on the page.
    computed_ranks = [f"{p.computed_rank} ≠" if p.rank_differs else p.computed_rank for p in places]
    goals = [
        formats.goal_text(p.standing.target, p.standing.goal) if p.standing else _("no target")
        for p in places
    ]
    said = [page.status(p.standing.assessment) if p.standing else GAP for p in places]
    statuses = [text for p, text in zip(places, said, strict=True) if p.standing]
    plans = [p.standing.target.plan.display_name for p in places if p.standing]
    widths = [
        _column([*names, result.region.display_name, headers[0]], 8, 18),
        *([_column([headers[1]], 6, 8)] if ranked else []),
        _column(
            [*figures, figure_header, _figure_text(indicator, result.parent_value, None, "")],
            10,
            16,
        ),
        *([_column([*map(str, computed_ranks), headers[-4]], 6, 10)] if computed else []),
        _column([*goals, headers[-3]], 10, 18),
        _column([*statuses, headers[-2]], 10, 22),
        _column([*plans, headers[-1]], 16, 40),
    ]
    last = get_column_letter(len(widths))
    unit = localized(indicator, "unit")
    better = (
        ""
        if indicator.is_milestone
        else _("Lower is better.")
        if result.lower_is_better
        else _("Higher is better.")
    )
    lead = [
        (
            _("%(indicator)s: the regions of %(region)s compared, as of %(year)s")
            % {
                "indicator": indicator.display_name,
                "region": result.region.display_name,
                "year": year,
            },
            TITLE_FONT,
        ),
        (
            " · ".join(t for t in (indicator.code, unit) if t)
            + "  "
            + _(
                "Approved figures only. Each region's target and status are those of its own "
                "plan covering the year."
            )
            + " "
            + better,
            BOLD,
        ),
        *([(result.rank_note, MUTED_FONT)] if result.rank_note else []),
        *([(result.computed_rank_note, MUTED_FONT)] if result.computed_rank_note else []),
        *([(_rank_differences(result), BOLD)] if computed else []),
        *[(line, MUTED_FONT) for line in page.notes()],
    ]
    # Before the first row: a write-only sheet writes its columns, views and setup first.
    _set_widths(ws, widths)
    header_row = len(lead) + 1
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_title_cols = "A:A"
    ws.freeze_panes = f"B{header_row + 1}"
    page.setup(ws)
    _lead(ws, lead, widths)
    ws.row_dimensions[header_row].height = row_height(zip(headers, widths, strict=True))
    ws.append(_header(ws, headers))

    for number, (place, name, figure, rank, goal, status) in enumerate(
        zip(places, names, figures, computed_ranks, goals, said, strict=True),
        start=header_row + 1,
    ):
        standing = place.standing
        plan = standing.target.plan.display_name if standing else ""
        texts = [
            name,
            *([""] if ranked else []),
            figure,
            *([str(rank)] if computed else []),
            goal,
            status,
            plan,
        ]
        ws.row_dimensions[number].height = row_height(zip(texts, widths, strict=True))
        ws.append(
            [
                cell(ws, name, font=BOLD, alignment=MIDDLE),
                *([cell(ws, place.rank or GAP, alignment=CENTER)] if ranked else []),
                _figure_cell(ws, indicator, place.value, place.achieved, place.quality),
                *(
                    [
                        cell(
                            ws,
                            rank or GAP,
                            alignment=CENTER,
                            font=BOLD if place.rank_differs else None,
                        )
                    ]
                    if computed
                    else []
                ),
                _goal(ws, standing),
                _status_cell(ws, standing.assessment, status)
                if standing
                else cell(ws, GAP, alignment=CENTER),
                cell(ws, plan or None, alignment=MIDDLE),
            ]
        )

    # The parent: its own figure or the roll-up, and what it is, or why none is given.
    number = header_row + len(places) + 1
    source = _source(result)
    figure_column = 2 if ranked else 1  # from 0: the sentence takes the columns after it
    ws.row_dimensions[number].height = row_height(
        [(result.region.display_name, widths[0]), (source, sum(widths[figure_column + 1 :]))]
    )
    value = result.parent_value
    ws.append(
        [
            cell(ws, result.region.display_name, font=BOLD, alignment=MIDDLE),
            *([cell(ws)] if ranked else []),
            _parent_figure(ws, indicator, value),
            cell(ws, source, alignment=WRAP),
            *([cell(ws)] if computed else []),
            cell(ws),
            cell(ws),
        ]
    )
    first = get_column_letter(figure_column + 2)
    ws.merged_cells.add(f"{first}{number}:{last}{number}")


def _rank_differences(result) -> str:
    """Where the published ranks differ from those computed, as the page says it."""
    if result.differences_line:
        return result.differences_line
    return _("Every published rank is the one computed from %(of)s.") % {
        "of": result.computed_from.display_name
    }


def _parent_figure(ws, indicator, value):
    if value is None:
        return cell(ws, GAP, alignment=CENTER, font=BOLD)
    return cell(ws, value, number_format=figure_format(value, indicator.decimal_places), font=BOLD)
