"""What the engine and the renderers need of a plan, loaded as plain values.

One query per table (areas, departments, targets, entries), each with `values_list()`, feeds
light dataclasses instead of ORM instances: building a model instance costs far more than
the row it holds, and a province-sized plan has tens of thousands of rows. The dataclasses
carry the attributes and methods the dashboard, the API and the report read of a target and
an entry, borrowing the models' own methods so that every rule keeps one home.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from tracker.models import Area, Department, Plan, ProgressEntry, Target
from tracker.standing import Standing

APPROVED = ProgressEntry.State.APPROVED
STATE_WORDS = dict(ProgressEntry.State.choices)
NATURE_WORDS = dict(Target.Nature.choices)
KIND_WORDS = dict(Target.Kind.choices)


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


TARGET_FIELDS = (
    "pk", "code", "order", "name", "name_en", "unit", "kind", "direction", "nature",
    "baseline_value", "baseline_year", "target_value", "target_year", "factor",
    "decimal_places", "area_id", "lead_department_id", "reference_target_id",
)  # fmt: skip


@dataclass(slots=True, eq=False)
class LoadedTarget:
    """A target as the engine and the renderers read it; `plan` is the Plan instance."""

    pk: int
    code: str
    order: int
    name: str
    name_en: str
    unit: str
    kind: str
    direction: str
    nature: str
    baseline_value: Decimal | None
    baseline_year: int
    target_value: Decimal | None
    target_year: int
    factor: Decimal | None
    decimal_places: int
    area_id: int
    lead_department_id: int | None
    reference_target_id: int | None
    plan: Plan | None = None
    area: LoadedArea | None = None
    lead_department: LoadedDepartment | None = None
    reference_target: LoadedTarget | None = None
    by_year: dict[int, LoadedEntry] = field(default_factory=dict)

    Kind = Target.Kind
    Direction = Target.Direction
    Nature = Target.Nature
    display_name = Target.display_name
    is_milestone = Target.is_milestone
    get_absolute_url = Target.get_absolute_url
    spec = Target.spec
    assess = Target.assess

    @property
    def id(self) -> int:
        return self.pk

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_nature_display(self) -> str:
        return NATURE_WORDS[self.nature]

    def get_kind_display(self) -> str:
        return KIND_WORDS[self.kind]

    def approved_values(self) -> dict[int, Decimal]:
        return {
            year: e.value
            for year, e in self.by_year.items()
            if e.state == APPROVED and e.value is not None
        }

    def approved_achieved(self) -> dict[int, bool]:
        return {
            year: bool(e.achieved)
            for year, e in self.by_year.items()
            if e.state == APPROVED and e.achieved is not None
        }


ENTRY_FIELDS = ("pk", "target_id", "year", "value", "achieved", "quality", "state", "note",
                "is_sample")  # fmt: skip


@dataclass(slots=True, eq=False)
class LoadedEntry:
    pk: int
    target_id: int
    year: int
    value: Decimal | None
    achieved: bool | None
    quality: str
    state: str
    note: str
    is_sample: bool
    target: LoadedTarget | None = None

    State = ProgressEntry.State
    counts = ProgressEntry.counts
    display_value = ProgressEntry.display_value

    def get_state_display(self) -> str:
        return STATE_WORDS[self.state]


def load_targets(plan: Plan, ids: Collection[int] | None = None) -> list[LoadedTarget]:
    """The plan's targets (or those of `ids`) in the order of its indicator table.

    Each comes with its area, lead department, entries by year, and its reference target
    with that one's entries, whether or not the reference is among those asked for.
    """
    query = Target.objects.filter(plan=plan)
    if ids is not None:
        query = query.filter(pk__in=ids)
    targets = {row[0]: LoadedTarget(*row, plan=plan) for row in query.values_list(*TARGET_FIELDS)}
    asked = list(targets.values())
    missing = {t.reference_target_id for t in asked} - set(targets) - {None}
    if missing:
        plans = dict(Plan.objects.in_bulk({plan.pk}))
        for row in Target.objects.filter(pk__in=missing).values_list(*TARGET_FIELDS, "plan_id"):
            *values, plan_id = row
            plans.setdefault(plan_id, Plan.objects.get(pk=plan_id))
            targets[row[0]] = LoadedTarget(*values, plan=plans[plan_id])
    entries = ProgressEntry.objects.all()
    if ids is None and not missing:
        entries = entries.filter(target__plan=plan)
    else:
        entries = entries.filter(target_id__in=list(targets))
    for row in entries.values_list(*ENTRY_FIELDS):
        entry = LoadedEntry(*row)
        entry.target = target = targets[entry.target_id]
        target.by_year[entry.year] = entry
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
    for target in targets.values():
        target.area = areas[target.area_id]
        target.lead_department = departments.get(target.lead_department_id)
        target.reference_target = targets.get(target.reference_target_id)
    asked.sort(key=lambda t: (t.area.order, t.order, t.code))
    return asked


def assessed(targets: list[LoadedTarget], year: int) -> list[Standing]:
    """Where each target stands as of `year`, in the order given."""
    return [Standing(target, target.assess(year), target.by_year) for target in targets]


def plan_standings(plan: Plan, year: int, ids: Collection[int] | None = None) -> list[Standing]:
    """The standings every renderer reads: the plan's targets (or `ids`), assessed."""
    return assessed(load_targets(plan, ids), year)
