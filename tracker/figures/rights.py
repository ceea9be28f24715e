"""Who may do what: two roles, as Django groups created by a migration.

Administrators define plans, approve figures and close years. Reporters enter the figures
of the targets their department leads, or co-leads where the target lets co-departments
enter. Each answer is read once per user object; `forget` reads them afresh.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

ADMINISTRATORS = "administrators"
REPORTERS = "reporters"


def _groups(user) -> set[str]:
    cached = getattr(user, "_tracker_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._tracker_groups = cached
    return cached


def is_admin(user) -> bool:
    """Administrators define plans, approve figures and close years."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or ADMINISTRATORS in _groups(user)


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
    """Whether `user` may enter figures of `target`: an administrator, or one it falls to
    (`reports_for`). The same rule as a query: `Target.objects.editable_by(user)`.
    """
    return is_admin(user) or reports_for(user, target)


def may_explain(user, target) -> bool:
    """Whether `user` may write the target's 原因及措施 (`Explanation`): an administrator,
    or a reporter of its lead or a co-responsible department."""
    if is_admin(user):
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
    for name in ("_tracker_groups", "_tracker_departments", "_tracker_series"):
        user.__dict__.pop(name, None)


class _AnyAdministrator:
    """Stands for any administrator: to ask which locks would hold even for one, and to load
    every figure where what is built serves every reader (the standings store, a freeze),
    each then shown only what `sees_unapproved` lets them see."""

    is_authenticated = is_active = is_superuser = True
    # In no group, of no department: an administrator by being a superuser, so that asking
    # whether it is a reporter reads no database (it has no `groups`).
    _tracker_groups = _tracker_departments = _tracker_series = frozenset()


ANY_ADMINISTRATOR = _AnyAdministrator()


class _AnyoneSignedIn:
    """Stands for anyone signed in, of no department: to load approved figures only."""

    is_authenticated = is_active = True
    is_superuser = False
    _tracker_groups = _tracker_departments = _tracker_series = frozenset()


ANYONE_SIGNED_IN = _AnyoneSignedIn()


def require_admin(user) -> None:
    """Refuse anyone but an administrator, saying so."""
    if not is_admin(user):
        raise PermissionDenied(_("Only administrators may do this."))
