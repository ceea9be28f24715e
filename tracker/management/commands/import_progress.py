"""Import figures from a filled template or a report's year matrix, as a given user.

Exit status: 0 applied (or, with --dry-run, valid and nothing written); 1 the file has
problems, one line each as sheet!cell: reason, and nothing was written; 2 usage errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from tqdm import tqdm

from tracker.excel.importer import build_preview
from tracker.figures import writes
from tracker.management.lookup import plan_by_slug


class Command(BaseCommand):
    help = "Check and import an Excel workbook of yearly figures (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument("--user", required=True, help="import as this user, with their rights")
        parser.add_argument("--plan", help="the plan's slug (a template names its own)")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument(
            "--draft", action="store_true", help="save as drafts instead of submitting"
        )
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args, file, user, plan, dry_run, draft, language, **options):
        translation.activate(language)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file!r}.", returncode=2)
        try:
            user = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {user!r}.", returncode=2) from None
        if plan is not None:
            plan = plan_by_slug(plan, returncode=2)
        show_progress = sys.stderr.isatty()

        def progress(rows):
            return tqdm(rows, desc="checking", unit="row", disable=not show_progress)

        preview = build_preview(
            path.read_bytes(), file_name=path.name, user=user, plan=plan, progress=progress
        )
        for warning in preview.warnings:
            self.stderr.write(f"warning: {warning}")
        if preview.warnings.more:
            self.stderr.write(f"... and {preview.warnings.more} more warnings")
        if not preview.ok:
            for problem in preview.errors:
                self.stdout.write(str(problem))
            if preview.errors.full:
                self.stdout.write(
                    f"... checking stopped at {len(preview.errors)} errors"
                    f" ({preview.errors.more} more found, {preview.unchecked} entries unchecked)"
                )
            sys.exit(1)
        counts = preview.counts
        summary = (
            f"{counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged"
        )
        if dry_run:
            self.stdout.write(f"valid: {summary}; nothing written (--dry-run)")
            self._questioned(preview)
            return
        try:
            batch = writes.apply_import(
                plan=preview.plan,
                user=user,
                rows=preview.rows,
                file_name=path.name,
                sha256=preview.sha256,
                submit=not draft,
            )
        except writes.ImportRefused as refusal:
            for problem in refusal.problems:
                self.stdout.write(problem)
            sys.exit(1)
        self.stdout.write(f"applied as import #{batch.pk}: {summary}")
        self._questioned(preview)

    def _questioned(self, preview):
        questioned = [w for w in preview.warnings if w.code == "implausible"]
        if questioned:
            self.stdout.write(
                f"{len(questioned)} figure(s) look implausible (see the warnings); "
                "applied, they are flagged for the approver"
            )
