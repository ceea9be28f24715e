"""Status words and colours for display, in the language of the request."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tracker.standings.engine import COLOURS, ORDER, Status

LABELS = {
    Status.ACHIEVED: _("Achieved"),
    Status.ON_TRACK: _("On track"),
    Status.BEHIND: _("Behind"),
    Status.OFF_TRACK: _("Off track"),
    Status.PENDING: _("Pending"),
    Status.NO_DATA: _("No data"),
}
CHOICES = [(status.value, LABELS[status]) for status in ORDER]


def label(status: str) -> str:
    return str(LABELS[Status(status)])


def badge(status: str) -> str:
    """A badge that carries the status word as well as its colour."""
    status = Status(status)
    return format_html(
        '<span class="status status-{}" style="--status-colour:#{}">{}</span>',
        status.value,
        COLOURS[status],
        LABELS[status],
    )
