from django.core.management.base import BaseCommand, CommandError

from tracker.excel.report import write_report
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.management.lookup import plan_by_slug
from tracker.plans.evaluations import write_frozen_report
from tracker.standings.loading import plan_standings


class Command(BaseCommand):
    help = "Write a plan's Excel progress report, live or as an evaluation froze it."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="the plan's slug")
        parser.add_argument("--output", required=True, help="the .xlsx file to write")
        parser.add_argument("--year", type=int, help="status as of this year (default: latest)")
        parser.add_argument("--evaluation", type=int, help="the report of this evaluation, frozen")
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])
        parser.add_argument(
            "--include-unapproved",
            action="store_true",
            help="add figures not yet approved, on a sheet of their own (never counted)",
        )

    def handle(
        self, *args, plan, output, year, evaluation, language, include_unapproved, **options
    ):
        plan = plan_by_slug(plan)
        if evaluation is not None:
            if year is not None:
                raise CommandError("--year and --evaluation exclude each other.")
            found = plan.evaluations.select_related("frozen_by").filter(pk=evaluation).first()
            if found is None:
                raise CommandError(f"No evaluation {evaluation} of {plan.slug}.")
            with _opened(output) as out:
                count = write_frozen_report(
                    out,
                    found,
                    viewer=ANY_ADMINISTRATOR,
                    language=language,
                    include_unapproved=include_unapproved,
                )
            self.stdout.write(f"{output}: {count} targets, {found} (frozen)")
            return
        if year is not None and plan.status_year_outside(year):
            raise CommandError(f"--year must lie in {plan.start_year}-{plan.end_year}.")
        year = plan.status_year(year)
        with _opened(output) as out:
            rows = plan_standings(plan, year, viewer=ANY_ADMINISTRATOR, explained=True)
            write_report(
                out, plan, year, rows, language=language, include_unapproved=include_unapproved
            )
        self.stdout.write(f"{output}: {len(rows)} targets, status as of {year}")


def _opened(path: str):
    """The output file, or a message that says why it cannot be written."""
    try:
        return open(path, "wb")  # noqa: SIM115 (the caller's with block closes it)
    except OSError as error:
        raise CommandError(f"Cannot write {path}: {error.strerror}.") from error
