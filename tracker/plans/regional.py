"""A region's children side by side: the status matrix (child regions × indicators) and the
comparison of one indicator across them, with the parent's own figure or a roll-up.

A higher region reads its children's figures only once approved, whoever asks: every
figure here is loaded through `ProgressEntry.objects.visible_to(READER)`, a reader with no
right to see a figure before it is approved, so no draft can come in by any path.

Each child is judged by its own plan covering the year (`covering_plans`), through the same
`Standing` every page, the API and the report read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from tracker.indicators import derived
from tracker.models import Indicator, Plan, ProgressEntry, Region, Target
from tracker.standings import loading, store
from tracker.standings.engine import ORDER, Status
from tracker.standings.standing import Standing

# Whoever reads a region's children reads as this: approved figures only.
READER = AnonymousUser()

ADDABLE = {Indicator.Measure.AMOUNT, Indicator.Measure.COUNT, Indicator.Measure.AREA}


def approved_figures():
    """The children's figures a higher region reads: approved ones, by the one rule."""
    return ProgressEntry.objects.visible_to(READER)


def children(region: Region) -> list[Region]:
    return list(Region.objects.filter(parent=region).order_by("code"))


def covering_plans(regions: list[Region], year: int | None = None) -> dict[int, Plan]:
    """Each region's plan covering `year` (the latest begun where several do), by region
    id; with no year, every plan of the regions is returned in a list under the key -1."""
    plans = Plan.objects.filter(region__in=regions).select_related("region")
    if year is None:
        return {-1: list(plans)}
    chosen: dict[int, Plan] = {}
    for plan in plans.filter(start_year__lte=year, end_year__gte=year).order_by("start_year"):
        chosen[plan.region_id] = plan
    return chosen


def plan_years(region: Region) -> list[int]:
    """Every year some child's plan covers, oldest first."""
    years = set()
    spans = Plan.objects.filter(region__parent=region).values_list("start_year", "end_year")
    for start, end in spans.order_by().distinct():
        years.update(range(start, end + 1))
    return sorted(years)


def default_year(region: Region, years: list[int]) -> int | None:
    """The latest covered year that has ended with an approved figure of a child (a year
    still running is read only when asked for: its figures are early, and few), else the
    latest with one, else the first year."""
    if not years:
        return None
    reported = set(
        approved_figures()
        .filter(series__region__parent=region, year__in=years)
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )
    ended = {year for year in reported if year < timezone.localdate().year}
    return max(ended or reported) if reported else years[0]


def _standings(plans: list[Plan], year: int, indicator: Indicator | None = None) -> list[Standing]:
    """Every target of `plans` (or only those on `indicator`) assessed as of `year`, read
    with approved figures only, in a constant number of queries however many plans."""
    # What the engine reads, and no more: each target's figures and its reference target's
    # (approved ones), not the conversations, departments and explanations of the pages.
    targets = (
        Target.objects.filter(plan__in=plans)
        .select_related("area", "plan__region", "indicator", "series", "reference_target__plan")
        .prefetch_related(
            Prefetch("series__entries", queryset=approved_figures()),
            Prefetch("reference_target__series__entries", queryset=approved_figures()),
        )
    )
    if indicator is not None:
        targets = targets.filter(indicator=indicator)
    rows = []
    for target in targets:
        rows.append(Standing.of(target, year))
    rows.sort(key=lambda r: (r.target.plan_id, r.target.area.order, r.target.order, r.target.code))
    return rows


# --- the status matrix -------------------------------------------------------------------


@dataclass(frozen=True)
class StoredAssessment:
    """Where a target stands as of a year, as the standings store keeps it
    (`store.Summary`): what the matrix shows of the engine's `Assessment`, its figures
    already printed to the target's decimal places."""

    status: Status
    as_of_year: int
    latest_year: int | None
    latest_value: str | None
    goal_value: str | None
    rests_on_older_year: bool


@dataclass(frozen=True)
class CellTarget:
    """What the matrix shows of a target: read as plain values, not as a model."""

    pk: int
    code: str
    plan_id: int
    plan_slug: str
    indicator_id: int
    nature: str
    direction: str
    area_name: str
    area_name_en: str
    decimal_places: int

    def get_absolute_url(self) -> str:
        return reverse("tracker:target-detail", args=[self.plan_slug, self.code])


@dataclass(frozen=True)
class Cell:
    """One target of a child's plan in the matrix, and where it stands."""

    target: CellTarget
    assessment: StoredAssessment


@dataclass
class MatrixRow:
    region: Region
    plan: Plan | None
    cells: dict[int, Cell] = field(default_factory=dict)  # by indicator id

    @property
    def counts(self) -> list[tuple[Status, int]]:
        return _counts(self.cells.values())


@dataclass
class Column:
    indicator: Indicator
    cells: list[Cell] = field(default_factory=list)

    @property
    def counts(self) -> list[tuple[Status, int]]:
        return _counts(self.cells)


@dataclass
class Matrix:
    region: Region
    year: int
    rows: list[MatrixRow]
    columns: list[Column]
    areas: list[tuple[str, str]]  # (name, name in the reader's language)
    has_sample: bool = False  # whether any figure read is sample data (示例数据)

    @property
    def counts(self) -> list[tuple[Status, int]]:
        return _counts(cell for row in self.rows for cell in row.cells.values())

    def grid(self) -> list[tuple[MatrixRow, list[Cell | None]]]:
        """Each row with its cells in the order of the columns (None: no such target)."""
        return [(row, [row.cells.get(c.indicator.pk) for c in self.columns]) for row in self.rows]


def _counts(cells) -> list[tuple[Status, int]]:
    counts = Counter(cell.assessment.status for cell in cells)
    return [(status, counts[status]) for status in ORDER if counts[status]]


def _cells(plans: list[Plan], year: int, indicator: Indicator | None = None) -> list[Cell]:
    """Every target of `plans` (or only those on `indicator`) and where it stands as of
    `year` with approved figures only, in the order of the plans' indicator tables: read
    from the standings store (assessed and stored first where missing), in a constant
    number of queries however many plans."""
    targets = Target.objects.filter(plan__in=plans)
    if indicator is not None:
        targets = targets.filter(indicator=indicator)
    stood = store.summaries(plans, year, get_language() or settings.LANGUAGE_CODE, targets)
    rows = targets.order_by("plan_id", "area__order", "order", "code").values_list(
        "pk",
        "code",
        "plan_id",
        "plan__slug",
        "indicator_id",
        "nature",
        "direction",
        "area__name",
        "area__name_en",
        "decimal_places",
    )
    cells = []
    for row in rows:
        s = stood[row[0]]
        assessment = StoredAssessment(
            status=s.status,
            as_of_year=year,
            latest_year=s.latest_year,
            latest_value=s.latest_value,
            goal_value=s.goal_value,
            rests_on_older_year=s.based_on_year is not None,
        )
        cells.append(Cell(CellTarget(*row), assessment))
    return cells


def _has_sample(targets) -> bool:
    """Whether an approved figure `targets` (a query) read is sample data (示例数据): of
    their plans' years, or a milestone's completion whenever it came (`Target.reads`)."""
    read = Q(
        year__gte=F("series__targets__plan__baseline_year"),
        year__lte=F("series__targets__plan__end_year"),
    ) | Q(achieved=True)
    return approved_figures().filter(read, series__targets__in=targets, is_sample=True).exists()


def matrix(
    region: Region, year: int, *, area: str = "", nature: str = "", status: str = ""
) -> Matrix:
    """Each child region's plan covering `year`, its targets' statuses by indicator; a
    cell is kept where it matches the filters (area by name, nature, status)."""
    regions = children(region)
    plans = covering_plans(regions, year)
    rows = {r.pk: MatrixRow(r, plans.get(r.pk)) for r in regions}
    region_of = {plan.pk: plan.region_id for plan in plans.values()}
    columns: dict[int, Column] = {}
    areas = {}
    english = (get_language() or "").startswith("en")
    for cell in _cells(list(plans.values()), year):
        target = cell.target
        areas[target.area_name] = (
            target.area_name_en if english and target.area_name_en else target.area_name
        )
        if area and target.area_name != area and target.area_name_en != area:
            continue
        if nature and target.nature != nature:
            continue
        if status and cell.assessment.status.value != status:
            continue
        rows[region_of[target.plan_id]].cells[target.indicator_id] = cell
        columns.setdefault(target.indicator_id, Column(None)).cells.append(cell)
    indicators = Indicator.objects.in_bulk(list(columns))
    for pk, column in columns.items():
        column.indicator = indicators[pk]
    if area or nature or status:  # the figures of the cells shown
        shown = [cell.target.pk for column in columns.values() for cell in column.cells]
        sample = bool(shown) and _has_sample(Target.objects.filter(pk__in=shown))
    else:
        sample = _has_sample(Target.objects.filter(plan__in=plans.values()))
    return Matrix(
        region,
        year,
        list(rows.values()),
        list(columns.values()),
        sorted(areas.items()),
        has_sample=sample,
    )


# --- one indicator compared ----------------------------------------------------------------


@dataclass
class Place:
    region: Region
    value: Decimal | None = None
    achieved: bool | None = None
    quality: str = ""
    quality_label: str = ""
    standing: Standing | Cell | None = None
    rank: int | None = None
    # For a published rank: the rank computed from the approved figures it ranks by.
    computed_rank: int | None = None
    series: dict[int, Decimal] = field(default_factory=dict)  # approved figures by year

    @property
    def published_rank(self) -> int | None:
        """A published rank's figure as a whole number, where it is one."""
        if self.value is None or self.value != self.value.to_integral_value():
            return None
        return int(self.value)

    @property
    def rank_differs(self) -> bool:
        return self.computed_rank is not None and self.published_rank not in (
            None,
            self.computed_rank,
        )


@dataclass
class Comparison:
    region: Region
    indicator: Indicator
    year: int
    places: list[Place]
    lower_is_better: bool
    years: list[int]
    parent_value: Decimal | None = None
    parent_source: str = ""  # "own", "sum", "recomputed" or "" (none given)
    no_rollup: str = ""  # why no roll-up is given
    rank_note: str = ""  # why no rank is computed
    parent_series: dict[int, Decimal] = field(default_factory=dict)
    # A roll-up for each year the parent has no figure of its own and one can be given.
    rolled_up_series: dict[int, Decimal] = field(default_factory=dict)
    # A published rank's computed ranks: what they are computed from, or why none is.
    computed_from: Indicator | None = None
    computed_rank_note: str = ""

    @property
    def ranked(self) -> bool:
        return not self.rank_note

    @property
    def ranks_computed(self) -> bool:
        return self.computed_from is not None

    @property
    def rank_differences(self) -> list[Place]:
        """The regions whose published rank is not the one computed, best computed first."""
        found = [p for p in self.places if p.rank_differs]
        return sorted(found, key=lambda p: (p.computed_rank, p.region.code))

    @property
    def differences_line(self) -> str:
        """Where published and computed ranks differ, in one sentence; "" where they agree."""
        found = self.rank_differences
        if not found:
            return ""
        each = _(", ").join(
            _("%(region)s (published %(published)s, computed %(computed)s)")
            % {
                "region": p.region.display_name,
                "published": p.published_rank,
                "computed": p.computed_rank,
            }
            for p in found
        )
        return ngettext(
            "The published rank differs from the computed one for %(count)s region: %(each)s.",
            "The published ranks differ from the computed ones for %(count)s regions: %(each)s.",
            len(found),
        ) % {"count": len(found), "each": each}

    @property
    def rolled_up_row(self) -> dict[int, Decimal]:
        """The parent's row over the years: its own figure, else the roll-up."""
        return {**self.rolled_up_series, **self.parent_series}


def lower_is_better(indicator: Indicator, standings: list[Standing]) -> bool:
    """A rank is better the lower it is; otherwise as the children's targets on the
    indicator say (all of them lower-is-better), else higher is better."""
    return _lower_first(indicator, {s.target.direction for s in standings})


def _lower_first(indicator: Indicator, directions: set[str]) -> bool:
    """`lower_is_better` from the directions of the targets on the indicator."""
    if indicator.measure == Indicator.Measure.RANK:
        return True
    return directions == {Target.Direction.DECREASE}


def ranks(values: dict[int, Decimal], lower_first: bool) -> dict[int, int]:
    """Competition ranks (1, 2, 2, 4) of the values by key, best first.

    >>> ranks({1: Decimal(5), 2: Decimal(9), 3: Decimal(5)}, lower_first=False)
    {2: 1, 1: 2, 3: 2}
    """
    ordered = sorted(values.items(), key=lambda kv: kv[1] if lower_first else -kv[1])
    result, previous, place = {}, None, 0
    for n, (key, value) in enumerate(ordered, start=1):
        if value != previous:
            place, previous = n, value
        result[key] = place
    return result


def comparisons(region: Region, indicators: list[Indicator], year: int) -> list[Comparison]:
    """`comparison` of each of `indicators`, the children's targets read as plain values
    and assessed once for all of them (as the region's workbook needs), not once each."""
    plans = sorted(covering_plans(children(region), year).values(), key=lambda p: p.pk)
    assessed = defaultdict(list)
    for plan in plans:
        for standing in loading.plan_standings(plan, year, viewer=READER):
            assessed[standing.target.indicator_id].append(standing)
    return [comparison(region, i, year, assessed=assessed[i.pk]) for i in indicators]


def comparison(
    region: Region,
    indicator: Indicator,
    year: int,
    *,
    stored=False,
    assessed: list[Standing] | None = None,
) -> Comparison:
    """Every child's approved figure of `indicator` for `year`, its own target and status,
    its rank among the siblings; the parent's own figure, else a roll-up where the
    indicator adds up; the approved figures over the years, for the line chart.

    Each place's `standing` is a `Standing`; with `stored`, a `Cell` read from the
    standings store instead (status, goal and latest figure as the API prints them), for
    what needs no more, as the API; `assessed`, the standings of the children's targets on
    the indicator where they are at hand (`comparisons`)."""
    regions = children(region)
    plans = covering_plans(regions, year)
    if assessed is not None:
        standings = assessed
        region_of = {s.target.plan_id: s.target.plan.region_id for s in standings}
    elif stored:
        standings = _cells(list(plans.values()), year, indicator)
        region_of = {plan.pk: plan.region_id for plan in plans.values()}
    else:
        standings = _standings(list(plans.values()), year, indicator)
        region_of = {s.target.plan_id: s.target.plan.region_id for s in standings}
    years = sorted(
        {y for p in plans.values() for y in range(p.baseline_year, p.end_year + 1)} | {year}
    )
    places = {r.pk: Place(r) for r in regions}
    for standing in standings:
        places[region_of[standing.target.plan_id]].standing = standing
    figures = approved_figures().filter(
        series__indicator=indicator, series__region__in=[region, *regions], year__in=years
    )
    qualities = {k: str(v) for k, v in ProgressEntry._meta.get_field("quality").flatchoices}
    parent_value, parent_series = None, {}
    for region_id, entry_year, value, achieved, quality in figures.values_list(
        "series__region_id", "year", "value", "achieved", "quality"
    ):
        if region_id == region.pk:
            if value is not None:
                parent_series[entry_year] = value
            if entry_year == year:
                parent_value = value
            continue
        place = places[region_id]
        if value is not None:
            place.series[entry_year] = value
        if entry_year == year:
            place.value, place.achieved, place.quality = value, achieved, quality
            place.quality_label = qualities.get(quality, quality)
    result = Comparison(
        region,
        indicator,
        year,
        list(places.values()),
        lower_is_better(indicator, standings),
        years,
    )
    result.parent_series = parent_series
    _rank(result)
    _computed_ranks(result, regions, plans)
    _roll_up(result, parent_value, regions)
    return result


def _rank(result: Comparison) -> None:
    """Rank the children with a figure; sort every child, ranked ones first."""
    measure = result.indicator.measure
    if measure == Indicator.Measure.RANK:
        result.rank_note = _(
            "These are published ranks, shown as they are: a rank among these regions "
            "would have to be computed from the indicator the rank is of."
        )
    elif measure == Indicator.Measure.MILESTONE:
        result.rank_note = _("A milestone is reached or not: it gives no rank.")
    else:
        values = {p.region.pk: p.value for p in result.places if p.value is not None}
        ranked = ranks(values, result.lower_is_better)
        for place in result.places:
            place.rank = ranked.get(place.region.pk)
    reverse = not result.lower_is_better

    def order(place: Place):
        if place.value is None:
            return (1, Decimal(0), place.region.code)
        return (0, -place.value if reverse else place.value, place.region.code)

    result.places.sort(key=order)


def _computed_ranks(result: Comparison, regions: list[Region], plans: dict[int, Plan]) -> None:
    """For a published rank among the units of the compared region, each unit's rank
    computed from its approved figure of the indicator the rank is of, where every unit
    has one for the year (competition ranks, best first by that indicator's direction);
    otherwise why none is computed. Two queries, however many units."""
    indicator = result.indicator
    if indicator.measure != Indicator.Measure.RANK:
        return
    of = indicator.rank_of
    if of is None:
        result.computed_rank_note = _(
            "No rank is computed: the indicator does not name the indicator it ranks by."
        )
        return
    if indicator.rank_among_id != result.region.pk:
        among = indicator.rank_among
        result.computed_rank_note = (
            _(
                "No rank is computed: this rank is among the units of %(among)s, not among "
                "the regions of %(region)s."
            )
            % {"among": among.display_name, "region": result.region.display_name}
            if among is not None
            else _("No rank is computed: the indicator does not name the region it ranks among.")
        )
        return
    values = dict(
        approved_figures()
        .filter(series__indicator=of, series__region__in=regions, year=result.year)
        .exclude(value=None)
        .values_list("series__region_id", "value")
    )
    missing = [r for r in regions if r.pk not in values]
    if missing:
        result.computed_rank_note = ngettext(
            "No rank is computed from %(of)s: %(regions)s has no approved figure of it for "
            "%(year)s.",
            "No rank is computed from %(of)s: %(regions)s have no approved figures of it for "
            "%(year)s.",
            len(missing),
        ) % {
            "of": of.display_name,
            "regions": _(", ").join(r.display_name for r in missing),
            "year": result.year,
        }
        return
    directions = set(
        Target.objects.filter(plan__in=list(plans.values()), indicator=of).values_list(
            "direction", flat=True
        )
    )
    lower_first = _lower_first(of, directions)
    computed = ranks(values, lower_first)
    for place in result.places:
        place.computed_rank = computed.get(place.region.pk)
    result.computed_from = of
    result.rank_note = _(
        "These are published ranks, shown as they are; beside them, each region's rank "
        "computed from its approved figure of %(of)s for %(year)s (%(direction)s)."
    ) % {
        "of": of.display_name,
        "year": result.year,
        "direction": _("the lower the figure, the better the rank")
        if lower_first
        else _("the higher the figure, the better the rank"),
    }


def _roll_up(result: Comparison, own: Decimal | None, regions: list[Region]) -> None:
    """The parent's own approved figure (`own`); else a sum of amounts, or a ratio recomputed from
    the summed inputs (never an average of the children's ratios); else why none. The
    same for each year of the line chart the parent has no figure of its own."""
    indicator = result.indicator
    reason = _no_rollup_reason(indicator)
    if not reason and regions:
        parts = derived.inputs(indicator) if indicator.formula else []
        sums = _sums(parts, regions, result.years) if parts else {}
        result.rolled_up_series = {
            year: value
            for year in result.years
            if year not in result.parent_series
            and (value := _rolled_up(result, year, parts, sums)) is not None
        }
    if own is not None:
        result.parent_value, result.parent_source = own, "own"
        return
    if reason:
        result.no_rollup = reason
        return
    missing = [p.region for p in result.places if p.value is None]
    if indicator.formula:
        value = result.rolled_up_series.get(result.year)
        if value is None:
            result.no_rollup = _(
                "No roll-up is given: not every region has an approved figure of each input "
                "(%(inputs)s) for %(year)s."
            ) % {"inputs": derived.formula_text(indicator), "year": result.year}
            return
        result.parent_value, result.parent_source = value, "recomputed"
        return
    if missing:
        result.no_rollup = ngettext(
            "No roll-up is given: %(regions)s has no approved figure for %(year)s, and a "
            "sum without it would be too low.",
            "No roll-up is given: %(regions)s have no approved figures for %(year)s, and a "
            "sum without them would be too low.",
            len(missing),
        ) % {"regions": _(", ").join(r.display_name for r in missing), "year": result.year}
        return
    result.parent_value = sum((p.value for p in result.places), Decimal(0))
    result.parent_source = "sum"


def _rolled_up(result: Comparison, year: int, parts, sums) -> Decimal | None:
    """The roll-up of `year`: the summed inputs' formula, or the sum of every child's
    figure; None where some child has none."""
    if parts:
        summed = sums.get(year, {})
        if any(summed.get(part.pk) is None for part in parts):
            return None
        return derived.compute(result.indicator, [summed[part.pk] for part in parts])
    if not result.places or any(year not in p.series for p in result.places):
        return None
    return sum((p.series[year] for p in result.places), Decimal(0))


def _no_rollup_reason(indicator: Indicator) -> str:
    """Why the indicator's figures of the children cannot be added up, or ""."""
    measure, formula = indicator.measure, indicator.formula
    if formula == Indicator.Formula.RATIO:
        parts = derived.inputs(indicator)
        if all(part.measure in ADDABLE and not part.formula for part in parts):
            return ""
        return _("No roll-up is given: the inputs of this ratio do not add up across regions.")
    if formula == Indicator.Formula.SUM:
        return ""
    if measure in ADDABLE and is_per_person(indicator):
        return _(
            "No roll-up is given: a figure per person does not add up across regions; it "
            "would have to be recomputed from the totals and the populations."
        )
    if measure in ADDABLE:
        return ""
    return {
        Indicator.Measure.RANK: _(
            "No roll-up is given: ranks do not add up, and the prefecture's own rank is "
            "published separately."
        ),
        Indicator.Measure.MILESTONE: _(
            "No roll-up is given: a milestone is each region's own, reached or not."
        ),
        Indicator.Measure.GROWTH: _(
            "No roll-up is given: growth rates without the levels they grow from cannot be "
            "combined, and an average of them would be wrong."
        ),
        Indicator.Measure.SHARE: _(
            "No roll-up is given: a share is recomputed from its summed parts, never "
            "averaged, and this indicator has no formula naming its parts."
        ),
    }.get(measure, _("No roll-up is given for this kind of indicator."))


def is_per_person(indicator: Indicator) -> bool:
    """Whether the indicator is a figure per person (人均), by its name or unit: an amount
    that does not add up. The catalogue has no field for it."""
    words = f"{indicator.name} {indicator.unit} {indicator.name_en} {indicator.unit_en}".lower()
    return any(word in words for word in ("人均", "/人", "per capita", "per person"))


def _sums(
    parts: list[Indicator], regions: list[Region], years: list[int]
) -> dict[int, dict[int, Decimal | None]]:
    """For each year, the sum over `regions` of each input's approved figure, by indicator
    id; None where some region has none. One query for every year."""
    found: dict[tuple[int, int], dict[int, Decimal]] = {}
    rows = approved_figures().filter(
        series__indicator__in=parts, series__region__in=regions, year__in=years
    )
    for indicator_id, region_id, year, value in rows.exclude(value=None).values_list(
        "series__indicator_id", "series__region_id", "year", "value"
    ):
        found.setdefault((year, indicator_id), {})[region_id] = value
    return {
        year: {
            part.pk: (sum(values.values(), Decimal(0)) if len(values) == len(regions) else None)
            for part in parts
            for values in [found.get((year, part.pk), {})]
        }
        for year in years
    }


def compared_in(region_ids, viewer) -> dict[int, Region]:
    """For each region (by id) whose parent has several children holding plans and whose
    pages `viewer` may read (`Region.objects.overseen_by`), that parent: where a plan's
    pages link to the comparison of its region with its siblings. Three queries at most,
    however many regions."""
    rows = Region.objects.filter(pk__in=set(region_ids), parent__isnull=False)
    parents = {r.pk: r.parent for r in rows.select_related("parent")}
    holding = Counter(
        parent
        for parent, _region in Plan.objects.filter(
            region__parent__in={p.pk for p in parents.values()}
        )
        .values_list("region__parent", "region")
        .distinct()
    )
    compared = {pk: parent for pk, parent in parents.items() if holding[parent.pk] > 1}
    if not compared:
        return {}
    readable = set(
        Region.objects.overseen_by(viewer)
        .filter(pk__in={p.pk for p in compared.values()})
        .values_list("pk", flat=True)
    )
    return {pk: parent for pk, parent in compared.items() if parent.pk in readable}
