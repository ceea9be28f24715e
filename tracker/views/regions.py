"""A region's children side by side: the status matrix, one indicator compared across them,
and the same as read-only JSON. Only approved figures of the children are read
(`plans.regional`); which regions a person may open is `readable`'s answer alone."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tracker.charts import comparison_bars, comparison_lines
from tracker.models import Indicator, Region
from tracker.plans import regional
from tracker.standings import formats, words
from tracker.standings.engine import ORDER
from tracker.views.common import requested_year


def readable(user, code: str) -> Region:
    """The region of `code` if `user` may read its children's approved figures, else 404.

    The one place that rule lives: every region page and its API ask it."""
    return get_object_or_404(Region.objects.overseen_by(user), code=code)


def _year(request, region: Region) -> int:
    """The ?year= asked for, else the latest a child reported for: a year that is not a
    number is a 400, one no child's plan covers a 404, each saying why."""
    years = regional.plan_years(region)
    asked = request.GET.get("year", "").strip()
    if not asked:
        return regional.default_year(region, years) or timezone.localdate().year
    year = requested_year(request)
    if year is None:
        raise BadRequest(_("“%(asked)s” is not a year.") % {"asked": asked[:20]})
    if year not in years:
        raise Http404(
            _("No plan of the regions of %(region)s covers %(year)s.")
            % {"region": region.display_name, "year": year}
        )
    return year


def _filters(request) -> dict[str, str]:
    statuses = {s.value for s in ORDER}
    status = request.GET.get("status", "")
    nature = request.GET.get("nature", "")
    return {
        "area": request.GET.get("area", "")[:100],
        "nature": nature if nature in ("binding", "anticipatory") else "",
        "status": status if status in statuses else "",
    }


@require_safe
def region_matrix(request, code):
    region = readable(request.user, code)
    year = _year(request, region)
    filters = _filters(request)
    table = regional.matrix(region, year, **filters)
    context = {
        "region": region,
        "year": year,
        "years": regional.plan_years(region),
        "matrix": table,
        "filters": filters,
        "statuses": words.CHOICES,
        "summary": words.summary_line(table.counts),
        "has_sample": table.has_sample,
    }
    return render(request, "tracker/region_matrix.html", context)


@require_safe
def region_indicator(request, code, indicator):
    region = readable(request.user, code)
    indicator = get_object_or_404(Indicator, code=indicator)
    year = _year(request, region)
    result = regional.comparison(region, indicator, year)
    context = {
        "region": region,
        "indicator": indicator,
        "year": year,
        "years": regional.plan_years(region),
        "result": result,
        "bars": comparison_bars(result),
        "lines": comparison_lines(result),
        "series_rows": [(p.region, [p.series.get(y) for y in result.years]) for p in result.places]
        + [(region, [result.parent_series.get(y) for y in result.years])],
    }
    return render(request, "tracker/region_indicator.html", context)


def _api_region(request, code) -> tuple[Region | None, JsonResponse | None]:
    """The region for an API request, or the JSON answer refusing it."""
    if request.method not in ("GET", "HEAD"):
        response = JsonResponse({"detail": "Read-only: use GET."}, status=405)
        response["Allow"] = "GET, HEAD"
        return None, response
    if not request.user.is_authenticated:
        return None, JsonResponse({"detail": "Authentication required."}, status=401)
    try:
        return readable(request.user, code), None
    except Http404:
        return None, JsonResponse({"detail": f"no region has the code {code}"}, status=404)


def _api_year(request, region) -> tuple[int | None, JsonResponse | None]:
    try:
        return _year(request, region), None
    except BadRequest as problem:
        return None, JsonResponse({"detail": str(problem)}, status=400)
    except Http404 as problem:
        return None, JsonResponse({"detail": str(problem)}, status=404)


@login_not_required
def api_region(request, code):
    region, refused = _api_region(request, code)
    if refused:
        return refused
    year, refused = _api_year(request, region)
    if refused:
        return refused
    payload = matrix_payload(regional.matrix(region, year, **_filters(request)))
    return _json(payload)


@login_not_required
def api_region_indicator(request, code, indicator):
    region, refused = _api_region(request, code)
    if refused:
        return refused
    found = Indicator.objects.filter(code=indicator).first()
    if found is None:
        return JsonResponse({"detail": f"no indicator has the code {indicator}"}, status=404)
    year, refused = _api_year(request, region)
    if refused:
        return refused
    return _json(comparison_payload(regional.comparison(region, found, year, stored=True)))


def _json(payload: dict) -> HttpResponse:
    return HttpResponse(json.dumps(payload, ensure_ascii=False), content_type="application/json")


def _figure(value, places: int) -> str | None:
    """A figure as the pages print it (half up, the indicator's decimals), as a string."""
    return None if value is None else f"{formats.rounded(value, places):.{places}f}"


def _region(region: Region) -> dict:
    return {"code": region.code, "name": region.name, "name_en": region.name_en}


def _plan(plan) -> dict | None:
    return None if plan is None else {"slug": plan.slug, "name": plan.name}


def _counts(counts) -> dict:
    return {status.value: n for status, n in counts}


def _plan_slug(standing) -> str:
    if isinstance(standing, regional.Cell):
        return standing.target.plan_slug
    return standing.target.plan.slug


def _cell(standing) -> dict:
    """A target's status in the matrix or a comparison: from a `Standing`, or from a
    `regional.Cell`, whose figures the store printed already, as `_figure` prints them."""
    target, a = standing.target, standing.assessment
    if isinstance(standing, regional.Cell):
        goal, latest = a.goal_value, a.latest_value
    else:
        goal = _figure(a.goal_value, target.decimal_places)
        latest = _figure(a.latest_value, target.decimal_places)
    return {
        "target": target.code,
        "status": a.status.value,
        "status_label": words.label(a.status),
        "goal_value": goal,
        "latest": None if a.latest_year is None else {"year": a.latest_year, "value": latest},
    }


def matrix_payload(table: regional.Matrix) -> dict:
    return {
        "region": _region(table.region),
        "as_of_year": table.year,
        "counts": _counts(table.counts),
        "indicators": [
            {
                "code": c.indicator.code,
                "name": c.indicator.name,
                "name_en": c.indicator.name_en,
                "unit": c.indicator.unit,
                "counts": _counts(c.counts),
            }
            for c in table.columns
        ],
        "regions": [
            {
                **_region(row.region),
                "plan": None
                if row.plan is None
                else {"slug": row.plan.slug, "name": row.plan.name},
                "counts": _counts(row.counts),
                "cells": {
                    c.indicator.code: _cell(row.cells[c.indicator.pk])
                    for c in table.columns
                    if c.indicator.pk in row.cells
                },
            }
            for row in table.rows
        ],
    }


def comparison_payload(result: regional.Comparison) -> dict:
    indicator, places = result.indicator, result.indicator.decimal_places
    return {
        "region": _region(result.region),
        "indicator": {
            "code": indicator.code,
            "name": indicator.name,
            "name_en": indicator.name_en,
            "unit": indicator.unit,
            "measure": indicator.measure,
            "lower_is_better": result.lower_is_better,
        },
        "as_of_year": result.year,
        "regions": [
            {
                **_region(p.region),
                "value": _figure(p.value, places),
                "achieved": p.achieved,
                "quality": p.quality or None,
                "rank": p.rank,
                "target": None
                if p.standing is None
                else {"plan": _plan_slug(p.standing), **_cell(p.standing)},
                "figures": [
                    {"year": y, "value": _figure(v, places)} for y, v in sorted(p.series.items())
                ],
            }
            for p in result.places
        ],
        "rank_note": result.rank_note or None,
        "parent": {
            "value": _figure(result.parent_value, places),
            "source": result.parent_source or None,
            "no_rollup_reason": result.no_rollup or None,
            "figures": [
                {"year": y, "value": _figure(v, places)}
                for y, v in sorted(result.parent_series.items())
            ],
        },
    }
