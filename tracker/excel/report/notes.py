"""The notes sheet: what the report holds, how it was made, and the explanations of questioned
figures.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from tracker.excel.common import BOLD, QUALITY_MARKS, QUALITY_WORDS, WRAP, cell, row_height, sheet
from tracker.excel.report.charts import MAX_TARGET_CHARTS
from tracker.excel.report.shared import (
    Context,
    _approved,
    gaps,
    rests_on_older,
)
from tracker.figures import plausibility
from tracker.reminders import deadlines
from tracker.standings import engine, formats
from tracker.standings import words as status_display
from tracker.standings.standing import Standing


def _notes(
    wb,
    ctx: Context,
    rows: list[Standing],
    made: str,
    charted: bool,
    who: str,
    moved: frozenset = frozenset(),
):
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
        *(
            []
            if ctx.public
            else [(_("Reporting deadlines"), deadlines.report_note(plan, up_to=year))]
        ),
        (_("Made"), made),
        *([] if ctx.public else [(_("Made by"), who)]),
        *_layout_lines(moved),
        ("", ""),
        (
            _("Which figures count"),
            _(
                "Only approved figures count toward progress and status, and only they are "
                "printed in the summary, the “Yearly data” sheet and the charts. Nothing "
                "after %(year)s is shown: the report is true as of that year."
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
        *_status_lines(ctx),
        (
            _("Likely to be met"),
            _(
                "Whether the trend from the baseline to the latest approved figure, carried on "
                "to the target year, reaches the target."
            ),
        ),
    ]
    lines += _changes_lines(ctx, rows)
    flagged = (
        [
            (row.target.display_name, remark)
            for row in rows
            if (remark := plausibility.flagged_remark(row.entries, year))
        ]
        if not ctx.public
        else []
    )
    if flagged:
        lines.append(("", ""))
        lines.append((_("Figures confirmed although questioned"), ""))
        lines += flagged
    if not charted:
        lines.append(
            (
                _("Charts"),
                ngettext(
                    "This plan has more than %(n)s numeric target: the charts sheet holds "
                    "the progress chart alone.",
                    "This plan has more than %(n)s numeric targets: the charts sheet holds "
                    "the progress chart alone.",
                    MAX_TARGET_CHARTS,
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


def _layout_lines(moved: frozenset) -> list[tuple[str, str]]:
    """Where the summary put the Chinese report's columns that it moved (summary.MOVES),
    each named in both languages, so that a reader holding both reports finds them."""
    if not moved:
        return []
    where = {
        "area": _("Area (类别): a row of its own above its targets."),
        "nature": _("Nature (属性): under the target's name."),
        "unit": _("Unit (单位): under the target's name."),
        "actual": _(
            "Actual average annual growth (实际年均增长): in the column of the planned "
            "growth, after the slash, with the cumulative change below it."
        ),
    }
    opening = _(
        "The summary has the Chinese report's columns in its order. English words are "
        "longer: so that it fits the width of an A4 landscape page, these moved:"
    )
    moves = [("", where[key]) for key in ("area", "nature", "actual", "unit") if key in moved]
    return [(_("Layout"), opening), *moves]


def _status_lines(ctx: Context) -> list[tuple[str, str]]:
    """What each status means, in the evaluation's words, with the plan's ratios."""
    plan = ctx.plan
    label = status_display.label
    share = _("progress share >= expected share x %(r)s.")
    return [
        (
            label("achieved"),
            _("met before its target year (at or below it where lower is better)."),
        ),
        (label("ahead"), share % {"r": plan.ahead_ratio}),
        (label("on_track"), share % {"r": plan.on_track_ratio}),
        (label("behind"), share % {"r": plan.behind_ratio}),
        (label("off_track"), _("below that.")),
        (label("pending"), _("a milestone before its target year, or a target with no baseline.")),
        (label("no_data"), _("no approved figure yet.")),
        (
            _("From the target year on"),
            _(
                "the verdict of a final evaluation: %(exceeded)s (beyond the target as printed), "
                "%(completed)s (the target reached), %(incomplete)s (not reached). In the plan's "
                "last year or a final evaluation the table states this as %(completion)s."
            )
            % {
                "exceeded": label("exceeded"),
                "completed": label("completed"),
                "incomplete": label("incomplete"),
                "completion": _("Completion"),
            },
        ),
    ]


def _changes_lines(ctx: Context, rows: list[Standing]) -> list[tuple[str, str]]:
    """How changes are stated, each growth goal's basis, the statuses resting on older
    figures, the gaps and why, and the percentages the printed figures do not give back."""
    lines = [
        ("", ""),
        (
            _("Changes"),
            _(
                "A share (%%) changes in percentage points; 〔 〕 under a yearly pace holds the "
                "change since the baseline year %(year)s in the plan's notation, in the unit of "
                "that pace. Other targets change in percent. “Average annual” growth runs from "
                "the baseline year to the year the status rests on; a relative goal compares the "
                "two average growths, and “vs. last year” gives that year's growth alone. A "
                "growth goal's basis (at comparable or at current prices) is stated once in its "
                "row, under the planned growth, and holds for every growth the row prints; a "
                "year's growth on another basis says so in its cell."
            )
            % {"year": ctx.plan.baseline_year},
        ),
    ]
    lines += _section(_("Basis of growth goals"), [_basis(row) for row in rows])
    lines += _section(
        _("Status resting on an older figure"),
        [
            (row.target.display_name, formats.based_on(row.assessment.latest_year))
            for row in rows
            if rests_on_older(row)
        ],
    )
    lines += _section(
        _("Years without an approved figure (printed as —)"),
        [_gap_line(ctx, row) for row in rows],
    )
    if any(row.target.is_milestone for row in rows):
        lines.append(
            (
                _("Milestones"),
                _(
                    "A milestone is reported in the years it has something to report: a year "
                    "left blank means no report that year; — marks one entered but not "
                    "approved."
                ),
            )
        )
    lines += _section(
        _("Percentages are computed from unrounded figures"),
        [_unreproduced_line(ctx, row) for row in rows],
        _(
            "Recomputed from the rounded figures printed, these percentages come out "
            "otherwise in their last digit:"
        ),
    )
    return lines


# Notes are read, not searched: a province's plan lists its first targets of each kind and
# counts the rest (the pages, the year matrix and the API have every one).
NOTES_PER_SECTION = 200


def _section(title: str, items, opening: str = "") -> list[tuple[str, str]]:
    listed, more = [], 0
    for item in items:
        if not item:
            continue
        if len(listed) < NOTES_PER_SECTION:
            listed.append(item)
        else:
            more += 1
    if not listed:
        return []
    if more:
        listed.append(
            (
                "",
                ngettext("… and %(count)s more target.", "… and %(count)s more targets.", more)
                % {"count": f"{more:,}"},
            )
        )
    return [("", ""), (title, opening), *listed]


def _basis(row: Standing) -> tuple[str, str] | None:
    target, a = row.target, row.assessment
    if a.basis is None:
        return None
    if a.basis == engine.Basis.COMPARABLE:
        how = _(
            "growth at comparable prices: the published yearly growth rates chained from "
            "the baseline year (a year without a rate by the ratio of its levels); the "
            "levels printed are at current prices."
        )
    else:
        how = _("growth at current prices: the ratio of the levels printed.")
    return target.display_name, how


def _gap_line(ctx: Context, row: Standing) -> tuple[str, str] | None:
    found = gaps(row, ctx.years)
    if not found:
        return None
    by_reason: dict[str, list[int]] = {}
    for year, reason in found:
        by_reason.setdefault(reason, []).append(year)
    separator = _("; ")
    return row.target.display_name, separator.join(
        _("%(years)s: %(reason)s") % {"years": _years(years), "reason": formats.GAPS[reason]}
        for reason, years in by_reason.items()
    )


def _years(years: list[int]) -> str:
    """2021, 2022 and 2023 as 2021-2023; others listed."""
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return _("%(first)s-%(last)s") % {"first": years[0], "last": years[-1]}
    return _(", ").join(str(y) for y in years)


def _unreproduced_line(ctx: Context, row: Standing) -> tuple[str, str] | None:
    found = unreproduced(ctx, row)
    if not found:
        return None
    return row.target.display_name, _("; ").join(
        _("%(column)s %(printed)s (from the printed figures %(recomputed)s)")
        % {"column": column, "printed": printed, "recomputed": recomputed}
        for column, printed, recomputed in found
    )


def unreproduced(ctx: Context, row: Standing) -> list[tuple[str, str, str]]:
    """Printed percentages that the printed (rounded) figures do not give back, each as
    (column, as printed, as recomputed from the printed figures).

    The report computes from every digit reported: a goal of 25.52 prints as 25.5, so
    (22.0 - 11.6) / (25.5 - 11.6) gives 74.8% where the report says 74.7%. Growth judged
    on published rates at comparable prices is not recomputable from levels; the basis
    note says so.
    """
    target, a = row.target, row.assessment
    if target.is_milestone or target.kind == target.Kind.RELATIVE or a.latest_year is None:
        return []
    if a.basis == engine.Basis.COMPARABLE and row.growths():
        return []
    places = target.decimal_places

    def shown(value):
        return None if value is None else formats.rounded(value, places)

    base, latest, goal = shown(row.baseline), shown(a.latest_value), shown(row.goal)
    found = []

    def compare(column, exact, recomputed, points=False):
        if exact is None or recomputed is None:
            return
        if points:
            printed = formats.format_change(exact, True, places)
            again = formats.format_change(recomputed, True, places)
        else:
            printed, again = formats.format_share(exact), formats.format_share(recomputed)
        if printed != again:
            found.append((column, printed, again))

    if not ctx.final and None not in (base, latest, goal) and goal != base:
        compare(_("Done so far"), a.progress, (latest - base) / (goal - base))
    values = _approved(row, ctx.year)
    before = values.get(a.latest_year - 1)
    before = (
        row.baseline
        if before is None and a.latest_year - 1 == target.baseline_year
        else (before.value if before is not None else None)
    )
    if (
        before is not None
        and latest is not None
        and not (a.basis == engine.Basis.COMPARABLE and row.growths())
    ):
        before = shown(before)
        change = latest - before if row.points else (latest / before - 1 if before else None)
        compare(_("vs. last year"), row.year_change(a.latest_year), change, row.points)
    return found
