"""Status words and colours for display, in the language of the request.

The words are those of a plan's evaluation: a mid-term review sorts targets into 提前实现 /
快于预期 / 基本符合预期 / 滞后; from a target's year on, a final evaluation says 完成 /
超额完成 / 未完成. Every review opens with a count by status (`summary_line`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import format_html
from django.utils.translation import get_language, gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tracker.standings.engine import COLOURS, ORDER, Status

LABELS = {
    Status.EXCEEDED: _("Exceeded"),
    Status.COMPLETED: pgettext_lazy("status", "Completed"),
    Status.INCOMPLETE: _("Not completed"),
    Status.ACHIEVED: _("Met early"),
    Status.AHEAD: _("Ahead of expectations"),
    Status.ON_TRACK: _("On track"),
    Status.BEHIND: _("Behind"),
    Status.OFF_TRACK: _("Off track"),
    Status.PENDING: _("Pending"),
    Status.NO_DATA: _("No data"),
}
CHOICES = [(status.value, LABELS[status]) for status in ORDER]


_LABELS_BY_LANGUAGE: dict[str, dict[str, str]] = {}


def label(status: str) -> str:
    """A status's word in the active language (a report asks it for thousands of rows)."""
    language = get_language()
    words = _LABELS_BY_LANGUAGE.get(language)
    if words is None:
        words = _LABELS_BY_LANGUAGE[language] = {s.value: str(w) for s, w in LABELS.items()}
    return words[status]


def badge(status: str) -> str:
    """A badge that carries the status word as well as its colour."""
    status = Status(status)
    return format_html(
        '<span class="status status-{}" style="--status-colour:#{}">{}</span>',
        status.value,
        COLOURS[status],
        LABELS[status],
    )


def summary_line(counts: Iterable[tuple[str, int]], total: int | None = None) -> str:
    """The one line a review opens with, in the reader's language:
    "11项主要指标中，提前实现1项、基本符合预期5项、滞后2项" / "Of 11 main indicators: Met
    early 1, On track 5, Behind 2". `counts` are (status, count) pairs, best first."""
    counts = [(Status(status), n) for status, n in counts if n]
    total = sum(n for _status, n in counts) if total is None else total
    if not total:
        return gettext("No main indicator to count.")
    parts = [
        gettext("%(label)s %(count)s") % {"label": LABELS[status], "count": n}
        for status, n in counts
    ]
    opening = ngettext("Of %(total)s main indicator: ", "Of %(total)s main indicators: ", total) % {
        "total": total
    }
    return opening + gettext(", ").join(parts)
