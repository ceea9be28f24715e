"""The change log of a target's figures, from django-simple-history's records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tracker import display
from tracker.models import ProgressEntry, Target


@dataclass
class Change:
    year: int
    when: datetime
    who: object
    old_value: str
    new_value: str
    quality: str
    state: str
    reason: str


def _shown(record, target: Target) -> str:
    if target.is_milestone:
        return display.milestone_word(record.achieved)
    return display.format_figure(record.value, target.decimal_places)


def change_log(target: Target) -> list[Change]:
    """Every saved change of the target's figures, newest first, with the value before it."""
    records = (
        ProgressEntry.history.filter(target_id=target.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    log, previous = [], {}
    quality, state = dict(ProgressEntry.Quality.choices), dict(ProgressEntry.State.choices)
    for record in records:
        before = previous.get(record.id)
        log.append(
            Change(
                year=record.year,
                when=record.history_date,
                who=record.history_user,
                old_value=_shown(before, target) if before else "",
                new_value=_shown(record, target) if record.history_type != "-" else "",
                quality=quality.get(record.quality, record.quality),
                state=state.get(record.state, record.state),
                reason=record.history_change_reason or "",
            )
        )
        previous[record.id] = record
    log.sort(key=lambda change: change.when, reverse=True)
    return log
