"""A figure's conversation: returns, answers, questions and comments (`FigureMessage`).

Read rules only; posting is a write of the figure's life (`workflow.post_message`). A
message is seen with its figure, by whoever may see the figure in its state: read the
messages through figures from `ProgressEntry.objects.visible_to(viewer)`, never on their
own.

The rule of a return: a returned figure goes back for approval changed, or answered. Sent
again with the same value, growth, quality, source and evidence, it needs an answer
written after its latest return (`awaits_answer`).
"""

from __future__ import annotations

from decimal import Decimal

from tracker.figures.rights import can_enter, is_admin, reports_for
from tracker.models import FigureMessage, ProgressEntry

Kind = FigureMessage.Kind


def thread(entry: ProgressEntry) -> list[FigureMessage]:
    """The figure's messages, oldest first (prefetched `messages` where there are)."""
    if entry.pk is None:
        return []
    return sorted(entry.messages.all(), key=lambda m: (m.created, m.pk))


def awaits_answer(entry: ProgressEntry) -> bool:
    """Whether the figure is returned and nobody answered since its latest return."""
    if entry.pk is None or entry.state != ProgressEntry.State.RETURNED:
        return False
    answered = False
    returned = False
    for message in thread(entry):
        if message.kind == Kind.RETURN:
            returned, answered = True, False
        elif message.kind == Kind.ANSWER:
            answered = True
    return returned and not answered


def changes_figure(
    entry: ProgressEntry, *, figure, quality: str, rate=None, source=None, evidence=None
) -> bool:
    """Whether saving these would change what the figure says (not only its note): its
    value, growth, quality, source or evidence."""
    current = entry.achieved if entry.target.is_milestone else entry.value
    if isinstance(figure, Decimal) and isinstance(current, Decimal):
        differs = figure.compare_total(current) != 0 and figure != current
    else:
        differs = figure != current
    return bool(
        differs
        or quality != entry.quality
        or (
            rate is not None
            and (rate.growth, rate.quality, rate.source)
            != (entry.growth, entry.growth_quality, entry.growth_source)
        )
        or (source is not None and source != entry.source)
        or evidence
    )


def kinds_for(user, entry: ProgressEntry) -> list[str]:
    """What `user` may post on the figure: a reporter it falls to answers, asks and
    comments; an administrator asks and comments (a return goes with its action)."""
    if entry.pk is None or not can_enter(user, entry.target):
        return []
    if reports_for(user, entry.target):
        return [Kind.ANSWER, Kind.QUESTION, Kind.COMMENT]
    if is_admin(user):
        return [Kind.QUESTION, Kind.COMMENT]
    return []


def latest(entry: ProgressEntry) -> FigureMessage | None:
    messages = thread(entry)
    return messages[-1] if messages else None
