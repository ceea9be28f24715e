"""Formatting of figures, shares and statuses for templates."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tracker.figures.numbers import growth_as_reported, shown_as_reported
from tracker.figures.plausibility import flag_display
from tracker.figures.rights import administers, reports_here, works_on
from tracker.models import display_user, localized
from tracker.standings import formats
from tracker.standings import words as status_display
from tracker.standings.engine import COLOURS
from tracker.standings.formats import (
    format_figure,
    format_share,
    goal_text,
    milestone_word,
    state_word,
)

register = template.Library()


@register.filter
def figure(value, target):
    """A figure with the target's decimal places."""
    return format_figure(value, target.decimal_places)


@register.filter
def reported(value, target):
    """A figure where a person checks it: every digit reported, at least the target's
    display places (205.36, 205.4, 32,300.0); "" when none."""
    if not isinstance(value, Decimal):
        return ""
    return shown_as_reported(value, target.decimal_places)


@register.filter
def entry_value(entry, target):
    """An entry's figure as `reported` shows it, a computed one at the target's places
    (formats.reported_value); "" when none."""
    value = formats.reported_value(entry, target.decimal_places)
    return "" if value is None else shown_as_reported(value, target.decimal_places)


@register.filter
def growth(rate):
    """A growth rate at comparable prices, every reported digit: 3.1%, -2.3%; "" when none."""
    return growth_as_reported(rate) if isinstance(rate, Decimal) else ""


@register.filter
def milestone(achieved):
    return milestone_word(achieved)


@register.filter
def state(code):
    return state_word(code)


@register.filter
def findings(flag):
    """A stored plausibility flag in the page's language."""
    return flag_display(flag)


@register.filter
def unit(target):
    """The target's unit in the page's language."""
    return localized(target, "unit")


@register.simple_tag
def goal(target, value):
    """The target's aim: a figure, a completed milestone, or growth above another target."""
    return goal_text(target, value)


@register.filter
def due_year(plan):
    """The year whose figures are due now: last year, within the plan's entry years."""
    year = timezone.localdate().year - 1
    return min(max(year, plan.baseline_year), plan.end_year)


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


@register.filter
def status_cell(assessment):
    """The status's badge, and the year of the figure it rests on where that is older
    than the year asked (依据2022年数据)."""
    badge = status_display.badge(assessment.status)
    if not assessment.rests_on_older_year:
        return badge
    return format_html(
        '{} <small class="based-on">{}</small>', badge, formats.based_on(assessment.latest_year)
    )


@register.simple_tag
def matrix_cells(cells, year):
    """A row of the regions' matrix: each cell the target's status (`status_cell`) linked
    to its page as of `year`, blank where there is no target. Written in one go, as a
    province's matrix has thousands of cells: each distinct status is rendered once, and
    each plan's target links are made from one `reverse`."""
    shown, links, parts = {}, {}, []
    for cell in cells:
        if cell is None:
            parts.append('<td class="cell"></td>')
            continue
        a, target = cell.assessment, cell.target
        key = (a.status, a.latest_year if a.rests_on_older_year else None)
        if key not in shown:
            shown[key] = status_cell(a)
        if target.plan_slug not in links:
            links[target.plan_slug] = target_link(target.plan_slug)
        parts.append(
            format_html(
                '<td class="cell"><a href="{}?year={}">{}</a></td>',
                links[target.plan_slug](target.code),
                year,
                shown[key],
            )
        )
    return mark_safe("".join(parts))


def target_link(slug: str):
    """A function of a target code giving `reverse("tracker:target-detail", [slug, code])`,
    reversing once: the code, the last part of the path, is quoted as `reverse` quotes it."""
    marker = "Z9Z9Z9"
    head, tail = reverse("tracker:target-detail", args=[slug, marker]).rsplit(marker, 1)
    safe = RFC3986_SUBDELIMS + "/~:@"
    return lambda code: f"{head}{quote(code, safe=safe)}{tail}"


@register.filter
def based_on(year):
    return formats.based_on(year)


@register.filter
def plain(number):
    """A number with the digits it was given and no more: a factor of 2.2000 is 2.2."""
    return "" if number is None else f"{Decimal(number).normalize():f}"


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
        '<span class="bar" title="{}"><span class="bar-done status-{}" style="width:{}%;'
        'background:#{}"></span>{}</span> <span class="bar-text">{}</span>',
        _("Done so far %(done)s; due by now %(due)s")
        % {"done": format_share(assessment.progress), "due": format_share(expected) or "—"}
        if expected is not None
        else _("Done so far %(done)s") % {"done": format_share(assessment.progress)},
        assessment.status.value,
        f"{done:.1f}",
        COLOURS[assessment.status],
        tick,
        format_share(assessment.progress),
    )


@register.filter
def administered_by(plan, user) -> bool:
    """Whether `user` administers `plan` (`rights.administers`): whether a page offers them
    the plan's administrative acts (reopen, freeze, target definitions, revert)."""
    return administers(user, plan.region_id)


@register.filter
def reported_by(plan, user) -> bool:
    """Whether the plan's entry and import pages are for `user` (`rights.reports_here`)."""
    return reports_here(user, plan)


@register.filter
def worked_on_by(plan, user) -> bool:
    """Whether `user` works on `plan` (`rights.works_on`): whether a page links
    them to its departments' progress."""
    return works_on(user, plan)
