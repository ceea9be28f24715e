"""Pages: orchestration only; the engine computes, forms validate, services write."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from tracker import progress, services
from tracker.api import plan_payload
from tracker.charts import target_chart
from tracker.excel.common import change_counts
from tracker.excel.importer import build_preview
from tracker.excel.report import write_report
from tracker.excel.targets import preview_targets, write_targets
from tracker.excel.template import write_template
from tracker.filters import TargetFilter
from tracker.forms import CloseYearForm, EntryForm, ImportForm, ReasonForm
from tracker.history import change_log
from tracker.models import (
    ClosedYear,
    Department,
    ImportBatch,
    PendingImport,
    Plan,
    ProgressEntry,
    Target,
)
from tracker.permissions import is_admin
from tracker.standing import plan_targets, standings, status_counts
from tracker.tables import standing_table


def _requested_year(request) -> int | None:
    try:
        return int(request.GET["year"])
    except (KeyError, ValueError):
        return None


def plan_list(request):
    plans = Plan.objects.annotate(target_count=Count("targets"))
    return render(request, "tracker/plan_list.html", {"plans": plans})


def plan_dashboard(request, slug):
    plan = get_object_or_404(Plan, slug=slug)
    year = plan.status_year(_requested_year(request))
    rows = {row.target.pk: row for row in standings(plan_targets(plan), year)}
    filterset = TargetFilter(
        request.GET,
        queryset=Target.objects.filter(plan=plan),
        plan=plan,
        statuses={pk: row.status for pk, row in rows.items()},
    )
    shown = [rows[pk] for pk in filterset.qs.values_list("pk", flat=True)]
    table = standing_table(shown, plan.years)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    context = {
        "plan": plan,
        "year": year,
        "filter": filterset,
        "table": table,
        "counts": status_counts(rows.values()),
        "total": len(rows),
        "shown": len(shown),
        "has_sample": any(e.is_sample for row in rows.values() for e in row.entries.values()),
    }
    return render(request, "tracker/plan_dashboard.html", context)


def target_detail(request, slug, code):
    target = get_object_or_404(
        Target.objects.with_entries().select_related("plan", "area", "lead_department"),
        plan__slug=slug,
        code=code,
    )
    year = target.plan.status_year(_requested_year(request))
    row = standings([target], year)[0]
    context = {
        "plan": target.plan,
        "target": target,
        "year": year,
        "row": row,
        "chart": target_chart(target, row),
        "changes": change_log(target),
        "has_sample": any(e.is_sample for e in target.entries.all()),
    }
    return render(request, "tracker/target_detail.html", context)


# -- entering figures ----------------------------------------------------------------


def _admin_only(request):
    if not is_admin(request.user):
        raise PermissionDenied(_("Only administrators may do this."))


@dataclass
class EntryRow:
    target: Target
    entry: ProgressEntry | None
    previous: ProgressEntry | None
    goal: Decimal | None
    expected: Decimal | None
    lock: str | None
    form: EntryForm


def _entry_rows(request, plan, year, closed) -> list[EntryRow]:
    targets = Target.objects.for_plan(plan).editable_by(request.user).with_entries()
    data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    rows = []
    for target in targets:
        entries = {e.year: e for e in target.entries.all()}
        entry = entries.get(year)
        spec = target.spec(target.approved_values())
        rows.append(
            EntryRow(
                target=target,
                entry=entry,
                previous=entries.get(year - 1),
                goal=progress.goal_value(spec),
                expected=progress.expected_value(spec, year),
                lock=services.lock_message(entry, closed, request.user),
                form=EntryForm(*data, prefix=f"t{target.pk}", target=target, entry=entry),
            )
        )
    return rows


def _posted_prefixes(post) -> set[str]:
    return {key.split("-", 1)[0] for key in post if FIELD_KEY.match(key)}


def _foreign_prefixes(post, rows) -> list[str]:
    """Targets named in the POST that the page did not offer: not the user's to change."""
    offered = {f"t{row.target.pk}" for row in rows}
    return sorted(_posted_prefixes(post) - offered)


FIELD_KEY = re.compile(r"^t\d+-(value|achieved|quality|note|version)$")


def data_entry(request, slug, year):
    plan = get_object_or_404(Plan, slug=slug)
    if year not in plan.entry_years:
        message = _("%(year)s lies outside the plan (%(first)s-%(last)s).") % {
            "year": year,
            "first": plan.baseline_year,
            "last": plan.end_year,
        }
        return render(
            request, "tracker/message.html", {"plan": plan, "message": message}, status=404
        )
    closed = ClosedYear.objects.select_related("closed_by").filter(plan=plan, year=year).first()
    rows = _entry_rows(request, plan, year, closed)
    if request.method == "POST":
        saved = _save_entry_page(request, plan, year, rows)
        if saved is not None:
            return redirect("tracker:data-entry", slug=plan.slug, year=year)
    context = {
        "plan": plan,
        "year": year,
        "rows": rows,
        "closed": closed,
        "has_errors": any(row.form.errors for row in rows),
    }
    return render(request, "tracker/data_entry.html", context)


def _save_entry_page(request, plan, year, rows):
    """Validate every row, then save all of them or none; returns the saved or None."""
    foreign = _foreign_prefixes(request.POST, rows)
    if foreign:
        messages.error(request, _("The form names targets you may not change; nothing was saved."))
        return None
    # Locked rows have no inputs on the page: one posted anyway comes from a stale page.
    prefixes = _posted_prefixes(request.POST)
    posted = [row for row in rows if row.form.prefix in prefixes]
    locked = [row for row in posted if row.lock]
    if locked:
        messages.error(request, _("Some rows are locked; nothing was saved."))
        for row in locked:
            messages.error(request, f"{row.target.display_name}: {row.lock}")
        return None
    if not all(row.form.is_valid() for row in posted):
        messages.error(request, _("Some rows have errors, shown beside them; nothing was saved."))
        return None
    submit = "submit" in request.POST
    changes = []
    for row in posted:
        form = row.form
        wants_submit = submit and row.entry and row.entry.state in ("draft", "returned")
        if form.figure is None or (not form.has_changes() and not wants_submit):
            continue
        changes.append(
            services.Change(
                target=row.target,
                figure=form.figure,
                quality=form.cleaned_data["quality"],
                note=form.cleaned_data["note"],
                evidence=form.cleaned_data.get("evidence"),
                version=form.cleaned_data["version"],
            )
        )
    try:
        saved = services.save_entries(
            plan=plan, year=year, changes=changes, user=request.user, submit=submit
        )
    except services.Refused as refusal:
        messages.error(request, str(refusal))
        return None
    if submit:
        messages.success(
            request, _("%(count)d figures submitted for approval.") % {"count": len(saved)}
        )
    else:
        messages.success(request, _("%(count)d figures saved as drafts.") % {"count": len(saved)})
    return saved


# -- approving, returning, locking ---------------------------------------------------


def approvals(request):
    _admin_only(request)
    pending = (
        ProgressEntry.objects.filter(state=ProgressEntry.State.SUBMITTED)
        .select_related("target__plan", "target__lead_department", "entered_by")
        .order_by(
            "target__lead_department__name",
            "year",
            "target__plan",
            "target__area__order",
            "target__order",
        )
    )
    previous = {
        (e.target_id, e.year): e
        for e in ProgressEntry.objects.filter(
            target__in={e.target_id for e in pending}
        ).select_related("target")
    }
    groups = {}
    for entry in pending:
        before = previous.get((entry.target_id, entry.year - 1))
        change = None
        if before and before.value is not None and entry.value is not None:
            change = entry.value - before.value
        key = (entry.target.lead_department, entry.year)
        groups.setdefault(key, []).append((entry, before, change))
    plans = []
    for plan in Plan.objects.prefetch_related("closed_years__closed_by"):
        closed = {c.year: c for c in plan.closed_years.all()}
        plans.append((plan, [(year, closed.get(year)) for year in plan.entry_years]))
    context = {
        "groups": [(dept, year, items) for (dept, year), items in groups.items()],
        "plans": plans,
    }
    return render(request, "tracker/approvals.html", context)


@require_POST
def approve(request):
    _admin_only(request)
    picked = []
    for value in request.POST.getlist("entry"):
        pk, _sep, version = value.partition(":")
        if pk.isdigit() and version.isdigit():
            picked.append((int(pk), int(version)))
    entries = ProgressEntry.objects.select_related("target__plan").in_bulk(
        [pk for pk, _v in picked]
    )
    try:
        count = services.approve_entries(
            [(entries[pk], version) for pk, version in picked if pk in entries], by=request.user
        )
    except services.Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("%(count)d figures approved.") % {"count": count})
    return redirect("tracker:approvals")


def _reasoned(request, action, *args, **kwargs):
    """Run a write that needs a reason; messages say what happened."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason; nothing was changed."))
        return False
    try:
        action(*args, by=request.user, reason=form.cleaned_data["reason"], **kwargs)
    except services.Refused as refusal:
        messages.error(request, str(refusal))
        return False
    return True


def _posted_version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


@require_POST
def return_entry(request, pk):
    _admin_only(request)
    entry = get_object_or_404(ProgressEntry.objects.select_related("target__plan"), pk=pk)
    if _reasoned(request, services.return_entry, entry, version=_posted_version(request)):
        messages.success(request, _("Returned to the reporter with your reason."))
    return redirect(request.POST.get("next") or "tracker:approvals")


@require_POST
def reopen_entry(request, pk):
    _admin_only(request)
    entry = get_object_or_404(ProgressEntry.objects.select_related("target__plan"), pk=pk)
    if _reasoned(request, services.reopen_entry, entry, version=_posted_version(request)):
        messages.success(request, _("The figure is reopened for its reporter."))
    return redirect(entry.target.get_absolute_url())


@require_POST
def close_year(request, slug, year):
    _admin_only(request)
    plan = get_object_or_404(Plan, slug=slug)
    form = CloseYearForm(request.POST)
    form.is_valid()
    try:
        services.close_year(plan, year, by=request.user, reason=form.cleaned_data.get("reason", ""))
    except services.Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Year %(year)s is closed.") % {"year": year})
    return redirect("tracker:approvals")


@require_POST
def reopen_year(request, slug, year):
    _admin_only(request)
    plan = get_object_or_404(Plan, slug=slug)
    if _reasoned(request, services.reopen_year, plan, year):
        messages.success(request, _("Year %(year)s is open again.") % {"year": year})
    return redirect("tracker:approvals")


def evidence(request, pk):
    entry = get_object_or_404(ProgressEntry, pk=pk)
    if not entry.evidence:
        raise Http404(_("No evidence attached."))
    return FileResponse(
        entry.evidence.open("rb"),
        as_attachment=True,
        filename=entry.evidence.name.rsplit("/", 1)[-1],
    )


# -- overviews and the API -------------------------------------------------------------


def departments(request, slug):
    """For each department and year: how many of its targets have a figure in each state."""
    plan = get_object_or_404(Plan, slug=slug)
    led = dict(
        Target.objects.filter(plan=plan)
        .values_list("lead_department")
        .annotate(n=Count("id"))
        .values_list("lead_department", "n")
    )
    counts = {}
    for dept, year, state, n in (
        ProgressEntry.objects.filter(target__plan=plan)
        .values_list("target__lead_department", "year", "state")
        .annotate(n=Count("id"))
    ):
        counts.setdefault((dept, year), {})[state] = n
    rows = []
    for department in Department.objects.filter(pk__in=[pk for pk in led if pk]):
        cells = []
        for year in plan.entry_years:
            found = counts.get((department.pk, year), {})
            cells.append(
                {"year": year, "missing": led[department.pk] - sum(found.values()), **found}
            )
        rows.append((department, led[department.pk], cells))
    context = {"plan": plan, "rows": rows, "unassigned": led.get(None, 0)}
    return render(request, "tracker/departments.html", context)


@login_not_required
def api_plan(request, slug):
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Authentication required."}, status=401)
    plan = get_object_or_404(Plan, slug=slug)
    requested = request.GET.get("year")
    if requested is not None and (not requested.isdigit() or int(requested) not in plan.years):
        return JsonResponse(
            {"detail": f"year must be one of {plan.start_year}-{plan.end_year}"}, status=400
        )
    year = plan.status_year(int(requested) if requested else None)
    rows = standings(plan_targets(plan), year)
    return JsonResponse(plan_payload(plan, year, rows), json_dumps_params={"ensure_ascii": False})


# -- Excel downloads -------------------------------------------------------------------


def _xlsx_response(write, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    write(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_download(request, slug):
    plan = get_object_or_404(Plan, slug=slug)
    year = plan.status_year(_requested_year(request))
    rows = standings(plan_targets(plan), year)
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


# -- Excel imports ---------------------------------------------------------------------


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
    _admin_only(request)
    batch = get_object_or_404(ImportBatch, pk=pk, plan__slug=slug)
    try:
        services.revert_import(batch, by=request.user)
    except services.Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The import is reverted; the earlier figures are back."))
    return redirect("tracker:import", slug=slug)


# -- target definitions in Excel (administrators) ---------------------------------------


def targets_export(request, slug):
    _admin_only(request)
    plan = get_object_or_404(Plan, slug=slug)
    return _xlsx_response(
        lambda out: write_targets(out, plan),
        f"{plan.slug}-targets-{timezone.localdate():%Y%m%d}.xlsx",
    )


def targets_import(request, slug):
    _admin_only(request)
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
    _admin_only(request)
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
