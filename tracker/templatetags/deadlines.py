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
    """The year's deadline, and the own deadlines of the targets on the page; none for a
    closed year, whose figures nobody is asked for any more (`Plan.year_lock`)."""
    if plan.year_lock(year):
        return {"deadline": None, "text": "", "overdue": False, "own": []}
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


@register.filter
def due_text(deadline) -> str:
    """A Deadline as a sentence: 'due by 2026-03-31, overdue by 3 days'."""
    return deadlines.describe(deadline.due if deadline else None)


@register.filter
def past_due(deadline) -> bool:
    """Whether a Deadline has passed."""
    return deadline is not None and deadline.due < deadlines.today()
