"""Where each target of a plan stands: the one view-model pages, the API and the report read.

A `Standing` computes a target's spec and approved figures once and answers everything a
renderer shows about it: baseline, goal, the expected value of a year, the series of
figures, and each figure formatted to the target's decimal places.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from tracker.models import ProgressEntry, Target
from tracker.standings import engine
from tracker.standings.engine import ORDER, Assessment, Spec, Status


@dataclass
class Standing:
    target: Target
    assessment: Assessment
    entries: dict[int, ProgressEntry]
    spec: Spec
    values: dict[int, Decimal] = field(default_factory=dict)  # approved figures by year

    @classmethod
    def of(cls, target: Target, year: int) -> Standing:
        """Assess `target` as of `year`; pass a target from `.with_entries(viewer)`."""
        values = target.approved_values()
        spec = target.spec(values)
        entries = {entry.year: entry for entry in target.entries.all() if target.reads(entry)}
        assessment = target.assess(year, values=values, spec=spec)
        return cls(target, assessment, entries, spec, values)

    @property
    def status(self) -> str:
        return self.assessment.status.value

    @property
    def baseline(self) -> Decimal | None:
        """The stated baseline, or the approved figure for the baseline year."""
        return self.spec.baseline_value

    @property
    def goal(self) -> Decimal | None:
        """The value to reach by the target year (None for milestones and relatives)."""
        return engine.goal_value(self.spec)

    def expected(self, year: int) -> Decimal | None:
        """Where the target should stand in `year` to be on course."""
        return engine.expected_value(self.spec, year)

    def series(self, years: Iterable[int]) -> list[tuple[int, Decimal | None]]:
        """The approved figure of each year, None where there is none."""
        return [(year, self.values.get(year)) for year in years]

    def shown(self, value: Decimal | None) -> str:
        """A figure as the pages show it: the target's decimal places, "—" when missing."""
        if value is None:
            return "—"
        return f"{value:.{self.target.decimal_places}f}"

    @property
    def progress_sort(self) -> Decimal:
        return self.assessment.progress if self.assessment.progress is not None else Decimal(-99)

    @property
    def status_rank(self) -> int:
        return ORDER.index(self.assessment.status)


def standings(targets: Iterable[Target], year: int) -> list[Standing]:
    """Assess every target as of `year`; pass targets from `.with_entries(viewer)`."""
    return [Standing.of(target, year) for target in targets]


def status_counts(rows: Iterable[Standing]) -> list[tuple[Status, int]]:
    """How many targets have each status, best first, leaving out statuses nobody has."""
    counts = Counter(row.assessment.status for row in rows)
    return [(status, counts[status]) for status in ORDER if counts[status]]


def plan_targets(plan, *, viewer):
    """The plan's targets with everything the engine needs, and the figures `viewer` may
    see, in a constant number of queries."""
    return Target.objects.for_plan(plan).with_entries(viewer)
