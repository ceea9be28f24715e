"""Helpers the page modules share."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from tracker.figures.rights import require_admin
from tracker.models import Plan


def requested_year(request) -> int | None:
    """The ?year= of the request, when it is a number."""
    try:
        return int(request.GET["year"])
    except (KeyError, ValueError):
        return None


def chosen_year(request, plan) -> tuple[int, str | None]:
    """The status year a page shows, and a sentence when the one asked for is not a year
    of the plan (the page shows the plan's status year instead)."""
    asked = request.GET.get("year", "")
    year = plan.status_year(requested_year(request))
    if asked and str(year) != asked.strip():
        return year, _(
            "%(asked)s is not a year of this plan (%(first)s–%(last)s); showing %(year)s."
        ) % {"asked": asked[:20], "first": plan.start_year, "last": plan.end_year, "year": year}
    return year, None


def download_year(request, plan) -> int:
    """The year a download is true as of: the ?year= asked for, else the plan's status year
    (`Plan.status_year`). A page shows another year with a sentence saying so; a file
    cannot, so a year that is not a number is a 400 and one outside the plan a 404, each
    saying why."""
    asked = request.GET.get("year", "").strip()
    if not asked:
        return plan.status_year()
    year = requested_year(request)
    if year is None:
        raise BadRequest(_("“%(asked)s” is not a year.") % {"asked": asked[:20]})
    outside = plan.status_year_outside(year)
    if outside:
        raise Http404(outside)
    return year


def administered_plan(request, slug, plans=None) -> Plan:
    """The plan `slug` for a page only its administrators use (`rights.administers`): a 403
    for anyone who administers no region, a 404 for another region's plan, as for a plan
    that does not exist. `plans` narrows or prepares the query (`with_closed_years`)."""
    require_admin(request.user, anywhere=True)
    plans = (plans if plans is not None else Plan.objects).administered_by(request.user)
    return get_object_or_404(plans, slug=slug)
