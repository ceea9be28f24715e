"""Formatting of figures, shares and statuses for templates."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html

from tracker import status as status_display
from tracker.models import display_user

register = template.Library()


def format_figure(value: Decimal | None, places: int) -> str:
    if value is None:
        return ""
    return f"{value:.{places}f}"


def format_share(value: Decimal | None, places: int = 1) -> str:
    """A fraction as a percentage: 0.567 -> '56.7%'."""
    if value is None:
        return ""
    return f"{value * 100:.{places}f}%"


@register.filter
def figure(value, target):
    """A figure with the target's decimal places."""
    return format_figure(value, target.decimal_places)


@register.filter
def person(user, name=""):
    """A person by name; a dash (or the stored name) when the account is gone."""
    return display_user(user, name or "")


@register.filter
def share(value):
    return format_share(value)


@register.filter
def badge(status):
    return status_display.badge(status)


@register.simple_tag
def progress_bar(assessment):
    """A bar for the share covered, with a tick where the plan's path expects it to be."""
    if assessment.progress is None:
        return ""
    done = max(0, min(100, float(assessment.progress * 100)))
    expected = assessment.expected_share
    tick = (
        ""
        if expected is None
        else format_html(
            '<span class="bar-expected" style="left:{}%"></span>',
            f"{max(0, min(100, float(expected * 100))):.1f}",
        )
    )
    return format_html(
        '<span class="bar" title="{}"><span class="bar-done status-{}" style="width:{}%"></span>{}'
        '</span> <span class="bar-text">{}</span>',
        format_share(expected),
        assessment.status.value,
        f"{done:.1f}",
        tick,
        format_share(assessment.progress),
    )
