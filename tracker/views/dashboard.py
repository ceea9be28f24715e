"""Where every goal stands: plan list, dashboard, target page, departments, the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Max
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from tracker.charts import target_chart
from tracker.figures import conversation, writes
from tracker.figures.history import change_log
from tracker.figures.numbers import whole_number
from tracker.figures.rights import administers, is_admin, is_reporter, may_explain, works_on
from tracker.filters import TargetFilter
from tracker.indicators import derived
from tracker.models import (
    Department,
    Plan,
    ProgressEntry,
    Target,
)
from tracker.plans import regional
from tracker.plans.next_plan import linked_series
from tracker.reminders import deadlines, todo
from tracker.standings import formats, store
from tracker.standings.api import plan_json
from tracker.standings.standing import standings
from tracker.standings.words import summary_line
from tracker.tables import standing_table
from tracker.views import evaluations
from tracker.views.common import chosen_year
from tracker.views.regions import home_region

# The administrator's home lists this many years that cannot be closed yet, then a count.
BLOCKED_SHOWN = 12


def home(request):
    """The home page: for a prefecture's or province's people, the status matrix of its
    regions; for everyone else, their work and the plans (`plan_list`)."""
    region = home_region(request.user)
    if region is not None:
        return redirect("tracker:region", region.code)
    return plan_list(request)


def plan_list(request):
    """What the person has to do next, then the plans."""
    plans = (
        Plan.objects.select_related("region")
        .annotate(target_count=Count("targets"))
        .with_final_evaluation()
    )
    plans = list(plans)
    compared = regional.compared_in((plan.region_id for plan in plans), request.user)
    for plan in plans:
        plan.compared_in = compared.get(plan.region_id)
    context = {"plans": plans, "imports": todo.pending_imports(request.user)}
    if is_admin(request.user):
        context["waiting"] = todo.waiting_for_approval(request.user)
        years = todo.open_years(of=request.user)
        _with_close_locks(years)
        ready = [year for year in years if year.ready_to_close and not year.close_lock]
        blocked = [year for year in years if not (year.ready_to_close and not year.close_lock)]
        context["ready_years"] = ready
        context["blocked_years"] = blocked[:BLOCKED_SHOWN]
        context["blocked_more"] = len(blocked[BLOCKED_SHOWN:])
    else:
        context["my_years"] = todo.reporter_work(request.user)
        context["has_department"] = request.user.departments.exists()
        context["no_role"] = not is_reporter(request.user)
    return render(request, "tracker/plan_list.html", context)


def _with_close_locks(years) -> None:
    """Set on each open year its deadline and why it cannot be closed yet
    (`writes.close_lock`), if so: for every plan at once, as the home covers a province."""
    dues = deadlines.last_dues_of_regions({work.plan.region_id for work in years})
    own = deadlines.year_deadlines({work.plan for work in years})
    for work in years:
        region = {year: due for (r, year), due in dues.items() if r == work.plan.region_id}
        work.close_lock = writes.close_lock(work.plan, work.year, dues=region)
        work.deadline = own.get((work.plan.pk, work.year))


def _latest_shown_year(plan, user) -> int | None:
    """The latest year with a figure `user` sees on the dashboard."""
    entries = ProgressEntry.objects.filter(series__targets__plan=plan).visible_to(user)
    return entries.aggregate(latest=Max("year"))["latest"]


def _columns(plan, year: int, latest: int | None) -> list[int]:
    """The year columns: up to the status year, or further up to `latest`, the latest
    figure shown, when no year was chosen."""
    last = max(year, latest or year)
    return [y for y in plan.years if y <= last]


def plan_dashboard(request, slug):
    plan = get_object_or_404(Plan, slug=slug)
    year, year_problem = chosen_year(request, plan)
    store.ensure(plan, year)
    filterset = TargetFilter(
        request.GET,
        queryset=store.with_standing(Target.objects.filter(plan=plan), year),
        plan=plan,
    )
    rows = store.StoredRows(plan, year, filterset.qs, viewer=request.user)
    latest = None if "year" in request.GET else _latest_shown_year(plan, request.user)
    table = standing_table(rows, _columns(plan, year, latest))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    counts = store.status_counts(plan, year)
    context = {
        "plan": plan,
        "year": year,
        "year_problem": year_problem,
        "filter": filterset,
        "table": table,
        "counts": counts,
        "total": sum(n for _status, n in counts),
        "summary": summary_line(counts),
        "shown": len(rows),
        "compared_in": regional.compared_in([plan.region_id], request.user).get(plan.region_id),
        "has_sample": ProgressEntry.objects.filter(
            series__targets__plan=plan, is_sample=True
        ).exists(),
    }
    return render(request, "tracker/plan_dashboard.html", context)


def _change_facts(row) -> list[tuple[str, str]]:
    """How the target has moved, as statisticians print it: a share in percentage points
    (+0.40个百分点, 〔累计提高1.10个百分点〕), anything else in percent on the target's basis
    (按可比价〔累计增长30.3%〕); for a relative goal the average annual growth of both since
    the baseline, and the latest year's growth of both on its own line, each on its basis."""
    target, a = row.target, row.assessment
    if target.is_milestone or target.kind == Target.Kind.RANK or a.latest_year is None:
        return []
    if target.kind == Target.Kind.RELATIVE:
        return _relative_facts(row)
    points, places = row.points, target.decimal_places
    basis = formats.basis_word(a.basis.value if a.basis else None)
    facts = [
        (
            _("Planned change, %(first)s–%(last)s")
            % {"first": target.baseline_year, "last": target.target_year},
            f"{basis}{formats.format_cumulative(row.planned_change(), points, places)}",
        ),
        (
            _("Change, %(first)s–%(last)s")
            % {"first": target.baseline_year, "last": a.latest_year},
            f"{basis}{formats.format_cumulative(row.change(), points, places)}",
        ),
        (
            _("Change on the year before, %(year)s") % {"year": a.latest_year},
            formats.format_change(row.year_change(a.latest_year), points, places),
        ),
    ]
    return [(label, text) for label, text in facts if text and text != basis]


def _relative_facts(row) -> list[tuple[str, str]]:
    """Average annual growth of the target and its reference since the baseline, then the
    latest year's growth of both, each labelled as what it is."""
    target, a = row.target, row.assessment
    reference = target.reference_target.display_name if target.reference_target else "—"

    def both(own, other) -> str:
        return (
            f"{formats.format_share(own) or '—'} · {reference} {formats.format_share(other) or '—'}"
        )

    basis = formats.basis_word(a.basis.value if a.basis else None)
    facts = []
    if a.growth is not None:
        label = _("Average annual growth, %(first)s–%(last)s") % {
            "first": target.baseline_year,
            "last": a.latest_year,
        }
        facts.append((label, f"{basis} {both(a.growth, a.reference_growth)}".strip()))
    if a.year_growth is not None or a.reference_year_growth is not None:
        label = _("Growth in %(year)s alone") % {"year": a.latest_year}
        facts.append((label, f"{basis} {both(a.year_growth, a.reference_year_growth)}".strip()))
    return facts


def _still_required(row) -> str:
    """The pace still needed to reach the goal: percentage points a year for a share, the
    average growth rate otherwise; "" where there is none."""
    pace = row.required_pace()
    if pace is None:
        return ""
    rate = formats.format_change(pace, True, row.target.decimal_places) if row.points else None
    rate = rate or formats.format_share(pace)
    return _("%(rate)s a year") % {"rate": rate}


def target_detail(request, slug, code):
    target = get_object_or_404(
        Target.objects.with_entries(request.user, conversations=True).select_related(
            "plan", "area", "lead_department"
        ),
        plan__slug=slug,
        code=code,
    )
    year, year_problem = chosen_year(request, target.plan)
    row = standings([target], year)[0]
    figures = sorted(row.entries.values(), key=lambda entry: entry.year)
    for entry in figures:
        entry.thread = conversation.thread(entry)
    sharing = list(
        Target.objects.filter(series=target.series_id)
        .exclude(pk=target.pk)
        .select_related("plan", "lead_department")
        .order_by("plan__start_year")
    )
    indicator = target.indicator
    parts = derived.inputs(indicator)
    years = list(range(target.plan.baseline_year, target.plan.end_year + 1))
    shown = {
        (e.series.indicator_id, e.year): e
        for e in ProgressEntry.objects.visible_to(request.user)
        .filter(series__region=target.plan.region_id, series__indicator__in=parts, year__in=years)
        .select_related("series__indicator")
    }
    context = {
        "plan": target.plan,
        "target": target,
        "year": year,
        "year_problem": year_problem,
        "row": row,
        "figures": figures,
        "change_facts": _change_facts(row),
        "still_required": _still_required(row),
        "growth_column": any(entry.growth is not None for entry in figures),
        "source_column": any(entry.source or entry.growth_source for entry in figures),
        "chart": target_chart(target, row, linked_series(target)),
        "changes": change_log(target, request.user),
        "has_sample": any(e.is_sample for e in target.entries.all()),
        "sharing": sharing,
        "formula": derived.formula_text(indicator),
        "inputs": [(part, [shown.get((part.pk, year)) for year in years]) for part in parts],
        "input_years": years,
        "explanations": sorted(target.explanations.all(), key=lambda e: e.year, reverse=True),
        "reasons": target.explanation_for(year),
        "may_explain": may_explain(request.user, target),
    }
    return render(request, "tracker/target_detail.html", context)


def departments(request, slug):
    """For each department and year: how many of its targets have a figure in each state,
    and, for the years open for reporting (`Plan.reporting_years`), how many have none.

    A year not over yet, or closed, asks nobody for anything: its cells show what is there,
    greyed, and say why. A target needs a figure by the rule of the homes and reminders
    (`todo.expects_figure`). Administrators may remind a department, or all, from here.
    """
    plan = get_object_or_404(Plan.objects.with_closed_years(), slug=slug)
    if not works_on(request.user, plan):
        # Its counts tell of figures not approved: the region's own people only.
        raise Http404
    targets = list(Target.objects.filter(plan=plan).select_related("series"))
    open_years = set(plan.reporting_years())
    led, counts, reported, completed = {}, {}, set(), {}
    for target in targets:
        led.setdefault(target.lead_department_id, []).append(target)
    for target_id, dept, year, state, achieved in ProgressEntry.objects.filter(
        series__targets__plan=plan
    ).values_list(
        "series__targets", "series__targets__lead_department", "year", "state", "achieved"
    ):
        found = counts.setdefault((dept, year), {})
        found[state] = found.get(state, 0) + 1
        reported.add((target_id, year))
        if achieved and state == ProgressEntry.State.APPROVED:
            completed[target_id] = min(year, completed.get(target_id, year))
    rows = []
    for department in Department.objects.filter(pk__in=[pk for pk in led if pk]):
        cells = []
        for year in plan.entry_years:
            found = counts.get((department.pk, year), {})
            cell = {"year": year, "open": year in open_years, **found}
            if cell["open"]:
                cell["missing"] = sum(
                    (target.pk, year) not in reported
                    and _expects(plan, target, year, completed.get(target.pk))
                    for target in led[department.pk]
                )
                cell["outstanding"] = bool(
                    cell["missing"] or found.get("draft") or found.get("returned")
                )
            cells.append(cell)
        rows.append((department, len(led[department.pk]), cells))
    context = {
        "plan": plan,
        "rows": rows,
        "unassigned": len(led.get(None, [])),
        "years": [(year, plan.reporting_lock(year)) for year in plan.entry_years],
        "may_remind": administers(request.user, plan.region_id),
    }
    return render(request, "tracker/departments.html", context)


def _expects(plan, target, year: int, completed: int | None) -> bool:
    return todo.expects_figure(
        year,
        baseline_year=plan.baseline_year,
        states_baseline=target.baseline_value is not None,
        milestone=target.is_milestone,
        completed=completed,
    )


@login_not_required
def api_plan(request, slug):
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Authentication required."}, status=401)
    plan = Plan.objects.filter(slug=slug).first()
    if plan is None:
        return JsonResponse({"detail": f"no plan has the slug {slug}"}, status=404)
    if "evaluation" in request.GET:
        return evaluations.api_evaluation(request, plan, request.GET["evaluation"])
    requested = request.GET.get("year")
    asked = None if requested is None else whole_number(requested)
    if requested is not None and (asked is None or plan.status_year_outside(asked)):
        return JsonResponse(
            {"detail": f"year must be one of {plan.start_year}-{plan.end_year}"}, status=400
        )
    year = plan.status_year(asked)
    targets = store.payloads(plan, year, translation.get_language(), viewer=request.user)
    store.ensure(plan, year)
    counts = store.status_counts(plan, year)
    return HttpResponse(plan_json(plan, year, targets, counts), content_type="application/json")
