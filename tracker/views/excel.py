"""Excel both ways: report and template downloads, imports, target definitions."""

from __future__ import annotations

import io
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from tracker.excel.importer import build_preview
from tracker.excel.report import write_report
from tracker.excel.targets import preview_targets, write_targets
from tracker.excel.template import write_template
from tracker.excel.yearly_csv import write_yearly_csv
from tracker.figures import writes
from tracker.figures.import_rows import FigureRow, TargetRow, change_counts, load_rows
from tracker.figures.rights import administers, refuse_unless_reports_here
from tracker.forms import ImportForm, TargetsImportForm
from tracker.models import (
    ImportBatch,
    PendingImport,
    Plan,
    ProgressEntry,
    Target,
)
from tracker.standings.loading import plan_standings
from tracker.uploads import upload_limit
from tracker.views.common import administered_plan, download_year


def _xlsx_response(write, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    write(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def asks_for_unapproved(request) -> bool:
    """Whether the download asks for figures not yet approved too (the dashboard's
    “with figures not yet approved” box). Asking only adds what the reader may see:
    the viewer-aware loader never gives anyone else's drafts."""
    return request.GET.get("include_unapproved") == "1"


def report_download(request, slug):
    plan = get_object_or_404(Plan, slug=slug)
    year = download_year(request, plan)
    rows = plan_standings(plan, year, viewer=request.user, explained=True)
    include_unapproved = asks_for_unapproved(request)
    return _xlsx_response(
        lambda out: write_report(
            out, plan, year, rows, user=request.user, include_unapproved=include_unapproved
        ),
        f"{plan.slug}-report-{year}-{timezone.localdate():%Y%m%d}.xlsx",
    )


def figures_csv(request, slug):
    """The report's “Yearly data” sheet as CSV, as of ?year=: approved figures, and with
    ?include_unapproved=1 those not yet approved that the reader may see, as the xlsx
    report (the same loader and the same parameter)."""
    plan = get_object_or_404(Plan, slug=slug)
    year = download_year(request, plan)
    rows = plan_standings(plan, year, viewer=request.user)
    buffer = io.BytesIO()
    write_yearly_csv(buffer, plan, year, rows, include_unapproved=asks_for_unapproved(request))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"{plan.slug}-figures-{year}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def template_download(request, slug, year):
    plan = get_object_or_404(Plan, slug=slug)
    outside = plan.year_outside(year)
    if outside:
        raise Http404(outside)
    targets = Target.objects.for_plan(plan).editable_by(request.user)
    targets = list(targets.with_entries(request.user))
    return _xlsx_response(
        lambda out: write_template(out, plan, year, targets),
        f"{plan.slug}-template-{year}-{timezone.localdate():%Y%m%d}.xlsx",
    )


def _pending_for(request, plan, pk, kind) -> PendingImport | None:
    """The user's own preview of `kind`, if it has not expired; None if the user confirmed a
    preview of figures already (only those leave an ImportBatch naming their preview)."""
    PendingImport.objects.filter(created_at__lt=_preview_deadline()).delete()
    pending = PendingImport.objects.filter(pk=pk, plan=plan, user=request.user, kind=kind).first()
    if pending is None:
        confirmed = ImportBatch.objects.filter(preview=pk, plan=plan, imported_by=request.user)
        if kind == PendingImport.Kind.FIGURES and confirmed.exists():
            return None
        raise Http404(_("This preview has expired, was cancelled, or is not yours."))
    return pending


def _preview_deadline():
    return timezone.now() - timedelta(minutes=settings.IMPORT_PREVIEW_MINUTES)


def _claim(pending: PendingImport) -> bool:
    """Take the preview for this confirm, inside its transaction; False if it is gone.

    Deleting the row is the claim: of two confirms at the same moment, the second waits on
    the first's delete (a row lock on PostgreSQL, the write lock on SQLite) and then finds
    nothing to delete. If applying fails, the transaction rolls back and the preview is back.
    """
    deleted, _counts = PendingImport.objects.filter(pk=pending.pk).delete()
    return deleted > 0


def _already_applied(request, page: str, plan: Plan):
    messages.info(
        request, _("This import was already confirmed (or cancelled); nothing more was written.")
    )
    return redirect(page, slug=plan.slug)


@upload_limit("IMPORT_MAX_BYTES")
def import_page(request, slug):
    plan = get_object_or_404(Plan, slug=slug)
    refuse_unless_reports_here(request.user, plan)
    form = ImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        preview = build_preview(upload.read(), file_name=upload.name, user=request.user, plan=plan)
        if preview.ok:
            pending = PendingImport.objects.create(
                plan=plan,
                user=request.user,
                file_name=upload.name[:255],
                sha256=preview.sha256,
                payload=preview.payload(),
            )
            return redirect(pending)
    batches = ImportBatch.objects.visible_to(request.user).filter(plan=plan)
    batches = list(batches.select_related("imported_by", "reverted_by")[:50])
    if administers(request.user, plan.region_id):
        # The revert is offered where it works; elsewhere the page says why not.
        obstacles = writes.revert_obstacles(batches, plan=plan, by=request.user)
        for batch in batches:
            batch.revert_obstacle = obstacles[batch.pk]
    context = {"plan": plan, "form": form, "preview": preview, "batches": batches}
    return render(request, "tracker/import.html", context)


def import_preview(request, slug, pk):
    plan = get_object_or_404(Plan, slug=slug)
    pending = _pending_for(request, plan, pk, PendingImport.Kind.FIGURES)
    if pending is None:
        return _already_applied(request, "tracker:import", plan)
    rows = load_rows(pending.payload, FigureRow)
    if request.method == "POST":
        if "confirm" not in request.POST:
            pending.delete()
            messages.info(request, _("The import was cancelled; nothing was written."))
            return redirect("tracker:import", slug=plan.slug)
        try:
            with transaction.atomic():
                if not _claim(pending):
                    return _already_applied(request, "tracker:import", plan)
                batch = writes.apply_import(
                    plan=plan,
                    user=request.user,
                    rows=rows,
                    file_name=pending.file_name,
                    sha256=pending.sha256,
                    submit=request.POST.get("state") == "submitted",
                )
                batch.preview = pending.pk
                batch.save(update_fields=["preview"])
        except writes.ImportRefused as refusal:
            for problem in refusal.problems:
                messages.error(request, problem)
            return redirect("tracker:import", slug=plan.slug)
        except writes.Refused as refusal:
            messages.error(request, str(refusal))
            return redirect("tracker:import", slug=plan.slug)
        messages.success(
            request,
            _("Imported: %(new)s new, %(changed)s changed, %(unchanged)s unchanged.")
            % {
                "new": batch.new_count,
                "changed": batch.changed_count,
                "unchanged": batch.unchanged_count,
            },
        )
        return redirect("tracker:import", slug=plan.slug)
    counts = change_counts(rows)
    qualities = dict(ProgressEntry.Quality.choices)
    names = {t.pk: t.display_name for t in Target.objects.filter(plan=plan)}
    for row in rows:
        row.quality_label = qualities.get(row.quality, row.quality)
        row.name = names.get(row.target_id, row.name)  # in the reader's language
    context = {
        "plan": plan,
        "pending": pending,
        "rows": rows,
        "counts": counts,
        "warnings": pending.payload["warnings"],
        "more_warnings": pending.payload.get("more_warnings", 0),
    }
    return render(request, "tracker/import_preview.html", context)


@require_http_methods(["GET", "POST"])
def revert_import(request, slug, pk):
    """Revert an import, once confirmed: the page says what the revert does, or why it
    cannot be done; a post without the confirmation reverts nothing."""
    plan = administered_plan(request, slug)
    batch = get_object_or_404(ImportBatch.objects.select_related("plan"), pk=pk, plan=plan)
    if request.method == "POST" and request.POST.get("confirm") == "1":
        try:
            writes.revert_import(batch, by=request.user)
        except writes.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The import is reverted; the earlier figures are back."))
        return redirect("tracker:import", slug=slug)
    if request.method == "POST":
        return redirect("tracker:revert-import", slug=slug, pk=batch.pk)
    context = {
        "plan": batch.plan,
        "batch": batch,
        "obstacle": writes.revert_obstacle(batch, by=request.user),
    }
    return render(request, "tracker/revert_import.html", context)


def targets_export(request, slug):
    plan = administered_plan(request, slug)
    return _xlsx_response(
        lambda out: write_targets(out, plan),
        f"{plan.slug}-targets-{timezone.localdate():%Y%m%d}.xlsx",
    )


@upload_limit("IMPORT_MAX_BYTES")
def targets_import(request, slug):
    plan = administered_plan(request, slug)
    form = TargetsImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        preview = preview_targets(
            upload.read(), plan=plan, file_name=upload.name, max_bytes=settings.IMPORT_MAX_BYTES
        )
        if preview.ok:
            pending = PendingImport.objects.create(
                kind=PendingImport.Kind.TARGETS,
                plan=plan,
                user=request.user,
                file_name=upload.name[:255],
                sha256=preview.sha256,
                payload=preview.payload(),
            )
            return redirect(pending)
    context = {"plan": plan, "form": form, "preview": preview}
    return render(request, "tracker/targets_import.html", context)


def targets_preview(request, slug, pk):
    plan = administered_plan(request, slug)
    pending = _pending_for(request, plan, pk, PendingImport.Kind.TARGETS)
    rows = load_rows(pending.payload, TargetRow)
    if request.method == "POST":
        if "confirm" in request.POST:
            try:
                with transaction.atomic():
                    if not _claim(pending):
                        return _already_applied(request, "tracker:targets-import", plan)
                    count = writes.apply_targets(
                        plan=plan, user=request.user, rows=rows, file_name=pending.file_name
                    )
            except writes.Refused as refusal:
                messages.error(request, str(refusal))
                return redirect("tracker:targets-import", slug=plan.slug)
            messages.success(
                request,
                ngettext(
                    "%(count)d target created or changed.",
                    "%(count)d targets created or changed.",
                    count,
                )
                % {"count": count},
            )
            return redirect(plan)
        else:
            messages.info(request, _("The import was cancelled; nothing was written."))
        pending.delete()
        return redirect(plan)
    counts = change_counts(rows)
    context = {
        "plan": plan,
        "pending": pending,
        "rows": rows,
        "counts": counts,
        "warnings": pending.payload["warnings"],
        "more_warnings": pending.payload.get("more_warnings", 0),
    }
    return render(request, "tracker/targets_preview.html", context)
