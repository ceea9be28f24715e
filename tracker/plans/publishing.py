"""Publishing a plan to everyone at /public/, or withdrawing it: one switch, with a reason
kept in the record (`Publication`)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tracker.figures.rights import administers, forget
from tracker.figures.workflow import Refused
from tracker.models import Plan, Publication, display_user
from tracker.text import unstorable


@transaction.atomic
def set_published(*, plan: Plan, published: bool, by, reason: str) -> Publication:
    """Publish `plan` (or withdraw it, with `published=False`) and record who did it, when
    and why, in one transaction. Only an administrator of the plan's region may
    (`rights.administers`); the reason is required. Refused when the plan is already in
    that state, so that a form sent twice records one publication."""
    forget(by)
    if not administers(by, plan.region_id):
        raise Refused(_("Only administrators of the plan's region may publish it."))
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Publishing or withdrawing a plan needs a reason."))
    problem = unstorable(reason, Publication.reason.field.max_length)
    if problem:
        raise Refused(problem)
    # The plan's row is the lock: two administrators switching at once are taken in turn.
    current = Plan.objects.select_for_update().values_list("published", flat=True).get(pk=plan.pk)
    if current == published:
        raise Refused(
            _("The plan is published already.") if published else _("The plan is not published.")
        )
    Plan.objects.filter(pk=plan.pk).update(published=published)
    plan.published = published
    return Publication.objects.create(
        plan=plan, published=published, reason=reason, by=by, by_name=display_user(by)
    )
