"""Where every goal stands: plan list, dashboard, target page, departments, the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django_tables2 import RequestConfig

from tracker import store
from tracker.api import plan_payload
from tracker.charts import target_chart
from tracker.filters import TargetFilter
from tracker.history import change_log
from tracker.loading import plan_standings
from tracker.models import (
    Department,
    Plan,
    ProgressEntry,
    Target,
)
from tracker.standing import standings
from tracker.tables import standing_table
from tracker.views.common import requested_year


def plan_list(request):
    plans = Plan.objects.annotate(target_count=Count("targets"))
    return render(request, "tracker/plan_list.html", {"plans": plans})


def plan_dashboard(request, slug):
    plan = get_object_or_404(Plan, slug=slug)
    year = plan.status_year(requested_year(request))
    store.ensure(plan, year)
    filterset = TargetFilter(
        request.GET,
        queryset=store.with_standing(Target.objects.filter(plan=plan), year),
        plan=plan,
    )
    rows = store.StoredRows(plan, year, filterset.qs)
    table = standing_table(rows, plan.years)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    counts = store.status_counts(plan, year)
    context = {
        "plan": plan,
        "year": year,
        "filter": filterset,
        "table": table,
        "counts": counts,
        "total": sum(n for _status, n in counts),
        "shown": len(rows),
        "has_sample": ProgressEntry.objects.filter(target__plan=plan, is_sample=True).exists(),
    }
    return render(request, "tracker/plan_dashboard.html", context)


def target_detail(request, slug, code):
    target = get_object_or_404(
        Target.objects.with_entries().select_related("plan", "area", "lead_department"),
        plan__slug=slug,
        code=code,
    )
    year = target.plan.status_year(requested_year(request))
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
    rows = plan_standings(plan, year)
    return JsonResponse(plan_payload(plan, year, rows), json_dumps_params={"ensure_ascii": False})
