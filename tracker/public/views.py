"""The public pages of published plans: the list, a plan's dashboard, each target, the
plan's frozen evaluations, and the progress report.

Every view finds its plan through `_published` (an unpublished plan is not found) and reads
figures as `NOBODY`, an anonymous reader: the loaders then give approved figures only.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from tracker.charts import target_chart
from tracker.excel.report import write_report
from tracker.models import Evaluation, Plan, Target
from tracker.plans import evaluations
from tracker.plans.next_plan import linked_series
from tracker.public.http import PREFIX
from tracker.standings import formats
from tracker.standings.loading import plan_standings
from tracker.standings.standing import standings, status_counts, summary
from tracker.tables import growth_text
from tracker.views.common import chosen_year, download_year
from tracker.views.excel import _xlsx_response

# Who a public page reads as: nobody signed in, so approved figures only.
NOBODY = AnonymousUser()


def _published(slug: str) -> Plan:
    """The published plan `slug`; any other answers 404, as if it did not exist."""
    return get_object_or_404(Plan.objects.published().select_related("region"), slug=slug)


def figure_text(entry) -> str:
    """An approved figure as the pages print it: its value at the target's places, a
    milestone's word, or a year given only as its growth rate."""
    if entry is None:
        return ""
    return entry.display_value or growth_text(entry) or ""


def public_note(entry) -> str:
    """A figure's note where its reporter marked it public; "" otherwise."""
    return entry.note if entry is not None and entry.note_public else ""


def _table(rows, years: list[int]) -> list[dict]:
    """What the dashboard and an evaluation's page print of each target."""
    return [
        {
            "row": row,
            "target": row.target,
            "cells": [figure_text(row.entries.get(year)) for year in years],
            "baseline": formats.format_figure(row.baseline, row.target.decimal_places),
            "goal": formats.goal_text(row.target, row.goal),
        }
        for row in rows
    ]


@login_not_required
def index(request):
    plans = (
        Plan.objects.published()
        .select_related("region")
        .annotate(target_count=Count("targets", distinct=True))
        .prefetch_related("evaluations")
    )
    return render(request, "tracker/public/index.html", {"plans": plans})


@login_not_required
def dashboard(request, slug):
    plan = _published(slug)
    year, year_problem = chosen_year(request, plan)
    rows = plan_standings(plan, year, viewer=NOBODY)
    years = [y for y in plan.years if y <= year]
    context = {
        "plan": plan,
        "year": year,
        "year_problem": year_problem,
        "years": years,
        "table": _table(rows, years),
        "counts": status_counts(rows),
        "summary": summary(rows),
        "total": len(rows),
        "evaluations": plan.evaluations.all(),
    }
    return render(request, "tracker/public/dashboard.html", context)


@login_not_required
def target(request, slug, code):
    plan = _published(slug)
    found = get_object_or_404(
        Target.objects.with_entries(NOBODY).select_related("area", "lead_department"),
        plan=plan,
        code=code,
    )
    found.plan = plan
    year, year_problem = chosen_year(request, plan)
    row = standings([found], year)[0]
    figures = [
        {"entry": entry, "text": figure_text(entry), "note": public_note(entry)}
        for entry in sorted(row.entries.values(), key=lambda entry: entry.year)
    ]
    context = {
        "plan": plan,
        "target": found,
        "year": year,
        "year_problem": year_problem,
        "row": row,
        "figures": figures,
        "growth_column": any(f["entry"].growth is not None for f in figures),
        "source_column": any(f["entry"].source for f in figures),
        "chart": target_chart(found, row, _published_linked(found)),
    }
    return render(request, "tracker/public/target.html", context)


def _published_linked(target: Target) -> list:
    """The statistic's approved figures the chart joins to this plan's, of the years of the
    region's other published plans only: a plan not published shows nothing here."""
    years = set()
    others = (
        Plan.objects.published().filter(region=target.plan.region_id).exclude(pk=target.plan.pk)
    )
    for first, last in others.values_list("baseline_year", "end_year"):
        years.update(range(first, last + 1))
    return [(year, value) for year, value in linked_series(target) if year in years]


@login_not_required
def language(request):
    """Read the public pages in `?language=` from now on, and go back to `?next=` (a public
    page). A link, not a form: the public pages set no CSRF cookie, so that a shared cache
    may keep them."""
    code = request.GET.get("language", "")
    back = request.GET.get("next", "")
    if not back.startswith(PREFIX) or not url_has_allowed_host_and_scheme(back, None):
        back = PREFIX
    response = redirect(back)
    if code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


@login_not_required
def evaluation_list(request, slug):
    plan = _published(slug)
    context = {"plan": plan, "evaluations": plan.evaluations.all()}
    return render(request, "tracker/public/evaluations.html", context)


def _evaluation(plan: Plan, pk: int) -> Evaluation:
    return get_object_or_404(Evaluation, plan=plan, pk=pk)


@login_not_required
def evaluation(request, slug, pk):
    plan = _published(slug)
    frozen_evaluation = _evaluation(plan, pk)
    frozen, rows = evaluations.frozen_standings(frozen_evaluation, viewer=NOBODY)
    years = list(range(frozen.start_year, frozen_evaluation.year + 1))
    context = {
        "plan": plan,
        "frozen": frozen,
        "evaluation": frozen_evaluation,
        "year": frozen_evaluation.year,
        "years": years,
        "table": _table(rows, years),
        "counts": status_counts(rows),
        "summary": summary(rows),
        "total": len(rows),
        "final": frozen_evaluation.kind == Evaluation.Kind.FINAL,
    }
    return render(request, "tracker/public/evaluation.html", context)


@login_not_required
def report(request, slug):
    """The progress report as of ?year= (else the status year), made for the public."""
    plan = _published(slug)
    year = download_year(request, plan)
    rows = plan_standings(plan, year, viewer=NOBODY)
    return _xlsx_response(
        lambda out: write_report(out, plan, year, rows, public=True),
        f"{plan.slug}-report-{year}-{timezone.localdate():%Y%m%d}.xlsx",
    )


@login_not_required
def evaluation_report(request, slug, pk):
    """An evaluation's report as published, made for the public."""
    plan = _published(slug)
    frozen_evaluation = _evaluation(plan, pk)
    return _xlsx_response(
        lambda out: evaluations.write_frozen_report(
            out, frozen_evaluation, viewer=NOBODY, public=True
        ),
        f"{slug}-evaluation-{frozen_evaluation.pk}-{frozen_evaluation.year}"
        f"-{timezone.localtime(frozen_evaluation.frozen_at):%Y%m%d}.xlsx",
    )
