"""Who may do what: two roles, as Django groups created by a migration."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

ADMINISTRATORS = "administrators"
REPORTERS = "reporters"


def is_admin(user) -> bool:
    """Administrators define plans, approve figures and close years."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_tracker_is_admin", None)
    if cached is None:
        cached = user.groups.filter(name=ADMINISTRATORS).exists()
        user._tracker_is_admin = cached
    return cached


def can_edit_target(user, target) -> bool:
    """Reporters change figures only of targets their department leads."""
    if is_admin(user):
        return True
    if not user.is_authenticated or target.lead_department_id is None:
        return False
    return target.lead_department.members.filter(pk=user.pk).exists()


def require_admin(user) -> None:
    """Refuse anyone but an administrator, saying so."""
    if not is_admin(user):
        raise PermissionDenied(_("Only administrators may do this."))
