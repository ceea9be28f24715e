"""Any figure a field can hold is survivable: the engine, pages, API and report never fail.

Figures are bounded below 10^12 in their unit when typed, imported or saved through a form;
values stored some other way (up to the column's 10^14, six places) still never answer 500.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests import factory
from tracker.forms import clean_figure
from tracker.models import ProgressEntry, Target
from tracker.standings import engine

STORED = st.decimals(
    min_value=Decimal("-99999999999990"),
    max_value=Decimal("99999999999990"),
    places=6,
    allow_nan=False,
    allow_infinity=False,
)
EDGES = st.sampled_from(
    [
        Decimal("0"),
        Decimal("0.000001"),
        Decimal("-0.000001"),
        Decimal("15820000000"),
        Decimal("99999999999990.5"),
        Decimal("-99999999999990.5"),
        Decimal("1"),
    ]
)
FIGURES = st.one_of(STORED, EDGES)
FACTORS = st.decimals(min_value=Decimal("-9999.9999"), max_value=Decimal("9999.9999"), places=4)
KINDS = st.sampled_from([k for k in engine.Kind if k != engine.Kind.MILESTONE])
FEW = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@given(
    kind=KINDS,
    direction=st.sampled_from(list(engine.Direction)),
    baseline=st.one_of(st.none(), FIGURES),
    target=st.one_of(st.none(), FIGURES),
    factor=st.one_of(st.none(), FACTORS),
    span=st.integers(min_value=-2, max_value=80),
    values=st.dictionaries(st.integers(min_value=2018, max_value=2101), FIGURES, max_size=6),
    reference=st.dictionaries(st.integers(min_value=2018, max_value=2101), FIGURES, max_size=6),
    year=st.integers(min_value=2015, max_value=2105),
)
@settings(max_examples=400, deadline=None)
def test_the_engine_answers_for_any_stored_figures(
    kind, direction, baseline, target, factor, span, values, reference, year
):
    spec = engine.Spec(kind, direction, 2020, 2020 + span, baseline, target, factor)
    assessment = engine.assess(spec, values, year, reference=reference)
    assert assessment.status in engine.Status
    for value in vars(assessment).values():
        if isinstance(value, Decimal):
            f"{value:.6f}"  # every number can be shown


def test_the_figure_that_broke_the_api_is_assessed():
    spec = engine.Spec(
        engine.Kind.MULTIPLE,
        engine.Direction.INCREASE,
        2020,
        2025,
        Decimal("147.6"),
        factor=Decimal("2.2"),
    )
    assessment = engine.assess(spec, {2023: Decimal("15820000000")}, 2023)
    assert assessment.status == engine.Status.ACHIEVED


@pytest.mark.parametrize("typed", ["1000000000000", "-1e12", "1e13", "99999999999999"])
def test_forms_refuse_figures_beyond_the_bound(typed, db):
    target = factory.make_target(allow_negative=True)
    with pytest.raises(ValidationError) as refusal:
        clean_figure(typed, target)
    assert refusal.value.code == "out_of_range"
    assert clean_figure("999999999999.5", target) == Decimal("999999999999.5")


def test_the_model_refuses_them_too(db):
    target = factory.make_target()
    entry = ProgressEntry(target=target, year=2022, value=Decimal("1e12"))
    with pytest.raises(ValidationError) as refusal:
        entry.full_clean()
    assert "value" in refusal.value.message_dict


@pytest.fixture
def stage(db, department, reporter):
    plan = factory.make_plan(slug="extreme")
    area = factory.make_area(plan)
    gdp = factory.make_target(plan, code="GDP", area=area, lead_department=department)
    growth = factory.make_target(
        plan,
        code="GROWTH",
        kind="relative",
        area=area,
        reference_target=gdp,
        target_value=None,
        lead_department=department,
    )
    for target in (gdp, growth):
        for year in (2021, 2022, 2023):
            factory.make_entry(target, year, 1)
    return plan, gdp


@given(
    kind=st.sampled_from(["level", "multiple", "annual_growth", "rank"]),
    baseline=FIGURES,
    goal=FIGURES,
    factor=st.one_of(st.none(), FACTORS),
    figures=st.lists(FIGURES, min_size=3, max_size=3),
)
@settings(max_examples=20, **FEW)
def test_pages_and_the_api_answer_for_any_stored_figures(
    client, admin_user, stage, kind, baseline, goal, factor, figures
):
    plan, gdp = stage
    try:
        with transaction.atomic():
            Target.objects.filter(pk=gdp.pk).update(
                kind=kind, baseline_value=baseline, target_value=goal, factor=factor
            )
    except IntegrityError:
        assume(False)  # a target its own constraints refuse
    for year, value in zip((2021, 2022, 2023), figures, strict=True):
        ProgressEntry.objects.filter(series__targets__plan=plan, year=year).update(value=value)
    client.force_login(admin_user)
    api = client.get(reverse("tracker:api-plan", args=[plan.slug]) + "?year=2023")
    assert api.status_code == 200
    # This example's figures, not an earlier example's: the writes above reach the store.
    shown = {t["code"]: t for t in api.json()["targets"]}["GDP"]
    assert shown["kind"] == kind
    assert [e["value"] for e in shown["entries"]] == [f"{Decimal(v):.1f}" for v in figures]
    for url in (gdp.get_absolute_url(), reverse("tracker:plan-dashboard", args=[plan.slug])):
        assert client.get(url).status_code == 200, url


def test_the_report_is_written_with_extreme_figures(client, admin_user, stage):
    plan, gdp = stage
    Target.objects.filter(pk=gdp.pk).update(baseline_value=Decimal("0.000001"))
    ProgressEntry.objects.filter(series=gdp.series_id).update(value=Decimal("99999999999990.5"))
    client.force_login(admin_user)
    response = client.get(reverse("tracker:report", args=[plan.slug]))
    assert response.status_code == 200
