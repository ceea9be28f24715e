"""Where each target of a plan stands: the rows every page, the API and the report show."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from tracker.models import ProgressEntry, Target
from tracker.progress import ORDER, Assessment, Status


@dataclass
class Standing:
    target: Target
    assessment: Assessment
    entries: dict[int, ProgressEntry]

    @property
    def status(self) -> str:
        return self.assessment.status.value

    @property
    def baseline(self) -> Decimal | None:
        """The stated baseline, or the approved figure for the baseline year."""
        return self.target.spec(self.target.approved_values()).baseline_value

    @property
    def goal(self) -> Decimal | None:
        return self.assessment.goal_value

    @property
    def progress_sort(self) -> Decimal:
        return self.assessment.progress if self.assessment.progress is not None else Decimal(-99)

    @property
    def status_rank(self) -> int:
        return ORDER.index(self.assessment.status)


def standings(targets: Iterable[Target], year: int) -> list[Standing]:
    """Assess every target as of `year`; pass targets from `.with_entries()`."""
    rows = []
    for target in targets:
        entries = {entry.year: entry for entry in target.entries.all()}
        rows.append(Standing(target, target.assess(year), entries))
    return rows


def status_counts(rows: Iterable[Standing]) -> list[tuple[Status, int]]:
    """How many targets have each status, best first, leaving out statuses nobody has."""
    counts = Counter(row.assessment.status for row in rows)
    return [(status, counts[status]) for status in ORDER if counts[status]]


def plan_targets(plan):
    """The plan's targets with everything the engine needs, in a constant number of queries."""
    return Target.objects.for_plan(plan).with_entries()
