from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from tracker.management.lookup import plan_by_slug
from tracker.reminders import deadlines
from tracker.reminders import mail as notify


class Command(BaseCommand):
    help = (
        "Mail reporters whose figures are missing or returned as their deadline nears or "
        "passes, and administrators their weekly digest; at most one reminder a day per person. "
        "Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="only this plan (its slug)")
        parser.add_argument(
            "--year",
            type=int,
            help="only this year; with --plan, remind of it now, whatever the schedule",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list who would get what; send nothing"
        )

    def handle(self, *args, plan, year, dry_run, **options):
        on = deadlines.today()
        if plan:
            plan = plan_by_slug(plan)
            if year is not None and plan.year_outside(year):
                raise CommandError(f"--year must lie in {plan.baseline_year}-{plan.end_year}.")
            if year is not None and plan.reporting_lock(year, on):
                raise CommandError(f"--year {year}: {plan.reporting_lock(year, on)}")
        try:
            mails, skipped = notify.plan_reminders(on=on, plan=plan, year=year)
            if plan is None and year is None:
                digests, passed = notify.plan_digests(on=on)
                mails, skipped = mails + digests, skipped + passed
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        for line in skipped:
            self.stdout.write(f"not mailed: {line}")
        failed = 0
        for mail in mails:
            if dry_run:
                self.stdout.write(f"would send {mail}")
                continue
            try:
                sent = notify.deliver(mail, on=on)
            except OSError as error:  # smtplib's errors are OSErrors
                failed += 1
                self.stderr.write(f"FAILED {mail}: {error}")
                continue
            self.stdout.write(f"{'sent' if sent else 'already sent today'} {mail}")
        verb = "would send" if dry_run else "sent"
        count = len(mails) - failed
        self.stdout.write(f"{on:%Y-%m-%d}: {verb} {count} mail{'' if count == 1 else 's'}")
        if failed:
            raise CommandError(f"{failed} mails could not be sent; the next run tries again.")
