"""Start the next plan from a previous one, its final approved figures as baselines."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tracker.management.commands.freeze_evaluation import acting_user
from tracker.models import Plan
from tracker.next_plan import start_next_plan


class Command(BaseCommand):
    help = "Create the next plan: same areas and targets, baselines from the source's last year."

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="the previous plan's slug")
        parser.add_argument("--slug", required=True, help="the new plan's slug")
        parser.add_argument("--name", required=True, help="the new plan's name")
        parser.add_argument("--name-en", default="", help="its English name")
        parser.add_argument("--start", type=int, required=True, help="its first year")
        parser.add_argument("--end", type=int, required=True, help="its last year")
        parser.add_argument("--user", help="the administrator doing it (default: a superuser)")

    def handle(self, *args, source, slug, name, name_en, start, end, user, **options):
        try:
            source = Plan.objects.get(slug=source)
        except Plan.DoesNotExist:
            raise CommandError(f"No plan with the slug {source!r}.") from None
        try:
            result = start_next_plan(
                source=source,
                slug=slug,
                name=name,
                name_en=name_en,
                start_year=start,
                end_year=end,
                by=acting_user(user),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        plan = result.plan
        qualities = ", ".join(f"{n} {q}" for q, n in sorted(result.baselines.items())) or "none"
        self.stdout.write(
            f"{plan.slug}: {result.targets} targets, baseline {plan.baseline_year} "
            f"({qualities}), period {plan.start_year}-{plan.end_year}"
        )
        if result.without_baseline:
            self.stdout.write(
                f"no approved {plan.baseline_year} figure: {', '.join(result.without_baseline)}"
            )
        if result.achieved_milestones:
            self.stdout.write(f"already achieved: {', '.join(result.achieved_milestones)}")
        self.stdout.write("target values and factors are empty: set them in the admin")
