"""Writes that span several rows or models, each in one transaction.

Views and commands validate first and call these to apply; any refusal raised here rolls
the whole operation back, so a page or file with one bad row writes nothing. Approving the
figures ticked on the approvals page is the exception (`approve_each`): each is a decision of
its own, so the others are approved and the refused ones are named with why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from tracker.figures import conversation, history, plausibility, workflow
from tracker.figures.import_rows import (
    TARGET_FIELDS,
    TARGET_NUMBERS,
    TARGET_TEXTS,
    FigureRow,
    TargetRow,
    change_counts,
)
from tracker.figures.rights import administers, forget, is_admin, may_explain
from tracker.figures.workflow import Refused, StaleEntry
from tracker.models import (
    Area,
    ClosedYear,
    Department,
    Explanation,
    ImportBatch,
    Lock,
    Plan,
    ProgressEntry,
    Target,
    display_user,
)
from tracker.reminders import deadlines
from tracker.standings import store
from tracker.text import NOTE_MAX, unstorable

__all__ = ["Refused", "StaleEntry"]

Action = ProgressEntry.Action


@dataclass
class Change:
    """A figure as submitted for one target and year, validated."""

    target: Target
    figure: Decimal | bool | None
    quality: str
    note: str = ""
    # Whether the note shows on the public pages; None keeps what is stored.
    note_public: bool | None = None
    evidence: object = None
    version: int = 0
    # (findings, explanation) of a figure confirmed although it looked implausible;
    # ("", "") clears them, None keeps what is stored (the figure itself did not change).
    flag: tuple[str, str] | None = None
    # The growth at comparable prices and where the figure was published; None keeps them.
    rate: workflow.Rate | None = None
    source: str | None = None


def _require_admin(user, region_id: int | None) -> None:
    """Refuse anyone but an administrator of the region (`rights.administers`)."""
    forget(user)
    if not administers(user, region_id):
        raise Refused(_("Only administrators may do this."))


@transaction.atomic
@store.batch()
def save_entries(
    *, plan: Plan, year: int, changes: Iterable[Change], user, submit: bool
) -> list[ProgressEntry]:
    """Save a page (or a file) of figures as drafts or submitted, all or nothing.

    Each figure goes through `workflow.save`, which asks its lock (year in the plan and
    open, the user's right, approved figures locked) and claims it at the version read.
    """
    forget(user)
    workflow.hold(plan)
    lock = plan.year_lock(year)
    if lock:
        raise Refused(lock)
    saved = []
    for change in changes:
        target = change.target
        if target.plan_id != plan.pk:
            raise Refused(_("%(target)s belongs to another plan.") % {"target": target})
        target.plan = plan
        entry = ProgressEntry.objects.filter(
            series=target.series_id, year=year
        ).first() or ProgressEntry(target=target, year=year)
        entry.target = target
        workflow.save(
            entry,
            by=user,
            figure=change.figure,
            quality=change.quality,
            note=change.note,
            note_public=change.note_public,
            evidence=change.evidence,
            version=change.version,
            submit=submit,
            flag=change.flag,
            rate=change.rate,
            source=change.source,
        )
        saved.append(entry)
    return saved


@transaction.atomic
@store.batch()
def approve_entries(
    entries: Iterable[tuple[ProgressEntry, int]] | Iterable[ProgressEntry], *, by
) -> int:
    """Approve every figure, all or none; returns how many.

    Each item is a figure, or (figure, version read) to refuse one changed meanwhile.
    """
    items = [item if isinstance(item, tuple) else (item, item.version) for item in entries]
    for region_id in {entry.target.plan.region_id for entry, _v in items} or {None}:
        _require_admin(by, region_id)
    # The lock order (see tracker.figures.workflow): the regions, then the figures by id.
    workflow.hold(*{entry.target.plan_id: entry.target.plan for entry, _v in items}.values())
    for entry, version in sorted(items, key=lambda item: item[0].pk):
        workflow.approve(entry, by=by, version=version)
    return len(items)


@dataclass
class Approval:
    """What `approve_each` did: the figures approved, and those refused, each with why."""

    approved: list[ProgressEntry]
    refused: list[tuple[ProgressEntry, str]]


@transaction.atomic
@store.batch()
def approve_each(items: Iterable[tuple[ProgressEntry, int]], *, by) -> Approval:
    """Approve each figure the rules allow at the version the approver read; refuse the
    others, each with the reason a person reads (changed meanwhile, returned, closed year).

    One transaction, one savepoint per figure (`workflow.approve`): a refusal keeps the
    others. A figure read at another version is refused, never approved blindly: somebody
    changed, returned or approved it since the page was shown.
    """
    forget(by)
    if not is_admin(by):
        raise Refused(_("Only administrators may do this."))
    items = list(items)
    # The lock order (see tracker.figures.workflow): the regions, then the figures by id.
    workflow.hold(*{entry.target.plan_id: entry.target.plan for entry, _v in items}.values())
    done = Approval(approved=[], refused=[])
    for entry, version in sorted(items, key=lambda item: item[0].pk):
        if not administers(by, entry.target.plan.region_id):
            done.refused.append((entry, _("approved in its own region")))
            continue
        if entry.version != version:
            done.refused.append((entry, since_read(entry)))
            continue
        lock = entry.lock_reason(by, Action.REVIEW)
        if lock:
            done.refused.append((entry, str(lock)))
            continue
        try:
            workflow.approve(entry, by=by, version=version)
        except StaleEntry as stale:  # changed between reading it and holding the region
            done.refused.append((entry, since_read(stale.current)))
        except Refused as refusal:
            done.refused.append((entry, str(refusal)))
        else:
            done.approved.append(entry)
    return done


def since_read(current: ProgressEntry) -> str:
    """What became of a figure since an approver read it, as `current` now stands."""
    State = ProgressEntry.State
    if current.state == State.APPROVED:
        return _("already approved by %(who)s") % {"who": display_user(current.reviewed_by)}
    if current.state == State.RETURNED:
        return _("returned by %(who)s meanwhile") % {"who": display_user(current.reviewed_by)}
    return _(
        "changed by %(who)s since the page was shown: now %(value)s (%(state)s); "
        "reload the page to look at it again"
    ) % {
        "who": display_user(current.entered_by),
        "value": current.display_value or "—",
        "state": current.get_state_display(),
    }


def close_lock(
    plan: Plan, year: int, *, today: date | None = None, dues: dict[int, date] | None = None
) -> Lock | None:
    """Why `year` cannot be closed now, or None when it can.

    Not a year of the plan, already closed, not over by the calendar, or before its
    reporting deadline: the departments have until then (the latest deadline of the
    region's plans and targets for the year), and closing would cut them off. To close
    earlier, an administrator brings the deadline forward first. `dues` are
    `deadlines.last_dues(plan)`, when the caller asks for many years.
    """
    today = today or deadlines.today()
    lock = plan.reporting_lock(year, today)
    if lock:
        return lock
    due = (deadlines.last_dues(plan) if dues is None else dues).get(year)
    if due is not None and due >= today:
        return Lock(
            _(
                "The %(year)s figures are due by %(date)s: the departments have until then, "
                "so the year cannot be closed before. To close it earlier, bring its "
                "deadline forward first."
            )
            % {"year": year, "date": due.strftime("%Y-%m-%d")},
            "before_deadline",
        )
    return None


@transaction.atomic
def explain(target: Target, year: int, *, text: str, by) -> Explanation | None:
    """Write the target's 原因及措施 for `year` (an empty text removes it); returns it.

    Its responsible departments' reporters and administrators may; the year must be one
    of the plan's. Not a figure: a closed year still takes an explanation."""
    forget(by)
    if not may_explain(by, target):
        raise Refused(
            _("Only the responsible departments and administrators write reasons and measures.")
        )
    outside = target.plan.year_outside(year)
    if outside:
        raise Refused(outside)
    text = (text or "").strip()
    problem = unstorable(text, NOTE_MAX)
    if problem:
        raise Refused(problem)
    if not text:
        Explanation.objects.filter(target=target, year=year).delete()
        return None
    explanation, _created = Explanation.objects.update_or_create(
        target=target,
        year=year,
        defaults={"text": text, "author": by, "author_name": display_user(by)},
    )
    return explanation


@transaction.atomic
def close_year(plan: Plan, year: int, *, by, reason: str = "") -> ClosedYear:
    """Close a year of the plan's region for every path and every plan of the region;
    figures still open stay as they are."""
    _require_admin(by, plan.region_id)
    # Held while the year is closed: a figure's write waiting for the plan sees it closed.
    workflow.hold(plan)
    lock = close_lock(plan, year)
    if lock:
        raise Refused(lock)
    closed = ClosedYear(
        region=plan.region,
        plan=plan,
        year=year,
        closed_by=by,
        closed_by_name=display_user(by),
        reason=reason,
    )
    closed._history_user = by
    closed._change_reason = reason
    try:
        with transaction.atomic():
            closed.save()
    except IntegrityError:
        raise Refused(_("Year %(year)s is already closed.") % {"year": year}) from None
    plan.forget_closed_years()
    return closed


@transaction.atomic
def reopen_year(plan: Plan, year: int, *, by, reason: str) -> None:
    _require_admin(by, plan.region_id)
    if not (reason or "").strip():
        raise Refused(_("Give a reason."))
    workflow.hold(plan)
    closed = ClosedYear.objects.select_for_update().filter(region=plan.region_id, year=year).first()
    if closed is None:
        raise Refused(_("Year %(year)s is not closed.") % {"year": year})
    closed._history_user = by
    closed._change_reason = reason
    closed.delete()
    plan.forget_closed_years()


# -- imports ---------------------------------------------------------------------------

ENTRY_FIELDS = [
    "value",
    "achieved",
    "quality",
    "note",
    "state",
    "return_reason",
    "entered_by",
    "reviewed_by",
    "reviewed_at",
    "version",
    "updated_at",
    "plausibility_flag",
    "plausibility_note",
    "growth",
    "growth_quality",
    "source",
    "growth_source",
]


class ImportRefused(Refused):
    """The import cannot be applied; `problems` lists each reason."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@transaction.atomic
@store.batch()
def apply_import(
    *, plan: Plan, user, rows: list[FigureRow], file_name: str, sha256: str, submit: bool
) -> ImportBatch:
    """Write a previewed import in one transaction: every figure or none.

    1. record the batch (on SQLite this takes the write lock for the whole transaction);
    2. lock the stored figures the file touches and ask each its lock again, with the
       user's rights and the closed years read afresh: a right lost, a year closed or a
       figure approved since the preview refuses the file; so does a figure saved since;
    3. create the new figures and update the changed ones, in bulk. Their history records
       carry the batch in their reason, and the record before each is what the figure
       held before: that is all a revert needs.
    """
    forget(user)
    workflow.hold(plan)
    counts = change_counts(rows)
    batch = ImportBatch.objects.create(
        plan=plan,
        imported_by=user,
        imported_by_name=display_user(user),
        file_name=file_name[:255],
        sha256=sha256,
        new_count=counts["new"],
        changed_count=counts["changed"],
        unchanged_count=counts["unchanged"],
    )
    writes = [row for row in rows if row.status != "unchanged"]
    targets = Target.objects.filter(plan=plan, pk__in={row.target_id for row in writes})
    targets = targets.select_related("lead_department").prefetch_related("co_departments")
    targets = {target.pk: target for target in targets}
    by_series = {target.series_id: target.pk for target in targets.values()}
    stored = {
        (by_series[e.series_id], e.year): e
        for e in ProgressEntry.objects.select_for_update()
        .filter(series__in=by_series, year__in={row.year for row in writes})
        .order_by("pk")
    }
    problems, created, changed = [], [], []
    state = ProgressEntry.State.SUBMITTED if submit else ProgressEntry.State.DRAFT
    now = timezone.now()
    for row in writes:
        target = targets.get(row.target_id)
        if target is None:
            problems.append(
                _("%(where)s: %(code)s is no longer a target of this plan.")
                % {"where": row.where, "code": row.code}
            )
            continue
        target.plan = plan
        entry = stored.get((row.target_id, row.year)) or ProgressEntry(target=target, year=row.year)
        entry.target = target
        lock = entry.lock_reason(user)
        if lock:
            problems.append(f"{row.where}: {row.code} {row.year}: {lock}")
        elif (entry.version if entry.pk else 0) != row.version:
            problems.append(
                _(
                    "%(where)s: %(code)s %(year)s was changed by someone else after the "
                    "preview; upload the file again."
                )
                % {"where": row.where, "code": row.code, "year": row.year}
            )
        elif submit and _unanswered(entry, row):
            problems.append(f"{row.where}: {workflow.unanswered(entry)}")
        elif not _explained(row):
            problems.append(
                _(
                    "%(where)s: %(code)s %(year)s looks implausible and its note gives no "
                    "explanation; upload the file again with one."
                )
                % {"where": row.where, "code": row.code, "year": row.year}
            )
        else:
            if entry.pk:
                entry.version += 1
                changed.append(entry)
            else:
                created.append(entry)
            _fill(entry, row, user, state, now)
    if problems:
        raise ImportRefused(problems)
    options = dict(batch_size=500, default_user=user, default_change_reason=batch.change_reason)
    try:
        with transaction.atomic():
            bulk_create_with_history(created, ProgressEntry, **options)
    except IntegrityError:
        # Created by another writer that did not hold the plan (none should): the same
        # answer as a figure saved since the preview.
        raise ImportRefused(
            [_("A figure of this file was created by someone else meanwhile; upload it again.")]
        ) from None
    bulk_update_with_history(changed, ProgressEntry, ENTRY_FIELDS, **options)
    return batch


def _delete_with_history(entries: list[ProgressEntry], *, by, reason: str) -> None:
    """Delete figures in bulk, each leaving a deletion record in its history."""
    History = ProgressEntry.history.model
    now = timezone.now()
    History.objects.bulk_create(
        [
            History(
                history_date=now,
                history_user=by,
                history_change_reason=reason,
                history_type="-",
                **{f.attname: getattr(e, f.attname) for f in History.tracked_fields},
            )
            for e in entries
        ],
        batch_size=500,
    )
    for start in range(0, len(entries), 500):
        ids = [e.pk for e in entries[start : start + 500]]
        ProgressEntry.objects.filter(pk__in=ids).delete()


def _explained(row: FigureRow) -> bool:
    """Whether a questioned figure of the file comes with its explanation, its note."""
    try:
        plausibility.require_explanation(row.flag or "", row.note)
    except plausibility.Unexplained:
        return False
    return True


def _unanswered(entry: ProgressEntry, row: FigureRow) -> bool:
    """Whether a file would send back a returned figure unanswered with only its note
    changed: the rule of `workflow.save`, for an import."""
    if not conversation.awaits_answer(entry):
        return False
    return not conversation.changes_figure(
        entry,
        figure=row.achieved
        if entry.target.is_milestone
        else (None if row.value is None else Decimal(row.value)),
        quality=row.quality,
        rate=workflow.Rate(
            None if row.growth is None else Decimal(row.growth),
            row.growth_quality,
            row.growth_source,
        ),
        source=row.source,
    )


def _fill(entry: ProgressEntry, row: FigureRow, user, state: str, now) -> None:
    entry.value = None if row.value is None else Decimal(row.value)
    entry.achieved = row.achieved
    growth = None if row.growth is None else Decimal(row.growth)
    workflow.Rate(growth, row.growth_quality, row.growth_source).put(entry)
    entry.source = row.source
    entry.quality, entry.note, entry.state = row.quality, row.note, state
    entry.return_reason, entry.entered_by = "", user
    entry.reviewed_by, entry.reviewed_at, entry.updated_at = None, None, now
    if row.flag is not None:
        # The import's confirmation confirms the figures its preview questioned, each
        # explained by its note (`plausibility.explained_flag`, asked by the preview).
        entry.plausibility_flag = row.flag
        entry.plausibility_note = plausibility.require_explanation(row.flag, row.note)


def _written_by(batches: list[ImportBatch], plan: Plan, *, light=False) -> dict[str, list]:
    """The history records each import wrote, in order, by the import's reason: what a
    revert undoes. One query for any number of imports (the reason is not indexed).
    `light`: only what `_revert_obstacle` reads of them, as plain rows (an import page
    lists imports of tens of thousands of figures)."""
    plan_series = Target.objects.filter(plan=plan).values("series")
    records = ProgressEntry.history.model.objects.filter(
        history_change_reason__in=[batch.change_reason for batch in batches],
        series__in=plan_series,
    ).order_by("id", "history_id")
    if light:
        records = records.values_list(
            "id", "history_id", "series_id", "year", "history_change_reason", named=True
        )
    written = {batch.change_reason: [] for batch in batches}
    for record in records:
        written[record.history_change_reason].append(record)
    return written


def _plan_targets(plan: Plan) -> dict[int, Target]:
    """The plan's targets by statistic, each holding the same plan object, so that the
    year locks read its closed years once."""
    targets = Target.objects.filter(plan=plan).select_related("indicator", "lead_department")
    by_series = {target.series_id: target for target in targets}
    for target in by_series.values():
        target.plan = plan
    return by_series


def _revert_obstacle(written: list, entries: dict, latest: dict, targets: dict, by) -> str:
    """Why an import that wrote `written` cannot be reverted, naming the figures; "" when
    it can: a figure locked for the revert (its year closed), or changed after the import
    (approved since, corrected, deleted). `latest`: each figure's newest history record."""
    locks = []
    for record in written:
        entry = entries.get(record.id)
        if entry is None:
            continue  # deleted since: its deletion is its latest record, said below
        if entry.series_id in targets:
            entry.target = targets[entry.series_id]
        lock = entry.lock_reason(by, Action.REVERT)
        if lock:
            locks.append(f"{entry.target.code} {entry.year}: {lock}")
    if locks:
        return _("The import cannot be reverted: %(list)s") % {"list": _listed(sorted(set(locks)))}
    touched = [
        f"{targets[r.series_id].code if r.series_id in targets else '?'} {r.year}"
        for r in written
        if latest.get(r.id) != r.history_id
    ]
    if touched:
        return _(
            "These figures were changed after the import, so it cannot be reverted: %(list)s"
        ) % {"list": _listed(touched)}
    return ""


def _latest_records(ids) -> dict[int, int]:
    """Each figure's newest history record."""
    return dict(
        ProgressEntry.history.model.objects.filter(id__in=ids)
        .values("id")
        .annotate(latest=models.Max("history_id"))
        .values_list("id", "latest")
    )


def revert_obstacles(batches: list[ImportBatch], *, plan: Plan, by) -> dict[int, str]:
    """Why `by` cannot revert each of the plan's imports now, as `revert_import` would
    refuse it ("" where they can), in a few queries whatever the number of imports.
    Reads without holding anything: the import page asks it to offer the revert only
    where it works (the revert asks again, holding the plan)."""
    obstacles = {
        batch.pk: _("This import was already reverted.")
        for batch in batches
        if batch.state == ImportBatch.State.REVERTED
    }
    applied = [batch for batch in batches if batch.pk not in obstacles]
    if not applied:
        return obstacles
    written = _written_by(applied, plan, light=True)
    ids = sorted({record.id for records in written.values() for record in records})
    entries = ProgressEntry.objects.of_plan(plan).in_bulk(ids)
    latest, targets = _latest_records(ids), _plan_targets(plan)
    for batch in applied:
        records = written[batch.change_reason]
        obstacles[batch.pk] = _revert_obstacle(records, entries, latest, targets, by)
    return obstacles


def revert_obstacle(batch: ImportBatch, *, by) -> str:
    """Why `by` cannot revert the import now; "" when they can (`revert_obstacles`)."""
    return revert_obstacles([batch], plan=batch.plan, by=by)[batch.pk]


@transaction.atomic
@store.batch()
def revert_import(batch: ImportBatch, *, by) -> None:
    """Undo an import through the normal history, unless a later change touched a figure.

    A figure the import created is deleted; a figure it changed gets back the value, growth,
    quality, source, note and state of its history record before the import. Refused, naming the
    figures, when any was changed since, or when a year it wrote is closed.
    """
    plan = Plan.objects.get(pk=batch.plan_id)
    _require_admin(by, plan.region_id)
    # The lock order (see tracker.figures.workflow): the plan, the batch, then the figures by id.
    workflow.hold(plan)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    batch.plan = plan
    if batch.state == ImportBatch.State.REVERTED:
        raise Refused(_("This import was already reverted."))
    History = ProgressEntry.history.model
    written = _written_by([batch], plan)[batch.change_reason]
    ids = [record.id for record in written]
    entries = (
        ProgressEntry.objects.of_plan(plan)
        .select_for_update(of=("self",))
        .order_by("pk")
        .in_bulk(sorted(ids))
    )
    obstacle = _revert_obstacle(written, entries, _latest_records(ids), _plan_targets(plan), by)
    if obstacle:
        raise Refused(obstacle)
    before = {}
    for record in (
        History.objects.filter(id__in=ids)
        .exclude(history_change_reason=batch.change_reason)
        .order_by("id", "history_id")
    ):
        before[record.id] = record  # in order, so the last kept is the latest before
    reason = history.reason(history.REVERT, batch.change_reason)
    restored, removed = [], []
    for record in written:
        entry, earlier = entries[record.id], before.get(record.id)
        if record.history_type == "+" or earlier is None:
            removed.append(entry)
            continue
        entry.value, entry.achieved = earlier.value, earlier.achieved
        entry.quality, entry.note = earlier.quality, earlier.note
        workflow.Rate.of(earlier).put(entry)
        entry.source = earlier.source
        entry.plausibility_flag = earlier.plausibility_flag
        entry.plausibility_note = earlier.plausibility_note
        entry.state, entry.return_reason = earlier.state, earlier.return_reason
        entry.entered_by_id, entry.reviewed_by_id = earlier.entered_by_id, earlier.reviewed_by_id
        entry.reviewed_at, entry.updated_at = earlier.reviewed_at, timezone.now()
        entry.version += 1
        restored.append(entry)
    bulk_update_with_history(
        restored,
        ProgressEntry,
        ENTRY_FIELDS,
        batch_size=500,
        default_user=by,
        default_change_reason=reason,
    )
    _delete_with_history(removed, by=by, reason=reason)
    batch.state, batch.reverted_by, batch.reverted_at = (
        ImportBatch.State.REVERTED,
        by,
        timezone.now(),
    )
    batch.save(update_fields=["state", "reverted_by", "reverted_at"])


def _listed(items: list[str]) -> str:
    return ", ".join(items[:50]) + (" …" if len(items) > 50 else "")


# -- target definitions ------------------------------------------------------------------


@transaction.atomic
@store.batch()
def apply_targets(*, plan: Plan, user, rows: list[TargetRow], file_name: str) -> int:
    """Create or update the plan's targets from a previewed sheet; returns how many.

    Areas named in the sheet are created when missing; departments must exist (the preview
    said so). Each saved target gets a history record naming the file.
    """
    _require_admin(user, plan.region_id)
    workflow.hold(plan)
    areas = {a.name: a for a in plan.areas.all()}
    departments = {d.name: d for d in Department.objects.all()}
    stored = {t.code: t for t in Target.objects.filter(plan=plan)}
    # Stored as a code, shown in the reader's language (history.shown_reason).
    reason = history.reason(history.TARGETS_IMPORTED, file_name)
    saved, later = 0, []
    for row in rows:
        if row.status == "unchanged":
            continue
        values = row.values
        target = stored.get(row.code) or Target(plan=plan)
        for key in TARGET_FIELDS:
            value = values.get(key)
            if key in TARGET_NUMBERS and value is not None:
                value = Decimal(value)
            setattr(target, key, "" if value is None and key in TARGET_TEXTS else value)
        target.area = area_for(plan, values["area"], areas)
        target.lead_department = departments.get(values.get("lead_department"))
        reference = values.get("reference_target")
        target.reference_target = stored.get(reference) if reference else None
        target._history_user, target._change_reason = user, reason
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError as error:
            raise Refused(f"{row.code}: {error}") from None
        target.co_departments.set([departments[name] for name in values["co_departments"]])
        stored[target.code] = target
        if reference and target.reference_target is None:
            later.append((target, reference))
        saved += 1
    for target, reference in later:  # references to targets new in the same sheet
        target.reference_target = stored[reference]
        target._history_user, target._change_reason = user, reason
        target.save(update_fields=["reference_target"])
    return saved


def area_for(plan: Plan, name: str, cache: dict) -> Area:
    """The plan's area of that name, created (last in order) when it does not exist."""
    if name not in cache:
        order = len(cache) + 1
        cache[name], _created = Area.objects.get_or_create(
            plan=plan, name=name, defaults={"order": order}
        )
    return cache[name]
