"""The life of one figure: draft, submitted, approved or returned, and reopened.

    draft ──submit──> submitted ──approve──> approved ──reopen (reason)──> returned
      ^                   │                                                   │
      └──── save ─────────┴──return (reason)──> returned ──save/submit────────┘

Each transition asks `ProgressEntry.lock_reason` (year in the plan and open, the user's
right, the state), claims the figure at the version the user read, and writes history
with who and why (a code from `tracker.figures.history`, with the person's words). Writes across
many figures (a page, a file, a year) live in `tracker.figures.writes` and call these.

Locks, in one order for every write (so no two writes can wait on each other in a circle):
1. the region's row, `hold(plan)`: a figure is its region's and a year is closed for the
   region, so every write of a figure, a closed year, an import, an evaluation or a plan's
   baselines takes it first, several regions in ascending id;
2. then the write's own rows: an import batch, then figures in ascending id.
The closed years are read again once the region is held, and closing a year holds it too:
a save that waited while its year was closed finds it closed and is refused, and a close
that waited for a save comes after it. No figure changes in a closed year. A unique clash that
slips past (two writers creating one figure, two plans of one slug) is answered as a change
made meanwhile, never as an error. On SQLite a transaction takes the database's write lock
when it begins, so writes simply queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.figures import conversation, history, plausibility
from tracker.figures.rights import forget
from tracker.models import FigureMessage, Plan, ProgressEntry, Region, display_user
from tracker.reminders import mail
from tracker.text import NOTE_MAX, unstorable

Action = ProgressEntry.Action
State = ProgressEntry.State


class Refused(Exception):
    """A write the rules do not allow; the message says why, for a person."""


class StaleEntry(Refused):
    """Somebody else saved the figure since it was read; `current` is what they saved."""

    def __init__(self, current: ProgressEntry):
        super().__init__(
            _(
                "%(target)s %(year)s was changed by %(who)s while you were editing: it is now "
                "%(value)s (%(state)s). Nothing was saved; reload the page to see it."
            )
            % {
                "target": current.indicator.display_name,
                "year": current.year,
                "who": display_user(current.entered_by),
                "value": current.display_value or "—",
                "state": current.get_state_display(),
            }
        )
        self.current = current


@dataclass(frozen=True)
class Rate:
    """A figure's growth over the previous year at comparable prices (percent), with its
    own quality and source; blank ones are the level's."""

    growth: Decimal | None
    quality: str = ""
    source: str = ""

    @classmethod
    def of(cls, entry: ProgressEntry) -> Rate:
        return cls(entry.growth, entry.growth_quality, entry.growth_source)

    def put(self, entry: ProgressEntry) -> None:
        entry.growth = self.growth
        entry.growth_quality, entry.growth_source = self.quality, self.source


def hold(*plans: Plan) -> None:
    """Take the rows of the plans' regions for the rest of the transaction: the first lock
    of every write.

    The lock (FOR NO KEY UPDATE) lets rows that merely refer to the region be written, and
    waits for any other write of the region's figures or years. The closed years are then
    read afresh: a year closed while this write waited for the lock is seen as closed.
    """
    ids = sorted({plan.region_id for plan in plans})
    list(
        Region.objects.select_for_update(no_key=True)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk")
    )
    for plan in plans:
        plan.forget_closed_years()


def check(entry: ProgressEntry, user, action: str = Action.EDIT) -> None:
    """Raise Refused, naming the figure and the lock, unless `user` may do `action`."""
    lock = entry.lock_reason(user, action)
    if lock:
        raise Refused(f"{entry.target.display_name} {entry.year}: {lock}")


def claim(entry: ProgressEntry, version: int) -> None:
    """Take the figure for this change if it is still at `version`, else raise StaleEntry.

    The conditional UPDATE is atomic: of two concurrent saves of the same version, the
    database lets one through and the other finds the version moved on.
    """
    if entry.pk is None:
        if version:
            # The form was read when a figure existed; it has been deleted since.
            raise Refused(
                _("%(target)s %(year)s changed meanwhile; reload the page.")
                % {"target": entry.target.display_name, "year": entry.year}
            )
        return
    claimed = ProgressEntry.objects.filter(pk=entry.pk, version=version).update(version=version + 1)
    if not claimed:
        raise StaleEntry(
            ProgressEntry.objects.select_related("entered_by", "series__indicator").get(pk=entry.pk)
        )
    entry.version = version + 1


def record(entry: ProgressEntry, *, by, reason: str) -> None:
    """Save with the history told who and why (a code from tracker.figures.history); the save
    drops the stored standings the figure feeds (tracker/standings/store.py)."""
    entry._history_user = by
    entry._change_reason = reason
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # Somebody created the same figure at the same moment.
        raise StaleEntry(
            ProgressEntry.objects.select_related("entered_by", "series__indicator").get(
                series=entry.series_id, year=entry.year
            )
        ) from None


@transaction.atomic
def save(
    entry: ProgressEntry,
    *,
    by,
    figure: Decimal | bool | None,
    quality: str,
    note: str = "",
    note_public: bool | None = None,
    evidence=None,
    version: int,
    submit: bool,
    flag: tuple[str, str] | None = None,
    rate: Rate | None = None,
    source: str | None = None,
) -> ProgressEntry:
    """Enter a figure as a draft or submit it; approved figures need a reopen first.

    `flag` is (findings, explanation) of a figure the reporter confirmed although the
    plausibility check questioned it; ("", "") clears a stored flag, None keeps it.
    `rate` is the growth at comparable prices and `source` where the figure was published;
    None keeps what is stored.
    """
    hold(entry.target.plan)
    check(entry, by, Action.EDIT)
    if flag is not None:
        flag = flag[0], _explanation(*flag)
    if submit and conversation.awaits_answer(entry):
        changed = conversation.changes_figure(
            entry, figure=figure, quality=quality, rate=rate, source=source, evidence=evidence
        )
        if not changed:
            raise Refused(unanswered(entry))
    claim(entry, version)
    if entry.target.is_milestone:
        entry.achieved = figure
    else:
        entry.value = figure
    entry.quality, entry.note = quality, note
    if note_public is not None:
        entry.note_public = note_public
    if rate is not None:
        rate.put(entry)
    if source is not None:
        entry.source = source
    if evidence:
        entry.evidence = evidence
    entry.state = State.SUBMITTED if submit else State.DRAFT
    entry.return_reason = ""
    entry.entered_by = by
    entry.reviewed_by = entry.reviewed_at = None
    code = history.SUBMITTED if submit else history.DRAFT
    if flag is not None:
        entry.plausibility_flag, entry.plausibility_note = flag
    if flag and flag[0]:
        code = history.SUBMITTED_QUESTIONED if submit else history.DRAFT_QUESTIONED
        record(entry, by=by, reason=history.reason(code, entry.plausibility_note))
    else:
        record(entry, by=by, reason=code)
    return entry


@transaction.atomic
def approve(entry: ProgressEntry, *, by, version: int) -> ProgressEntry:
    """Approve a submitted figure: from now on it counts, and it is locked."""
    hold(entry.target.plan)
    check(entry, by, Action.REVIEW)
    claim(entry, version)
    entry.state = State.APPROVED
    entry.return_reason = ""
    entry.reviewed_by, entry.reviewed_at = by, timezone.now()
    record(entry, by=by, reason=history.APPROVED)
    mail.reviewed(entry)
    return entry


@transaction.atomic
def return_entry(entry: ProgressEntry, *, by, reason: str, version: int) -> ProgressEntry:
    """Send a submitted figure back to its reporter with a reason they will see."""
    _require_reason(reason)
    hold(entry.target.plan)
    check(entry, by, Action.REVIEW)
    claim(entry, version)
    entry.state = State.RETURNED
    entry.return_reason = reason
    entry.reviewed_by, entry.reviewed_at = by, timezone.now()
    record(entry, by=by, reason=history.reason(history.RETURNED, reason))
    _message(entry, by=by, kind=FigureMessage.Kind.RETURN, text=reason)
    mail.reviewed(entry)
    return entry


def unanswered(entry: ProgressEntry) -> str:
    """Why a returned figure is not sent again unchanged, for a person."""
    return _(
        "%(target)s %(year)s was returned and is unchanged: answer the return first "
        "(or change the figure), then submit it again."
    ) % {"target": entry.target.display_name, "year": entry.year}


@transaction.atomic
def post_message(entry: ProgressEntry, *, by, kind: str, text: str) -> FigureMessage:
    """Add a message to the figure's conversation, and mail a notice to the other side
    once it is committed: a reporter's to the administrators, an administrator's to the
    reporters the figure falls to."""
    forget(by)
    if kind not in conversation.kinds_for(by, entry):
        raise Refused(
            _("You may not write this on %(target)s %(year)s.")
            % {"target": entry.target.display_name, "year": entry.year}
        )
    text = (text or "").strip()
    if not text:
        raise Refused(_("Write a message first."))
    problem = unstorable(text, NOTE_MAX)
    if problem:
        raise Refused(problem)
    message = _message(entry, by=by, kind=kind, text=text)
    mail.message_posted(message)
    return message


def _message(entry: ProgressEntry, *, by, kind: str, text: str) -> FigureMessage:
    return FigureMessage.objects.create(
        entry=entry, author=by, author_name=display_user(by), kind=kind, text=text
    )


@transaction.atomic
def reopen(entry: ProgressEntry, *, by, reason: str, version: int) -> ProgressEntry:
    """Unlock an approved figure so it can be corrected; the reason is kept and shown."""
    _require_reason(reason)
    hold(entry.target.plan)
    check(entry, by, Action.REOPEN)
    claim(entry, version)
    entry.state = State.RETURNED
    entry.return_reason = _("Reopened: %(reason)s") % {"reason": reason}
    entry.reviewed_by, entry.reviewed_at = by, timezone.now()
    record(entry, by=by, reason=history.reason(history.REOPENED, reason))
    mail.reviewed(entry)
    return entry


@transaction.atomic
def admin_edit(entry: ProgressEntry, *, by, reason: str, version: int) -> ProgressEntry:
    """Save a figure changed in the admin's form; its state stays, the reason is kept."""
    _require_reason(reason)
    forget(by)
    hold(entry.target.plan)
    check(entry, by, Action.EDIT)
    claim(entry, version)
    if entry.pk is None:
        entry.entered_by = by
    record(entry, by=by, reason=history.reason(history.ADMIN_EDIT, reason))
    return entry


def _explanation(flag: str, explanation: str) -> str:
    """A questioned figure is stored only with its explanation (`plausibility.explained_flag`)."""
    try:
        return plausibility.require_explanation(flag, explanation)
    except plausibility.Unexplained:
        raise Refused(
            _("This figure looks implausible: say why it is right before it is saved.")
        ) from None


def _require_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise Refused(_("Give a reason."))
