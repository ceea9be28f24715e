"""Empty the standings store; the next page or API request for each plan and year rebuilds
it. Part of each release (`make release`): a new version may assess or word targets
differently, with no migration to say so."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from tracker.standings import store


class Command(BaseCommand):
    help = "Empty the stored standings and API objects; they are built again when next read."

    def handle(self, *args, **options):
        with transaction.atomic():
            store.forget_all()
        self.stdout.write("standings store emptied")
