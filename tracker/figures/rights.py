"""Who may do what: three roles, as Django groups created by migrations, each in a region.

Administrators define plans, approve figures and close years, on the plans of their region
(`Profile.region`; none set, or a superuser: every region). Viewers read the approved
figures and standings of their region and the regions below it, and act on nothing.
Reporters enter the figures of the targets their department (of a region) leads, or
co-leads where the target lets co-departments enter. A higher region reads its regions'
figures once approved, as everyone signed in does; what is not approved yet stays in the
region that enters and approves it. Each answer is read once per user object; `forget`
reads them afresh.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

ADMINISTRATORS = "administrators"
REPORTERS = "reporters"
VIEWERS = "viewers"
_UNREAD = object()


def _groups(user) -> set[str]:
    cached = getattr(user, "_tracker_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._tracker_groups = cached
    return cached


def is_admin(user) -> bool:
    """Administrators define plans, approve figures and close years: of some region, or of
    every region (`region_of`); whether of a given one, `administers` says."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or ADMINISTRATORS in _groups(user)


def is_viewer(user) -> bool:
    """Viewers read the approved figures and standings of their region and those below."""
    return user.is_authenticated and user.is_active and VIEWERS in _groups(user)


def region_of(user) -> int | None:
    """The id of the region an administrator or viewer works for (`Profile.region`); None
    for every region: a superuser, or an account whose region is not set (as every
    account was before regions had people). Read once per user object."""
    if user.is_superuser:
        return None
    cached = getattr(user, "_tracker_region", _UNREAD)
    if cached is _UNREAD:
        # The profile lives with the models, which import this module: ask the registry.
        profiles = apps.get_model("tracker", "Profile").objects
        cached = profiles.filter(user=user).values_list("region", flat=True).first()
        user._tracker_region = cached
    return cached


def administers(user, region_id: int | None) -> bool:
    """Whether `user` is an administrator of the region `region_id`: of every region, or of
    this one. A prefecture's administrators administer the prefecture's own plans, not its
    counties': those are approved in the county. The same rule as queries:
    `Plan.objects.administered_by(user)`, `ProgressEntry.objects.administered_by(user)`."""
    if not is_admin(user):
        return False
    mine = region_of(user)
    return mine is None or mine == region_id


def oversees(user, region) -> bool:
    """Whether `user` may read `region`'s pages of its regions (the status matrix, the
    comparisons): an administrator or viewer of every region, or of this region or one
    above it. They read approved figures there only, as everyone does outside the region
    that enters them. The same rule as a query: `Region.objects.overseen_by(user)`."""
    if not (is_admin(user) or is_viewer(user)):
        return False
    mine = region_of(user)
    if mine is None:
        return True
    node = region
    while node is not None:
        if node.pk == mine:
            return True
        node = node.parent
    return False


def works_on(user, plan) -> bool:
    """Whether `user` works on `plan`: administers its region, or reports for a department
    of the region or one responsible for one of its targets. Who may see how far the
    plan's departments have got, figures not yet approved counted (the departments page);
    others see the plan's approved figures only."""
    if administers(user, plan.region_id):
        return True
    return is_reporter(user) and _of_the_plan(department_ids(user), plan)


def _of_the_plan(departments: set[int], plan) -> bool:
    """Whether one of `departments` is of the plan's region or responsible for a target."""
    if not departments:
        return False
    return (
        apps.get_model("tracker", "Department")
        .objects.filter(pk__in=departments)
        .filter(
            models.Q(region_id=plan.region_id)
            | models.Q(led_targets__plan=plan)
            | models.Q(co_targets__plan=plan)
        )
        .exists()
    )


def reports_here(user, plan) -> bool:
    """Whether the plan's entry and import pages are for `user`: they work on it
    (`works_on`); or they belong to its region or none, and to no department (the pages
    then say how to join one) or to one of its departments without the reporters' role
    (the pages say so). Not for people of another region, as a county's figures
    are entered in the county: a prefecture's administrators, another county's staff."""
    if works_on(user, plan):
        return True
    if region_of(user) not in (None, plan.region_id):
        return False
    # No department: the pages say how to join one; a member of one of the plan's
    # departments without the reporters' role: they say what is missing.
    mine = department_ids(user)
    return not mine or _of_the_plan(mine, plan)


def refuse_unless_reports_here(user, plan) -> None:
    """The refusal of the plan's entry and import pages to those they are not for."""
    if not reports_here(user, plan):
        raise PermissionDenied(
            _(
                "%(region)s's figures are entered and approved in %(region)s by its own "
                "departments; you read them once approved."
            )
            % {"region": plan.display_region}
        )


def is_reporter(user) -> bool:
    """Reporters enter figures for their departments."""
    return user.is_authenticated and user.is_active and REPORTERS in _groups(user)


def department_ids(user) -> set[int]:
    cached = getattr(user, "_tracker_departments", None)
    if cached is None:
        cached = set(user.departments.values_list("pk", flat=True))
        user._tracker_departments = cached
    return cached


def sees_unapproved(user, target) -> bool:
    """Whether `user` may see `target`'s figures not yet approved (drafts, submissions,
    returns with their reasons, notes and evidence): whoever may enter them, and nobody
    else (`can_enter`). Approved figures are everyone's who signs in.

    The same rule as queries: `ProgressEntry.objects.visible_to(user)`,
    `models.figures_visible_to(user)` for history records, and
    `Target.objects.with_unapproved_visible(user)`.
    """
    return can_enter(user, target)


def can_enter(user, target) -> bool:
    """Whether `user` may enter figures of `target`: an administrator of its plan's region,
    or one it falls to (`reports_for`). The same rule as a query:
    `Target.objects.editable_by(user)`.
    """
    return administers(user, target.plan.region_id) or reports_for(user, target)


def may_explain(user, target) -> bool:
    """Whether `user` may write the target's 原因及措施 (`Explanation`): an administrator
    of its plan's region, or a reporter of its lead or a co-responsible department."""
    if administers(user, target.plan.region_id):
        return True
    if not is_reporter(user):
        return False
    responsible = {target.lead_department_id} | {d.pk for d in target.co_departments.all()}
    return bool(department_ids(user) & responsible)


def reports_for(user, target) -> bool:
    """Whether entering `target`'s figures falls to `user`: a reporter who is a member of
    its lead department, or of a co-responsible department where the target lets those
    enter, in any plan of the region that targets its indicator (`reported_series`).
    Whom reminders and deadlines ask; the same rule as a query:
    `Target.objects.reported_by(user)`.
    """
    if not is_reporter(user):
        return False
    return target.series_id in reported_series(user)


def reported_series(user) -> set[int]:
    """The statistics whose figures fall to `user`: those any plan of their region names
    one of the user's departments for (lead, or co-responsible where the target lets those
    enter). A figure is the region's: where two plans name different departments, both may
    enter it. Read once per user object; `forget` reads it afresh."""
    cached = getattr(user, "_tracker_series", None)
    if cached is None:
        # The query form lives with the models, which import this module: ask the app
        # registry for it rather than import upwards.
        targets = apps.get_model("tracker", "Target").objects
        cached = set(targets.reported_by(user).values_list("series", flat=True))
        user._tracker_series = cached
    return cached


def forget(user) -> None:
    """Read the user's roles and departments afresh: a write is about to rely on them."""
    for name in ("_tracker_groups", "_tracker_departments", "_tracker_series", "_tracker_region"):
        user.__dict__.pop(name, None)


class _AnyAdministrator:
    """Stands for any administrator: to ask which locks would hold even for one, and to load
    every figure where what is built serves every reader (the standings store, a freeze),
    each then shown only what `sees_unapproved` lets them see."""

    is_authenticated = is_active = is_superuser = True
    # In no group, of no department: an administrator by being a superuser, so that asking
    # whether it is a reporter reads no database (it has no `groups`).
    _tracker_groups = _tracker_departments = _tracker_series = frozenset()
    _tracker_region = None


ANY_ADMINISTRATOR = _AnyAdministrator()


class _AnyoneSignedIn:
    """Stands for anyone signed in, of no department: to load approved figures only."""

    is_authenticated = is_active = True
    is_superuser = False
    _tracker_groups = _tracker_departments = _tracker_series = frozenset()
    _tracker_region = None


ANYONE_SIGNED_IN = _AnyoneSignedIn()


def require_admin(user, region_id: int | None = None, *, anywhere: bool = False) -> None:
    """Refuse anyone but an administrator of the region `region_id` (`administers`), saying
    so; with `anywhere`, an administrator of any region (a page that then shows each only
    their own region's work, as the approvals page does)."""
    if not (is_admin(user) if anywhere else administers(user, region_id)):
        raise PermissionDenied(_("Only administrators may do this."))
