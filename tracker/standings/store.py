"""The standings store: each target's status per plan and year, kept in the database,
and its object in the plan API, as JSON text in each language asked for.

The dashboard filters, sorts and counts on the statuses, and assesses only the rows of the
page it shows; the API joins the stored objects. Neither is ever stale:
- every write to a row the store is built from forgets the stored rows it could change:
  those of the targets it touched and of the targets measured against them, or a whole
  plan's. All go when a `migrate` applies a migration of the tracker, and at each release
  (`forget_standings`), as a new version may assess or word them differently;
- a read calls `ensure()` (or `payloads()`) first, which assesses and stores whatever is
  missing.

Forgetting is not left to each writer to remember. It hangs on the models the store reads
(`DEPENDS_ON`), through their signals: `post_save`, `pre_delete` (before a delete's
cascade clears a reference to the row), `m2m_changed` for co-departments, and the
`bulk_written` signal their querysets send for `update()`, `bulk_create()` and
`bulk_update()` (tracker/standings/announcing.py), which Django's own signals skip. So every write
through the ORM forgets, whichever page, service, command or admin action makes it; a write
added tomorrow cannot leave the store stale by omission. Signals are kept out of business
writes (STYLE.md); this is the one exception, because a cache that must follow every write
is exactly what a business writer can forget to call. tests/test_store_forgetting.py checks
that every table a build reads belongs to a model covered here, that each write method of
each such model forgets, and that no code in the app writes around the ORM.

Writes forget in their own transaction: a receiver forgets at once, or, inside `batch()`,
collects what to forget and does it once at the end of the batch, still inside its
transaction. Writers of many rows run in a batch so that a page of 300 figures forgets
once, not 300 times. A read inside a batch forgets what is pending first. (A lone `save()`
outside any transaction commits before Django signals it; the lock below still keeps it
right, as its forgetting waits for any build under way and deletes what that stored.)

With requests running at once, both take the same lock, the plan's row, and hold it to the
end of their transaction. If `ensure()` has it first, it stores what it read and the writer,
waiting for the lock, then forgets those rows; if the writer has it first, `ensure()` waits
until the write is committed and reads it. On SQLite the lock is the database's single
write lock, which a build takes before it reads.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import (
    Exists,
    F,
    FilteredRelation,
    Func,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.db.models.query import QuerySet
from django.db.models.signals import m2m_changed, post_save, pre_delete
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django_tables2.data import TableData
from django_tables2.utils import OrderBy

from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.models import (
    Area,
    Department,
    Indicator,
    Plan,
    ProgressEntry,
    Series,
    StoredPayload,
    StoredStanding,
    Target,
)
from tracker.standings.announcing import bulk_written
from tracker.standings.api import target_payload
from tracker.standings.engine import ORDER, Status
from tracker.standings.loading import plan_standings

BATCH = 2000
STORED = (StoredStanding, StoredPayload)
APPROVED = ProgressEntry.State.APPROVED.value


def _lock(plan_ids: Iterable[int]) -> None:
    """Take the plans' rows for the rest of the transaction (see the module's docstring).

    An UPDATE that changes nothing: on PostgreSQL it locks the row, on SQLite it takes the
    write lock; either way before anything is read.
    """
    Plan.objects.filter(pk__in=sorted(plan_ids)).update(slug=F("slug"))


def _forget(plans: Iterable[int], targets: Iterable[int]) -> None:
    """Drop the stored rows of the whole `plans`, and of `targets` and of every target
    measured against one of them."""
    plans = sorted(set(plans))
    if plans:
        _lock(plans)
        for model in STORED:
            model.objects.filter(plan_id__in=plans).delete()
    ids = sorted(set(targets) - {None})
    for start in range(0, len(ids), BATCH):  # SQLite takes only so many parameters
        chunk = ids[start : start + BATCH]
        affected = Target.objects.filter(Q(pk__in=chunk) | Q(reference_target_id__in=chunk))
        _lock(set(affected.values_list("plan_id", flat=True)) - set(plans))
        for model in STORED:
            model.objects.filter(target__in=affected).exclude(plan_id__in=plans).delete()


class _Pending(threading.local):
    """What the writes of this thread's open batches will forget, by database."""

    def __init__(self):
        self.depth: dict[str, int] = {}
        self.plans: dict[str, set[int]] = {}
        self.targets: dict[str, set[int]] = {}
        self.figures: dict[str, set[tuple[int, int]]] = {}


_pending = _Pending()
# Told, once per batch, of the figures written, as (statistic, year): what is computed
# from them follows (tracker/indicators/derived.py), in the same transaction.
_figure_listeners: list = []


def when_figures_written(listener) -> None:
    """Call `listener(pairs)` with the (statistic, year) of the figures each batch wrote."""
    if listener not in _figure_listeners:
        _figure_listeners.append(listener)


def _heard(
    using: str,
    *,
    plans: Iterable[int] = (),
    targets: Iterable[int] = (),
    figures: Iterable[tuple[int, int]] = (),
) -> None:
    _pending.plans.setdefault(using, set()).update(plans)
    _pending.targets.setdefault(using, set()).update(targets)
    _pending.figures.setdefault(using, set()).update(figures)
    if not _pending.depth.get(using):
        flush(using)


def flush(using: str = "default") -> None:
    """Forget now what the writes so far have made stale."""
    figures = _pending.figures.pop(using, set())
    if figures:
        for listener in _figure_listeners:
            listener(figures)
        # A figure is read by every target of its statistic.
        series = sorted({pair[0] for pair in figures})
        for start in range(0, len(series), BATCH):
            sharing = Target.objects.filter(series__in=series[start : start + BATCH])
            _pending.targets.setdefault(using, set()).update(sharing.values_list("pk", flat=True))
    plans = _pending.plans.pop(using, set())
    targets = _pending.targets.pop(using, set())
    if plans or targets:
        _forget(plans, targets)


@contextmanager
def batch(using: str = "default"):
    """Run writes in one transaction that forgets once, at its end, what they made stale."""
    with transaction.atomic(using=using, savepoint=False):
        _pending.depth[using] = _pending.depth.get(using, 0) + 1
        try:
            yield
        except BaseException:
            if _pending.depth[using] == 1:  # the whole batch is rolled back
                _pending.plans.pop(using, None)
                _pending.targets.pop(using, None)
                _pending.figures.pop(using, None)
            raise
        finally:
            _pending.depth[using] -= 1
        if not _pending.depth[using]:
            flush(using)


# -- what a write makes stale ------------------------------------------------------------

# Columns of a figure that no standing or API object shows: writing only these forgets nothing.
BOOKKEEPING = {"evidence", "entered_by", "reviewed_by", "reviewed_at", "updated_at", "version"}
BOOKKEEPING |= {"entered_by_id", "reviewed_by_id"}


def _ids(rows, field: str = "pk") -> set[int]:
    if isinstance(rows, QuerySet):
        return set(rows.values_list(field, flat=True))
    return {getattr(row, field) for row in rows} - {None}


def _stale(model, rows, *, deleting: bool = False) -> dict[str, set[int]]:
    """The plans and targets whose stored rows a write of `rows` of `model` makes stale."""
    if model is ProgressEntry:  # its targets are found once per batch (`flush`)
        if isinstance(rows, QuerySet):
            return {"figures": set(rows.values_list("series_id", "year"))}
        return {"figures": {(row.series_id, row.year) for row in rows if row.series_id}}
    if model is Target:
        ids = _ids(rows)
        if deleting:  # the delete clears their references before anyone could ask
            ids |= set(Target.objects.filter(reference_target__in=ids).values_list("pk", flat=True))
        return {"targets": ids}
    if model is Plan:
        return {"plans": _ids(rows)}
    if model is Area:  # each target's area is shown by name
        return {"plans": _ids(rows, "plan_id")}
    if model is Department:  # each target's lead department is shown by name
        led = Target.objects.filter(lead_department__in=_ids(rows))
        return {"targets": set(led.values_list("pk", flat=True))}
    if model is Indicator:  # each target's indicator is shown by its code
        of = Target.objects.filter(indicator__in=_ids(rows))
        return {"targets": set(of.values_list("pk", flat=True))}
    if model is Series:  # which figures a target reads
        of = Target.objects.filter(series__in=_ids(rows))
        return {"targets": set(of.values_list("pk", flat=True))}
    raise LookupError(model)


CO_DEPARTMENTS = Target.co_departments.through
# The models whose rows the store is built from.
DEPENDS_ON = (Plan, Area, Department, Indicator, Series, Target, ProgressEntry, CO_DEPARTMENTS)


def _saved(sender, instance, update_fields=None, using="default", **kwargs):
    if sender is ProgressEntry and update_fields and set(update_fields) <= BOOKKEEPING:
        return
    _heard(using, **_stale(sender, [instance]))


def _deleting(sender, instance, using="default", **kwargs):
    _heard(using, **_stale(sender, [instance], deleting=True))


def _bulk_written(sender, rows, fields, using="default", **kwargs):
    if sender is ProgressEntry and fields and fields <= BOOKKEEPING:
        return
    if sender is Plan and fields == {"slug"}:
        return  # nothing stored shows the slug; and it is how a plan's row is locked
    _heard(using, **_stale(sender, rows))


def _co_departments(sender, instance, action, reverse, pk_set, using="default", **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        targets = {instance.pk}
    elif action == "pre_clear":
        targets = set(instance.co_targets.values_list("pk", flat=True))
    else:
        targets = set(pk_set or ())
    _heard(using, targets=targets)


for _model in DEPENDS_ON[:-1]:
    post_save.connect(_saved, sender=_model, dispatch_uid=f"store-saved-{_model.__name__}")
    pre_delete.connect(_deleting, sender=_model, dispatch_uid=f"store-del-{_model.__name__}")
    bulk_written.connect(_bulk_written, sender=_model, dispatch_uid=f"store-{_model.__name__}")
m2m_changed.connect(_co_departments, sender=CO_DEPARTMENTS, dispatch_uid="store-co")


def forget_all(using: str = "default", apps=None, plan=None, **kwargs) -> None:
    """Drop every stored row; after a `migrate`, only if it applied or unapplied a migration
    of the tracker.

    Any of the tracker's migrations may change what the rows were built from: nearly every
    model of the tracker feeds a standing or an API object, and a data migration changes
    rows without naming the fields it touches, so none is told apart. Other apps'
    migrations (auth, sessions, history, axes) change nothing stored. A `migrate` with
    nothing to apply (`plan` empty) keeps them: servers that migrate as they start do not
    rebuild the store at each restart.
    """
    if plan is not None and not any(migration.app_label == "tracker" for migration, _ in plan):
        return
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
    flush()
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


def _payload_builder(plan: Plan, year: int, language: str):
    """What makes the stored API objects of `plan`'s standings as of `year` in `language`."""

    def build(rows) -> list[StoredPayload]:
        built = []
        with translation.override(language):
            for row in rows:
                whole = target_payload(row)
                # A computed figure not yet approved is an administrator's only (see
                # `models.figures_visible_to`): not in the object its reporters are given.
                whole["entries"] = [
                    e for e in whole["entries"] if e["state"] == APPROVED or not e["computed"]
                ]
                # Approved figures only: a year without one is simply without data there,
                # as its figure's workflow (draft, submitted, returned) is not told.
                approved = {
                    **whole,
                    "entries": [e for e in whole["entries"] if e["state"] == APPROVED],
                    "gaps": [{**gap, "reason": "no_data"} for gap in whole["gaps"]],
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

    return build


def payloads(plan: Plan, year: int, language: str, *, viewer) -> list[str]:
    """The API objects of the plan's targets as of `year` in `language`, as `viewer` may
    see them, as JSON texts in the order of its indicator table; those not stored yet are
    built and stored first.

    Each target's object is stored twice, with every figure and with approved ones only;
    `viewer` is given the first where they may see its figures not yet approved
    (`Target.objects.with_unapproved_visible`), the second elsewhere.
    """
    flush()
    stored = StoredPayload.objects.filter(year=year, language=language)
    build = _payload_builder(plan, year, language)
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


@dataclass(frozen=True)
class Summary:
    """What a target's stored API object says of where it stands, as the API prints it."""

    status: Status
    based_on_year: int | None  # the year the status rests on, where older than asked
    goal_value: str | None
    latest_year: int | None
    latest_value: str | None


# The keys of a stored object that `summaries` reads.
_SUMMARY_KEYS = ("status", "based_on_year", "goal_value", "latest")


class _Keys(Func):
    """The `_SUMMARY_KEYS` of a stored object (JSON text) as a JSON array, extracted by the
    database parsing the object once (SQLite) or as JSON, not JSONB (PostgreSQL)."""

    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra):
        paths = ", ".join(f"'$.{key}'" for key in _SUMMARY_KEYS)
        return self.as_sql(compiler, connection, template=f"JSON_EXTRACT(%(expressions)s, {paths})")

    def as_postgresql(self, compiler, connection, **extra):
        keys = ", ".join(f"CAST(%(expressions)s AS json) -> '{key}'" for key in _SUMMARY_KEYS)
        return self.as_sql(compiler, connection, template=f"CAST(json_build_array({keys}) AS text)")


def _keys(text: str | None) -> list | None:
    """The keys extracted, or None where no object is stored (an array of nulls, on
    PostgreSQL)."""
    keys = None if text is None else json.loads(text)
    return None if keys is None or keys[0] is None else keys


def _summary(keys: list) -> Summary:
    status, based, goal, latest = keys
    return Summary(
        status=Status(status),
        based_on_year=based,
        goal_value=goal,
        latest_year=None if latest is None else latest["year"],
        latest_value=None if latest is None else latest["value"],
    )


def summaries(plans: list[Plan], year: int, language: str, targets=None) -> dict[int, Summary]:
    """Where each target of `plans` (or each of `targets`, a query of theirs) stands as of
    `year`, with approved figures only, by target id: read from the stored API objects in
    `language` (`json_approved`), whatever the number of plans in one query once stored;
    those not stored yet are built and stored first, one plan at a time. Only a few keys of
    each object are read, extracted by the database."""
    flush()
    if targets is None:
        targets = Target.objects.filter(plan__in=plans)
    # The targets and their objects in one statement, so in one snapshot (as `payloads`).
    read = (
        targets.annotate(
            stored=FilteredRelation(
                "stored_payloads",
                condition=Q(stored_payloads__year=year, stored_payloads__language=language),
            )
        )
        .order_by()
        .values_list("pk", "plan_id", _Keys("stored__json_approved"))
    )
    by_pk = {plan.pk: plan for plan in plans}
    for _attempt in range(3):
        rows = [(pk, plan_id, _keys(text)) for pk, plan_id, text in read.all()]  # anew
        missing: dict[int, list[int]] = {}
        for pk, plan_id, keys in rows:
            if keys is None:
                missing.setdefault(plan_id, []).append(pk)
        if not missing:
            return {pk: _summary(keys) for pk, _plan, keys in rows}
        for plan_id in sorted(missing):
            plan = by_pk[plan_id]
            of_target = StoredPayload.objects.filter(
                target=OuterRef("pk"), year=year, language=language
            )
            absent = Target.objects.filter(plan=plan).exclude(Exists(of_target))
            _fill(plan, year, StoredPayload, absent, _payload_builder(plan, year, language))
    # Written to faster than it can be read: those missing as they are, not stored.
    found = {pk: _summary(keys) for pk, _plan, keys in rows if keys is not None}
    for plan_id, ids in sorted(missing.items()):
        plan = by_pk[plan_id]
        made = _payload_builder(plan, year, language)(
            plan_standings(plan, year, ids, viewer=ANY_ADMINISTRATOR)
        )
        for payload in made:
            whole = json.loads(payload.json_approved)
            found[payload.target_id] = _summary([whole[key] for key in _SUMMARY_KEYS])
    return found


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
