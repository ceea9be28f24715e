"""The status engine: where a target stands, as pure functions over Decimals.

Nothing here touches the database or a request. Pages, the JSON API and the Excel report
all build a `Spec` from a target and call `assess()`, so their numbers never disagree.

The rule of the trade is 时间过半、任务过半: by the time half the plan period has passed,
half of the distance from the baseline to the target should be covered. Before its target
year a target is `achieved` (提前实现) once met, `ahead` (快于预期) when its progress share is
at least the expected share times the plan's ahead ratio (1.2 by default), `on_track` at
the on-track ratio (1.0), `behind` at the behind ratio (0.8), and `off_track` below that.
From its target year on the verdict is final, as an evaluation states it: `exceeded`
(超额完成), `completed` (完成) or `incomplete` (未完成).

Growth goals (`multiple`, `annual_growth`) are judged on a basis: at comparable prices
(可比价), the chained index of the published yearly growth rates ∏(1 + g); at current
prices (现价), the ratio of levels. A relative goal compares the average annual growth of
two statistics from the baseline year, on one basis.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, DivisionByZero, InvalidOperation
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


class Basis(StrEnum):
    COMPARABLE = "comparable"
    CURRENT = "current"


class Status(StrEnum):
    EXCEEDED = "exceeded"
    COMPLETED = "completed"
    INCOMPLETE = "incomplete"
    ACHIEVED = "achieved"
    AHEAD = "ahead"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    OFF_TRACK = "off_track"
    PENDING = "pending"
    NO_DATA = "no_data"


LINEAR_KINDS = frozenset({Kind.LEVEL, Kind.RANK})
COMPOUND_KINDS = frozenset({Kind.MULTIPLE, Kind.ANNUAL_GROWTH})
# Verdicts given from the target year on, when the plan's time for the target is up.
FINAL = frozenset({Status.EXCEEDED, Status.COMPLETED, Status.INCOMPLETE})
# Statuses whose department owes reasons and measures (原因及措施).
NEEDS_EXPLANATION = frozenset({Status.BEHIND, Status.OFF_TRACK, Status.INCOMPLETE})


@dataclass(frozen=True)
class Spec:
    """What the engine needs to know of a target, as plain values.

    `target_value` means, by kind: the level to reach (`level`, `rank`), the average yearly
    growth in percent (`annual_growth`), nothing (`multiple` uses `factor`; `relative` and
    `milestone` have no number to reach). `basis` says how growth is measured (`multiple`,
    `annual_growth`, `relative`); `places` are the decimals a figure is shown with, so that
    a figure shown equal to its goal is "completed", not "exceeded".
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
    ahead_ratio: Decimal = Decimal("1.2")
    basis: Basis = Basis.CURRENT
    places: int | None = None

    @property
    def lower_is_better(self) -> bool:
        return self.kind == Kind.RANK or self.direction == Direction.DECREASE

    @property
    def span(self) -> int:
        return self.target_year - self.baseline_year

    @property
    def chained(self) -> bool:
        """Whether figures are judged on the chained index of comparable growth rates."""
        return self.basis == Basis.COMPARABLE and self.kind in (*COMPOUND_KINDS, Kind.RELATIVE)


@dataclass(frozen=True)
class Assessment:
    """Where a target stands as of a year; every field is None where it does not apply.

    `latest_year` is the year of the figure the status rests on (older than `as_of_year`
    when that year has no approved figure yet). `latest_value` is that year's level as
    reported; `index` the level as a multiple of the baseline on the spec's basis (the
    chained comparable index, or the ratio of levels). For a relative target `growth` and
    `reference_growth` are average annual growths from the baseline year to `latest_year`,
    `year_growth` and `reference_year_growth` those of `latest_year` alone.
    """

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
    index: Decimal | None = None
    year_growth: Decimal | None = None
    reference_year_growth: Decimal | None = None
    basis: Basis | None = None
    lasting: bool = False  # a milestone achieved: it stays achieved, however old its year

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def rests_on_older_year(self) -> bool:
        """Whether the status rests on a figure of a year before the one asked (an
        achievement lasts: it rests on nothing older). A "no data" status rests on no
        figure at all, so it never says which year it is based on: pages, report and API
        all ask this one question."""
        if self.lasting or self.status == Status.NO_DATA:
            return False
        return self.latest_year is not None and self.latest_year < self.as_of_year


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


@_undefined_when_arithmetic_fails
def chained_index(
    levels: Mapping[int, Decimal],
    growths: Mapping[int, Decimal],
    base_year: int,
    year: int,
) -> dict[int, Decimal]:
    """Each year's level as a multiple of `base_year`'s, at comparable prices.

    A year's published growth rate (percent) carries the chain on; a year without one is
    carried by the ratio of its level to the year before's. The chain stops at the first
    year with neither. GDP growing 6% then 3.1% stands at 1.06 x 1.031 = 1.09286:

    >>> chained_index({}, {2021: Decimal("6"), 2022: Decimal("3.1")}, 2020, 2022)[2022]
    Decimal('1.09286')
    """
    index, current = {base_year: ONE}, ONE
    for y in range(base_year + 1, year + 1):
        rate = growths.get(y)
        if rate is not None:
            step = ONE + rate / 100
        else:
            step = growth_rate(levels, y)
            if step is None:
                break
            step += ONE
        current *= step
        index[y] = current
    return index


@_undefined_when_arithmetic_fails
def level_index(levels: Mapping[int, Decimal], base_year: int, year: int) -> dict[int, Decimal]:
    """Each year's level as a multiple of `base_year`'s, at current prices."""
    base = levels.get(base_year)
    if not base or base <= 0:
        return {}
    return {y: v / base for y, v in levels.items() if base_year <= y <= year and v is not None}


def index_on(spec: Spec, levels, growths, year: int, baseline: Decimal | None = None):
    """The index of every year to `year` on the spec's basis (see `chained_index`)."""
    if spec.basis == Basis.COMPARABLE:
        return chained_index(levels, growths, spec.baseline_year, year)
    own = dict(levels)
    if baseline is not None:
        own[spec.baseline_year] = baseline
    return level_index(own, spec.baseline_year, year)


@_undefined_when_arithmetic_fails
def average_growth(index: Mapping[int, Decimal], base_year: int, year: int) -> Decimal | None:
    """The average annual growth from `base_year` to `year`, as a fraction.

    An index of 1.2 after three years is 1.2 ^ (1/3) - 1 = 0.0627 a year.
    """
    value = index.get(year)
    if value is None or value <= 0 or year <= base_year:
        return None
    return value ** (ONE / (year - base_year)) - ONE


def latest(values: Mapping[int, object], year: int) -> tuple[int, object] | tuple[None, None]:
    """The latest (year, value) at or before `year`, or (None, None)."""
    years = [y for y, v in values.items() if y <= year and v is not None]
    if not years:
        return None, None
    found = max(years)
    return found, values[found]


def _compare(spec: Spec, progress: Decimal, expected: Decimal) -> Status:
    if expected > 0 and progress >= expected * spec.ahead_ratio:
        return Status.AHEAD
    if progress >= expected * spec.on_track_ratio:
        return Status.ON_TRACK
    if progress >= expected * spec.behind_ratio:
        return Status.BEHIND
    return Status.OFF_TRACK


def _shown(value: Decimal, places: int | None) -> Decimal:
    if places is None:
        return value
    try:
        return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    except InvalidOperation:
        return value


def final_status(spec: Spec, met: bool | None, value=None, goal=None) -> Status:
    """The verdict from the target year on: exceeded, completed or incomplete.

    A figure shown equal to its goal (35.00 for 35) completed it; beyond it, exceeded it.
    """
    if not met:
        return Status.INCOMPLETE
    if value is None or goal is None:
        return Status.COMPLETED
    if _shown(value, spec.places) == _shown(goal, spec.places):
        return Status.COMPLETED
    return Status.EXCEEDED


def _assess_milestone(spec: Spec, achieved: Mapping[int, bool], year: int) -> Assessment:
    latest_year, value = latest(achieved, year)
    final = year >= spec.target_year
    if value:
        status = Status.COMPLETED if final else Status.ACHIEVED
        return Assessment(status, year, latest_year, lasting=True)
    status = Status.INCOMPLETE if final else Status.PENDING
    return Assessment(status, year, latest_year)


def _assess_relative(
    spec: Spec,
    values: Mapping[int, Decimal],
    growths: Mapping[int, Decimal],
    reference: Mapping[int, Decimal],
    reference_growths: Mapping[int, Decimal],
    year: int,
) -> Assessment:
    """Average annual growth from the baseline year to the latest year with figures for
    both, against the reference's over the same years, on the spec's basis."""
    base = spec.baseline_year
    own = index_on(spec, values, growths, year, spec.baseline_value) or {}
    ref = index_on(spec, reference, reference_growths, year) or {}
    common = [y for y in own if y in ref and base < y <= year]
    if not common:
        # Without figures for the baseline year, the average runs from the first year
        # both statistics have a level for.
        firsts = [min((y for y in v if y <= year), default=None) for v in (values, reference)]
        if None not in firsts and max(firsts) > base:
            start = replace(spec, baseline_year=max(firsts), baseline_value=None)
            return _assess_relative(start, values, growths, reference, reference_growths, year)
    if not common:
        latest_year, value = latest(values, year)
        return Assessment(Status.NO_DATA, year, latest_year, value, basis=spec.basis)
    found = max(common)
    growth = average_growth(own, base, found)
    ref_growth = average_growth(ref, base, found)
    if growth is None or ref_growth is None:
        return Assessment(Status.NO_DATA, year, found, values.get(found), basis=spec.basis)
    beats = growth > ref_growth
    if year >= spec.target_year:
        status = final_status(spec, beats)
    elif beats:
        status = Status.ON_TRACK
    elif ref_growth > 0 and growth >= ref_growth * spec.behind_ratio:
        status = Status.BEHIND
    else:
        status = Status.OFF_TRACK
    return Assessment(
        status,
        year,
        found,
        values.get(found),
        growth=growth,
        reference_growth=ref_growth,
        index=own[found],
        year_growth=growth_rate(own, found),
        reference_year_growth=growth_rate(ref, found),
        basis=spec.basis,
    )


def _assess_chained(
    spec: Spec, values: Mapping[int, Decimal], growths: Mapping[int, Decimal], year: int
) -> Assessment:
    """A growth goal at comparable prices: judged on the chained index, whose baseline is 1.

    Where no published rate carries the chain (every year's step is a ratio of levels), the
    target is in fact judged at current prices, and says so. The goal and the path are at
    the baseline year's prices, as the plan states them; the trend's projection goes on
    from the latest level at the average comparable growth so far.
    """
    levels = dict(values)
    if spec.baseline_value is not None:
        levels.setdefault(spec.baseline_year, spec.baseline_value)
    index = chained_index(levels, growths, spec.baseline_year, year) or {}
    unit = replace(spec, baseline_value=ONE, places=None, basis=Basis.CURRENT)
    judged = assess(unit, {y: v for y, v in index.items() if y > spec.baseline_year}, year)
    scale = spec.baseline_value
    latest_year = judged.latest_year
    rated = latest_year is not None and any(
        growths.get(y) is not None for y in range(spec.baseline_year + 1, latest_year + 1)
    )

    def level(value):
        if value is None or scale is None:
            return None
        return value * scale

    projected = level(judged.projected_value)
    latest_level = values.get(latest_year) if latest_year else None
    if rated:
        # The trend from the latest level on, at the average comparable growth so far:
        # current prices go on from where the figures are.
        projected = None
        if latest_level is not None and judged.projected_value and judged.latest_value:
            projected = latest_level * judged.projected_value / judged.latest_value
    goal_index = goal_value(unit)
    status = judged.status
    if status == Status.EXCEEDED and _percent(judged.latest_value) == _percent(goal_index):
        status = Status.COMPLETED
    return replace(
        judged,
        status=status,
        latest_value=latest_level,
        goal_value=level(judged.goal_value),
        expected_value=level(judged.expected_value),
        projected_value=projected,
        index=judged.latest_value,
        basis=Basis.COMPARABLE if rated else Basis.CURRENT,
    )


def _percent(index: Decimal | None) -> Decimal | None:
    """Growth as printed: an index of 1.2254 is 122.5% of growth."""
    return None if index is None else _shown((index - ONE) * 100, 1)


def assess(
    spec: Spec,
    values: Mapping[int, Decimal],
    year: int,
    *,
    achieved: Mapping[int, bool] | None = None,
    reference: Mapping[int, Decimal] | None = None,
    growths: Mapping[int, Decimal] | None = None,
    reference_growths: Mapping[int, Decimal] | None = None,
) -> Assessment:
    """Where the target stands as of `year`, from its approved figures only.

    `values` maps years to approved figures (levels); `growths` years to approved growth
    rates at comparable prices (percent); `achieved` does the same for a milestone;
    `reference` and `reference_growths` hold those of a `relative` target's reference.
    The latest figure at or before `year` is judged against the path expected for its own
    year, so a figure not yet in for `year` is not counted as falling behind; from the
    target year on, the latest figure gives the final verdict.
    """
    if spec.kind == Kind.MILESTONE:
        return _assess_milestone(spec, achieved or {}, year)
    if spec.kind == Kind.RELATIVE:
        return _assess_relative(
            spec, values, growths or {}, reference or {}, reference_growths or {}, year
        )
    if spec.chained:
        return _assess_chained(spec, values, growths or {}, year)

    goal = goal_value(spec)
    # The baseline year's figure is where the path starts, not progress along it.
    after_baseline = {y: v for y, v in values.items() if y > spec.baseline_year}
    latest_year, value = latest(after_baseline, year)
    if latest_year is None:
        return Assessment(
            Status.NO_DATA, year, goal_value=goal, expected_value=expected_value(spec, year)
        )
    index = None
    if spec.kind in COMPOUND_KINDS and spec.baseline_value:
        index = _divide(value, spec.baseline_value)
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
        index=index,
        basis=spec.basis if spec.kind in COMPOUND_KINDS else None,
    )
    met = is_met(spec, value)
    if year >= spec.target_year:
        return Assessment(final_status(spec, met, value, goal), **common)
    if met:
        return Assessment(Status.ACHIEVED, **common)
    progress, expected = common["progress"], common["expected_share"]
    if progress is None or expected is None:
        # No baseline or no span: there is no path to compare against, so the target is
        # judged on whether it is met, like a milestone.
        return Assessment(Status.PENDING, **common)
    return Assessment(_compare(spec, progress, expected), **common)


# Each status's colour, from best to worst. Pages, the report and the API all read these,
# so a status looks the same everywhere; its word is in tracker/standings/words.py, translated.
COLOURS = {
    Status.EXCEEDED: "155D27",
    Status.COMPLETED: "1E7B34",
    Status.ACHIEVED: "1E7B34",
    Status.AHEAD: "1F6F8B",
    Status.ON_TRACK: "2E7D9A",
    # Dark enough for white text (5.4:1, WCAG AA), as every status badge is.
    Status.BEHIND: "9A5B00",
    Status.OFF_TRACK: "B3261E",
    Status.INCOMPLETE: "B3261E",
    Status.PENDING: "6B5CA5",
    Status.NO_DATA: "6E6E6E",
}
ORDER = list(COLOURS)
