"""The notes sheet: what the report holds, how it was made, and the explanations of questioned
figures.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tracker.excel.common import BOLD, QUALITY_MARKS, QUALITY_WORDS, WRAP, cell, row_height, sheet
from tracker.excel.report.charts import MAX_TARGET_CHARTS
from tracker.excel.report.shared import Context
from tracker.figures import plausibility
from tracker.reminders import deadlines
from tracker.standings import words as status_display
from tracker.standings.standing import Standing


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
