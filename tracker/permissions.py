"""Who may do what: two roles, as Django groups created by a migration.

Administrators define plans, approve figures and close years. Reporters enter the figures
of the targets their department leads, or co-leads where the target lets co-departments
enter. Each answer is read once per user object; `forget` reads them afresh.
"""

from __future__ import annotations

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


def sees_unapproved(user):
    """Whose figures not yet approved `user` sees: an administrator all, anyone else those
    of the targets their departments lead. Returns a test of a target's lead department;
    approved figures are everyone's."""
    if is_admin(user):
        return lambda lead_department_id: True
    own = department_ids(user)
    return lambda lead_department_id: lead_department_id in own


def can_enter(user, target) -> bool:
    """Whether `user` may enter figures of `target`: an administrator, or one it falls to
    (`reports_for`). The same rule as a query: `Target.objects.editable_by(user)`.
    """
    return is_admin(user) or reports_for(user, target)


def reports_for(user, target) -> bool:
    """Whether entering `target`'s figures falls to `user`: a reporter who is a member of
    its lead department, or of a co-responsible department where the target lets those
    enter. Whom reminders and deadlines ask; the same rule as a query:
    `Target.objects.reported_by(user)`.
    """
    if not is_reporter(user):
        return False
    mine = department_ids(user)
    if target.lead_department_id in mine:
        return True
    return target.co_departments_may_enter and any(
        department.pk in mine for department in target.co_departments.all()
    )


def forget(user) -> None:
    """Read the user's roles and departments afresh: a write is about to rely on them."""
    for name in ("_tracker_groups", "_tracker_departments"):
        user.__dict__.pop(name, None)


class _AnyAdministrator:
    """Stands for any administrator: to ask which locks would hold even for one."""

    is_authenticated = is_active = is_superuser = True


ANY_ADMINISTRATOR = _AnyAdministrator()


def require_admin(user) -> None:
    """Refuse anyone but an administrator, saying so."""
    if not is_admin(user):
        raise PermissionDenied(_("Only administrators may do this."))
