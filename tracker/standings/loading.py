"""What the engine and the renderers need of a plan, loaded as plain values.

One query per table (areas, departments, targets, entries, co-departments) feeds light
objects instead of ORM instances: building a model instance costs far more than
the row it holds, and a province-sized plan has tens of thousands of rows. The objects
carry the attributes and methods the dashboard, the API and the report read of a target and
an entry, borrowing the models' own methods so that every rule keeps one home.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Q

from tracker.models import Area, Department, Explanation, Indicator, Plan, ProgressEntry, Target
from tracker.standings.standing import Standing


@dataclass(slots=True, eq=False)
class LoadedArea:
    pk: int
    name: str
    name_en: str
    order: int

    display_name = Area.display_name


@dataclass(slots=True, eq=False)
class LoadedDepartment:
    pk: int
    name: str
    name_en: str

    display_name = Department.display_name

    def __str__(self) -> str:
        return self.name


@dataclass(slots=True, eq=False)
class LoadedExplanation:
    """A target's 原因及措施 for a year."""

    year: int
    text: str


def _columns(model) -> list[str]:
    """Every stored column of `model`, by attribute name (`area_id` for the area)."""
    return [f.attname for f in model._meta.concrete_fields]


TARGET_FIELDS = _columns(Target)
# A figure's bookkeeping (its file, who entered and reviewed it when, its version) is for
# its own page and the workflow, not for what renderers show: a third of the loading time.
BOOKKEEPING = {
    "evidence",
    "entered_by_id",
    "reviewed_by_id",
    "reviewed_at",
    "created_at",
    "updated_at",
    "version",
}
INDICATOR_FIELDS = ("code", "measure", "comparable_growth")
INDICATOR_COLUMNS = {f"indicator_{name}": F(f"indicator__{name}") for name in INDICATOR_FIELDS}
ENTRY_FIELDS = [name for name in _columns(ProgressEntry) if name not in BOOKKEEPING]


@dataclass(slots=True, eq=False)
class LoadedIndicator:
    """What renderers read of a target's indicator."""

    code: str
    measure: str
    comparable_growth: bool

    Measure = Indicator.Measure
    is_share = Indicator.is_share


class Related(list):
    """Objects of a many-to-many relation, read like a prefetched manager: `.all()`."""

    def all(self) -> list:
        return self


class LoadedTarget:
    """A target as the engine and the renderers read it: every stored column as an
    attribute, its area, departments, reference target and entries by year as objects."""

    Kind, Direction, Nature = Target.Kind, Target.Direction, Target.Nature
    display_name = Target.display_name
    is_milestone = Target.is_milestone
    get_absolute_url = Target.get_absolute_url
    get_kind_display = Target.get_kind_display
    get_nature_display = Target.get_nature_display
    get_direction_display = Target.get_direction_display
    get_baseline_quality_display = Target.get_baseline_quality_display
    _get_FIELD_display = Target._get_FIELD_display
    spec = Target.spec
    assess = Target.assess
    approved_values = Target.approved_values
    approved_growths = Target.approved_growths
    approved_achieved = Target.approved_achieved
    price_basis = Target.price_basis
    is_share = Target.is_share
    reads = Target.reads
    explanation_for = Target.explanation_for

    def __init__(self, values: dict, plan: Plan):
        measure = values.pop("indicator_measure")
        comparable = values.pop("indicator_comparable_growth")
        self.__dict__.update(values)
        self.pk, self.plan = self.id, plan
        self.indicator = LoadedIndicator(self.indicator_code, measure, comparable)
        self.area = self.lead_department = self.reference_target = None
        self.co_departments = Related()
        self.explanations = NOT_LOADED
        self.by_year: dict[int, LoadedEntry] = {}

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def entries(self) -> Related:
        """The figures, read like the model's prefetched `entries`."""
        return Related(self.by_year.values())


class _NotLoaded:
    """A loaded target's 原因及措施 when the loader was not asked for them: reading them
    is a mistake to hear of, not an empty column in a report."""

    def all(self):
        raise ImproperlyConfigured("Load the targets with explained=True to read 原因及措施.")


NOT_LOADED = _NotLoaded()


class LoadedEntry:
    """A yearly figure: every stored column but its bookkeeping as an attribute, and its
    target."""

    State, Quality = ProgressEntry.State, ProgressEntry.Quality
    counts = ProgressEntry.counts
    display_value = ProgressEntry.display_value
    is_flagged = ProgressEntry.is_flagged
    get_state_display = ProgressEntry.get_state_display
    get_quality_display = ProgressEntry.get_quality_display
    _get_FIELD_display = ProgressEntry._get_FIELD_display

    def __init__(self, values: dict, target: LoadedTarget):
        self.__dict__.update(values)
        self.pk, self.target = self.id, target

    @property
    def indicator(self) -> LoadedTarget:
        # What `display_value` asks of the indicator (milestone, decimal places), the
        # target carries as its indicator states it.
        return self.target


def load_targets(
    plan: Plan, ids: Collection[int] | None = None, *, viewer, explained: bool = False
) -> list[LoadedTarget]:
    """The plan's targets (or those of `ids`) in the order of its indicator table.

    Each comes with its area, departments, entries by year, and its reference target with
    that one's entries, whether or not the reference is among those asked for. Entries are
    those `viewer` may see (`ProgressEntry.objects.visible_to`). With `explained`, each
    target's 原因及措施 too (`Explanation`), which the report prints.
    """
    query = Target.objects.filter(plan=plan)
    if ids is not None:
        query = query.filter(pk__in=ids)
    fields = (*TARGET_FIELDS, *(f"indicator_{name}" for name in INDICATOR_FIELDS))
    query = query.annotate(**INDICATOR_COLUMNS)
    targets = {row["id"]: LoadedTarget(row, plan) for row in query.values(*fields)}
    asked = list(targets.values())
    missing = {t.reference_target_id for t in asked} - set(targets) - {None}
    if missing:
        plans = {plan.pk: plan}
        others = Target.objects.filter(pk__in=missing)
        for row in others.annotate(**INDICATOR_COLUMNS).values(*fields):
            if row["plan_id"] not in plans:
                plans[row["plan_id"]] = Plan.objects.get(pk=row["plan_id"])
            targets[row["id"]] = LoadedTarget(row, plans[row["plan_id"]])
    # Rows of the loaded targets: by plan where that is all of them, else by their ids.
    whole_plan = ids is None and not missing
    of_targets = Q(target__plan=plan) if whole_plan else Q(target__in=list(targets))
    by_series: dict[int, list[LoadedTarget]] = {}
    for target in targets.values():
        by_series.setdefault(target.series_id, []).append(target)
    of_series = Q(series__targets__plan=plan) if whole_plan else Q(series__in=list(by_series))
    # What the plan reads of the region's figures (`Target.reads`): its own years, and a
    # milestone's completion whenever it came.
    read = Q(year__gte=plan.baseline_year, year__lte=plan.end_year) | Q(
        achieved=True, state=ProgressEntry.State.APPROVED
    )
    figures = ProgressEntry.objects.filter(of_series, read).visible_to(viewer)
    for row in figures.values(*ENTRY_FIELDS):
        for target in by_series[row["series_id"]]:
            target.by_year[row["year"]] = LoadedEntry(row, target)
    areas = {
        row[0]: LoadedArea(*row)
        for row in Area.objects.filter(pk__in={t.area_id for t in targets.values()}).values_list(
            "pk", "name", "name_en", "order"
        )
    }
    departments = {
        row[0]: LoadedDepartment(*row)
        for row in Department.objects.values_list("pk", "name", "name_en")
    }
    co = Target.co_departments.through.objects.filter(of_targets)
    for target_id, department_id in co.values_list("target_id", "department_id"):
        targets[target_id].co_departments.append(departments[department_id])
    if explained:
        for target in targets.values():
            target.explanations = Related()
        written = Explanation.objects.filter(of_targets).exclude(text="")
        for target_id, year, text in written.values_list("target_id", "year", "text"):
            targets[target_id].explanations.append(LoadedExplanation(year, text))
    for target in targets.values():
        target.area = areas[target.area_id]
        target.lead_department = departments.get(target.lead_department_id)
        target.reference_target = targets.get(target.reference_target_id)
    asked.sort(key=lambda t: (t.area.order, t.order, t.code))
    return asked


def assessed(targets: list[LoadedTarget], year: int) -> list[Standing]:
    """Where each target stands as of `year`, in the order given."""
    rows = []
    for target in targets:
        values = target.approved_values()
        spec = target.spec(values)
        assessment = target.assess(year, values=values, spec=spec)
        rows.append(Standing(target, assessment, target.by_year, spec, values))
    return rows


def plan_standings(
    plan: Plan,
    year: int,
    ids: Collection[int] | None = None,
    *,
    viewer,
    explained: bool = False,
) -> list[Standing]:
    """The standings every renderer reads: the plan's targets (or `ids`), assessed, with
    the figures `viewer` may see; with `explained`, their 原因及措施 (for the report)."""
    return assessed(load_targets(plan, ids, viewer=viewer, explained=explained), year)
