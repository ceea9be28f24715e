from django.core.management.base import BaseCommand, CommandError

from tracker.excel.report import write_report
from tracker.loading import plan_standings
from tracker.models import Plan


class Command(BaseCommand):
    help = "Write a plan's Excel progress report."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="the plan's slug")
        parser.add_argument("--output", required=True, help="the .xlsx file to write")
        parser.add_argument("--year", type=int, help="status as of this year (default: latest)")
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args, plan, output, year, language, **options):
        try:
            plan = Plan.objects.get(slug=plan)
        except Plan.DoesNotExist:
            raise CommandError(f"No plan with the slug {plan!r}.") from None
        if year is not None and year not in plan.years:
            raise CommandError(f"--year must lie in {plan.start_year}-{plan.end_year}.")
        year = plan.status_year(year)
        rows = plan_standings(plan, year)
        with open(output, "wb") as out:
            write_report(out, plan, year, rows, language=language)
        self.stdout.write(f"{output}: {len(rows)} targets, status as of {year}")
