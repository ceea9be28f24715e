"""What each person has to do next: the reporter's figures, the administrator's queue.

Read-only; the home page shows it. A year's figures fall due once the year is over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from tracker.models import ClosedYear, PendingImport, Plan, ProgressEntry, Target


@dataclass
class YearWork:
    """One plan year of one person: figures missing, returned, in draft, submitted."""

    plan: Plan
    year: int
    closed: bool = False
    missing: list[Target] = field(default_factory=list)
    returned: list[ProgressEntry] = field(default_factory=list)
    drafts: list[ProgressEntry] = field(default_factory=list)
    submitted: list[ProgressEntry] = field(default_factory=list)
    approved: int = 0

    @property
    def to_do(self) -> bool:
        return bool(self.missing or self.returned or self.drafts)

    @property
    def with_departments(self) -> int:
        """Figures still with the departments: drafts and returned ones."""
        return len(self.drafts) + len(self.returned)

    @property
    def ready_to_close(self) -> bool:
        return not (self.missing or self.returned or self.drafts or self.submitted)


def expects_figure(target: Target, year: int, entries: dict[int, ProgressEntry]) -> bool:
    """Whether `target` needs a figure for `year`.

    The baseline year needs one only where the plan states no baseline (milestones never);
    a milestone needs none after the year it was completed.
    """
    if year == target.plan.baseline_year:
        return target.baseline_value is None and not target.is_milestone
    if target.is_milestone:
        return not any(e.achieved and e.counts for y, e in entries.items() if y < year)
    return True


def _has_figure(entry: ProgressEntry | None) -> bool:
    return entry is not None and (entry.value is not None or entry.achieved is not None)


def year_work(targets, *, today=None) -> list[YearWork]:
    """Per plan and year, what the given targets' figures still need, oldest year first.

    Only years already over can be missing; a closed year can no longer change.
    """
    today = today or timezone.localdate()
    closed = set(ClosedYear.objects.values_list("plan_id", "year"))
    found: dict[tuple[int, int], YearWork] = {}
    for target in targets:
        plan = target.plan
        entries = {entry.year: entry for entry in target.entries.all()}
        for year in plan.entry_years:
            if year >= today.year:
                break
            work = found.setdefault(
                (plan.pk, year), YearWork(plan, year, closed=(plan.pk, year) in closed)
            )
            entry = entries.get(year)
            if entry is not None and entry.state != ProgressEntry.State.APPROVED:
                {
                    "returned": work.returned,
                    "draft": work.drafts,
                    "submitted": work.submitted,
                }[entry.state].append(entry)
            elif entry is not None:
                work.approved += 1
            if not _has_figure(entry) and not work.closed and expects_figure(target, year, entries):
                work.missing.append(target)
    return sorted(found.values(), key=lambda work: (work.plan.name, work.year))


def reporter_work(user, **kwargs) -> list[YearWork]:
    """The years where the figures of `user`'s targets need something, or wait for approval."""
    targets = Target.objects.editable_by(user).select_related("plan").prefetch_related("entries")
    return [w for w in year_work(targets, **kwargs) if w.to_do or w.submitted]


def open_years(**kwargs) -> list[YearWork]:
    """Every plan year that is over and not yet closed, with what still stands in the way."""
    targets = Target.objects.select_related("plan").prefetch_related("entries")
    return [w for w in year_work(targets, **kwargs) if not w.closed]


def waiting_for_approval() -> int:
    return ProgressEntry.objects.filter(state=ProgressEntry.State.SUBMITTED).count()


def pending_imports(user) -> list[PendingImport]:
    """Uploads `user` checked but neither confirmed nor cancelled, and not yet expired."""
    since = timezone.now() - timedelta(minutes=settings.IMPORT_PREVIEW_MINUTES)
    return list(
        PendingImport.objects.filter(user=user, created_at__gte=since).select_related("plan")
    )
