"""What the management commands look up by name: a plan by its slug, the acting user."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from tracker.figures.rights import administers, is_admin
from tracker.models import Plan


def plan_by_slug(slug: str, *, returncode: int = 1) -> Plan:
    """The plan, or a CommandError naming the slug (exit `returncode`)."""
    try:
        return Plan.objects.get(slug=slug)
    except Plan.DoesNotExist:
        raise CommandError(f"No plan with the slug {slug!r}.", returncode=returncode) from None


def acting_user(username: str | None, plan: Plan | None = None):
    """The named administrator (of the plan's region, given a plan: `rights.administers`),
    or else the first superuser: whoever answers for the act."""
    users = get_user_model().objects.filter(is_active=True)
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        if not is_admin(user):
            raise CommandError(f"{username!r} is not an administrator.")
        if plan is not None and not administers(user, plan.region_id):
            raise CommandError(f"{username!r} is not an administrator of {plan.region}.")
        return user
    user = users.filter(is_superuser=True).order_by("pk").first()
    if user is None:
        raise CommandError("No superuser to act as: give --user USERNAME.")
    return user
