"""A region's children side by side: the status matrix, one indicator compared across them,
and the same as read-only JSON. Only approved figures of the children are read
(`plans.regional`); which regions a person may open is `readable`'s answer alone."""

from __future__ import annotations

import io
import json

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tracker.charts import comparison_bars, comparison_lines
from tracker.figures.rights import region_of
from tracker.models import Indicator, Region
from tracker.plans import region_workbook, regional
from tracker.standings import formats, words
from tracker.standings.engine import ORDER
from tracker.views.common import requested_year
from tracker.views.excel import XLSX


def readable(user, code: str) -> Region:
    """The region of `code` if `user` may read its children's approved figures, else 404.

    The one place that rule lives: every region page and its API ask it. A region with no
    regions under it has no such pages: 404, saying so."""
    region = Region.objects.overseen_by(user).filter(code=code).first()
    if region is None:
        raise Http404(_("No region you may read has the code %(code)s.") % {"code": code})
    if not region.children.exists():
        raise Http404(
            _("%(region)s has no regions under it to compare: its own plans are in the plans list.")
            % {"region": region.display_name}
        )
    return region


def home_region(user) -> Region | None:
    """The region whose matrix is `user`'s home page: their own region where it has regions
    under it and they may read them (a prefecture's or province's administrators and
    viewers); None for everyone else, who keep the home of their work and plans. Read
    once per user object."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_tracker_home_region", False)
    if cached is False:
        mine = region_of(user)
        cached = (
            None
            if mine is None
            else Region.objects.overseen_by(user)
            .filter(pk=mine, children__isnull=False)
            .distinct()
            .first()
        )
        user._tracker_home_region = cached
    return cached


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
        "series_rows": [(p.region, [p.series.get(y) for y in result.years]) for p in result.places],
        "parent_row": _parent_row(result),
    }
    return render(request, "tracker/region_indicator.html", context)


def _parent_row(result: regional.Comparison) -> list | None:
    """The parent's figures over the years, its own or else rolled up, each with how it
    was found; None where it has none and no roll-up is given."""
    row = result.rolled_up_row
    if not row:
        return None
    source = "recomputed" if result.indicator.formula else "sum"
    return [
        (row.get(y), "own" if y in result.parent_series else source if y in row else "")
        for y in result.years
    ]


@require_safe
def region_report(request, code):
    """The region's workbook as of ?year=, as the matrix page reads it, in the reader's
    language: the matrix and one sheet per indicator compared."""
    region = readable(request.user, code)
    year = _year(request, region)
    buffer = io.BytesIO()
    region_workbook.write(region, year, translation.get_language(), buffer, user=request.user)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = f"{region.code}-regions-{year}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


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
    except Http404 as missing:
        return None, JsonResponse({"detail": str(missing)}, status=404)


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
        detail = _("No indicator has the code %(code)s.") % {"code": indicator}
        return JsonResponse({"detail": detail}, status=404)
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
                "computed_rank": p.computed_rank,
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
        "computed_ranks": {
            "from": None if result.computed_from is None else result.computed_from.code,
            "why_none": result.computed_rank_note or None,
            "differences": result.differences_line or None,
        }
        if result.indicator.measure == Indicator.Measure.RANK
        else None,
        "parent": {
            "value": _figure(result.parent_value, places),
            "source": result.parent_source or None,
            "no_rollup_reason": result.no_rollup or None,
            "figures": [
                {"year": y, "value": _figure(v, places)}
                for y, v in sorted(result.parent_series.items())
            ],
            "rolled_up_figures": [
                {"year": y, "value": _figure(v, places)}
                for y, v in sorted(result.rolled_up_series.items())
            ],
        },
    }
