"""Goals judged on real, published county figures, against arithmetic worked by hand.

Two counties, because the stored public pages hold no single county with every series:

* 中江县 (四川省德阳市, GB/T 2260 510623): GDP for 2020-2023 as 统计公报 publish it, a level
  in 亿元 and a growth 按可比价格计算, and the tertiary industry's share (三产占比, %).
* 牟定县 (云南省楚雄州, 532323): GDP growth and per-capita disposable income, from its
  政府工作报告, for the goal "income grows faster than the economy".

Every number is quoted with its source next to it. The expected statuses and numbers are
worked by hand from the published figures (the working is in the comments); nothing expected
is computed by the code under test.
Shares of distance and average growths are compared to 6 decimal places.

The ratios are the plan's defaults: ahead at 1.2 x the expected share, on track at 1.0,
behind at 0.8, off track below.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from tests import factory
from tracker.models import Indicator, Plan, Target
from tracker.standings.engine import Basis
from tracker.standings.standing import Standing

CLOSE = D("0.000001")

# --- 中江县 GDP ---------------------------------------------------------------------------
# 2020: “2020年,中江县全年实现地区生产总值(GDP)379.24亿元,按可比价格计算,比上年增长7.9%。
#   ……三次产业结构为21.4:41.4:37.2。” (2020 统计公报 as quoted by
#   https://3dmxku.com/daquan/zonghe/2299840.html and https://gywb.gyscw.com/car/202209/92538.html)
# 2021: “中江县的地区生产总值(GDP)在2021年首次突破400亿元,达到420.03亿元,增长了8.7%”
#   (https://www.gongweng.com/cs/689080.html, a secondary page; the 2021 统计公报 is not
#   stored). The level's only source being secondary, 2021 is entered as a rate only.
# 2022: “全年实现地区生产总值(GDP)439.19亿元,按可比价格计算,比上年增长3.3%。……三次产业
#   结构比为22.8:38.8:38.4。” (《2022年中江县国民经济和社会发展统计公报》,
#   http://www.weimomishe.com/doc/4707670e24b9aab08)
# 2023: “2023年中江县地区生产总值(GDP)466.14亿元,按可比价格计算,比上年增长6.1%。……三次
#   产业结构比为22.0:37.8:40.2。” (《2023年中江县国民经济和社会发展统计公报》,
#   https://m.bidcenter.com.cn/newsrili-1-283472516.html)
GDP_2020, GROWTH_2020 = D("379.24"), D("7.9")
GROWTH_2021 = D("8.7")
GDP_2022, GROWTH_2022 = D("439.19"), D("3.3")
GDP_2023, GROWTH_2023 = D("466.14"), D("6.1")

# Chained index at comparable prices, 2020 = 1 (2020's own 7.9% is growth over 2019 and
# takes no part):
#   2021: 1.087
#   2022: 1.087 x 1.033 = 1.087 + 0.035871 = 1.122871
#   2023: 1.122871 x 1.061 = 1.122871 + 0.068495131 = 1.191366131
INDEX = {2021: D("1.087"), 2022: D("1.122871"), 2023: D("1.191366131")}
# At current prices: 439.19 / 379.24 = 1.158079..., 466.14 / 379.24 = 1.229142...

# Expected shares of the distance on the compound path, (f^(n/5) - 1) / (f - 1):
#   f = 2.2 (ln 2.2 = 0.788457): n=1 2.2^0.2 = 1.170805 -> 0.142337
#                                n=2 2.2^0.4 = 1.370784 -> 0.308987
#                                n=3 2.2^0.6 = 1.604921 -> 0.504101
#   f = 1.4 (ln 1.4 = 0.336472): n=1 1.4^0.2 = 1.069610 -> 0.174026
#                                n=2 1.4^0.4 = 1.144066 -> 0.360166
#                                n=3 1.4^0.6 = 1.223705 -> 0.559263
EXPECTED_22 = {2021: D("0.142337"), 2022: D("0.308987"), 2023: D("0.504101")}
EXPECTED_14 = {2021: D("0.174026"), 2022: D("0.360166"), 2023: D("0.559263")}

# --- 牟定县: GDP and income, from its government work reports ------------------------------
# 2021: “据统计预测,全县地区生产总值增长12.6%达92.9亿元……城乡常住居民人均可支配收入分别
#   增长12%和13%,分别达43366元和13835元。” (2022年政府工作报告, 2022-01-20,
#   http://www.mdx.gov.cn/info/egovinfo/1007/overt_centent/11532323015172622Y-/2022-0210001.htm)
# 2022: the report reviewing 2022 is not stored: no figures.
# 2023: “据统计测算,全县地区生产总值增长2%……城乡常住居民人均可支配收入分别达47197元、
#   16135元,分别增长4%、8%” (2024年政府工作报告, 2024-01-18, http://bx2200.com/baogao/xn/9984.html)
# The reports do not say 名义 or 实际; the goal compares the published rates, as they do.


def comparable_indicator(code: str, name: str, unit: str) -> Indicator:
    return Indicator.objects.create(
        code=code,
        name=name,
        unit=unit,
        measure=Indicator.Measure.AMOUNT,
        comparable_growth=True,
        decimal_places=2,
    )


def zhongjiang_plan(slug: str) -> Plan:
    """A 14th five-year plan of 中江县; plans of one county share its figures."""
    region = factory.make_region("中江县", code="510623", name_en="Zhongjiang")
    return factory.make_plan(slug=slug, name=f"中江县“十四五”规划 {slug}", region=region)


def gdp_goal(plan: Plan, factor: str, basis: str = "") -> Target:
    """GDP in 2025 a multiple of 2020's, the baseline being the 2020 figure."""
    return factory.make_target(
        plan,
        code="ZJ-GDP",
        name="地区生产总值",
        unit="亿元",
        kind=Target.Kind.MULTIPLE,
        baseline_value=None,
        target_value=None,
        factor=D(factor),
        basis=basis,
        decimal_places=2,
    )


def enter_zhongjiang_gdp(target: Target) -> None:
    """The county's published GDP, approved, once for all its plans."""
    source = "中江县国民经济和社会发展统计公报"
    factory.make_entry(target, 2020, GDP_2020, growth=GROWTH_2020, source=source)
    # 2021 as a rate only: the level's one source is a secondary page.
    factory.make_entry(target, 2021, None, growth=GROWTH_2021, growth_source="gongweng.com")
    factory.make_entry(target, 2022, GDP_2022, growth=GROWTH_2022, source=source)
    factory.make_entry(target, 2023, GDP_2023, growth=GROWTH_2023, source=source)


@pytest.fixture
def zhongjiang(db):
    """Four plans of 中江县 on one GDP statistic: factor 2.2 (as 凌源's seed) and an
    illustrative 1.4 (about 7% a year), each judged at comparable and at current prices."""
    comparable_indicator("ZJ-GDP", "地区生产总值", "亿元")
    goals = {
        ("2.2", "comparable"): gdp_goal(zhongjiang_plan("zj-22"), "2.2"),  # the indicator's usual
        ("2.2", "current"): gdp_goal(zhongjiang_plan("zj-22-current"), "2.2", "current"),
        ("1.4", "comparable"): gdp_goal(zhongjiang_plan("zj-14"), "1.4", "comparable"),
        ("1.4", "current"): gdp_goal(zhongjiang_plan("zj-14-current"), "1.4", "current"),
    }
    enter_zhongjiang_gdp(goals[("2.2", "comparable")])
    return goals


def fresh(target: Target) -> Target:
    return Target.objects.get(pk=target.pk)


def assert_close(actual, expected, tolerance=CLOSE):
    assert actual is not None
    assert abs(actual - expected) <= tolerance, (actual, expected)


class TestGdpTwoPointTwoTimes:
    """“GDP 2025 = 2.2 x 2020 at comparable prices”: about 17% a year, far above 中江's 6%."""

    def test_judged_on_the_chained_growth_rates(self, zhongjiang):
        target = fresh(zhongjiang[("2.2", "comparable")])
        assert target.price_basis == Basis.COMPARABLE  # the indicator's usual basis
        # progress (index - 1) / 1.2, ratio to the expected share:
        #   2021: 0.087 / 1.2 = 0.072500; 0.0725 / 0.142337 = 0.509 -> off_track
        #   2022: 0.122871 / 1.2 = 0.102393; / 0.308987 = 0.331 -> off_track
        #   2023: 0.191366131 / 1.2 = 0.159472; / 0.504101 = 0.316 -> off_track
        for year in (2021, 2022, 2023):
            a = Standing.of(target, year).assessment
            assert a.status == "off_track"
            assert a.latest_year == year
            assert a.basis == Basis.COMPARABLE
            assert_close(a.index, INDEX[year])
            assert_close(a.progress, (INDEX[year] - 1) / D("1.2"))
            assert_close(a.expected_share, EXPECTED_22[year])

    def test_2021_entered_as_a_rate_only_counts_at_comparable_prices(self, zhongjiang):
        a = Standing.of(fresh(zhongjiang[("2.2", "comparable")]), 2021).assessment
        assert a.latest_year == 2021
        assert a.latest_value is None  # no level was entered for 2021
        assert a.index == D("1.087")

    def test_the_goal_in_the_baseline_money(self, zhongjiang):
        standing = Standing.of(fresh(zhongjiang[("2.2", "comparable")]), 2023)
        # 379.24 x 2.2 = 834.328 亿元 (2020 prices)
        assert_close(standing.assessment.goal_value, D("834.328"))

    def test_at_current_prices_the_same_status(self, zhongjiang):
        target = fresh(zhongjiang[("2.2", "current")])
        assert target.price_basis == Basis.CURRENT
        # (level - 379.24) / (834.328 - 379.24 = 455.088):
        #   2022: 59.95 / 455.088 = 0.131733 (= 0.158079 / 1.2); / 0.308987 = 0.426 -> off_track
        #   2023: 86.90 / 455.088 = 0.190952 (= 0.229142 / 1.2); / 0.504101 = 0.379 -> off_track
        for year, progress in ((2022, D("0.131733")), (2023, D("0.190952"))):
            a = Standing.of(target, year).assessment
            assert a.status == "off_track"
            assert a.latest_year == year
            assert_close(a.progress, progress, D("0.000001"))
            assert_close(a.expected_share, EXPECTED_22[year])


class TestGdpOnePointFourTimes:
    """An illustrative goal, 1.4 x 2020 by 2025 (about 7% a year; not 中江's plan): here the
    basis changes the verdict."""

    def test_at_comparable_prices_ahead_then_behind(self, zhongjiang):
        target = fresh(zhongjiang[("1.4", "comparable")])
        # progress (index - 1) / 0.4, ratio to the expected share:
        #   2021: 0.087 / 0.4 = 0.2175; 0.2175 / 0.174026 = 1.2498 >= 1.2 -> ahead
        #   2022: 0.122871 / 0.4 = 0.307178; / 0.360166 = 0.8529 -> behind
        #   2023: 0.191366131 / 0.4 = 0.478415; / 0.559263 = 0.8554 -> behind
        statuses = {2021: "ahead", 2022: "behind", 2023: "behind"}
        for year, status in statuses.items():
            a = Standing.of(target, year).assessment
            assert a.status == status, year
            assert_close(a.progress, (INDEX[year] - 1) / D("0.4"))
            assert_close(a.expected_share, EXPECTED_14[year])

    def test_at_current_prices_on_track(self, zhongjiang):
        target = fresh(zhongjiang[("1.4", "current")])
        # (level - 379.24) / (530.936 - 379.24 = 151.696):
        #   2022: 59.95 / 151.696 = 0.395198; / 0.360166 = 1.0973 -> on_track
        #   2023: 86.90 / 151.696 = 0.572856; / 0.559263 = 1.0243 -> on_track
        # Price rises (deflators about +1.9%, +1.2%, 0.0% a year) make the level look on
        # track where real growth is behind.
        for year, progress in ((2022, D("0.395198")), (2023, D("0.572856"))):
            a = Standing.of(target, year).assessment
            assert a.status == "on_track", year
            assert_close(a.progress, progress)
            assert_close(a.expected_share, EXPECTED_14[year])

    def test_at_current_prices_a_year_without_a_level_is_not_judged(self, zhongjiang):
        a = Standing.of(fresh(zhongjiang[("1.4", "current")]), 2021).assessment
        assert a.status == "no_data"

    def test_average_growth_as_worked(self, zhongjiang):
        # Average growth from 2020, index^(1/n) - 1:
        #   comparable 2023: 1.191366131^(1/3) = 1.060104 -> 6.0104% a year
        #   current    2023: 1.229142^(1/3) = 1.071192 -> 7.1192% a year
        # What a 1.4 goal needs: 1.4^(1/5) = 1.069610 -> 6.9610% a year. The required rate
        # for 2024-2025 at comparable prices: (1.4 / 1.191366131)^(1/2) - 1
        # = 1.175122^(1/2) - 1 = 8.4030%.
        a = Standing.of(fresh(zhongjiang[("1.4", "comparable")]), 2023).assessment
        assert_close(a.required_annual_rate, D("0.084030"), D("0.000001"))


class TestTertiaryShare:
    """三产占比 of 中江县 in %, an illustrative goal of 42.0% in 2025 (not a published goal).

    2020: 37.2 (21.4:41.4:37.2); 2021: not found; 2022: 38.4 (22.8:38.8:38.4); 2023: 40.2
    (22.0:37.8:40.2; 187.12 / 466.14 = 40.14, printed 40.2 so the three add up to 100).
    """

    @pytest.fixture
    def share(self, db):
        plan = zhongjiang_plan("zj-share")
        target = factory.make_target(
            plan,
            code="ZJ-TERTIARY",
            name="第三产业增加值占地区生产总值比重",
            unit="%",
            kind=Target.Kind.LEVEL,
            baseline_value=None,
            target_value=D("42.0"),
            decimal_places=1,
        )
        for year, value in ((2020, "37.2"), (2022, "38.4"), (2023, "40.2")):
            factory.make_entry(target, year, D(value), source="中江县统计公报")
        return fresh(target)

    def test_a_year_without_a_figure_is_not_judged_on_the_baseline(self, share):
        a = Standing.of(share, 2021).assessment
        assert a.status == "no_data"

    def test_a_share_moves_in_points(self, share):
        assert share.is_share
        values = Standing.of(share, 2023).values
        # since 2020: 38.4 - 37.2 = +1.2 points, 40.2 - 37.2 = +3.0 points; 2023 on 2022 +1.8
        assert values[2022] - values[2020] == D("1.2")
        assert values[2023] - values[2020] == D("3.0")
        assert values[2023] - values[2022] == D("1.8")

    def test_status_against_the_linear_path(self, share):
        # distance 42.0 - 37.2 = 4.8 points; expected 37.2 + 4.8 x n/5
        #   2022 (n=2): expected 39.12, share 0.4; progress 1.2 / 4.8 = 0.25; 0.25/0.4 = 0.625
        #   -> off_track
        #   2023 (n=3): expected 40.08, share 0.6; progress 3.0 / 4.8 = 0.625; 0.625/0.6 = 1.042
        #   -> on_track
        worked = {
            2022: ("off_track", D("39.12"), D("0.4"), D("0.25")),
            2023: ("on_track", D("40.08"), D("0.6"), D("0.625")),
        }
        for year, (status, expected_value, expected_share, progress) in worked.items():
            a = Standing.of(share, year).assessment
            assert a.status == status, year
            assert_close(a.expected_value, expected_value)
            assert_close(a.expected_share, expected_share)
            assert_close(a.progress, progress)


class TestIncomeFasterThanGdp:
    """牟定县: per-capita disposable income to grow faster than GDP, judged on the average
    annual growth from 2020 on the chained published rates of both."""

    @pytest.fixture
    def mouding(self, db):
        """Each income goal twice, on the chained rates and on levels; a relative goal reads
        a GDP target of its own plan, so each basis has a plan of 牟定县 of its own."""
        region = factory.make_region("牟定县", code="532323", name_en="Mouding")
        comparable_indicator("MD-GDP", "地区生产总值", "亿元")
        plans = {
            basis: factory.make_plan(slug=f"md-{basis}", name=f"牟定县规划 {basis}", region=region)
            for basis in ("comparable", "current")
        }
        gdp = {basis: self.gdp_target(plan) for basis, plan in plans.items()}
        report_2022, report_2024 = "牟定县2022年政府工作报告", "牟定县2024年政府工作报告"
        # figures are the county's: entered once, read by both plans
        factory.make_entry(gdp["comparable"], 2021, D("92.9"), growth=D("12.6"), source=report_2022)
        factory.make_entry(gdp["comparable"], 2023, None, growth=D(2), growth_source=report_2024)
        goals = {}
        for code, name, figures in (
            ("MD-URBAN-INCOME", "城镇常住居民人均可支配收入", (("43366", "12"), ("47197", "4"))),
            ("MD-RURAL-INCOME", "农村常住居民人均可支配收入", (("13835", "13"), ("16135", "8"))),
        ):
            for basis, plan in plans.items():
                goals[(code, basis)] = factory.make_target(
                    plan,
                    code=code,
                    name=name,
                    unit="元",
                    kind=Target.Kind.RELATIVE,
                    reference_target=gdp[basis],
                    baseline_value=None,
                    target_value=None,
                    basis=basis,
                    decimal_places=0,
                )
            (level_2021, growth_2021), (level_2023, growth_2023) = figures
            first = goals[(code, "comparable")]
            factory.make_entry(
                first, 2021, D(level_2021), growth=D(growth_2021), source=report_2022
            )
            factory.make_entry(
                first, 2023, D(level_2023), growth=D(growth_2023), source=report_2024
            )
        return {key: fresh(target) for key, target in goals.items()}

    @staticmethod
    def gdp_target(plan: Plan) -> Target:
        return factory.make_target(
            plan,
            code="MD-GDP",
            name="地区生产总值",
            kind=Target.Kind.ANNUAL_GROWTH,
            baseline_value=None,
            target_value=D(7),
        )

    def test_2021_urban_income_behind_rural_on_track(self, mouding):
        # n = 1: GDP 12.6% a year.
        #   urban 12%: not above 12.6; 12 / 12.6 = 0.952 >= 0.8 -> behind
        #   rural 13% > 12.6% -> on_track
        urban = Standing.of(mouding[("MD-URBAN-INCOME", "comparable")], 2021).assessment
        assert urban.status == "behind"
        assert_close(urban.growth, D("0.12"))
        assert_close(urban.reference_growth, D("0.126"))
        rural = Standing.of(mouding[("MD-RURAL-INCOME", "comparable")], 2021).assessment
        assert rural.status == "on_track"
        assert_close(rural.growth, D("0.13"))
        assert_close(rural.reference_growth, D("0.126"))

    def test_2023_rests_on_2021_for_2022_is_missing(self, mouding):
        # No 2022 rate for either: the chain 2020 -> 2023 cannot be formed, so nothing newer
        # than 2021 can be judged; the verdict is 2021's, said to rest on an older year.
        a = Standing.of(mouding[("MD-RURAL-INCOME", "comparable")], 2023).assessment
        assert a.latest_year == 2021
        assert a.rests_on_older_year
        assert a.status == "on_track"

    def test_the_final_verdict_rests_on_the_latest_figures_and_says_so(self, mouding):
        # As of 2025 nothing newer than 2021 can be chained (2022 is missing). The plan's
        # time is up, so the verdict is final, but it says it rests on 2021: by hand the
        # rural income grew 13% against GDP's 12.6% in 2021 (completed), the urban 12%
        # (not completed).
        rural = Standing.of(mouding[("MD-RURAL-INCOME", "comparable")], 2025).assessment
        urban = Standing.of(mouding[("MD-URBAN-INCOME", "comparable")], 2025).assessment
        for a in (rural, urban):
            assert a.latest_year == 2021
            assert a.rests_on_older_year and a.is_final
        assert (rural.status, urban.status) == ("completed", "incomplete")

    def test_on_levels_there_is_nothing_to_compare(self, mouding):
        # At current prices both need levels: no 2020 level of either is published, and GDP
        # has no level after 2021, so no average growth can be formed.
        for code in ("MD-URBAN-INCOME", "MD-RURAL-INCOME"):
            a = Standing.of(mouding[(code, "current")], 2023).assessment
            assert a.status == "no_data", code


class TestApi:
    def test_the_plan_as_json(self, client, zhongjiang, admin_user):
        client.login(username="administrator", password=factory.PASSWORD)
        url = reverse("tracker:api-plan", args=["zj-14"])
        gdp = client.get(url, {"year": 2022}).json()["targets"][0]
        # as worked above: 0.307178 and 0.360166, four places in the API
        assert gdp["status"] == "behind"
        assert gdp["progress"] == "0.3072"
        assert gdp["expected_share"] == "0.3602"
        assert gdp["latest"] == {"year": 2022, "value": "439.19"}
        assert gdp["goal_value"] == "530.94"  # 379.24 x 1.4 = 530.936
        current = client.get(reverse("tracker:api-plan", args=["zj-14-current"]), {"year": 2022})
        assert current.json()["targets"][0]["status"] == "on_track"
        first = client.get(url, {"year": 2021}).json()["targets"][0]
        assert first["status"] == "ahead"
        entries = {e["year"]: e for e in first["entries"]}
        assert entries[2021]["value"] is None  # the rate-only year
