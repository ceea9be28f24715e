"""The standings store: each target's status per plan and year, kept in the database,
and its object in the plan API, as JSON text in each language asked for.

The dashboard filters, sorts and counts on the statuses, and assesses only the rows of the
page it shows; the API joins the stored objects. Neither is ever stale:
- every write that could change them (a figure, a target, a plan's ratios, a closed year,
  the name of an area or a department) calls `forget()` inside its own transaction, and the
  rows of the targets it touched, and of the targets measured against them, go; so does
  every `migrate`, as a new release may assess or word them differently;
- a read calls `ensure()` (or `payloads()`) first, which assesses and stores whatever is
  missing.

With requests running at once, both take the same lock, the plan's row, and hold it to the
end of their transaction. If `ensure()` has it first, it stores what it read and the writer,
waiting for the lock, then forgets those rows; if the writer has it first, `ensure()` waits
until the write is committed and reads it. On SQLite the lock is the database's single
write lock, which a build takes before it reads.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django_tables2.data import TableData
from django_tables2.utils import OrderBy

from tracker.api import target_payload
from tracker.loading import plan_standings
from tracker.models import Plan, ProgressEntry, StoredPayload, StoredStanding, Target
from tracker.permissions import ANY_ADMINISTRATOR
from tracker.progress import ORDER, Status

BATCH = 2000
STORED = (StoredStanding, StoredPayload)
APPROVED = ProgressEntry.State.APPROVED.value


def _lock(plan_ids: Iterable[int]) -> None:
    """Take the plans' rows for the rest of the transaction (see the module's docstring).

    An UPDATE that changes nothing: on PostgreSQL it locks the row, on SQLite it takes the
    write lock; either way before anything is read.
    """
    Plan.objects.filter(pk__in=sorted(plan_ids)).update(slug=F("slug"))


def forget(*, plan: Plan | None = None, targets: Iterable[Target | int] | None = None) -> None:
    """Drop the stored rows of the whole `plan`, or of `targets` and of every target
    measured against one of them. Call it inside the write's transaction."""
    if plan is not None:
        _lock([plan.pk])
        for model in STORED:
            model.objects.filter(plan=plan).delete()
    ids = sorted({getattr(target, "pk", target) for target in targets or ()} - {None})
    for start in range(0, len(ids), BATCH):  # SQLite takes only so many parameters
        chunk = ids[start : start + BATCH]
        affected = Target.objects.filter(Q(pk__in=chunk) | Q(reference_target_id__in=chunk))
        _lock(set(affected.values_list("plan_id", flat=True)))
        for model in STORED:
            model.objects.filter(target__in=affected).delete()


def forget_all(using: str = "default", apps=None, **kwargs) -> None:
    """Drop every stored row. Run after each `migrate`, as every deployment does: a new
    version may assess, word or shape them differently."""
    for model in STORED:
        if apps is not None:  # as migrated, which may be back before the table existed
            try:
                model = apps.get_model("tracker", model.__name__)
            except LookupError:
                continue
        model.objects.using(using).all().delete()


def _fill(plan: Plan, year: int, model, missing, build) -> None:
    """Store the `model` rows that the targets of `missing`, a query of the plan's targets,
    lack as of `year`: `build` makes them from the targets' standings."""
    if not missing.exists():
        return
    with transaction.atomic():
        _lock([plan.pk])
        ids = list(missing.values_list("pk", flat=True))
        if not ids:  # built by another request while this one waited for the lock
            return
        whole = len(ids) == Target.objects.filter(plan=plan).count()
        rows = plan_standings(plan, year, None if whole else ids, viewer=ANY_ADMINISTRATOR)
        model.objects.bulk_create(build(rows), batch_size=BATCH)


def ensure(plan: Plan, year: int) -> None:
    """Assess and store the plan's targets that have no stored standing for `year`."""
    _fill(
        plan,
        year,
        StoredStanding,
        Target.objects.filter(plan=plan).exclude(stored_standings__year=year),
        lambda rows: [
            StoredStanding(
                plan=plan,
                target_id=row.target.pk,
                year=year,
                status=row.status,
                status_rank=row.status_rank,
                progress_sort=float(row.progress_sort),
            )
            for row in rows
        ],
    )


def payloads(plan: Plan, year: int, language: str, *, viewer) -> list[str]:
    """The API objects of the plan's targets as of `year` in `language`, as `viewer` may
    see them, as JSON texts in the order of its indicator table; those not stored yet are
    built and stored first.

    Each target's object is stored twice, with every figure and with approved ones only;
    `viewer` is given the first where they may see its figures not yet approved
    (`Target.objects.with_unapproved_visible`), the second elsewhere.
    """
    stored = StoredPayload.objects.filter(year=year, language=language)

    def build(rows):
        built = []
        with translation.override(language):
            for row in rows:
                whole = target_payload(row)
                approved = {
                    **whole,
                    "entries": [e for e in whole["entries"] if e["state"] == APPROVED],
                }
                built.append(
                    StoredPayload(
                        plan=plan,
                        target_id=row.target.pk,
                        year=year,
                        language=language,
                        json=json.dumps(whole, ensure_ascii=False),
                        json_approved=json.dumps(approved, ensure_ascii=False),
                    )
                )
        return built

    of_target = stored.filter(target=OuterRef("pk"))
    # The targets and their objects in one statement, so in one snapshot: a write that
    # forgets some after they were built leaves them missing here, and they are built again.
    read = (
        Target.objects.filter(plan=plan)
        .with_unapproved_visible(viewer)
        .order_by("area__order", "order", "code")
        .annotate(
            json=Subquery(of_target.values("json")),
            json_approved=Subquery(of_target.values("json_approved")),
        )
        .values_list("unapproved_visible", "json", "json_approved")
    )
    for _attempt in range(3):
        rows = list(read.all())  # each time anew
        if all(whole is not None for _sees, whole, _approved in rows):
            return [whole if sees else approved for sees, whole, approved in rows]
        missing = Target.objects.filter(plan=plan).exclude(Exists(of_target))
        _fill(plan, year, StoredPayload, missing, build)
    # Written to faster than it can be read: the objects as they are, not stored.
    visible = set(
        Target.objects.filter(plan=plan)
        .with_unapproved_visible(viewer)
        .filter(unapproved_visible=True)
        .values_list("pk", flat=True)
    )
    rows = plan_standings(plan, year, viewer=ANY_ADMINISTRATOR)
    return [
        made.json if row.target.pk in visible else made.json_approved
        for row, made in zip(rows, build(rows), strict=True)
    ]


def with_standing(targets, year: int):
    """Targets annotated with their stored standing for `year`: `stored_status`,
    `stored_rank` and `stored_progress` (call `ensure()` first)."""
    return targets.annotate(
        stored=FilteredRelation("stored_standings", condition=Q(stored_standings__year=year))
    ).annotate(
        stored_status=F("stored__status"),
        stored_rank=F("stored__status_rank"),
        stored_progress=F("stored__progress_sort"),
    )


def status_counts(plan: Plan, year: int) -> list[tuple[Status, int]]:
    """How many targets have each status, best first, leaving out statuses nobody has."""
    counts = Counter(
        StoredStanding.objects.filter(plan=plan, year=year).values_list("status", flat=True)
    )
    return [(status, counts[status.value]) for status in ORDER if counts[status.value]]


def _localized(field: str):
    """Sort by the English name where one is set, when the page is in English."""
    if (get_language() or "").startswith("en"):
        return Coalesce(NullIf(f"{field}_en", Value("")), field)
    return F(field)


class StoredRows(TableData):
    """The dashboard table's rows: ordered, counted and sliced in the database, from the
    store; only the rows of the page shown are loaded and assessed."""

    # What each sort key of StandingTable means as a column of the targets' query.
    SORT_KEYS = {
        "target__area__order": lambda: F("area__order"),
        "target__code": lambda: F("code"),
        "target__display_name": lambda: _localized("name"),
        "target__nature": lambda: F("nature"),
        "target__lead_department__display_name": lambda: _localized("lead_department__name"),
        "status_rank": lambda: F("stored_rank"),
        "progress_sort": lambda: F("stored_progress"),
    }

    def __init__(self, plan: Plan, year: int, targets, *, viewer):
        """`targets`: a query of the plan's targets from `with_standing()`, filtered; the
        rows hold the figures `viewer` may see."""
        super().__init__(targets)
        self.plan, self.year, self.viewer = plan, year, viewer

    @cached_property
    def _count(self) -> int:
        return self.data.count()

    def __len__(self) -> int:
        return self._count

    def __iter__(self):
        return iter(self[0 : len(self)])

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        ids = list(self.data.values_list("pk", flat=True)[key])
        shown = plan_standings(self.plan, self.year, ids, viewer=self.viewer)
        rows = {row.target.pk: row for row in shown}
        return [rows[pk] for pk in ids]

    def order_by(self, aliases) -> None:
        keys = []
        for alias in aliases:
            column = self.table.columns[OrderBy(alias).bare]
            accessors = column.order_by
            if alias[0] != column.order_by_alias[0]:
                accessors = accessors.opposite
            for accessor in accessors:
                key = self.SORT_KEYS[accessor.bare]()
                keys.append(key.desc() if accessor.is_descending else key.asc())
        self.data = self.data.order_by(*keys, "area__order", "order", "code")
