"""What keeps the public pages and open data fit for anonymous traffic: every response
under /public/ is rate-limited per client address, and cacheable with validators.

1. Rate limit: each client address (`tracker.network.client_address`, the address the
   sign-in lock-out counts, behind PROXY_COUNT proxies) may make PUBLIC_RATE_LIMIT
   requests; past that it gets a 429 page in the reader's language with Retry-After.
   Counted by django-ratelimit in the "ratelimit" cache, which every app server shares.
2. Caching: a published plan's responses carry Cache-Control (public, PUBLIC_MAX_AGE), a
   weak ETag and Last-Modified. Both come from one query: the latest change to the plan's
   figures (their history, which every save, approval, return, import and deletion
   writes), its targets (their history), its publications, evaluations, evaluation
   deletions and 原因及措施; the ETag also holds the plan's own columns, the names it is
   shown with (areas, departments, indicators, region), the language and whether the
   visitor brings a session. A request whose If-None-Match or
   If-Modified-Since still holds gets a 304 before any page is built.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery, Value
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date
from django_ratelimit.core import get_usage

from tracker.models import (
    Area,
    Department,
    Evaluation,
    EvaluationDeletion,
    Explanation,
    Indicator,
    Plan,
    ProgressEntry,
    Publication,
    Region,
    Target,
)
from tracker.network import client_address

PREFIX = "/public/"
# Columns of the plan a public page shows (a change to them changes the ETag).
PLAN_COLUMNS = (
    "slug",
    "name",
    "name_en",
    "description",
    "baseline_year",
    "start_year",
    "end_year",
    "on_track_ratio",
    "behind_ratio",
    "ahead_ratio",
    "region_id",
)


class PublicResponses:
    """The rate limit and the cache validators of every response under /public/.

    Listed after the session and the language are known (the 429 page speaks the reader's
    language; the ETag holds it) and before the CSRF check and the authentication, so a
    refused or unchanged request costs no more than its count and one query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(PREFIX):
            return self.get_response(request)
        refused = too_many_requests(request)
        if refused is not None:
            return refused
        if request.method not in ("GET", "HEAD"):
            # Nothing under /public/ takes a form: a 405, before any CSRF check.
            return HttpResponseNotAllowed(["GET", "HEAD"])
        validators = public_validators(request)
        if validators is None:  # no published plan there: the view answers (404)
            return self.get_response(request)
        etag, last_modified = validators
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = self.get_response(request)
            if response.status_code != 200:
                return response
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified)
        signed = settings.SESSION_COOKIE_NAME in request.COOKIES
        patch_cache_control(
            response, max_age=settings.PUBLIC_MAX_AGE, **{"private" if signed else "public": True}
        )
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


# -- rate limit --------------------------------------------------------------------------


def _address(group, request) -> str:
    return client_address(request) or ""


def too_many_requests(request):
    """The 429 page when the client's address has made too many requests, else None."""
    if not settings.PUBLIC_RATE_LIMIT:
        return None
    usage = get_usage(
        request, group="public", key=_address, rate=settings.PUBLIC_RATE_LIMIT, increment=True
    )
    if usage is None or not usage["should_limit"]:
        return None
    wait = max(usage["time_left"], 1)
    response = render(
        request,
        "tracker/public/too_many_requests.html",
        {"seconds": wait},
        status=429,
    )
    response["Retry-After"] = str(wait)
    add_never_cache_headers(response)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


# -- validators --------------------------------------------------------------------------


def _latest(rows, field: str) -> Subquery:
    return Subquery(rows.order_by(f"-{field}").values(field)[:1])


CHANGES = {
    "changed_figures": lambda: _latest(
        ProgressEntry.history.model.objects.filter(series__targets__plan=OuterRef("pk")),
        "history_date",
    ),
    "changed_targets": lambda: _latest(
        Target.history.model.objects.filter(plan=OuterRef("pk")), "history_date"
    ),
    "changed_publications": lambda: _latest(Publication.objects.filter(plan=OuterRef("pk")), "at"),
    "changed_evaluations": lambda: _latest(
        Evaluation.objects.filter(plan=OuterRef("pk")), "frozen_at"
    ),
    "changed_deletions": lambda: _latest(
        EvaluationDeletion.objects.filter(plan=OuterRef("pk")), "deleted_at"
    ),
    "changed_explanations": lambda: _latest(
        Explanation.objects.filter(target__plan=OuterRef("pk")), "updated"
    ),
}


def plan_versions(slug: str | None) -> list[tuple]:
    """For the published plan `slug` (or every published plan, for /public/ itself): its
    columns and the time of the latest change of each kind, in one query."""
    plans = Plan.objects.published()
    if slug is not None:
        plans = plans.filter(slug=slug)
    annotated = plans.annotate(**{name: change() for name, change in CHANGES.items()})
    return list(annotated.order_by("pk").values_list(*PLAN_COLUMNS, *CHANGES))


def names(slug: str | None) -> list[tuple]:
    """The names the published plan `slug` (or every published plan) is shown with that
    live outside it: its areas, its region's and its targets' departments, its targets'
    indicators, its region; in one query. Renamed in the admin, they change the ETag."""
    plans = Plan.objects.published()
    if slug is not None:
        plans = plans.filter(slug=slug)
    plan_ids, region_ids = plans.values("pk"), plans.values("region_id")
    targets = Target.objects.filter(plan__in=plan_ids)
    co_departments = Target.co_departments.through.objects.filter(target__plan__in=plan_ids)
    indicator_ids = targets.values("indicator_id")
    parts = [
        Area.objects.filter(plan__in=plan_ids),
        Department.objects.filter(
            Q(region__in=region_ids)
            | Q(pk__in=targets.values("lead_department_id"))
            | Q(pk__in=co_departments.values("department_id"))
        ),
        Indicator.objects.filter(pk__in=indicator_ids),
        Region.objects.filter(pk__in=region_ids),
    ]
    rows = [
        part.order_by().annotate(kind=Value(n)).values_list("kind", "pk", "name", "name_en")
        for n, part in enumerate(parts)
    ]
    return sorted(rows[0].union(*rows[1:], all=True))


def public_validators(request) -> tuple[str, int | None] | None:
    """The ETag and Last-Modified (seconds since the epoch) of the public response at the
    request's address, or None where no published plan answers it."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    slug = match.kwargs.get("slug")
    rows = plan_versions(slug)
    if slug is not None and not rows:
        return None
    times = [t for row in rows for t in row[len(PLAN_COLUMNS) :] if t is not None]
    signed = settings.SESSION_COOKIE_NAME in request.COOKIES
    key = repr((request.get_full_path(), translation.get_language(), signed, rows, names(slug)))
    etag = f'W/"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'
    return etag, int(max(times).timestamp()) if times else None
