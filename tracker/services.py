"""Writes that span several rows or models, each in one transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from tracker.models import ProgressEntry


class StaleEntry(Exception):
    """Somebody else saved the figure since it was read; `current` is what they saved."""

    def __init__(self, current: ProgressEntry):
        super().__init__(f"{current} was changed by someone else")
        self.current = current


def claim(entry: ProgressEntry, version: int) -> None:
    """Take the figure for this change if it is still at `version`, else raise StaleEntry.

    The conditional UPDATE is atomic: of two concurrent saves of the same version, the
    database lets one through and the other finds the version moved on.
    """
    if entry.pk is None:
        return
    claimed = ProgressEntry.objects.filter(pk=entry.pk, version=version).update(version=version + 1)
    if not claimed:
        raise StaleEntry(ProgressEntry.objects.select_related("entered_by").get(pk=entry.pk))
    entry.version = version + 1


def record(entry: ProgressEntry, *, by, reason: str = "") -> None:
    """Save with the history told who and why."""
    entry._history_user = by
    entry._change_reason = reason
    entry.save()


@transaction.atomic
def approve_entries(entries: Iterable[ProgressEntry], *, by) -> int:
    """Approve every submitted figure among `entries`; returns how many were approved."""
    count = 0
    for entry in entries:
        if entry.state != ProgressEntry.State.SUBMITTED:
            continue
        claim(entry, entry.version)
        entry.state = ProgressEntry.State.APPROVED
        entry.return_reason = ""
        record(entry, by=by, reason="approved")
        count += 1
    return count
