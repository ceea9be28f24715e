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
from tracker.standings import engine, formats
from tracker.standings.engine import ORDER, Assessment, Spec, Status
from tracker.standings.words import summary_line


@dataclass
class Standing:
    target: Target
    assessment: Assessment
    entries: dict[int, ProgressEntry]
    spec: Spec
    values: dict[int, Decimal] = field(default_factory=dict)  # approved figures by year
    # 原因及措施 as an evaluation froze it; None: as written (`reasons_and_measures`).
    explanation: str | None = None

    @classmethod
    def of(cls, target: Target, year: int) -> Standing:
        """Assess `target` as of `year`; pass a target from `.with_entries(viewer)`."""
        values = target.approved_values()
        spec = target.spec(values)
        entries = {entry.year: entry for entry in target.entries.all() if target.reads(entry)}
        assessment = target.assess(year, values=values, spec=spec)
        return cls(target, assessment, entries, spec, values)

    def reasons_and_measures(self) -> str:
        """原因及措施: as frozen with an evaluation, else as the responsible department
        wrote it for the year assessed, or for the year the status rests on."""
        if self.explanation is not None:
            return self.explanation
        a = self.assessment
        text = self.target.explanation_for(a.as_of_year)
        if not text and a.latest_year is not None and a.latest_year != a.as_of_year:
            text = self.target.explanation_for(a.latest_year)
        return text.strip()

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
        return formats.format_figure(value, self.target.decimal_places)

    # -- changes, as statisticians print them ----------------------------------------
    # A share changes in percentage points (百分点): 1.90% to 2.30% is +0.40, not +21.1%.
    # Anything else changes in percent of itself, on the target's basis.

    @property
    def points(self) -> bool:
        """Whether changes are in percentage points (a share)."""
        return self.target.is_share

    def growths(self) -> dict[int, Decimal]:
        """Approved growth rates at comparable prices (percent) by year."""
        return self.target.approved_growths()

    def year_change(self, year: int) -> Decimal | None:
        """The change of `year` over the year before: points for a share; otherwise the
        published growth rate at comparable prices where the target is judged on them, else
        the ratio of levels (a fraction)."""
        target = self.target
        if target.is_milestone or target.kind == target.Kind.RANK:
            return None
        values = dict(self.values)
        if self.baseline is not None:
            values.setdefault(target.baseline_year, self.baseline)
        if self.points:
            current, previous = values.get(year), values.get(year - 1)
            return None if current is None or previous is None else current - previous
        if self.assessment.basis == engine.Basis.COMPARABLE:
            rate = self.growths().get(year)
            if rate is not None:
                return rate / 100
        return engine.growth_rate(values, year)

    def change(self) -> Decimal | None:
        """The change from the baseline to the figure the status rests on: points for a
        share, else a fraction on the target's basis (the chained index at comparable
        prices)."""
        a = self.assessment
        if self.target.is_milestone or self.target.kind == self.target.Kind.RANK:
            return None
        if self.points:
            if a.latest_value is None or self.baseline is None:
                return None
            return a.latest_value - self.baseline
        if a.index is not None:
            return a.index - 1
        if a.latest_value is None or not self.baseline:
            return None
        return a.latest_value / self.baseline - 1

    def planned_change(self) -> Decimal | None:
        """The change the plan asks for from the baseline to the target year, in the same
        terms as `change`."""
        target, goal = self.target, self.goal
        if self.points:
            return None if goal is None or self.baseline is None else goal - self.baseline
        if target.kind == target.Kind.MULTIPLE and target.factor is not None:
            return target.factor - 1
        if goal is None or not self.baseline:
            return None
        return goal / self.baseline - 1

    def average_pace(self, change: Decimal | None, years: int) -> Decimal | None:
        """A change over `years` as a yearly pace: points a year for a share, the average
        annual growth rate otherwise."""
        if change is None or years <= 0:
            return None
        if self.points:
            return change / years
        if change <= -1:
            return None
        # A pace to show, to a tenth of a percent: a float's 15 digits are plenty, and a
        # Decimal root at 28 digits costs fifty times as much on a report of 10,000 rows.
        return Decimal(repr((1 + float(change)) ** (1 / years) - 1))

    def required_pace(self) -> Decimal | None:
        """The pace still needed a year to reach the goal: percentage points for a share,
        the average growth rate (a fraction) otherwise; None once the target's time is up."""
        a, target = self.assessment, self.target
        if a.is_final or a.latest_year is None:
            return None
        if not self.points:
            return a.required_annual_rate
        if self.goal is None or a.latest_value is None:
            return None
        return self.average_pace(self.goal - a.latest_value, target.target_year - a.latest_year)

    def gap(self, year: int) -> str | None:
        """Why `year` has no approved figure, or None where it has one: "not_submitted"
        (a draft), "returned" (submitted and sent back), "not_approved" (submitted) or
        "no_data". A figure that was submitted is never called not submitted."""
        entry = self.entries.get(year)
        if entry is None:
            return "no_data"
        return {
            entry.State.APPROVED: None,
            entry.State.SUBMITTED: "not_approved",
            entry.State.RETURNED: "returned",
        }.get(entry.state, "not_submitted")

    @property
    def progress_sort(self) -> Decimal:
        return self.assessment.progress if self.assessment.progress is not None else Decimal(-99)

    @property
    def status_rank(self) -> int:
        return ORDER.index(self.assessment.status)


def standings(targets: Iterable[Target], year: int) -> list[Standing]:
    """Assess every target as of `year`; pass targets from `.with_entries(viewer)`."""
    return [Standing.of(target, year) for target in targets]


def summary(rows: Iterable[Standing]) -> str:
    """The one line a review opens with: how many targets have each status."""
    rows = list(rows)
    return summary_line(status_counts(rows), len(rows))


def status_counts(rows: Iterable[Standing]) -> list[tuple[Status, int]]:
    """How many targets have each status, best first, leaving out statuses nobody has."""
    counts = Counter(row.assessment.status for row in rows)
    return [(status, counts[status]) for status in ORDER if counts[status]]


def plan_targets(plan, *, viewer):
    """The plan's targets with everything the engine needs, and the figures `viewer` may
    see, in a constant number of queries."""
    return Target.objects.for_plan(plan).with_entries(viewer)
