"""The dashboard's table: one row per target, its status from the engine."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tracker.figures.plausibility import flag_display
from tracker.models import localized
from tracker.standings import formats
from tracker.standings.formats import format_figure
from tracker.templatetags.tracker import progress_bar, status_cell


def entry_cell(entry, target) -> str:
    """A year's figure; one not yet approved is marked with its state."""
    if entry is None:
        return "—"
    text = entry.display_value or growth_text(entry) or "—"
    if entry.counts and entry.is_flagged:
        return format_html(
            '<span class="flagged" title="{}">{}<sup>{}</sup></span>',
            f"{flag_display(entry.plausibility_flag)} {entry.plausibility_note}".strip(),
            text,
            gettext("Questioned"),
        )
    if entry.counts:
        return text
    return format_html(
        '<span class="unapproved" title="{}">{}<sup>{}</sup></span>',
        gettext("Not approved: %(state)s") % {"state": formats.state_word(entry.state)},
        text,
        formats.state_word(entry.state),
    )


def growth_text(entry) -> str:
    """A year that gave only its growth rate (增长6.6%), as published; "" otherwise."""
    if entry.growth is None or entry.value is not None:
        return ""
    return gettext("up %(rate)s") % {"rate": formats.format_share(entry.growth / 100)}


class YearColumn(tables.Column):
    def __init__(self, year: int, **kwargs):
        self.year = year
        super().__init__(
            verbose_name=str(year),
            attrs={"td": {"class": "num"}},
            accessor="target__code",
            orderable=False,
            empty_values=(),
            **kwargs,
        )

    def render(self, record):
        return entry_cell(record.entries.get(self.year), record.target)


class StandingTable(tables.Table):
    area = tables.Column(
        _("Area"),
        accessor="target__area__display_name",
        order_by=("target__area__order",),
        attrs={"th": {"class": "area"}, "td": {"class": "area"}},
    )
    code = tables.Column(
        _("Code"), accessor="target__code", attrs={"th": {"class": "code"}, "td": {"class": "code"}}
    )
    name = tables.Column(
        _("Target"),
        accessor="target__display_name",
        linkify=lambda record: record.target.get_absolute_url(),
        attrs={"th": {"class": "name"}, "td": {"class": "name"}},
    )
    unit = tables.Column(_("Unit"), empty_values=(), orderable=False)
    nature = tables.Column(
        _("Nature"),
        accessor="target__nature",
        attrs={"th": {"class": "nature"}, "td": {"class": "nature"}},
    )
    baseline = tables.Column(
        _("Baseline"), empty_values=(), orderable=False, attrs={"td": {"class": "num"}}
    )
    goal = tables.Column(
        _("Target value"), empty_values=(), orderable=False, attrs={"td": {"class": "num"}}
    )
    progress = tables.Column(_("Progress"), empty_values=(), order_by=("progress_sort",))
    status = tables.Column(_("Status"), empty_values=(), order_by=("status_rank",))
    lead = tables.Column(
        _("Lead department"), accessor="target__lead_department__display_name", default="—"
    )

    class Meta:
        attrs = {"class": "table dashboard"}
        sequence = [
            "area",
            "code",
            "name",
            "unit",
            "nature",
            "baseline",
            "...",
            "goal",
            "progress",
            "status",
            "lead",
        ]
        orderable = True

    def render_unit(self, record):
        return localized(record.target, "unit") or "—"

    def render_nature(self, record):
        return record.target.get_nature_display()

    def render_baseline(self, record):
        return format_figure(record.baseline, record.target.decimal_places) or "—"

    def render_goal(self, record):
        return formats.goal_text(record.target, record.goal) or "—"

    def render_progress(self, record):
        return progress_bar(record.assessment) or "—"

    def render_status(self, record):
        return status_cell(record.assessment)


class FinalTable(StandingTable):
    """A final evaluation's table: 完成情况 (completed, exceeded, not completed) in place of
    progress along the plan's path, which no longer matters once the plan is over."""

    status = tables.Column(_("Completion"), empty_values=(), order_by=("status_rank",))

    class Meta(StandingTable.Meta):
        exclude = ("progress",)


def standing_table(rows, years, *, final: bool = False, **kwargs) -> StandingTable:
    """The table of `rows` with a column for each of `years`; a final evaluation's with
    完成情况 in place of progress (`FinalTable`)."""
    table = FinalTable if final else StandingTable
    return table(rows, extra_columns=[(f"y{year}", YearColumn(year)) for year in years], **kwargs)
