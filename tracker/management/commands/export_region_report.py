from django.core.management.base import BaseCommand, CommandError

from tracker.models import Region
from tracker.plans import region_workbook, regional


class Command(BaseCommand):
    help = (
        "Write a region's workbook: its regions' status matrix and one sheet per indicator "
        "compared across them, approved figures only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="the region's code (GB/T 2260)")
        parser.add_argument("--output", required=True, help="the .xlsx file to write")
        parser.add_argument(
            "--year", type=int, help="as of this year (default: as the region's page opens)"
        )
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args, region, output, year, language, **options):
        found = Region.objects.filter(code=region).first()
        if found is None:
            raise CommandError(f"No region has the code {region!r}.")
        if not regional.children(found):
            raise CommandError(f"{found.name} ({found.code}) has no regions under it.")
        years = regional.plan_years(found)
        if not years:
            raise CommandError(f"No plan of the regions of {found.name} ({found.code}).")
        if year is None:
            year = regional.default_year(found, years)
        elif year not in years:
            raise CommandError(
                f"No plan of the regions of {found.name} covers {year}: "
                f"their plans cover {years[0]}-{years[-1]}."
            )
        try:
            out = open(output, "wb")  # noqa: SIM115 (closed below, also on failure)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
        with out:
            book = region_workbook.write(found, year, language, out)
        self.stdout.write(
            f"{output}: {len(book.matrix.rows)} regions, {len(book.comparisons)} indicators, "
            f"as of {year}"
        )
