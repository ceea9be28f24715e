"""Open data downloads of a published plan, live or as an evaluation published it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from tracker.models import Evaluation, Plan
from tracker.public.data import BUILDERS, OpenData, evaluation_data, live_data


def _response(data: OpenData, name: str) -> HttpResponse:
    build, content_type = BUILDERS[name]
    response = HttpResponse(build(data), content_type=content_type)
    stem = (
        data.plan.slug
        if data.evaluation is None
        else f"{data.plan.slug}-evaluation-{data.evaluation.pk}"
    )
    disposition = "attachment" if name.endswith(".csv") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{stem}-{name}"'
    # Open data: any site may read it from a browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_not_required
@require_safe
def live_file(request, slug: str, name: str):
    """targets.csv, figures.csv, data.json or datapackage.json of the plan as it stands."""
    if name not in BUILDERS:
        raise Http404
    plan = get_object_or_404(Plan.objects.published().select_related("region"), slug=slug)
    return _response(live_data(plan), name)


@login_not_required
@require_safe
def evaluation_file(request, slug: str, pk: int, name: str):
    """The same files of one of the plan's evaluations, as it was published."""
    if name not in BUILDERS:
        raise Http404
    plan = get_object_or_404(Plan.objects.published(), slug=slug)
    evaluation = get_object_or_404(Evaluation.objects.select_related("plan"), plan=plan, pk=pk)
    return _response(evaluation_data(evaluation), name)
