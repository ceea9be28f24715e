"""Evaluations: freeze one, see the dashboard as it was, its report, and what changed since."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.figures.numbers import whole_number
from tracker.forms import EvaluationForm
from tracker.models import Evaluation, Plan
from tracker.plans import evaluations
from tracker.standings.api import plan_payload
from tracker.standings.standing import plan_targets, standings, status_counts, summary
from tracker.tables import standing_table
from tracker.views.common import administered_plan, requested_year
from tracker.views.excel import _xlsx_response


def _evaluation(slug, pk) -> Evaluation:
    return get_object_or_404(
        Evaluation.objects.select_related("plan", "frozen_by"), plan__slug=slug, pk=pk
    )


def freeze(request, slug):
    plan = administered_plan(request, slug)
    form = EvaluationForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = evaluations.freeze(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Frozen: %(evaluation)s.") % {"evaluation": evaluation})
            pending = evaluations.unapproved(plan, evaluation.year)
            if pending:
                messages.warning(request, evaluations.unapproved_text(pending))
            return redirect(evaluation)
    context = {
        "plan": plan,
        "form": form,
        "evaluations": plan.evaluations.all(),
        "unapproved": evaluations.unapproved_text(evaluations.unapproved(plan)),
    }
    return render(request, "tracker/evaluation_freeze.html", context)


def evaluation_detail(request, slug, pk):
    evaluation = _evaluation(slug, pk)
    frozen, rows = evaluations.frozen_standings(evaluation, viewer=request.user)
    years = range(frozen.start_year, evaluation.year + 1)
    final = evaluation.kind == Evaluation.Kind.FINAL
    context = {
        "plan": evaluation.plan,
        "frozen": frozen,
        "evaluation": evaluation,
        "year": evaluation.year,
        "table": standing_table(rows, years, final=final, orderable=False),
        "counts": status_counts(rows),
        "summary": summary(rows),
        "total": len(rows),
        "changes": evaluations.changes_since(evaluation, request.user),
        "has_sample": any(e.is_sample for row in rows for e in row.entries.values()),
    }
    return render(request, "tracker/evaluation.html", context)


def evaluation_report(request, slug, pk):
    evaluation = _evaluation(slug, pk)
    return _xlsx_response(
        lambda out: evaluations.write_frozen_report(out, evaluation, viewer=request.user),
        f"{slug}-evaluation-{evaluation.pk}-{evaluation.year}"
        f"-{timezone.localtime(evaluation.frozen_at):%Y%m%d}.xlsx",
    )


def compare(request, slug, pk):
    """The live standing beside the evaluation's, statuses that differ marked."""
    evaluation = _evaluation(slug, pk)
    plan = evaluation.plan
    year = plan.status_year(requested_year(request) or evaluation.year)
    live = standings(plan_targets(plan, viewer=request.user), year)
    _frozen, frozen_rows = evaluations.frozen_standings(evaluation, viewer=request.user)
    before = {row.target.pk: row for row in frozen_rows}
    changed = evaluations.status_changes(evaluation, live)
    rows = [(row, before.get(row.target.pk), row.target.pk in changed) for row in live]
    context = {
        "plan": plan,
        "evaluation": evaluation,
        "year": year,
        "rows": rows,
        "changed": len(changed),
        "dropped": [row for pk, row in before.items() if pk not in {r.target.pk for r in live}],
    }
    return render(request, "tracker/evaluation_compare.html", context)


def api_evaluation(request, plan: Plan, number: str) -> JsonResponse:
    """The API's answer for ?evaluation=N: the frozen payload, with what the evaluation is."""
    pk = whole_number(number)
    evaluation = plan.evaluations.select_related("frozen_by").filter(pk=pk).first()
    if evaluation is None:
        return JsonResponse(
            {"detail": f"evaluation must be the number of one of {plan.slug}'s evaluations"},
            status=400 if pk is None else 404,
        )
    frozen, rows = evaluations.frozen_standings(evaluation, viewer=request.user)
    payload = plan_payload(frozen, evaluation.year, rows)
    payload["evaluation"] = {
        "id": evaluation.pk,
        "kind": evaluation.kind,
        "title": evaluation.title,
        "date": evaluation.date.isoformat(),
        "year": evaluation.year,
        "summary": evaluation.summary,
        "frozen_at": evaluation.frozen_at.isoformat(),
        "frozen_by": evaluation.frozen_by.username,
    }
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
