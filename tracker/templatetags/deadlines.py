"""Deadlines on pages: the entry page, the departments page and a person's own list."""

from __future__ import annotations

from django import template

from tracker.reminders import deadlines

register = template.Library()


def _plan_deadlines(context, plan) -> deadlines.PlanDeadlines:
    cache = context.render_context.setdefault("plan_deadlines", {})
    if plan.pk not in cache:
        cache[plan.pk] = deadlines.PlanDeadlines(plan)
    return cache[plan.pk]


@register.simple_tag(takes_context=True)
def entry_deadline(context, plan, year, rows=()):
    """The year's deadline, and the own deadlines of the targets on the page."""
    found = _plan_deadlines(context, plan)
    deadline = found.get(year)
    today = deadlines.today()
    own = []
    for row in rows:
        mine = found.get(year, row.target)
        if mine is not None and mine is not deadline:
            own.append({"target": row.target, "text": deadlines.describe(mine.due, today)})
    return {
        "deadline": deadline,
        "text": deadlines.describe(deadline.due, today) if deadline else "",
        "overdue": deadline is not None and deadline.due < today,
        "own": own,
    }


@register.simple_tag(takes_context=True)
def year_deadline(context, plan, year):
    """The plan's deadline for `year`, or None."""
    return _plan_deadlines(context, plan).get(year)


@register.simple_tag(takes_context=True)
def is_overdue(context, plan, department, year) -> bool:
    """Whether `department` has a figure of `year` past its deadline."""
    cache = context.render_context.setdefault("overdue_departments", {})
    if plan.pk not in cache:
        cache[plan.pk] = deadlines.overdue_departments(plan)
    return (department.pk, year) in cache[plan.pk]


@register.simple_tag(takes_context=True)
def my_deadlines(context):
    """The signed-in person's plan-years with a deadline near or past and figures outstanding."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return []
    return deadlines.for_user(user)
