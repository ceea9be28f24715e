"""Freeze an evaluation of a plan as of a year; the last line printed is `evaluation N`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tracker.management.lookup import acting_user, plan_by_slug
from tracker.models import Evaluation
from tracker.plans import evaluations


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
        plan = plan_by_slug(plan)
        try:
            evaluation = evaluations.freeze(
                plan=plan,
                year=year,
                kind=kind,
                title=title,
                summary=summary,
                by=acting_user(user, plan),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"{evaluation.title}: {evaluation.targets.count()} targets as of {year}, "
            f"frozen by {evaluation.frozen_by.username}"
        )
        pending = evaluations.unapproved(plan, year)
        if pending:
            years = ", ".join(f"{y}: {sum(n.values())}" for y, n in pending.items())
            self.stdout.write(f"not yet approved, so not counted: {years}")
        self.stdout.write(f"evaluation {evaluation.pk}")
