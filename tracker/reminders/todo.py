"""What each person has to do next: the reporter's figures, the administrator's queue.

Read-only; the home page shows it. A year's figures fall due once the year is over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import ngettext, pgettext

from tracker.models import Indicator, PendingImport, Plan, ProgressEntry, Target


@dataclass
class YearWork:
    """One plan year of one person: figures missing, returned, in draft, submitted."""

    plan: Plan
    year: int
    missing: list[Target] = field(default_factory=list)
    returned: list[ProgressEntry] = field(default_factory=list)
    drafts: list[ProgressEntry] = field(default_factory=list)
    submitted: list[ProgressEntry] = field(default_factory=list)

    @property
    def to_do(self) -> bool:
        return bool(self.missing or self.returned or self.drafts)


def expects_figure(
    year: int, *, baseline_year: int, states_baseline: bool, milestone: bool, completed: int | None
) -> bool:
    """Whether a target needs a figure for `year`.

    The baseline year (the plan's) needs one only where the plan states no baseline, and
    never for a milestone; a milestone needs none after the year it was completed (an
    approved "completed"), `completed` being that year or None.
    """
    if year == baseline_year:
        return not states_baseline and not milestone
    return not (milestone and completed is not None and completed < year)


def _completed_year(entries: dict[int, ProgressEntry]) -> int | None:
    years = [y for y, e in entries.items() if e.achieved and e.counts]
    return min(years) if years else None


def year_work(targets, *, today=None) -> list[YearWork]:
    """Per plan and year open for reporting (`Plan.reporting_years`: over and not
    closed), what the given targets' figures still need, oldest year first.
    """
    today = today or timezone.localdate()
    # One object per plan, so each plan's closed years are read once (`Plan.year_lock`).
    plans: dict[int, Plan] = {}
    open_years_of: dict[int, list[int]] = {}
    found: dict[tuple[int, int], YearWork] = {}
    for target in targets:
        plan = plans.setdefault(target.plan_id, target.plan)
        if plan.pk not in open_years_of:
            open_years_of[plan.pk] = plan.reporting_years(today)
        entries = {entry.year: entry for entry in target.entries.all()}
        for year in open_years_of[plan.pk]:
            work = found.get((plan.pk, year))
            if work is None:
                work = found[(plan.pk, year)] = YearWork(plan, year)
            entry = entries.get(year)
            if entry is not None and entry.state != ProgressEntry.State.APPROVED:
                {
                    "returned": work.returned,
                    "draft": work.drafts,
                    "submitted": work.submitted,
                }[entry.state].append(entry)
            expected = expects_figure(
                year,
                baseline_year=plan.baseline_year,
                states_baseline=target.baseline_value is not None,
                milestone=target.is_milestone,
                completed=_completed_year(entries),
            )
            if expected and entry is None:
                work.missing.append(target)
    return _once_per_figure(sorted(found.values(), key=lambda work: (work.plan.name, work.year)))


def _once_per_figure(works: list[YearWork]) -> list[YearWork]:
    """Each figure of the region asked for once: a plan's baseline year is often the
    previous plan's last year (the 15th plan's 2025 is the 14th's), whose figures that
    plan already asks for; there the baseline year keeps only what no other plan asks.
    """
    covering = {
        (work.plan.region_id, work.year): work
        for work in works
        if work.year != work.plan.baseline_year
    }
    kept = []
    for work in works:
        other = covering.get((work.plan.region_id, work.year))
        if work.year == work.plan.baseline_year and other is not None:
            asked = {t.series_id for t in other.missing} | {
                e.series_id for e in other.returned + other.drafts + other.submitted
            }
            work.missing = [t for t in work.missing if t.series_id not in asked]
            for name in ("returned", "drafts", "submitted"):
                setattr(work, name, [e for e in getattr(work, name) if e.series_id not in asked])
            if not (work.to_do or work.submitted):
                continue
        kept.append(work)
    return kept


def reporter_work(user, **kwargs) -> list[YearWork]:
    """The years where the figures of `user`'s targets need something, or wait for approval."""
    targets = (
        Target.objects.editable_by(user)
        .select_related("plan", "series")
        .prefetch_related("series__entries")
    )
    return [w for w in year_work(targets, **kwargs) if w.to_do or w.submitted]


@dataclass
class OpenYear:
    """A plan year that is over and not closed, with what still stands in the way."""

    plan: Plan
    year: int
    missing: int = 0
    waiting: int = 0
    with_departments: int = 0
    # Set by whoever asks: why the year cannot be closed yet (its deadline is ahead), and
    # the plan's deadline for the year.
    close_lock: str | None = None
    deadline: object = None

    @property
    def ready_to_close(self) -> bool:
        return not (self.missing or self.waiting or self.with_departments)

    @property
    def counts_text(self) -> str:
        """What stands in the way, in words, each count only when there is one:
        "2 missing, 1 with the departments" rather than "… 0 waiting for approval …"."""
        parts = []
        if self.missing:
            parts.append(
                ngettext("%(count)d missing", "%(count)d missing", self.missing)
                % {"count": self.missing}
            )
        if self.waiting:
            parts.append(
                ngettext(
                    "%(count)d waiting for approval", "%(count)d waiting for approval", self.waiting
                )
                % {"count": self.waiting}
            )
        if self.with_departments:
            count = self.with_departments
            parts.append(
                ngettext("%(count)d with the departments", "%(count)d with the departments", count)
                % {"count": count}
            )
        return pgettext("between counts", ", ").join(parts)


def open_years(*, today=None, of=None) -> list[OpenYear]:
    """Every plan year open for reporting (`Plan.reporting_years`: over and not yet
    closed), with what stands in its way; with `of`, of the plans that administrator
    administers (`Plan.objects.administered_by`).

    An administrator's home page covers every plan of a province, so the database counts:
    figures by state, and targets and figures by whether they need a figure that year.
    Only milestones, whose figures stop once one is completed, are gone through one by one.
    """
    today = today or timezone.localdate()
    plans = Plan.objects if of is None else Plan.objects.administered_by(of)
    with_targets = plans.filter(Exists(Target.objects.filter(plan=OuterRef("pk"))))
    plans = {plan.pk: plan for plan in with_targets.with_closed_years()}
    found = {
        (plan.pk, year): OpenYear(plan, year)
        for plan in plans.values()
        for year in plan.reporting_years(today)
    }
    by_state = ProgressEntry.objects.values_list("series__targets__plan_id", "year", "state")
    for plan_id, year, state, count in by_state.annotate(count=Count("pk")).order_by():
        work = found.get((plan_id, year))
        if work is None:
            continue
        if state == ProgressEntry.State.SUBMITTED:
            work.waiting += count
        elif state in (ProgressEntry.State.DRAFT, ProgressEntry.State.RETURNED):
            work.with_departments += count
    _count_missing_figures(found)
    _count_missing_milestones(found)
    return sorted(found.values(), key=lambda work: (work.plan.name, work.year))


MILESTONE = Q(kind=Target.Kind.MILESTONE)


def _count_missing_figures(found: dict[tuple[int, int], OpenYear]) -> None:
    """Figures missing of targets that are not milestones: every year needs one, the
    baseline year only where the plan states no baseline."""
    no_baseline = Q(baseline_value__isnull=True)
    targets = {
        plan_id: (every, without_baseline)
        for plan_id, every, without_baseline in Target.objects.exclude(MILESTONE)
        .values_list("plan_id")
        .annotate(every=Count("pk"), without_baseline=Count("pk", filter=no_baseline))
        .order_by()
    }
    figures = {
        (plan_id, year): (every, without_baseline)
        for plan_id, year, every, without_baseline in ProgressEntry.objects.exclude(
            series__indicator__measure=Indicator.Measure.MILESTONE
        )
        .values_list("series__targets__plan_id", "year")
        .annotate(
            every=Count("pk"),
            without_baseline=Count("pk", filter=Q(series__targets__baseline_value=None)),
        )
        .order_by()
    }
    for (plan_id, year), work in found.items():
        expected = targets.get(plan_id, (0, 0))
        there = figures.get((plan_id, year), (0, 0))
        which = 1 if year == work.plan.baseline_year else 0
        work.missing += expected[which] - there[which]


def _count_missing_milestones(found: dict[tuple[int, int], OpenYear]) -> None:
    milestones = dict(Target.objects.filter(MILESTONE).values_list("pk", "plan_id"))
    figures: dict[int, set[int]] = {}
    completed: dict[int, int] = {}
    rows = ProgressEntry.objects.filter(series__targets__kind=Target.Kind.MILESTONE)
    for target_id, year, state, achieved in rows.values_list(
        "series__targets", "year", "state", "achieved"
    ):
        figures.setdefault(target_id, set()).add(year)
        if achieved and state == ProgressEntry.State.APPROVED:
            completed[target_id] = min(year, completed.get(target_id, year))
    open_of: dict[int, list[OpenYear]] = {}
    for work in found.values():
        open_of.setdefault(work.plan.pk, []).append(work)
    for pk, plan_id in milestones.items():
        for work in open_of.get(plan_id, ()):
            year = work.year
            expected = expects_figure(
                year,
                baseline_year=work.plan.baseline_year,
                states_baseline=False,
                milestone=True,
                completed=completed.get(pk),
            )
            if expected and year not in figures.get(pk, ()):
                work.missing += 1


def waiting_for_approval(user) -> int:
    """How many figures wait for `user`'s approval: submitted, of their region."""
    waiting = ProgressEntry.objects.administered_by(user)
    return waiting.filter(state=ProgressEntry.State.SUBMITTED).count()


def pending_imports(user) -> list[PendingImport]:
    """Uploads `user` checked but neither confirmed nor cancelled, and not yet expired."""
    since = timezone.now() - timedelta(minutes=settings.IMPORT_PREVIEW_MINUTES)
    return list(
        PendingImport.objects.filter(user=user, created_at__gte=since).select_related("plan")
    )


@dataclass
class YearGaps:
    """What a plan's year still lacks: targets with no figure at all, and figures entered
    but not approved (submitted, in draft, returned). Closing the year, or freezing an
    evaluation of it, leaves both as they are: the administrator should see both."""

    plan: Plan
    year: int
    missing: list[Target] = field(default_factory=list)
    unapproved: list[ProgressEntry] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not (self.missing or self.unapproved)

    def missing_by_department(self) -> list[tuple[object, list[Target]]]:
        """The missing targets grouped by lead department (None: no lead department)."""
        groups: dict[object, list[Target]] = {}
        for target in self.missing:
            groups.setdefault(target.lead_department, []).append(target)
        return sorted(groups.items(), key=lambda pair: pair[0] is None)

    def unapproved_counts(self) -> dict[str, int]:
        """How many figures not approved are in each state, e.g. {"submitted": 2}."""
        counts: dict[str, int] = {}
        for entry in self.unapproved:
            counts[entry.state] = counts.get(entry.state, 0) + 1
        return counts


def year_gaps(plan: Plan, year: int) -> YearGaps:
    """The targets of `plan` with no figure for `year`, and its figures not approved.

    A target is missing its figure by the rule the homes and reminders use
    (`expects_figure`): the baseline year only where the plan states no baseline, a
    milestone not after the year it was completed. For administrators only: it names
    every department's figures.
    """
    targets = list(
        Target.objects.for_plan(plan).order_by(
            "lead_department__name", "area__order", "order", "code"
        )
    )
    series = {target.series_id for target in targets}
    entries = ProgressEntry.objects.filter(series__in=series)
    this_year = {
        e.series_id: e
        for e in entries.filter(year=year).select_related("entered_by", "series__indicator")
    }
    completed = dict(
        entries.filter(achieved=True, state=ProgressEntry.State.APPROVED)
        .values("series")
        .annotate(first=models.Min("year"))
        .values_list("series", "first")
    )
    gaps = YearGaps(plan, year)
    for target in targets:
        entry = this_year.get(target.series_id)
        if entry is None:
            if expects_figure(
                year,
                baseline_year=plan.baseline_year,
                states_baseline=target.baseline_value is not None,
                milestone=target.is_milestone,
                completed=completed.get(target.series_id),
            ):
                gaps.missing.append(target)
        elif entry.state != ProgressEntry.State.APPROVED:
            entry.target = target
            gaps.unapproved.append(entry)
    gaps.unapproved.sort(key=lambda e: list(ProgressEntry.State.values).index(e.state))
    return gaps
