"""The sample data: every status at least once, labelled, and safe to load twice."""

from __future__ import annotations

import io
from decimal import Decimal

from django.contrib.auth import authenticate, get_user_model

from tracker import demo
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.models import ClosedYear, Department, Plan, ProgressEntry, Target
from tracker.standings.engine import FINAL, Basis, Status
from tracker.standings.standing import plan_targets, standings


def statuses(plan, year) -> set[Status]:
    return {
        row.assessment.status
        for row in standings(plan_targets(plan, viewer=ANY_ADMINISTRATOR), year)
    }


def test_every_status_on_the_way_appears_as_of_the_default_year_and_the_verdicts_at_the_end(
    demo_plan,
):
    year = demo_plan.status_year()
    assert year == 2024
    # Nothing in the sample runs ahead of expectations (快于预期).
    assert statuses(demo_plan, year) == set(Status) - FINAL - {Status.AHEAD}
    assert statuses(demo_plan, demo_plan.end_year) == FINAL | {Status.NO_DATA}


def test_gdp_carries_its_growth_at_comparable_prices_one_year_without_its_level(demo_plan):
    figures = ProgressEntry.objects.filter(series__indicator__code="GDP", is_sample=True)
    rates = {e.year: (e.value, e.growth) for e in figures}
    assert rates[2021] == (None, Decimal("6.8"))  # the rate only
    assert rates[2022] == (Decimal("166.0"), Decimal("3.1"))
    assert all(growth is not None for _value, growth in rates.values())
    assert all(e.source.startswith("示例数据") for e in figures)
    gdp = Target.objects.get(plan=demo_plan, code="GDP")
    assessment = gdp.assess(2024)
    assert assessment.basis == Basis.COMPARABLE
    # Judged on the chained rates, not on 192.3 / 147.6 = 1.30.
    chained = Decimal("1.068") * Decimal("1.031") * Decimal("1.059") * Decimal("1.055")
    assert assessment.index == chained
    assert assessment.status == Status.OFF_TRACK


def test_every_sample_row_is_labelled(demo_plan):
    # Besides the sample data, only the seed's own 2020 baselines, as the plan states them.
    real = ProgressEntry.objects.filter(is_sample=False)
    assert sorted(real.values_list("series__indicator__code", "year")) == [
        ("BUDGET-REVENUE", 2020),
        ("FIXED-ASSET-INVESTMENT", 2020),
        ("GDP", 2020),
    ]
    assert not Department.objects.filter(is_sample=False).exists()
    assert all(e.note.startswith("示例数据") for e in ProgressEntry.objects.filter(is_sample=True))


def test_loading_twice_neither_fails_nor_duplicates_nor_resets(demo_plan):
    counts = (ProgressEntry.objects.count(), Department.objects.count(), Target.objects.count())
    entry = ProgressEntry.objects.get(series__indicator__code="GDP", year=2021)
    entry.note = "edited by someone"
    entry.save()
    demo.load()
    after = (ProgressEntry.objects.count(), Department.objects.count(), Target.objects.count())
    assert after == counts
    entry.refresh_from_db()
    assert entry.note == "edited by someone"


def test_printed_accounts_log_in(demo_plan):
    accounts = demo.load()
    assert [a[0] for a in accounts][:2] == ["admin", "tongji"]
    for username, password, _role in accounts:
        assert authenticate(username=username, password=password) is not None


def test_the_demo_as_served_asks_only_for_the_year_still_open(db, client):
    """`load_demo` closes the years an office would have settled: every home asks for
    2025 alone, and the administrator is offered no older year to close."""
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # twice: nothing closed twice
    plan = Plan.objects.get(slug=demo.PLAN_SLUG)
    assert set(ClosedYear.objects.values_list("year", flat=True)) == set(demo.SETTLED_YEARS)
    assert plan.reporting_years() == [2025]
    for username, *_rest in demo.DEPARTMENTS:
        client.force_login(get_user_model().objects.get(username=username))
        home = client.get("/").content.decode()
        assert not any(f"填报 {year} 年数据" in home for year in demo.SETTLED_YEARS), username
    client.force_login(get_user_model().objects.get(username=demo.ADMIN[0]))
    home = client.get("/").content.decode()
    assert "<strong>2025</strong>" in home
    assert not any(f"<strong>{year}</strong>" in home for year in demo.SETTLED_YEARS)


def test_the_demo_as_served_is_chaoyang_with_its_seven_units(db):
    """`load_demo` adds a sample plan of each of 朝阳市's other units, labelled, beside
    凌源市's real plan; the prefecture's administrator reads their approved figures only."""
    from django.core.management import call_command

    from tracker.figures.rights import administers, oversees, region_of
    from tracker.models import Region

    call_command("load_demo", stdout=io.StringIO())
    counts = (ProgressEntry.objects.count(), Plan.objects.count(), ClosedYear.objects.count())
    call_command("load_demo", stdout=io.StringIO())  # again: nothing added twice
    assert (ProgressEntry.objects.count(), Plan.objects.count(), ClosedYear.objects.count()) == (
        counts
    )
    prefecture = Region.objects.get(code=demo.PREFECTURE)
    units = {r.code: r for r in prefecture.children.all()}
    assert set(units) == {"211302", "211303", "211321", "211322", "211324", "211381", "211382"}
    for code, region in units.items():
        plans = list(Plan.objects.filter(region=region))
        assert plans, region
        if code == "211382":
            continue
        (plan,) = plans
        assert "示例数据" in plan.name and plan.description.startswith("示例数据")
        figures = ProgressEntry.objects.of_plan(plan)
        assert figures.filter(year=2025).exclude(state="approved").exists()
        assert all(e.is_sample and e.note.startswith("示例数据") for e in figures)
        assert {t.code for t in plan.targets.all()} >= {"GDP", "RD-SHARE", "FOREST-COVERAGE"}
    assert Target.objects.filter(plan__slug=demo.PLAN_SLUG).count() == 11  # the seed's

    users = get_user_model().objects
    chaoyang, beipiao_admin = users.get(username="chaoyang"), users.get(username="beipiao_admin")
    lingyuan_admin = users.get(username=demo.ADMIN[0])
    assert region_of(chaoyang) == prefecture.pk and oversees(chaoyang, units["211381"])
    assert not administers(chaoyang, units["211381"].pk)
    assert administers(beipiao_admin, units["211381"].pk)
    assert not administers(lingyuan_admin, units["211381"].pk)
    assert users.get(username="beipiao").departments.get().region == units["211381"]
    seen = ProgressEntry.objects.visible_to(chaoyang).filter(series__region=units["211381"])
    assert set(seen.values_list("state", flat=True)) == {"approved"}
    for username in ("chaoyang", "beipiao_admin", "beipiao"):
        assert authenticate(username=username, password=demo.PASSWORD) is not None
