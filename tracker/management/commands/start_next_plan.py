"""Start the next plan from a previous one, its final approved figures as baselines."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tracker.management.lookup import acting_user, plan_by_slug
from tracker.plans.next_plan import fill_baselines, start_next_plan


class Command(BaseCommand):
    help = (
        "Create the next plan: same areas and targets, baselines from the source's last year. "
        "With --fill-baselines, give an existing plan's targets still without a baseline the "
        "figures approved since."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", help="the previous plan's slug")
        parser.add_argument("--slug", required=True, help="the new plan's slug")
        parser.add_argument("--name", help="the new plan's name")
        parser.add_argument("--name-en", default="", help="its English name")
        parser.add_argument("--start", type=int, help="its first year")
        parser.add_argument("--end", type=int, help="its last year")
        parser.add_argument("--user", help="the administrator doing it (default: a superuser)")
        parser.add_argument(
            "--fill-baselines",
            action="store_true",
            help="fill the empty baselines of the plan SLUG started earlier",
        )

    def handle(self, *args, source, slug, name, name_en, start, end, user, **options):
        if options["fill_baselines"]:
            self.fill(slug, user)
            return
        missing = [
            f"--{option}"
            for option, value in (
                ("source", source),
                ("name", name),
                ("start", start),
                ("end", end),
            )
            if value is None
        ]
        if missing:
            raise CommandError(f"Give {', '.join(missing)} to start a plan.")
        source = plan_by_slug(source)
        try:
            result = start_next_plan(
                source=source,
                slug=slug,
                name=name,
                name_en=name_en,
                start_year=start,
                end_year=end,
                by=acting_user(user, source),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        plan = result.plan
        qualities = ", ".join(f"{n} {q}" for q, n in sorted(result.baselines.items())) or "none"
        self.stdout.write(
            f"{plan.slug}: {result.targets} targets, baseline {plan.baseline_year} "
            f"({qualities}), period {plan.start_year}-{plan.end_year}"
        )
        self.report(result)
        self.stdout.write("target values and factors are empty: set them in the admin")

    def fill(self, slug, user):
        plan = plan_by_slug(slug)
        result = fill_baselines(plan, by=acting_user(user, plan))
        qualities = ", ".join(f"{n} {q}" for q, n in sorted(result.baselines.items())) or "none"
        self.stdout.write(f"{plan.slug}: {result.targets} baselines filled ({qualities})")
        self.report(result)

    def report(self, result):
        year = result.plan.baseline_year
        waiting = result.awaiting_approval
        absent = [code for code in result.without_baseline if code not in waiting]
        if waiting:
            self.stdout.write(
                f"{year} figure awaiting approval, no baseline yet: {', '.join(waiting)}"
                " (approve it, then run again with --fill-baselines)"
            )
        if absent:
            self.stdout.write(f"no {year} figure, no baseline: {', '.join(absent)}")
        if result.achieved_milestones:
            self.stdout.write(f"already achieved: {', '.join(result.achieved_milestones)}")
