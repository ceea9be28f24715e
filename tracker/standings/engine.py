"""The status engine: where a target stands, as pure functions over Decimals.

Nothing here touches the database or a request. Pages, the JSON API and the Excel report
all build a `Spec` from a target and call `assess()`, so their numbers never disagree.

The rule of the trade is 时间过半、任务过半: by the time half the plan period has passed,
half of the distance from the baseline to the target should be covered. A target is
`on_track` when its progress share is at least the expected share times the plan's on-track
ratio (1.0 by default), `behind` when at least the expected share times the behind ratio
(0.8), and `off_track` below that.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation
from enum import StrEnum

ONE = Decimal(1)
ZERO = Decimal(0)


class Kind(StrEnum):
    LEVEL = "level"
    MULTIPLE = "multiple"
    ANNUAL_GROWTH = "annual_growth"
    RELATIVE = "relative"
    MILESTONE = "milestone"
    RANK = "rank"


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    OFF_TRACK = "off_track"
    PENDING = "pending"
    NO_DATA = "no_data"


LINEAR_KINDS = frozenset({Kind.LEVEL, Kind.RANK})
COMPOUND_KINDS = frozenset({Kind.MULTIPLE, Kind.ANNUAL_GROWTH})


@dataclass(frozen=True)
class Spec:
    """What the engine needs to know of a target, as plain values.

    `target_value` means, by kind: the level to reach (`level`, `rank`), the average yearly
    growth in percent (`annual_growth`), nothing (`multiple` uses `factor`; `relative` and
    `milestone` have no number to reach).
    """

    kind: Kind
    direction: Direction
    baseline_year: int
    target_year: int
    baseline_value: Decimal | None = None
    target_value: Decimal | None = None
    factor: Decimal | None = None
    on_track_ratio: Decimal = Decimal("1.0")
    behind_ratio: Decimal = Decimal("0.8")

    @property
    def lower_is_better(self) -> bool:
        return self.kind == Kind.RANK or self.direction == Direction.DECREASE

    @property
    def span(self) -> int:
        return self.target_year - self.baseline_year


@dataclass(frozen=True)
class Assessment:
    """Where a target stands as of a year; every field is None where it does not apply."""

    status: Status
    as_of_year: int
    latest_year: int | None = None
    latest_value: Decimal | None = None
    goal_value: Decimal | None = None
    expected_value: Decimal | None = None
    progress: Decimal | None = None
    expected_share: Decimal | None = None
    required_annual_rate: Decimal | None = None
    projected_value: Decimal | None = None
    growth: Decimal | None = None
    reference_growth: Decimal | None = None


def _undefined_when_arithmetic_fails(function: Callable) -> Callable:
    """None where the arithmetic has no answer for the figures given.

    Every figure a field holds is accepted, however absurd (15820000000 亿元, a baseline of
    0.000001): a quotient or power beyond what Decimal represents is "not defined" rather
    than an error, like a division by zero.
    """

    @functools.wraps(function)
    def guarded(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ArithmeticError:  # decimal's InvalidOperation, Overflow, DivisionByZero
            return None

    return guarded


def _divide(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    try:
        return numerator / denominator
    except (DivisionByZero, InvalidOperation):
        return None


@_undefined_when_arithmetic_fails
def goal_value(spec: Spec) -> Decimal | None:
    """The level the target asks for in its target year, or None where there is no level.

    >>> goal_value(Spec(Kind.MULTIPLE, Direction.INCREASE, 2020, 2025, Decimal("147.6"),
    ...                 factor=Decimal("2.2")))
    Decimal('324.72')

    For `annual_growth`, a baseline of 100 growing 10% a year for two years gives 121.
    """
    if spec.kind in LINEAR_KINDS:
        return spec.target_value
    if spec.kind == Kind.MULTIPLE:
        if spec.baseline_value is None or spec.factor is None:
            return None
        return spec.baseline_value * spec.factor
    if spec.kind == Kind.ANNUAL_GROWTH:
        if spec.baseline_value is None or spec.target_value is None or spec.span <= 0:
            return None
        return spec.baseline_value * (ONE + spec.target_value / 100) ** spec.span
    return None


def _time_share(spec: Spec, year: int) -> Decimal | None:
    if spec.span <= 0:
        return None
    elapsed = min(max(year - spec.baseline_year, 0), spec.span)
    return Decimal(elapsed) / Decimal(spec.span)


@_undefined_when_arithmetic_fails
def expected_value(spec: Spec, year: int) -> Decimal | None:
    """The value the plan's path expects in `year`.

    Linear for `level` and `rank`: baseline 10, target 20 over 2020-2025 expects 14 in 2022.
    Compound for `multiple` and `annual_growth`: baseline 100 doubling over 2020-2022 expects
    100 x 2^(1/2) = 141.42... in 2021, the same yearly growth every year.
    """
    goal = goal_value(spec)
    share = _time_share(spec, year)
    base = spec.baseline_value
    if goal is None or share is None or base is None:
        return None
    if spec.kind in COMPOUND_KINDS:
        if base <= 0 or goal <= 0:
            return None
        return base * (goal / base) ** share
    return base + (goal - base) * share


@_undefined_when_arithmetic_fails
def share_of_distance(spec: Spec, value: Decimal) -> Decimal | None:
    """(value - baseline) / (goal - baseline): 0 at the baseline, 1 at the target."""
    goal = goal_value(spec)
    if goal is None or spec.baseline_value is None:
        return None
    return _divide(value - spec.baseline_value, goal - spec.baseline_value)


def expected_share(spec: Spec, year: int) -> Decimal | None:
    """The share of the distance the plan's path has covered by `year`.

    For linear kinds this is the time share; for compound kinds less early on, as growth
    compounds: doubling over two years expects (141.42 - 100) / (200 - 100) = 0.414 after one.
    """
    expected = expected_value(spec, year)
    return None if expected is None else share_of_distance(spec, expected)


def is_met(spec: Spec, value: Decimal) -> bool | None:
    goal = goal_value(spec)
    if goal is None:
        return None
    return value <= goal if spec.lower_is_better else value >= goal


@_undefined_when_arithmetic_fails
def required_annual_rate(spec: Spec, year: int, value: Decimal) -> Decimal | None:
    """The average yearly growth still needed from `value` in `year` to reach the goal.

    From 200 in 2023 to a goal of 242 in 2025: (242 / 200) ^ (1/2) - 1 = 0.1 a year.
    None for positions (`rank`), once the target year has come, or for non-positive values.
    """
    goal = goal_value(spec)
    years_left = spec.target_year - year
    if spec.kind not in (Kind.LEVEL, *COMPOUND_KINDS) or goal is None or years_left <= 0:
        return None
    if value <= 0 or goal <= 0:
        return None
    return (goal / value) ** (ONE / years_left) - ONE


@_undefined_when_arithmetic_fails
def projected_value(spec: Spec, year: int, value: Decimal) -> Decimal | None:
    """The value in the target year if the trend from the baseline to `value` goes on.

    Linear kinds extend the straight line (10 in 2020, 13 in 2023: 15 in 2025); compound kinds
    extend the average growth rate (100 in 2020, 121 in 2022: 100 x 1.1^5 = 161.05 in 2025).
    """
    base = spec.baseline_value
    elapsed = year - spec.baseline_year
    if base is None or elapsed <= 0 or spec.kind not in (*LINEAR_KINDS, *COMPOUND_KINDS):
        return None
    if spec.kind in COMPOUND_KINDS:
        if base <= 0 or value <= 0:
            return None
        return base * (value / base) ** (Decimal(spec.span) / Decimal(elapsed))
    return base + (value - base) * Decimal(spec.span) / Decimal(elapsed)


@_undefined_when_arithmetic_fails
def growth_rate(values: Mapping[int, Decimal], year: int) -> Decimal | None:
    """The growth from `year - 1` to `year` as a fraction: 100 then 106 is 0.06."""
    current, previous = values.get(year), values.get(year - 1)
    if current is None or previous is None or previous == 0:
        return None
    return current / previous - ONE


def latest(values: Mapping[int, object], year: int) -> tuple[int, object] | tuple[None, None]:
    """The latest (year, value) at or before `year`, or (None, None)."""
    years = [y for y, v in values.items() if y <= year and v is not None]
    if not years:
        return None, None
    found = max(years)
    return found, values[found]


def _compare(spec: Spec, progress: Decimal, expected: Decimal) -> Status:
    if progress >= expected * spec.on_track_ratio:
        return Status.ON_TRACK
    if progress >= expected * spec.behind_ratio:
        return Status.BEHIND
    return Status.OFF_TRACK


def _assess_milestone(spec: Spec, achieved: Mapping[int, bool], year: int) -> Assessment:
    latest_year, value = latest(achieved, year)
    if value:
        return Assessment(Status.ACHIEVED, year, latest_year)
    status = Status.PENDING if year < spec.target_year else Status.OFF_TRACK
    return Assessment(status, year, latest_year)


def _assess_relative(
    spec: Spec, values: Mapping[int, Decimal], reference: Mapping[int, Decimal], year: int
) -> Assessment:
    """Growth in the latest year with figures for both, against the reference's growth."""
    own = dict(values)
    if spec.baseline_value is not None:
        own.setdefault(spec.baseline_year, spec.baseline_value)
    years = [y for y in own if y <= year and y > spec.baseline_year]
    for candidate in sorted(years, reverse=True):
        growth, ref_growth = growth_rate(own, candidate), growth_rate(reference, candidate)
        if growth is None or ref_growth is None:
            continue
        if growth > ref_growth:
            status = Status.ACHIEVED if candidate >= spec.target_year else Status.ON_TRACK
        elif ref_growth > 0 and growth >= ref_growth * spec.behind_ratio:
            status = Status.BEHIND
        else:
            status = Status.OFF_TRACK
        return Assessment(
            status,
            year,
            candidate,
            own[candidate],
            growth=growth,
            reference_growth=ref_growth,
        )
    latest_year, value = latest(values, year)
    return Assessment(Status.NO_DATA, year, latest_year, value)


def assess(
    spec: Spec,
    values: Mapping[int, Decimal],
    year: int,
    *,
    achieved: Mapping[int, bool] | None = None,
    reference: Mapping[int, Decimal] | None = None,
) -> Assessment:
    """Where the target stands as of `year`, from its approved figures only.

    `values` maps years to approved figures (levels); `achieved` does the same for a
    milestone; `reference` holds the approved figures of a `relative` target's reference.
    The latest figure at or before `year` is judged against the path expected for its own
    year, so a figure not yet in for `year` is not counted as falling behind.
    """
    if spec.kind == Kind.MILESTONE:
        return _assess_milestone(spec, achieved or {}, year)
    if spec.kind == Kind.RELATIVE:
        return _assess_relative(spec, values, reference or {}, year)

    goal = goal_value(spec)
    latest_year, value = latest(values, year)
    if latest_year is None:
        return Assessment(
            Status.NO_DATA, year, goal_value=goal, expected_value=expected_value(spec, year)
        )
    common = dict(
        as_of_year=year,
        latest_year=latest_year,
        latest_value=value,
        goal_value=goal,
        expected_value=expected_value(spec, latest_year),
        progress=share_of_distance(spec, value),
        expected_share=expected_share(spec, latest_year),
        required_annual_rate=required_annual_rate(spec, latest_year, value),
        projected_value=projected_value(spec, latest_year, value),
    )
    if is_met(spec, value):
        return Assessment(Status.ACHIEVED, **common)
    progress, expected = common["progress"], common["expected_share"]
    if progress is None or expected is None:
        # No baseline or no span: there is no path to compare against, so the target is
        # judged on whether it is met, like a milestone.
        status = Status.PENDING if latest_year < spec.target_year else Status.OFF_TRACK
        return Assessment(status, **common)
    return Assessment(_compare(spec, progress, expected), **common)


# Each status's colour, from best to worst. Pages, the report and the API all read these,
# so a status looks the same everywhere; its word is in tracker/standings/words.py, translated.
COLOURS = {
    Status.ACHIEVED: "1E7B34",
    Status.ON_TRACK: "2E7D9A",
    Status.BEHIND: "B26A00",
    Status.OFF_TRACK: "B3261E",
    Status.PENDING: "6B5CA5",
    Status.NO_DATA: "6E6E6E",
}
ORDER = list(COLOURS)
