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


def test_the_prefecture_s_walk_as_served(db, client):
    """`chaoyang` signs in to the seven units' matrix for 2025 with the counts, opens GDP and
    sees each unit's figure, target, status and rank, and 朝阳市's sum; the sample rank by GDP
    shows its published ranks beside the computed ones, and where they differ."""
    from django.core.management import call_command
    from django.urls import reverse

    from tracker.models import Region

    call_command("load_demo", stdout=io.StringIO())
    units = list(Region.objects.get(code=demo.PREFECTURE).children.order_by("code"))
    assert len(units) == 7
    response = client.post(
        reverse("login"), {"username": "chaoyang", "password": demo.PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/regions/211300/"
    html = response.content.decode()
    assert "截至2025年" in html and "主要指标中" in html
    assert all(unit.name in html for unit in units)
    matrix = client.get("/api/regions/211300/").json()
    assert matrix["as_of_year"] == 2025 and len(matrix["regions"]) == 7
    assert all(sum(r["counts"].values()) > 0 for r in matrix["regions"])

    gdp = client.get("/api/regions/211300/indicators/GDP/").json()
    assert gdp["as_of_year"] == 2025
    assert [r["rank"] for r in gdp["regions"]] == [1, 2, 3, 4, 5, 6, 7]
    for region in gdp["regions"]:
        assert region["value"] and region["target"]["goal_value"], region["name"]
        assert region["target"]["status"] not in ("no_data",), region["name"]
    total = sum(Decimal(r["value"]) for r in gdp["regions"])
    assert (gdp["parent"]["source"], Decimal(gdp["parent"]["value"])) == ("sum", total)
    page = client.get("/regions/211300/indicators/GDP/").content.decode()
    assert f"{total:,.1f}" in page or f"{total:.1f}" in page
    assert "各地区数据合计" in page

    # 凌源市's 2025 GDP is the demo's sample figure, approved and labelled so.
    lingyuan = ProgressEntry.objects.get(
        series__region__code="211382", series__indicator__code="GDP", year=2025
    )
    assert lingyuan.state == "approved" and lingyuan.is_sample
    assert lingyuan.note.startswith("示例数据")

    rank = client.get("/api/regions/211300/indicators/CITY-GDP-RANK/").json()
    assert rank["computed_ranks"]["from"] == "GDP"
    differing = {
        r["name"]
        for r in rank["regions"]
        if r["value"] is not None and int(r["value"]) != r["computed_rank"]
    }
    assert differing == {"朝阳县", "建平县"}
    page = client.get("/regions/211300/indicators/CITY-GDP-RANK/").content.decode()
    assert "2个地区公布的排名与计算的排名不同" in page and "计算排名" in page
    assert all(
        e.is_sample and e.note.startswith("示例数据")
        for e in ProgressEntry.objects.filter(series__indicator__code="CITY-GDP-RANK")
    )
    # The plans and the work are one link away.
    assert 'href="/plans/"' in page
    assert client.get("/plans/").status_code == 200


def test_the_sample_units_years_are_closed_by_a_named_sample_closer(db):
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    closed = ClosedYear.objects.exclude(plan__slug=demo.PLAN_SLUG)
    assert closed.count() == 6 * len(demo.SETTLED_YEARS)
    assert not closed.filter(closed_by_name="示例数据").exists()
    beipiao = closed.filter(region__code="211381")
    assert {c.closed_by.username for c in beipiao} == {"beipiao_admin"}
    others = closed.exclude(region__code="211381")
    assert all(c.closed_by is None and "（示例）" in c.closed_by_name for c in others)
    assert {c.closed_by_name for c in others.filter(region__code="211302")} == {
        "双塔区发改局管理员（示例）"
    }


def test_a_demo_loaded_before_is_brought_up_to_the_prefecture_s_walk(db):
    """A database loaded by an earlier demo (units' 2025 GDP submitted, no rank by GDP,
    years closed by 示例数据) is brought up to date by loading it again, and nothing twice."""
    from django.core.management import call_command

    from tracker.models import Indicator

    call_command("load_demo", stdout=io.StringIO())
    gdp_2025 = ProgressEntry.objects.filter(series__indicator__code="GDP", year=2025)
    gdp_2025.update(state="submitted")
    ProgressEntry.objects.filter(series__indicator__code="CITY-GDP-RANK").delete()
    Target.objects.filter(code="CITY-GDP-RANK").delete()
    ClosedYear.objects.exclude(plan__slug=demo.PLAN_SLUG).update(
        closed_by=None, closed_by_name="示例数据"
    )
    call_command("load_demo", stdout=io.StringIO())
    assert set(gdp_2025.values_list("state", flat=True)) == {"approved"}
    assert gdp_2025.count() == 7
    assert Target.objects.filter(code="CITY-GDP-RANK").count() == 6
    assert ProgressEntry.objects.filter(series__indicator__code="CITY-GDP-RANK").count() == 36
    assert not ClosedYear.objects.filter(closed_by_name="示例数据").exists()
    rank = Indicator.objects.get(code="CITY-GDP-RANK")
    assert (rank.rank_of.code, rank.rank_among.code) == ("GDP", demo.PREFECTURE)
