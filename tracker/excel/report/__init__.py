"""The Excel progress report: the 纲要 indicator table, year matrix, charts and notes.

`write_report` writes to any file-like object; the download view and the `export_report`
command are thin wrappers around it. Sheets are write-only (openpyxl streams each row to
disk as it goes), so a province-sized plan does not have to fit in memory twice.

A report for year Y is true as of Y: no figure of a later year appears anywhere, and its
official cells hold approved figures only. Figures not yet approved go, when asked for, to
a sheet of their own. Every sheet meant for reading prints on A4, headed and numbered.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tracker.excel.common import (
    QUALITY_MARKS,
    clean_text,
    language_index,
    new_workbook,
)
from tracker.excel.report.charts import _charts
from tracker.excel.report.matrix import _matrix
from tracker.excel.report.notes import _notes
from tracker.excel.report.shared import Context, _evaluation_label, _is_final
from tracker.excel.report.summary import _summary
from tracker.excel.report.unapproved import _unapproved
from tracker.models import Plan, display_user
from tracker.standings.standing import Standing


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
    public: bool = False,
) -> None:
    """Write the progress report of `plan` as of `year` to the file-like `out`.

    `rows` are the plan's standings for `year` (tracker.standings.standing.standings), in table
    order. Figures of later years are left out; figures not yet approved appear only with
    `include_unapproved`, on a sheet of their own. The report of a frozen `evaluation`
    names it in its title, its page headers and its notes.

    A `public` report (the public pages of a published plan) names nobody and prints no
    原因及措施 and no explanation of a questioned figure: `rows` are then loaded as an
    anonymous reader's, approved figures only, without their 原因及措施.
    """
    if public and include_unapproved:
        raise ValueError("A public report holds approved figures only.")
    with translation.override(language or translation.get_language()):
        made_at = timezone.localtime(now or timezone.now())
        ctx = Context(
            plan=plan,
            year=year,
            lang=language_index(translation.get_language()),
            made_on=made_at.date().isoformat(),
            include_unapproved=include_unapproved,
            evaluation=_evaluation_label(evaluation),
            public=public,
            final=_is_final(plan, year, evaluation),
        )
        who = "" if public else display_user(user)
        if public:
            by = _("Made %(when)s for the public pages.")
        elif user is not None:
            by = _("Made %(when)s by %(who)s.")
        else:
            by = _("Made %(when)s by the export command.")
        made = (
            by
            + " "
            + _(
                "Approved figures only; %(estimate_mark)s marks an estimate, "
                "%(preliminary_mark)s a preliminary figure."
            )
        ) % {
            "when": made_at.strftime("%Y-%m-%d %H:%M"),
            "who": who,
            "estimate_mark": QUALITY_MARKS["estimate"],
            "preliminary_mark": QUALITY_MARKS["preliminary"],
        }
        wb = new_workbook()
        wb.properties.title = clean_text(plan.display_name)
        wb.properties.creator = clean_text(who or plan.display_region)
        moved = _summary(wb, ctx, rows, made)
        _matrix(wb, ctx, rows)
        if include_unapproved:
            _unapproved(wb, ctx, rows)
        charted = _charts(wb, ctx, rows)
        _notes(wb, ctx, rows, made, charted, who, moved)
        wb.save(out)
