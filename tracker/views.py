"""Pages: orchestration only; the engine computes, forms validate, services write."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django_tables2 import RequestConfig

from tracker.filters import TargetFilter
from tracker.models import Plan, Target
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
    table = standing_table(shown, plan.entry_years)
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
    context = {
        "plan": target.plan,
        "target": target,
        "year": year,
        "row": standings([target], year)[0],
        "has_sample": any(e.is_sample for e in target.entries.all()),
    }
    return render(request, "tracker/target_detail.html", context)
