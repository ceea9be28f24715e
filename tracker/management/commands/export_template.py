from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tracker.excel.template import write_template
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.management.lookup import plan_by_slug
from tracker.models import Target


class Command(BaseCommand):
    help = "Write the data-entry template of a plan and year (for one user's targets, or all)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="the plan's slug")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--output", required=True, help="the .xlsx file to write")
        parser.add_argument("--user", help="only the targets this user may fill")
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args, plan, year, output, user, language, **options):
        plan = plan_by_slug(plan)
        if plan.year_outside(year):
            raise CommandError(f"--year must lie in {plan.baseline_year}-{plan.end_year}.")
        targets = Target.objects.for_plan(plan)
        if user:
            try:
                user = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user {user!r}.") from None
            targets = targets.editable_by(user)
        targets = list(targets.with_entries(user or ANY_ADMINISTRATOR))
        with open(output, "wb") as out:
            write_template(out, plan, year, targets, language=language)
        self.stdout.write(f"{output}: {len(targets)} targets for {year}")
