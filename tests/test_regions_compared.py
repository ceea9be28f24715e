"""A prefecture sees its counties: the status matrix, one indicator compared across them with
the prefecture's roll-up, computed and published ranks, and the same as JSON. Only approved
figures of the counties ever appear."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factory
from tracker.models import Indicator, Plan, Region

YEAR = 2023


def county_plan(prefecture, n: int, name: str):
    county = factory.make_region(name, code=f"9991{n:02d}", parent=prefecture, name_en=f"C{n}")
    plan = factory.make_plan(region=county, slug=f"county-{n}", name=f"{name}规划")
    economy = factory.make_area(plan, name="综合经济实力", name_en="Economy", order=1)
    other = factory.make_area(plan, name="开放创新", name_en="Innovation", order=2)
    return plan, economy, other


@pytest.fixture
def prefecture(db):
    """测试地区 with four counties; three have plans with GDP, R&D spending, the R&D share
    (computed from both), a published rank and a lower-is-better energy use; each has
    approved figures, and drafts that must never show."""
    prefecture = factory.make_region("测试地区", code="999100", level=Region.Level.PREFECTURE)
    Indicator.objects.create(
        code="GDP", name="地区生产总值", unit="亿元", measure="amount", decimal_places=1
    )
    Indicator.objects.create(
        code="RD", name="R&D经费", unit="亿元", measure="amount", decimal_places=1
    )
    Indicator.objects.create(
        code="RD-SHARE",
        name="R&D经费投入强度",
        name_en="R&D intensity",
        unit="%",
        measure="share",
        decimal_places=1,
        formula="ratio",
        numerator=Indicator.objects.get(code="RD"),
        denominator=Indicator.objects.get(code="GDP"),
    )
    Indicator.objects.create(
        code="RANK", name="综合实力全省县域排名", unit="位", measure="rank", decimal_places=0
    )
    Indicator.objects.create(
        code="ENERGY", name="单位GDP能耗", unit="吨", measure="amount", decimal_places=1
    )
    figures = {
        # GDP, RD, rank, energy; GDP draft
        1: ("100", "2", "12", "0.8"),
        2: ("300", "3", "30", "0.5"),
        3: ("200", "8", "5", "0.9"),
    }
    plans = {}
    for n, name in ((1, "甲县"), (2, "乙县"), (3, "丙县")):
        plan, economy, other = county_plan(prefecture, n, name)
        gdp = factory.make_target(
            plan, code="GDP", area=economy, nature="binding", target_value=Decimal(150 * n)
        )
        rd = factory.make_target(plan, code="RD", area=other, target_value=Decimal(10))
        factory.make_target(
            plan,
            code="RD-SHARE",
            area=other,
            unit="%",
            target_value=Decimal("2.5"),
            baseline_value=Decimal(1),
        )
        rank = factory.make_target(
            plan,
            code="RANK",
            area=economy,
            kind="rank",
            direction="decrease",
            unit="位",
            baseline_value=Decimal(40),
            target_value=Decimal(10),
            decimal_places=0,
        )
        energy = factory.make_target(
            plan,
            code="ENERGY",
            area=other,
            direction="decrease",
            baseline_value=Decimal(1),
            target_value=Decimal("0.5"),
        )
        g, r, k, e = figures[n]
        factory.make_entry(gdp, YEAR, g)
        factory.make_entry(rd, YEAR, r)
        factory.make_entry(rank, YEAR, k)
        factory.make_entry(energy, YEAR, e)
        factory.make_entry(gdp, 2022, str(int(g) - 10))
        factory.make_entry(gdp, 2024, "9999", state="draft")
        factory.make_entry(energy, 2022, "7777", state="submitted")
        plans[n] = plan
    factory.make_region("丁县", code="999104", parent=prefecture)  # no plan
    return prefecture


@pytest.fixture
def reader(client, db):
    client.force_login(factory.make_user("shi", role="admin"))
    return client


def page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def test_the_matrix_shows_each_county_by_indicator_with_status_words_and_counts(reader, prefecture):
    html = page(reader, reverse("tracker:region", args=["999100"]), year=YEAR)
    for name in ("甲县", "乙县", "丙县", "丁县", "地区生产总值", "综合实力全省县域排名"):
        assert name in html
    assert "9999" not in html and "7777" not in html
    assert reverse("tracker:region-indicator", args=["999100", "GDP"]) in html
    assert "/plans/county-1/targets/GDP/" in html
    data = reader.get(reverse("tracker:api-region", args=["999100"]), {"year": YEAR}).json()
    assert [r["code"] for r in data["regions"]] == ["999101", "999102", "999103", "999104"]
    assert {i["code"] for i in data["indicators"]} == {"GDP", "RD", "RD-SHARE", "RANK", "ENERGY"}
    first = data["regions"][0]
    assert set(first["cells"]) == {"GDP", "RD", "RD-SHARE", "RANK", "ENERGY"}
    assert sum(first["counts"].values()) == 5
    assert data["regions"][3]["plan"] is None and data["regions"][3]["cells"] == {}
    gdp = next(i for i in data["indicators"] if i["code"] == "GDP")
    assert sum(gdp["counts"].values()) == 3
    assert sum(data["counts"].values()) == 15
    assert first["cells"]["GDP"]["goal_value"] == "150.0"


def test_the_matrix_filters_by_area_nature_and_status(reader, prefecture):
    url = reverse("tracker:api-region", args=["999100"])
    by_area = reader.get(url, {"year": YEAR, "area": "开放创新"}).json()
    assert {i["code"] for i in by_area["indicators"]} == {"RD", "RD-SHARE", "ENERGY"}
    binding = reader.get(url, {"year": YEAR, "nature": "binding"}).json()
    assert {i["code"] for i in binding["indicators"]} == {"GDP"}
    everything = reader.get(url, {"year": YEAR}).json()
    status = everything["regions"][0]["cells"]["GDP"]["status"]
    only = reader.get(url, {"year": YEAR, "status": status}).json()
    cells = [c for r in only["regions"] for c in r["cells"].values()]
    assert cells and all(c["status"] == status for c in cells)
    html = page(reader, reverse("tracker:region", args=["999100"]), year=YEAR, area="开放创新")
    assert "地区生产总值" not in html.split("<table")[1]
    # Filters that match nothing say so, rather than counting nothing.
    html = page(reader, reverse("tracker:region", args=["999100"]), year=YEAR, area="无此类别")
    assert "没有可计数的主要指标" in html and "0项" not in html


def test_the_comparison_ranks_counties_and_sums_gdp(reader, prefecture):
    url = reverse("tracker:api-region-indicator", args=["999100", "GDP"])
    data = reader.get(url, {"year": YEAR}).json()
    assert [(r["name"], r["value"], r["rank"]) for r in data["regions"][:3]] == [
        ("乙县", "300.0", 1),
        ("丙县", "200.0", 2),
        ("甲县", "100.0", 3),
    ]
    assert data["regions"][3]["value"] is None and data["regions"][3]["rank"] is None
    # 丁县 has no figure: a sum without it would be too low.
    assert data["parent"]["value"] is None and "丁县" in data["parent"]["no_rollup_reason"]
    assert data["regions"][0]["target"]["goal_value"] == "300.0"
    html = page(reader, reverse("tracker:region-indicator", args=["999100", "GDP"]), year=YEAR)
    assert '<svg class="chart bars"' in html and '<svg class="chart lines"' in html
    assert "9999" not in html


def test_the_roll_up_sums_amounts_and_recomputes_shares_from_summed_inputs(reader, prefecture):
    Region.objects.filter(code="999104").update(parent=None)  # three counties, all reported
    gdp = reader.get(
        reverse("tracker:api-region-indicator", args=["999100", "GDP"]), {"year": YEAR}
    ).json()
    assert (gdp["parent"]["value"], gdp["parent"]["source"]) == ("600.0", "sum")
    share = reader.get(
        reverse("tracker:api-region-indicator", args=["999100", "RD-SHARE"]), {"year": YEAR}
    ).json()
    # (2 + 3 + 8) / (100 + 300 + 200) × 100 = 2.17, not the average of 2, 1 and 4 (2.33).
    assert {r["name"]: r["value"] for r in share["regions"]} == {
        "甲县": "2.0",
        "乙县": "1.0",
        "丙县": "4.0",
    }
    assert (share["parent"]["value"], share["parent"]["source"]) == ("2.2", "recomputed")
    assert [r["rank"] for r in share["regions"]] == [1, 2, 3]


def test_lower_is_better_ranks_the_lowest_first(reader, prefecture):
    data = reader.get(
        reverse("tracker:api-region-indicator", args=["999100", "ENERGY"]), {"year": YEAR}
    ).json()
    assert data["indicator"]["lower_is_better"] is True
    assert [(r["name"], r["rank"]) for r in data["regions"][:3]] == [
        ("乙县", 1),
        ("甲县", 2),
        ("丙县", 3),
    ]
    assert "7777" not in str(data)


def test_a_published_rank_is_shown_as_it_is_without_a_roll_up(reader, prefecture):
    Region.objects.filter(code="999104").update(parent=None)
    data = reader.get(
        reverse("tracker:api-region-indicator", args=["999100", "RANK"]), {"year": YEAR}
    ).json()
    assert [(r["name"], r["value"], r["rank"]) for r in data["regions"]] == [
        ("丙县", "5", None),
        ("甲县", "12", None),
        ("乙县", "30", None),
    ]
    assert data["parent"]["value"] is None and data["parent"]["no_rollup_reason"]
    assert "计算" in data["rank_note"]  # a computed rank needs the underlying indicator
    html = page(reader, reverse("tracker:region-indicator", args=["999100", "RANK"]), year=YEAR)
    assert "ranks do not add up" in html or "排名" in html


def test_a_prefectures_own_figure_is_shown_instead_of_a_roll_up(reader, prefecture):
    own = factory.make_plan(region=prefecture, slug="prefecture-plan")
    target = factory.make_target(own, code="GDP")
    factory.make_entry(target, YEAR, "650")
    data = reader.get(
        reverse("tracker:api-region-indicator", args=["999100", "GDP"]), {"year": YEAR}
    ).json()
    assert (data["parent"]["value"], data["parent"]["source"]) == ("650.0", "own")


def test_drafts_never_show_even_to_an_administrator(reader, prefecture):
    for url in (
        reverse("tracker:region", args=["999100"]),
        reverse("tracker:api-region", args=["999100"]),
        reverse("tracker:region-indicator", args=["999100", "GDP"]),
        reverse("tracker:api-region-indicator", args=["999100", "GDP"]),
        reverse("tracker:api-region-indicator", args=["999100", "ENERGY"]),
    ):
        for year in (2022, YEAR, 2024):
            body = reader.get(url, {"year": year}).content.decode()
            assert "9999" not in body and "7777" not in body, (url, year)


def test_bad_codes_and_years(reader, prefecture, client):
    assert reader.get("/regions/999999/").status_code == 404
    assert reader.get("/regions/abc/").status_code == 404
    assert reader.get("/regions/999100/indicators/NOPE/").status_code == 404
    assert reader.get("/api/regions/999999/").status_code == 404
    assert reader.get("/api/regions/999100/indicators/NOPE/").status_code == 404
    assert reader.get("/regions/999100/", {"year": "abc"}).status_code == 400
    assert reader.get("/regions/999100/", {"year": "1990"}).status_code == 404
    assert reader.get("/api/regions/999100/", {"year": "abc"}).status_code == 400
    assert reader.get("/api/regions/999100/", {"year": "1990"}).status_code == 404
    assert reader.post("/api/regions/999100/").status_code == 405
    assert reader.post("/api/regions/999100/indicators/GDP/").status_code == 405
    assert reader.post("/regions/999100/").status_code == 405
    reader.logout()
    assert reader.get("/api/regions/999100/").status_code == 401
    response = reader.get("/regions/999100/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_both_languages(reader, prefecture):
    Region.objects.filter(code="999104").update(parent=None)
    chinese = page(reader, reverse("tracker:region", args=["999100"]), year=YEAR)
    assert "各地区对比" in chinese
    reader.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = page(reader, reverse("tracker:region", args=["999100"]), year=YEAR)
    assert "Regions compared" in english and "C1" in english
    comparison = page(
        reader, reverse("tracker:region-indicator", args=["999100", "RD-SHARE"]), year=YEAR
    )
    assert "R&amp;D intensity" in comparison and "not averaged" in comparison


def test_the_plan_pages_link_to_the_prefectures_matrix(reader, prefecture):
    dashboard = page(reader, reverse("tracker:plan-dashboard", args=["county-1"]))
    assert reverse("tracker:region", args=["999100"]) in dashboard
    home = page(reader, reverse("tracker:plan-list"))
    assert reverse("tracker:region", args=["999100"]) in home
    alone = factory.make_plan(slug="alone")
    assert reverse("tracker:region", args=["999100"]) not in page(
        reader, reverse("tracker:plan-dashboard", args=["alone"])
    )
    assert alone


def counted(reader, urls: list[str]) -> list[int]:
    """The queries of each URL, read as of YEAR."""
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert reader.get(url, {"year": YEAR}).status_code == 200
        counts.append(len(queries))
    return counts


def test_queries_do_not_grow_with_the_counties(reader, prefecture):
    urls = [
        reverse("tracker:region", args=["999100"]),
        reverse("tracker:api-region", args=["999100"]),
        reverse("tracker:region-indicator", args=["999100", "GDP"]),
        reverse("tracker:api-region-indicator", args=["999100", "RD-SHARE"]),
    ]

    before = counted(reader, urls)
    for n in (5, 6, 7):
        plan, economy, _other = county_plan(prefecture, n, f"新{n}县")
        for code in ("GDP", "RD", "RD-SHARE", "ENERGY"):
            target = factory.make_target(plan, code=code, area=economy)
            if code != "RD-SHARE":  # computed from the other two
                factory.make_entry(target, YEAR, "50")
    assert counted(reader, urls) == before


def test_a_figure_per_person_is_not_summed(reader, prefecture):
    Region.objects.filter(code="999104").update(parent=None)
    Indicator.objects.create(
        code="INCOME", name="城镇居民人均可支配收入", unit="元", measure="amount", decimal_places=0
    )
    for n in (1, 2, 3):
        plan = Plan.objects.get(slug=f"county-{n}")
        target = factory.make_target(plan, code="INCOME", baseline_value=Decimal(30000))
        factory.make_entry(target, YEAR, str(35000 + n))
    data = reader.get(
        reverse("tracker:api-region-indicator", args=["999100", "INCOME"]), {"year": YEAR}
    ).json()
    assert data["parent"]["value"] is None and "人" in data["parent"]["no_rollup_reason"]
    assert [r["rank"] for r in data["regions"]] == [1, 2, 3]


def test_only_those_who_may_open_the_matrix_are_linked_to_it(client, prefecture):
    """A county's reporter cannot open the prefecture's pages, so no plan page links there."""
    matrix = reverse("tracker:region", args=["999100"])
    client.force_login(factory.make_user("county-reporter", role="reporter"))
    assert client.get(matrix).status_code == 404
    assert matrix not in page(client, reverse("tracker:plan-dashboard", args=["county-1"]))
    assert matrix not in page(client, reverse("tracker:plan-list"))


def test_the_pages_open_on_the_latest_year_that_has_ended(reader, prefecture):
    """A figure approved early in a year still running does not make it the page's year:
    the latest ended year with figures is, and the running year is there when asked."""
    from django.utils import timezone

    this_year = timezone.localdate().year
    county = Region.objects.get(code="999101")
    later = factory.make_plan(
        region=county, start_year=this_year, end_year=this_year + 4, baseline_year=this_year - 1
    )
    gdp = factory.make_target(later, indicator=Indicator.objects.get(code="GDP"), code="GDP")
    factory.make_entry(gdp, this_year, "300")
    data = reader.get(reverse("tracker:api-region", args=["999100"])).json()
    assert data["as_of_year"] == YEAR
    asked = reader.get(reverse("tracker:api-region", args=["999100"]), {"year": this_year})
    assert asked.status_code == 200 and asked.json()["as_of_year"] == this_year


def city_rank(prefecture, published: dict[int, str], *, of="GDP", among=None):
    """A published rank among the prefecture's counties by `of`, with each county's rank
    for YEAR as given (by county number) and a goal in its plan."""
    indicator = Indicator.objects.create(
        code="CITY-RANK",
        name="地区生产总值全市位次",
        name_en="GDP rank in the prefecture",
        unit="位",
        measure="rank",
        decimal_places=0,
        rank_of=Indicator.objects.get(code=of) if of else None,
        rank_among=among or prefecture,
    )
    for n, rank in published.items():
        target = factory.make_target(
            Plan.objects.get(slug=f"county-{n}"),
            code="CITY-RANK",
            kind="rank",
            direction="decrease",
            unit="位",
            baseline_value=Decimal(3),
            target_value=Decimal(1),
            decimal_places=0,
        )
        factory.make_entry(target, YEAR, rank)
        factory.make_entry(target, 2022, rank)
    return indicator


RANK_PAGE = "/regions/999100/indicators/CITY-RANK/"


def compared(client, code: str, year: int = YEAR) -> dict:
    url = reverse("tracker:api-region-indicator", args=["999100", code])
    return client.get(url, {"year": year}).json()


def test_a_published_rank_is_shown_beside_the_rank_computed_from_its_indicator(reader, prefecture):
    """GDP 100, 300, 200: computed 甲 3, 乙 1, 丙 2; 甲 and 丙 publish those, 乙 publishes 2."""
    Region.objects.filter(code="999104").update(parent=None)  # three counties, all reported
    city_rank(prefecture, {1: "3", 2: "2", 3: "2"})
    data = compared(reader, "CITY-RANK")
    assert [(r["name"], r["value"], r["computed_rank"]) for r in data["regions"]] == [
        ("乙县", "2", 1),
        ("丙县", "2", 2),
        ("甲县", "3", 3),
    ]
    assert data["computed_ranks"]["from"] == "GDP" and data["computed_ranks"]["why_none"] is None
    assert "乙县" in data["computed_ranks"]["differences"]
    assert "丙县" not in data["computed_ranks"]["differences"]
    html = page(
        reader, reverse("tracker:region-indicator", args=["999100", "CITY-RANK"]), year=YEAR
    )
    assert "计算排名" in html and "2025年公布排名" not in html and "2023年公布排名" in html
    assert "1个地区公布的排名与计算的排名不同：乙县（公布第2位，计算第1位）。" in html
    # No roll-up of ranks, so no row of the prefecture over the years either.
    assert data["parent"]["rolled_up_figures"] == [] and 'class="roll-up"' not in html


def test_published_ranks_that_agree_say_so(reader, prefecture):
    Region.objects.filter(code="999104").update(parent=None)
    city_rank(prefecture, {1: "3", 2: "1", 3: "2"})
    data = compared(reader, "CITY-RANK")
    assert [r["computed_rank"] for r in data["regions"]] == [1, 2, 3]
    assert data["computed_ranks"]["differences"] is None
    html = page(
        reader, reverse("tracker:region-indicator", args=["999100", "CITY-RANK"]), year=YEAR
    )
    assert "公布的排名均与依据地区生产总值计算的排名一致。" in html


def test_no_rank_is_computed_while_a_county_lacks_an_approved_figure(reader, prefecture):
    """丁县 has no GDP figure; in 2024 the counties' GDP figures are drafts: none counts."""
    city_rank(prefecture, {1: "3", 2: "1", 3: "2"})
    data = compared(reader, "CITY-RANK")
    assert all(r["computed_rank"] is None for r in data["regions"])
    assert data["computed_ranks"]["from"] is None
    assert "丁县" in data["computed_ranks"]["why_none"]
    assert "甲县" not in data["computed_ranks"]["why_none"]
    Region.objects.filter(code="999104").update(parent=None)
    drafts = compared(reader, "CITY-RANK", 2024)["computed_ranks"]["why_none"]
    assert "甲县、乙县、丙县" in drafts and "9999" not in drafts
    html = page(
        reader, reverse("tracker:region-indicator", args=["999100", "CITY-RANK"]), year=2024
    )
    assert "未依据地区生产总值计算排名" in html and "计算排名</th>" not in html


def test_no_rank_is_computed_without_what_it_ranks_by_or_among_another_region(reader, prefecture):
    Region.objects.filter(code="999104").update(parent=None)
    indicator = city_rank(prefecture, {1: "3", 2: "1", 3: "2"}, of=None)
    assert "未指定据以排名的指标" in compared(reader, "CITY-RANK")["computed_ranks"]["why_none"]
    province = factory.make_region("测试省", code="999000", level=Region.Level.PROVINCE)
    indicator.rank_of = Indicator.objects.get(code="GDP")
    indicator.rank_among = province
    indicator.save()
    why = compared(reader, "CITY-RANK")["computed_ranks"]["why_none"]
    assert "测试省" in why and "测试地区" in why
    assert all(r["computed_rank"] is None for r in compared(reader, "CITY-RANK")["regions"])
    # Not a rank: nothing of computed ranks at all.
    assert compared(reader, "GDP")["computed_ranks"] is None


def test_a_rank_by_a_lower_is_better_indicator_puts_the_lowest_first(reader, prefecture):
    """Energy use 0.8, 0.5, 0.9: the county using least is first."""
    Region.objects.filter(code="999104").update(parent=None)
    city_rank(prefecture, {1: "2", 2: "1", 3: "3"}, of="ENERGY")
    data = compared(reader, "CITY-RANK")
    assert {r["name"]: r["computed_rank"] for r in data["regions"]} == {
        "甲县": 2,
        "乙县": 1,
        "丙县": 3,
    }
    assert data["computed_ranks"]["differences"] is None


def test_the_years_table_ends_with_the_roll_up_where_one_is_given(reader, prefecture):
    Region.objects.filter(code="999104").update(parent=None)
    data = compared(reader, "GDP")
    # 2022: 90 + 290 + 190; 2023: 100 + 300 + 200; 2024: drafts only, no roll-up.
    assert data["parent"]["rolled_up_figures"] == [
        {"year": 2022, "value": "570.0"},
        {"year": 2023, "value": "600.0"},
    ]
    html = page(reader, reverse("tracker:region-indicator", args=["999100", "GDP"]), year=YEAR)
    row = html.split('<tr class="roll-up">')[1].split("</tr>")[0]
    assert "测试地区" in row and "570.0" in row and "600.0" in row and "9999" not in row
    share = compared(reader, "RD-SHARE")
    assert share["parent"]["rolled_up_figures"] == [{"year": 2023, "value": "2.2"}]
    # The prefecture's own figure of a year is its row's figure that year.
    own = factory.make_target(factory.make_plan(region=prefecture, slug="own"), code="GDP")
    factory.make_entry(own, 2022, "575")
    data = compared(reader, "GDP")
    assert data["parent"]["figures"] == [{"year": 2022, "value": "575.0"}]
    assert data["parent"]["rolled_up_figures"] == [{"year": 2023, "value": "600.0"}]
    html = page(reader, reverse("tracker:region-indicator", args=["999100", "GDP"]), year=YEAR)
    row = html.split('<tr class="roll-up">')[1].split("</tr>")[0]
    assert "575.0" in row and "570.0" not in row


def test_a_missing_county_leaves_the_years_without_a_roll_up(reader, prefecture):
    """丁县 reports nothing: no year has every county's figure, so no sum is given."""
    data = compared(reader, "GDP")
    assert data["parent"]["rolled_up_figures"] == []
    html = page(reader, reverse("tracker:region-indicator", args=["999100", "GDP"]), year=YEAR)
    assert 'class="roll-up"' not in html


def test_computed_ranks_and_roll_ups_ask_as_many_queries_for_more_counties(reader, prefecture):
    Region.objects.filter(code="999104").update(parent=None)
    city_rank(prefecture, {1: "3", 2: "1", 3: "2"})
    urls = [
        reverse("tracker:region-indicator", args=["999100", "CITY-RANK"]),
        reverse("tracker:api-region-indicator", args=["999100", "CITY-RANK"]),
        reverse("tracker:region-indicator", args=["999100", "RD-SHARE"]),
    ]

    counted(reader, urls)  # the API fills the standings store on its first read
    before = counted(reader, urls)
    for n in (5, 6):
        plan, economy, _other = county_plan(prefecture, n, f"新{n}县")
        for code in ("GDP", "RD", "RD-SHARE", "CITY-RANK"):
            target = factory.make_target(plan, code=code, area=economy)
            if code != "RD-SHARE":
                factory.make_entry(target, YEAR, str(n))
    counted(reader, urls)
    assert counted(reader, urls) == before
    assert compared(reader, "CITY-RANK")["computed_ranks"]["from"] == "GDP"


def test_a_long_name_is_wrapped_in_the_charts_never_cut():
    from tracker.charts import NAME_ROOM, text_width, wrap_name

    assert wrap_name("北票市") == ["北票市"]
    english = wrap_name("Harqin Left Mongol Autonomous County")
    assert english == ["Harqin Left Mongol", "Autonomous County"]
    chinese = wrap_name("喀喇沁左翼蒙古族自治县喀喇沁左翼蒙古族自治县")
    assert "".join(chinese) == "喀喇沁左翼蒙古族自治县" * 2 and len(chinese) == 2
    endless = wrap_name("长" * 100)
    assert len(endless) == 3 and endless[-1].endswith("…")
    assert all(text_width(line) <= NAME_ROOM for line in english + chinese + endless)


def test_a_region_with_no_regions_under_it_has_no_matrix_nor_comparison(reader, prefecture):
    """A county has its plans, not a matrix: its region pages answer 404 and say why, in
    the reader's language; so do an unknown region and an unknown indicator in the API."""
    urls = [
        reverse("tracker:region", args=["999101"]),
        reverse("tracker:region-indicator", args=["999101", "GDP"]),
        reverse("tracker:region-report", args=["999101"]),
    ]
    for url in urls:
        response = reader.get(url, {"year": YEAR})
        assert response.status_code == 404, url
    for url in (
        reverse("tracker:api-region", args=["999101"]),
        reverse("tracker:api-region-indicator", args=["999101", "GDP"]),
    ):
        response = reader.get(url, {"year": YEAR})
        assert response.status_code == 404
        assert "没有下级" in response.json()["detail"]
    unknown = reader.get(reverse("tracker:api-region", args=["000000"])).json()["detail"]
    assert "000000" in unknown and "地区" in unknown
    indicator = reader.get(reverse("tracker:api-region-indicator", args=["999100", "NOPE"]))
    assert indicator.status_code == 404 and "NOPE" in indicator.json()["detail"]
    assert "指标" in indicator.json()["detail"]
