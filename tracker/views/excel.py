"""Excel both ways: report and template downloads, imports, target definitions."""

from __future__ import annotations

import io
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker import services
from tracker.excel.common import change_counts
from tracker.excel.importer import build_preview
from tracker.excel.report import write_report
from tracker.excel.targets import preview_targets, write_targets
from tracker.excel.template import write_template
from tracker.forms import ImportForm
from tracker.loading import plan_standings
from tracker.models import (
    ImportBatch,
    PendingImport,
    Plan,
    ProgressEntry,
    Target,
)
from tracker.permissions import require_admin
from tracker.views.common import requested_year


def _xlsx_response(write, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    write(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_download(request, slug):
    plan = get_object_or_404(Plan, slug=slug)
    year = plan.status_year(requested_year(request))
    rows = plan_standings(plan, year)
    return _xlsx_response(
        lambda out: write_report(out, plan, year, rows, user=request.user),
        f"{plan.slug}-report-{year}-{timezone.localdate():%Y%m%d}.xlsx",
    )


def template_download(request, slug, year):
    plan = get_object_or_404(Plan, slug=slug)
    if year not in plan.entry_years:
        raise Http404(_("%(year)s lies outside the plan.") % {"year": year})
    targets = list(Target.objects.for_plan(plan).editable_by(request.user).with_entries())
    return _xlsx_response(
        lambda out: write_template(out, plan, year, targets),
        f"{plan.slug}-template-{year}-{timezone.localdate():%Y%m%d}.xlsx",
    )


def _pending_for(request, plan, pk, kind) -> PendingImport:
    """The user's own preview, if it has not expired."""
    PendingImport.objects.filter(created_at__lt=_preview_deadline()).delete()
    return get_object_or_404(PendingImport, pk=pk, plan=plan, user=request.user, kind=kind)


def _preview_deadline():
    return timezone.now() - timedelta(minutes=settings.IMPORT_PREVIEW_MINUTES)


def import_page(request, slug):
    plan = get_object_or_404(Plan, slug=slug)
    form = ImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        preview = build_preview(upload.read(), file_name=upload.name, user=request.user, plan=plan)
        if preview.ok:
            pending = PendingImport.objects.create(
                plan=plan, user=request.user, file_name=upload.name[:255],
                sha256=preview.sha256, payload=preview.payload(),
            )  # fmt: skip
            return redirect(pending)
    batches = ImportBatch.objects.filter(plan=plan).select_related("imported_by", "reverted_by")
    context = {"plan": plan, "form": form, "preview": preview, "batches": batches[:50]}
    return render(request, "tracker/import.html", context)


def import_preview(request, slug, pk):
    plan = get_object_or_404(Plan, slug=slug)
    pending = _pending_for(request, plan, pk, PendingImport.Kind.FIGURES)
    rows = pending.payload["rows"]
    if request.method == "POST":
        if "confirm" not in request.POST:
            pending.delete()
            messages.info(request, _("The import was cancelled; nothing was written."))
            return redirect("tracker:import", slug=plan.slug)
        try:
            batch = services.apply_import(
                plan=plan, user=request.user, rows=rows, file_name=pending.file_name,
                sha256=pending.sha256, submit=request.POST.get("state") == "submitted",
            )  # fmt: skip
        except services.ImportRefused as refusal:
            for problem in refusal.problems:
                messages.error(request, problem)
            return redirect("tracker:import", slug=plan.slug)
        pending.delete()
        messages.success(
            request,
            _("Imported: %(new)s new, %(changed)s changed, %(unchanged)s unchanged.")
            % {"new": batch.new_count, "changed": batch.changed_count,
               "unchanged": batch.unchanged_count},
        )  # fmt: skip
        return redirect("tracker:import", slug=plan.slug)
    counts = change_counts(row["status"] for row in rows)
    qualities = dict(ProgressEntry.Quality.choices)
    for row in rows:
        row["quality_label"] = qualities.get(row["quality"], row["quality"])
    context = {"plan": plan, "pending": pending, "rows": rows, "counts": counts,
               "warnings": pending.payload["warnings"]}  # fmt: skip
    return render(request, "tracker/import_preview.html", context)


@require_POST
def revert_import(request, slug, pk):
    require_admin(request.user)
    batch = get_object_or_404(ImportBatch, pk=pk, plan__slug=slug)
    try:
        services.revert_import(batch, by=request.user)
    except services.Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The import is reverted; the earlier figures are back."))
    return redirect("tracker:import", slug=slug)


def targets_export(request, slug):
    require_admin(request.user)
    plan = get_object_or_404(Plan, slug=slug)
    return _xlsx_response(
        lambda out: write_targets(out, plan),
        f"{plan.slug}-targets-{timezone.localdate():%Y%m%d}.xlsx",
    )


def targets_import(request, slug):
    require_admin(request.user)
    plan = get_object_or_404(Plan, slug=slug)
    form = ImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        preview = preview_targets(
            upload.read(), plan=plan, file_name=upload.name, max_bytes=settings.IMPORT_MAX_BYTES
        )
        if preview.ok:
            pending = PendingImport.objects.create(
                kind=PendingImport.Kind.TARGETS, plan=plan, user=request.user,
                file_name=upload.name[:255], sha256=preview.sha256,
                payload={"rows": [vars(r) for r in preview.rows],
                         "warnings": [vars(w) for w in preview.warnings]},
            )  # fmt: skip
            return redirect(pending)
    context = {"plan": plan, "form": form, "preview": preview}
    return render(request, "tracker/targets_import.html", context)


def targets_preview(request, slug, pk):
    require_admin(request.user)
    plan = get_object_or_404(Plan, slug=slug)
    pending = _pending_for(request, plan, pk, PendingImport.Kind.TARGETS)
    rows = pending.payload["rows"]
    if request.method == "POST":
        if "confirm" in request.POST:
            try:
                count = services.apply_targets(
                    plan=plan, user=request.user, rows=rows, file_name=pending.file_name
                )
            except services.Refused as refusal:
                messages.error(request, str(refusal))
                return redirect("tracker:targets-import", slug=plan.slug)
            messages.success(request, _("%(count)d targets created or changed.") % {"count": count})
        else:
            messages.info(request, _("The import was cancelled; nothing was written."))
        pending.delete()
        return redirect(plan)
    counts = change_counts(row["status"] for row in rows)
    context = {"plan": plan, "pending": pending, "rows": rows, "counts": counts,
               "warnings": pending.payload["warnings"]}  # fmt: skip
    return render(request, "tracker/targets_preview.html", context)
