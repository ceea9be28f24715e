"""Reporting deadlines: when a year's figures are due, and which are still outstanding.

A plan has at most one deadline per year; a target may have its own for a year, which
overrides the plan's. A figure is outstanding when it is missing, a draft, or returned: the
administrators do not have it yet. Pages, the report, the "my work" home and the reminders
all read deadlines through this module.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker.models import Deadline, Plan, ProgressEntry, Target
from tracker.reminders.todo import expects_figure

OUTSTANDING_STATES = (ProgressEntry.State.DRAFT, ProgressEntry.State.RETURNED)


def today() -> date:
    return timezone.localdate()


class PlanDeadlines:
    """Every deadline of one plan, read once: the plan's per year and each target's own."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.by_year: dict[int, Deadline] = {}
        self.by_target: dict[tuple[int, int], Deadline] = {}
        for deadline in Deadline.objects.for_plan(plan):
            if deadline.target_id:
                self.by_target[(deadline.target_id, deadline.year)] = deadline
            else:
                self.by_year[deadline.year] = deadline

    def get(self, year: int, target: Target | int | None = None) -> Deadline | None:
        """The deadline that applies: the target's own for the year, else the plan's."""
        target_id = getattr(target, "pk", target)
        if target_id is not None and (target_id, year) in self.by_target:
            return self.by_target[(target_id, year)]
        return self.by_year.get(year)

    def years(self) -> list[int]:
        return sorted(set(self.by_year) | {year for _t, year in self.by_target})


def deadline_for(plan: Plan, year: int, target: Target | None = None) -> Deadline | None:
    """The deadline for `plan`'s figures of `year`: `target`'s own when it has one.

    Returns the Deadline (its `due` date and `note`), or None when none is set.
    """
    return PlanDeadlines(plan).get(year, target)


def last_dues(plan: Plan) -> dict[int, date]:
    """Per year, the latest deadline for the figures of `plan`'s region: the plans' and
    their targets' own. A year is closed for the whole region, so no department of any of
    its plans may be cut off before its date."""
    found = last_dues_of_regions({plan.region_id})
    return {year: due for (_region, year), due in found.items()}


def last_dues_of_regions(region_ids) -> dict[tuple[int, int], date]:
    """`last_dues` of many regions in one query: (region id, year) -> latest due date."""
    rows = (
        Deadline.objects.filter(plan__region__in=region_ids)
        .values("plan__region", "year")
        .annotate(last=Max("due"))
        .values_list("plan__region", "year", "last")
    )
    return {(region, year): last for region, year, last in rows.order_by()}


def year_deadlines(plans) -> dict[tuple[int, int], Deadline]:
    """The plans' own deadlines per year (not their targets'), in one query:
    (plan id, year) -> Deadline."""
    rows = Deadline.objects.filter(plan__in=plans, target=None)
    return {(deadline.plan_id, deadline.year): deadline for deadline in rows}


def describe(due: date | None, on: date | None = None) -> str:
    """`due` as a sentence: 'due by 2026-03-31, overdue by 3 days', in the active language."""
    if due is None:
        return _("no deadline set")
    days = (due - (on or today())).days
    when = due.strftime("%Y-%m-%d")
    if days > 0:
        left = ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}
        return _("due by %(date)s, %(left)s") % {"date": when, "left": left}
    if days == 0:
        return _("due today, %(date)s") % {"date": when}
    late = ngettext("overdue by %(n)d day", "overdue by %(n)d days", -days) % {"n": -days}
    return _("due by %(date)s, %(late)s") % {"date": when, "late": late}


@dataclass(frozen=True)
class Outstanding:
    """A figure the administrators do not have yet: missing, a draft, or returned."""

    target: Target
    year: int
    entry: ProgressEntry | None
    deadline: Deadline | None

    @property
    def due(self) -> date | None:
        return self.deadline.due if self.deadline else None

    @property
    def state(self) -> str:
        return self.entry.state if self.entry else "missing"

    @property
    def state_text(self) -> str:
        if self.entry is None:
            return _("no figure yet")
        if self.entry.state == ProgressEntry.State.DRAFT:
            return _("draft, not submitted")
        return _("returned")

    @property
    def return_reason(self) -> str:
        return self.entry.return_reason if self.state == ProgressEntry.State.RETURNED else ""

    def overdue(self, on: date | None = None) -> bool:
        return self.due is not None and self.due < (on or today())


def outstanding(
    plan: Plan, years=None, *, deadlines: PlanDeadlines | None = None, on: date | None = None
):
    """The plan's outstanding figures of `years` (default: the years with a deadline).

    Only years open for reporting on `on` (default today) count (`Plan.reporting_lock`):
    a year not over yet asks nobody, a closed one or one outside the plan cannot change.
    Targets without a lead department are left out: nobody is asked for them. Nor is
    anyone asked for a figure the target does not need (tracker.reminders.todo.
    expects_figure): a milestone completed in an earlier year, or the baseline year's
    figure where the plan states the baseline.
    """
    deadlines = deadlines or PlanDeadlines(plan)
    asked = deadlines.years() if years is None else years
    years = {year for year in asked if plan.reporting_lock(year, on or today()) is None}
    if not years:
        return []
    targets = list(
        Target.objects.for_plan(plan)
        .filter(lead_department__isnull=False)
        .order_by("area__order", "order", "code")
    )
    of_series = {target.series_id: target.pk for target in targets}
    entries = {
        (of_series[e.series_id], e.year): e
        for e in ProgressEntry.objects.filter(series__in=of_series, year__in=years)
    }
    completed = {
        of_series[series]: first
        for series, first in ProgressEntry.objects.filter(
            series__in=of_series, achieved=True, state=ProgressEntry.State.APPROVED
        )
        .values("series")
        .annotate(first=Min("year"))
        .values_list("series", "first")
    }
    items = []
    for year in sorted(years):
        for target in targets:
            entry = entries.get((target.pk, year))
            if entry is None and not expects_figure(
                year,
                baseline_year=plan.baseline_year,
                states_baseline=target.baseline_value is not None,
                milestone=target.is_milestone,
                completed=completed.get(target.pk),
            ):
                continue
            if entry is None or entry.state in OUTSTANDING_STATES:
                items.append(Outstanding(target, year, entry, deadlines.get(year, target)))
    return items


@dataclass(frozen=True)
class DueYear:
    """One plan-year for one person's home page: its deadline and what is still missing."""

    plan: Plan
    year: int
    deadline: Deadline | None
    count: int
    overdue: bool

    @property
    def text(self) -> str:
        return describe(self.deadline.due if self.deadline else None)


def for_user(user, *, on: date | None = None, horizon: int = 60) -> list[DueYear]:
    """The plan-years with a deadline within `horizon` days or past, where figures are
    outstanding: those `user` may enter, as on the entry page (`Target.objects.editable_by`:
    for a reporter their departments' targets, co-led ones included where the target lets
    co-departments enter; for an administrator all).
    """
    on = on or today()
    mine = set(Target.objects.editable_by(user).values_list("pk", flat=True))
    rows = []
    for plan in Plan.objects.filter(deadlines__isnull=False).distinct():
        deadlines = PlanDeadlines(plan)
        by_year = defaultdict(list)
        for item in outstanding(plan, deadlines=deadlines, on=on):
            if item.target.pk in mine:
                by_year[item.year].append(item)
        for year, items in sorted(by_year.items()):
            dues = [item.due for item in items if item.due]
            if not dues or min(dues) > on + timedelta(days=horizon):
                continue
            first = min(items, key=lambda item: item.due or date.max)
            rows.append(
                DueYear(plan, year, first.deadline, len(items), any(i.overdue(on) for i in items))
            )
    return sorted(rows, key=lambda row: row.deadline.due)


def overdue_departments(plan: Plan, *, on: date | None = None) -> set[tuple[int, int]]:
    """(department id, year) where a figure the department leads is past its deadline."""
    on = on or today()
    return {
        (item.target.lead_department_id, item.year)
        for item in outstanding(plan, on=on)
        if item.overdue(on)
    }


def report_note(plan: Plan, up_to: int | None = None) -> str:
    """The plan's deadlines in one line for the report's notes, e.g.
    '2025 figures: by 2026-03-31 (after the bulletin); GDP 2025: by 2026-02-28'."""
    found = PlanDeadlines(plan)
    parts = [
        _("%(year)s figures: by %(date)s") % {"year": year, "date": d.due.strftime("%Y-%m-%d")}
        + (f" ({d.note})" if d.note else "")
        for year, d in sorted(found.by_year.items())
        if up_to is None or year <= up_to
    ]
    parts += [
        _("%(target)s %(year)s: by %(date)s")
        % {"target": d.target.code, "year": year, "date": d.due.strftime("%Y-%m-%d")}
        for (_t, year), d in sorted(found.by_target.items(), key=lambda pair: pair[0][1])
        if up_to is None or year <= up_to
    ]
    return "; ".join(parts) or _("no deadline set")
