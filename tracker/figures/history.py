"""The change log of a target's figures, from django-simple-history's records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy

from tracker.figures.numbers import growth_as_reported, shown_as_reported
from tracker.models import FigureMessage, ProgressEntry, Target, figures_visible_to
from tracker.standings import formats

# Why a figure changed, stored as a stable code, optionally followed by ": " and the
# person's own words, and shown in the reader's language.
DRAFT, SUBMITTED, APPROVED, RETURNED, REOPENED = (
    "draft",
    "submitted",
    "approved",
    "returned",
    "reopened",
)
ADMIN_EDIT, IMPORT, REVERT = "admin-edit", "import", "revert"
# Written once, when each plan's copy of a statistic became the region's one figure.
MERGED, BASELINE = "merged", "baseline"
# A target's own history: written by a targets import (the file follows) or when a plan
# was started from another (the source plan's slug follows).
TARGETS_IMPORTED, CARRIED_OVER = "targets-import", "carried-over"
# A figure computed from its inputs' figures (tracker/indicators/derived.py); the formula follows.
DERIVED = "derived"
# A figure saved although the plausibility check questioned it; the reporter's explanation follows.
DRAFT_QUESTIONED, SUBMITTED_QUESTIONED = "draft-questioned", "submitted-questioned"
REASONS = {
    DRAFT: gettext_lazy("saved as draft"),
    SUBMITTED: gettext_lazy("submitted"),
    APPROVED: gettext_lazy("approved"),
    RETURNED: gettext_lazy("returned"),
    REOPENED: gettext_lazy("reopened"),
    ADMIN_EDIT: gettext_lazy("changed in the admin"),
    IMPORT: gettext_lazy("figures imported"),
    REVERT: gettext_lazy("import reverted"),
    MERGED: gettext_lazy("plans' copies of this figure joined"),
    DERIVED: gettext_lazy("computed from its inputs"),
    BASELINE: gettext_lazy("a plan's baseline kept as the region's figure"),
    DRAFT_QUESTIONED: gettext_lazy("saved as draft, confirmed as right although questioned"),
    SUBMITTED_QUESTIONED: gettext_lazy("submitted, confirmed as right although questioned"),
    TARGETS_IMPORTED: gettext_lazy("targets imported"),
    CARRIED_OVER: gettext_lazy("carried over from the previous plan"),
}


def reason(code: str, text: str = "") -> str:
    """The stored form of a reason: `code`, or `code: text` with the person's words."""
    text = text.strip()
    return f"{code}: {text}" if text else code


def shown_reason(stored: str) -> str:
    """A stored reason in the reader's language; older free-text reasons as they are.

    What follows the code is a person's words, kept as written, except after a revert:
    there it is the reverted import's own reason, itself shown in the reader's language.
    """
    code, _sep, text = (stored or "").partition(":")
    code, text = code.strip(), text.strip()
    label = REASONS.get(code)
    if label is None:
        batch = _import_named(code, text)
        return f"{REASONS[IMPORT]}: {batch}" if batch else stored or ""
    if code == REVERT:
        inner_code, _sep, inner_text = text.partition(":")
        text = _import_named(inner_code.strip(), inner_text.strip()) or text
    return f"{label}: {text}" if text else str(label)


def _import_named(code: str, text: str) -> str:
    """An import's reason ("import #12: file.xlsx", `ImportBatch.change_reason`) as its
    number and file, "#12: file.xlsx"; "" for any other reason."""
    head, _space, number = code.partition(" #")
    if head != IMPORT or not number.isdigit():
        return ""
    return f"#{number}: {text}" if text else f"#{number}"


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
    # The growth at comparable prices before and after, "3.1%", "" when none.
    old_growth: str = ""
    new_growth: str = ""


def _shown_growth(record) -> str:
    return growth_as_reported(getattr(record, "growth", None))


def _shown(record, target: Target) -> str:
    if target.is_milestone:
        return formats.milestone_word(record.achieved)
    # Every digit reported: a history rounded to the display places hides what changed.
    # A computed figure was never reported: at the display places (formats.reported_value).
    return shown_as_reported(
        formats.reported_value(record, target.decimal_places), target.decimal_places
    )


def visible_records(viewer):
    """The history records of the figures `viewer` may see, as they may see them: of a
    target whose figures not yet approved are hidden from them, the approved states only,
    so that a change shows the value approved before it, never a draft between."""
    return ProgressEntry.history.filter(figures_visible_to(viewer))


def change_log(target: Target, viewer) -> list[Change]:
    """Every saved change of the target's figures that `viewer` may see, newest first,
    with the value before it."""
    records = (
        visible_records(viewer)
        .filter(
            series=target.series_id,
            year__gte=target.plan.baseline_year,
            year__lte=target.plan.end_year,
        )
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
                reason=shown_reason(record.history_change_reason),
                old_growth=_shown_growth(before) if before else "",
                new_growth=_shown_growth(record) if record.history_type != "-" else "",
            )
        )
        previous[record.id] = record
    log += _messages(target, viewer)
    log.sort(key=lambda change: change.when, reverse=True)
    return log


def _messages(target: Target, viewer) -> list[Change]:
    """The messages on the target's figures `viewer` may see, as entries of the log: who
    wrote what of which kind, when (returns are there as the changes they made).

    A message row has no state: a message changes none, and the figure's state today
    (approved since) would read as its state when the message was written. The rows of
    the changes around it say what the state was."""
    figures = ProgressEntry.objects.visible_to(viewer).filter(
        series=target.series_id,
        year__gte=target.plan.baseline_year,
        year__lte=target.plan.end_year,
    )
    # A return is in the log already, with its reason, as the change it made.
    found = (
        FigureMessage.objects.filter(entry__in=figures)
        .exclude(kind=FigureMessage.Kind.RETURN)
        .select_related("author", "entry")
    )
    return [
        Change(
            year=message.entry.year,
            when=message.created,
            who=message.author,
            old_value="",
            new_value="",
            quality="",
            state="",
            reason=f"{message.get_kind_display()}: {message.text}"
            + ("" if message.author else f" ({message.shown_author})"),
        )
        for message in found
    ]
