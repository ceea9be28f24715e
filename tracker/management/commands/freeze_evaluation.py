"""Freeze an evaluation of a plan as of a year; the last line printed is `evaluation N`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tracker import evaluations
from tracker.models import Evaluation, Plan
from tracker.permissions import is_admin


def acting_user(username: str | None):
    """The named administrator, or else the first superuser: whoever answers for the act."""
    users = get_user_model().objects.filter(is_active=True)
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        if not is_admin(user):
            raise CommandError(f"{username!r} is not an administrator.")
        return user
    user = users.filter(is_superuser=True).order_by("pk").first()
    if user is None:
        raise CommandError("No superuser to act as: give --user USERNAME.")
    return user


class Command(BaseCommand):
    help = "Freeze the standing of every target of a plan as of a year, as published."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="the plan's slug")
        parser.add_argument("--year", type=int, required=True, help="status as of this year")
        parser.add_argument("--kind", required=True, choices=Evaluation.Kind.values)
        parser.add_argument("--title", required=True)
        parser.add_argument("--summary", default="")
        parser.add_argument("--user", help="the administrator freezing it (default: a superuser)")

    def handle(self, *args, plan, year, kind, title, summary, user, **options):
        try:
            plan = Plan.objects.get(slug=plan)
        except Plan.DoesNotExist:
            raise CommandError(f"No plan with the slug {plan!r}.") from None
        try:
            evaluation = evaluations.freeze(
                plan=plan,
                year=year,
                kind=kind,
                title=title,
                summary=summary,
                by=acting_user(user),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"{evaluation.title}: {evaluation.targets.count()} targets as of {year}, "
            f"frozen by {evaluation.frozen_by.username}"
        )
        pending = evaluations.unapproved(plan, year)
        if pending:
            years = ", ".join(f"{y}: {n}" for y, n in pending.items())
            self.stdout.write(f"not yet approved, so not counted: {years}")
        self.stdout.write(f"evaluation {evaluation.pk}")
