"""Writes that span several rows or models, each in one transaction.

Views and commands validate first and call these to apply; any refusal raised here rolls
the whole operation back, so a page or file with one bad row writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from tracker import store
from tracker.excel.common import change_counts
from tracker.models import (
    ClosedYear,
    Department,
    ImportBatch,
    Plan,
    ProgressEntry,
    Target,
    display_user,
)
from tracker.permissions import can_edit_target, is_admin


class Refused(Exception):
    """A write the rules do not allow; the message says why, for a person."""


class StaleEntry(Refused):
    """Somebody else saved the figure since it was read; `current` is what they saved."""

    def __init__(self, current: ProgressEntry):
        who = display_user(current.entered_by)
        super().__init__(
            _(
                "%(target)s %(year)s was changed by %(who)s while you were editing: it is now "
                "%(value)s (%(state)s). Nothing was saved; reload the page to see it."
            )
            % {
                "target": current.target.display_name,
                "year": current.year,
                "who": who,
                "value": current.display_value or "—",
                "state": current.get_state_display(),
            }
        )
        self.current = current


def lock_message(entry: ProgressEntry | None, closed: ClosedYear | None, user) -> str | None:
    """Why `user` may not change this figure, naming the lock; None when they may."""
    if closed is not None:
        return _(
            "Year %(year)s is closed: %(who)s closed it on %(date)s (%(reason)s). "
            "An administrator can reopen it."
        ) % {
            "year": closed.year,
            "who": display_user(closed.closed_by),
            "date": timezone.localtime(closed.closed_at).strftime("%Y-%m-%d"),
            "reason": closed.reason or "—",
        }
    if entry is not None and entry.state == ProgressEntry.State.APPROVED and not is_admin(user):
        reviewer = entry.reviewed_by
        return _(
            "This figure is approved (%(who)s, %(date)s) and locked. "
            "Ask an administrator to reopen it to change it."
        ) % {
            "who": display_user(reviewer),
            "date": timezone.localtime(entry.reviewed_at).strftime("%Y-%m-%d")
            if entry.reviewed_at
            else "—",
        }
    return None


def claim(entry: ProgressEntry, version: int) -> None:
    """Take the figure for this change if it is still at `version`, else raise StaleEntry.

    The conditional UPDATE is atomic: of two concurrent saves of the same version, the
    database lets one through and the other finds the version moved on.
    """
    if entry.pk is None:
        return
    claimed = ProgressEntry.objects.filter(pk=entry.pk, version=version).update(version=version + 1)
    if not claimed:
        raise StaleEntry(
            ProgressEntry.objects.select_related("entered_by", "target").get(pk=entry.pk)
        )
    entry.version = version + 1


def record(entry: ProgressEntry, *, by, reason: str = "") -> None:
    """Save with the history told who and why."""
    entry._history_user = by
    entry._change_reason = reason
    entry.save()


@dataclass
class Change:
    """A figure as submitted for one target and year, validated."""

    target: Target
    figure: Decimal | bool | None
    quality: str
    note: str = ""
    evidence: object = None
    version: int = 0


def _closed(plan: Plan, year: int) -> ClosedYear | None:
    return ClosedYear.objects.select_related("closed_by").filter(plan=plan, year=year).first()


@transaction.atomic
def save_entries(
    *, plan: Plan, year: int, changes: Iterable[Change], user, submit: bool
) -> list[ProgressEntry]:
    """Save a page (or a file) of figures as drafts or submitted, all or nothing.

    1. refuse a year outside the plan or a closed year;
    2. for each figure: refuse a target the user may not change or a locked figure;
    3. claim the figure at the version the user read (a stale form is refused);
    4. save it, the history recording who and why.
    """
    if year not in plan.entry_years:
        raise Refused(
            _("%(year)s lies outside the plan (%(first)s-%(last)s).")
            % {"year": year, "first": plan.baseline_year, "last": plan.end_year}
        )
    closed = _closed(plan, year)
    state = ProgressEntry.State.SUBMITTED if submit else ProgressEntry.State.DRAFT
    saved = []
    for change in changes:
        target = change.target
        if target.plan_id != plan.pk or not can_edit_target(user, target):
            raise Refused(
                _("You may not change figures of %(target)s: it is led by %(department)s.")
                % {
                    "target": target.display_name,
                    "department": target.lead_department or "—",
                }
            )
        entry = ProgressEntry.objects.filter(target=target, year=year).first() or ProgressEntry(
            target=target, year=year
        )
        locked = lock_message(entry if entry.pk else None, closed, user)
        if locked:
            raise Refused(f"{target.display_name} {year}: {locked}")
        if entry.pk is None and change.version:
            # The form was read when a figure existed; it has been deleted since.
            raise Refused(
                _("%(target)s %(year)s changed meanwhile; reload the page.")
                % {"target": target.display_name, "year": year}
            )
        claim(entry, change.version)
        if target.is_milestone:
            entry.achieved = change.figure
        else:
            entry.value = change.figure
        entry.quality = change.quality
        entry.note = change.note
        if change.evidence:
            entry.evidence = change.evidence
        entry.state = state
        entry.return_reason = ""
        entry.entered_by = user
        entry.reviewed_by = entry.reviewed_at = None
        try:
            with transaction.atomic():
                record(entry, by=user, reason=_("submitted") if submit else _("saved as draft"))
        except IntegrityError:
            # Somebody created the same figure at the same moment.
            raise StaleEntry(
                ProgressEntry.objects.select_related("entered_by", "target").get(
                    target=target, year=year
                )
            ) from None
        saved.append(entry)
    store.forget(targets={entry.target_id for entry in saved})
    return saved


@transaction.atomic
def approve_entries(
    entries: Iterable[tuple[ProgressEntry, int]] | Iterable[ProgressEntry], *, by
) -> int:
    """Approve the submitted figures among `entries`; returns how many were approved.

    Each item is an entry, or (entry, version read) to refuse one changed meanwhile.
    """
    count, approved = 0, set()
    closed_cache: dict[tuple[int, int], ClosedYear | None] = {}
    for item in entries:
        entry, version = item if isinstance(item, tuple) else (item, item.version)
        if entry.state != ProgressEntry.State.SUBMITTED:
            continue
        key = (entry.target.plan_id, entry.year)
        if key not in closed_cache:
            closed_cache[key] = _closed(entry.target.plan, entry.year)
        if closed_cache[key]:
            raise Refused(lock_message(entry, closed_cache[key], by))
        claim(entry, version)
        entry.state = ProgressEntry.State.APPROVED
        entry.return_reason = ""
        entry.reviewed_by, entry.reviewed_at = by, timezone.now()
        record(entry, by=by, reason=_("approved"))
        count += 1
        approved.add(entry.target_id)
    store.forget(targets=approved)
    return count


@transaction.atomic
def return_entry(entry: ProgressEntry, *, by, reason: str, version: int) -> None:
    """Send a submitted figure back to its reporter with a reason they will see."""
    if entry.state != ProgressEntry.State.SUBMITTED:
        raise Refused(_("Only submitted figures can be returned."))
    claim(entry, version)
    entry.state = ProgressEntry.State.RETURNED
    entry.return_reason = reason
    entry.reviewed_by, entry.reviewed_at = by, timezone.now()
    record(entry, by=by, reason=_("returned: %(reason)s") % {"reason": reason})
    store.forget(targets=[entry.target_id])


@transaction.atomic
def reopen_entry(entry: ProgressEntry, *, by, reason: str, version: int) -> None:
    """Unlock an approved figure so its reporter can correct it; the reason is kept."""
    if entry.state != ProgressEntry.State.APPROVED:
        raise Refused(_("Only approved figures can be reopened."))
    closed = _closed(entry.target.plan, entry.year)
    if closed:
        raise Refused(lock_message(entry, closed, by))
    claim(entry, version)
    entry.state = ProgressEntry.State.RETURNED
    entry.return_reason = _("Reopened: %(reason)s") % {"reason": reason}
    entry.reviewed_by, entry.reviewed_at = by, timezone.now()
    record(entry, by=by, reason=entry.return_reason)
    store.forget(targets=[entry.target_id])


@transaction.atomic
def close_year(plan: Plan, year: int, *, by, reason: str = "") -> ClosedYear:
    if year not in plan.entry_years:
        raise Refused(_("%(year)s lies outside the plan.") % {"year": year})
    if ClosedYear.objects.filter(plan=plan, year=year).exists():
        raise Refused(_("Year %(year)s is already closed.") % {"year": year})
    closed = ClosedYear(plan=plan, year=year, closed_by=by, reason=reason)
    closed._history_user = by
    closed._change_reason = reason
    closed.save()
    store.forget(plan=plan)
    return closed


@transaction.atomic
def reopen_year(plan: Plan, year: int, *, by, reason: str) -> None:
    closed = ClosedYear.objects.filter(plan=plan, year=year).first()
    if closed is None:
        raise Refused(_("Year %(year)s is not closed.") % {"year": year})
    closed._history_user = by
    closed._change_reason = reason
    closed.delete()
    store.forget(plan=plan)


# -- imports ---------------------------------------------------------------------------

ENTRY_FIELDS = ["value", "achieved", "quality", "note", "state", "return_reason", "entered_by",
                "reviewed_by", "reviewed_at", "version", "updated_at"]  # fmt: skip


class ImportRefused(Refused):
    """The import cannot be applied; `problems` lists each reason."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@transaction.atomic
def apply_import(
    *, plan: Plan, user, rows: list[dict], file_name: str, sha256: str, submit: bool
) -> ImportBatch:
    """Write a previewed import in one transaction: every figure or none.

    1. record the batch (on SQLite this takes the write lock for the whole transaction);
    2. lock the stored figures the file touches and refuse if any moved on since the
       preview (another save, an approval, a closed year): the user previews again;
    3. create the new figures and update the changed ones, in bulk. Their history records
       carry the batch in their reason, and the record before each is what the figure
       held before: that is all a revert needs.
    """
    counts = change_counts(row["status"] for row in rows)
    batch = ImportBatch.objects.create(
        plan=plan, imported_by=user, file_name=file_name[:255], sha256=sha256,
        new_count=counts["new"], changed_count=counts["changed"],
        unchanged_count=counts["unchanged"],
    )  # fmt: skip
    writes = [row for row in rows if row["status"] != "unchanged"]
    stored = {
        (e.target_id, e.year): e
        for e in ProgressEntry.objects.select_for_update().filter(
            target_id__in={row["target_id"] for row in writes},
            year__in={row["year"] for row in writes},
        )
    }
    closed = set(ClosedYear.objects.filter(plan=plan).values_list("year", flat=True))
    admin = is_admin(user)
    problems, created, changed = [], [], []
    state = ProgressEntry.State.SUBMITTED if submit else ProgressEntry.State.DRAFT
    now = timezone.now()
    for row in writes:
        entry = stored.get((row["target_id"], row["year"]))
        where = f"{row['sheet']}!{row['cell']}"
        names = {"where": where, "code": row["code"], "year": row["year"]}
        if row["year"] in closed:
            problems.append(_("%(where)s: year %(year)s was closed meanwhile.") % names)
        elif (entry.version if entry else 0) != row["version"]:
            problems.append(
                _("%(where)s: %(code)s %(year)s was changed by someone else after the preview; "
                  "upload the file again.") % names
            )  # fmt: skip
        elif entry and entry.state == ProgressEntry.State.APPROVED and not admin:
            problems.append(_("%(where)s: %(code)s %(year)s was approved meanwhile.") % names)
        elif entry is None:
            created.append(ProgressEntry(target_id=row["target_id"], year=row["year"]))
            _fill(created[-1], row, user, state, now)
        else:
            entry.version += 1
            _fill(entry, row, user, state, now)
            changed.append(entry)
    if problems:
        raise ImportRefused(problems)
    options = dict(batch_size=500, default_user=user, default_change_reason=batch.change_reason)
    bulk_create_with_history(created, ProgressEntry, **options)
    bulk_update_with_history(changed, ProgressEntry, ENTRY_FIELDS, **options)
    store.forget(targets={row["target_id"] for row in writes})
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
            )  # fmt: skip
            for e in entries
        ],
        batch_size=500,
    )
    for start in range(0, len(entries), 500):
        ids = [e.pk for e in entries[start : start + 500]]
        ProgressEntry.objects.filter(pk__in=ids).delete()


def _fill(entry: ProgressEntry, row: dict, user, state: str, now) -> None:
    entry.value = None if row["value"] is None else Decimal(row["value"])
    entry.achieved = row["achieved"]
    entry.quality, entry.note, entry.state = row["quality"], row["note"], state
    entry.return_reason, entry.entered_by = "", user
    entry.reviewed_by, entry.reviewed_at, entry.updated_at = None, None, now


@transaction.atomic
def revert_import(batch: ImportBatch, *, by) -> None:
    """Undo an import through the normal history, unless a later change touched a figure.

    A figure the import created is deleted; a figure it changed gets back the value,
    quality, note and state of its history record before the import. Refused, naming the
    figures, when any was changed since.
    """
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.state == ImportBatch.State.REVERTED:
        raise Refused(_("This import was already reverted."))
    History = ProgressEntry.history.model
    written = list(
        History.objects.filter(history_change_reason=batch.change_reason, target__plan=batch.plan)
        .select_related("target")
        .order_by("id")
    )
    ids = [record.id for record in written]
    latest = dict(
        History.objects.filter(id__in=ids)
        .values("id")
        .annotate(latest=models.Max("history_id"))
        .values_list("id", "latest")
    )
    touched = [f"{r.target.code} {r.year}" for r in written if latest.get(r.id) != r.history_id]
    if touched:
        raise Refused(
            _("These figures were changed after the import, so it cannot be reverted: %(list)s")
            % {"list": ", ".join(touched[:50]) + (" …" if len(touched) > 50 else "")}
        )
    before = {}
    for record in (
        History.objects.filter(id__in=ids)
        .exclude(history_change_reason=batch.change_reason)
        .order_by("id", "history_id")
    ):
        before[record.id] = record  # in order, so the last kept is the latest before
    reason = _("revert of %(import)s") % {"import": batch.change_reason}
    entries = ProgressEntry.objects.in_bulk(ids)
    restored, removed = [], []
    for record in written:
        entry, earlier = entries[record.id], before.get(record.id)
        if record.history_type == "+" or earlier is None:
            removed.append(entry)
            continue
        entry.value, entry.achieved = earlier.value, earlier.achieved
        entry.quality, entry.note = earlier.quality, earlier.note
        entry.state, entry.return_reason = earlier.state, earlier.return_reason
        entry.entered_by_id, entry.reviewed_by_id = earlier.entered_by_id, earlier.reviewed_by_id
        entry.reviewed_at, entry.updated_at = earlier.reviewed_at, timezone.now()
        entry.version += 1
        restored.append(entry)
    bulk_update_with_history(
        restored, ProgressEntry, ENTRY_FIELDS, batch_size=500, default_user=by,
        default_change_reason=reason,
    )  # fmt: skip
    _delete_with_history(removed, by=by, reason=reason)
    batch.state, batch.reverted_by, batch.reverted_at = (
        ImportBatch.State.REVERTED,
        by,
        timezone.now(),
    )
    batch.save(update_fields=["state", "reverted_by", "reverted_at"])
    store.forget(targets={record.target_id for record in written})


# -- target definitions ------------------------------------------------------------------


@transaction.atomic
def apply_targets(*, plan: Plan, user, rows: list[dict], file_name: str) -> int:
    """Create or update the plan's targets from a previewed sheet; returns how many.

    Areas named in the sheet are created when missing; departments must exist (the preview
    said so). Each saved target gets a history record naming the file.
    """
    from tracker.excel.targets import FIELDS, area_for

    areas = {a.name: a for a in plan.areas.all()}
    departments = {d.name: d for d in Department.objects.all()}
    stored = {t.code: t for t in Target.objects.filter(plan=plan)}
    reason = _("targets imported from %(file)s") % {"file": file_name}
    saved, later = 0, []
    for row in rows:
        if row["status"] == "unchanged":
            continue
        values = row["values"]
        target = stored.get(row["code"]) or Target(plan=plan)
        for key in FIELDS:
            value = values.get(key)
            if key in ("baseline_value", "target_value", "factor") and value is not None:
                value = Decimal(value)
            setattr(target, key, "" if value is None and key in TEXT_FIELDS else value)
        target.area = area_for(plan, values["area"], areas)
        target.lead_department = departments.get(values.get("lead_department"))
        reference = values.get("reference_target")
        target.reference_target = stored.get(reference) if reference else None
        target._history_user, target._change_reason = user, reason
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError as error:
            raise Refused(f"{row['code']}: {error}") from None
        target.co_departments.set([departments[name] for name in values["co_departments"]])
        stored[target.code] = target
        if reference and target.reference_target is None:
            later.append((target, reference))
        saved += 1
    for target, reference in later:  # references to targets new in the same sheet
        target.reference_target = stored[reference]
        target._history_user, target._change_reason = user, reason
        target.save(update_fields=["reference_target"])
    store.forget(plan=plan)
    return saved


TEXT_FIELDS = {"name_en", "unit", "source_text", "data_source", "notes"}
