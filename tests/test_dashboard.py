"""Where every goal stands: the plan list, the dashboard, target pages, departments."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factory
from tracker.models import ProgressEntry, Target
from tracker.standings import formats


@pytest.fixture
def signed_in(client, demo_plan):
    client.login(username="tongji", password="lingyuan-demo-2025")
    return client


def dashboard(client, plan, **params):
    return client.get(plan.get_absolute_url(), params).content.decode()


def shown_codes(html):
    return re.findall(r'<td class="code">([^<]+)</td>', html)


def test_the_plan_list_links_to_each_plan(signed_in, demo_plan):
    html = signed_in.get(reverse("tracker:plan-list")).content.decode()
    assert demo_plan.name in html and demo_plan.get_absolute_url() in html


def test_the_dashboard_counts_every_status_with_its_word(signed_in, demo_plan):
    html = dashboard(signed_in, demo_plan)
    assert "11 项指标" in html
    for word in ["提前实现", "基本符合预期", "滞后", "严重滞后", "未到期", "无数据"]:
        assert f">{word}</span> " in html, word
    assert "示例数据" in html  # the sample-data banner


def test_every_target_row_shows_its_figures_and_marks_unapproved_ones(signed_in, demo_plan):
    html = dashboard(signed_in, demo_plan)
    assert len(shown_codes(html)) == 11
    assert "192.3" in html  # approved 2024 GDP
    assert re.search(r'class="unapproved"[^>]*>205\.0<sup>已提交</sup>', html)
    assert "324.7" in html  # GDP goal: 147.6 x 2.2


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"status": "off_track"}, {"GDP", "BUILT-UP-AREA"}),
        ({"kind": "milestone"}, {"HIGH-TECH-ZONE", "ECON-DEV-ZONE", "ECO-CITY"}),
        ({"q": "gdp"}, {"GDP", "RD-SHARE"}),  # code, and the English name of R&D share
        ({"q": "人口"}, {"URBAN-POPULATION"}),
        ({"nature": "binding"}, set()),
    ],
)
def test_filters(signed_in, demo_plan, params, expected):
    assert set(shown_codes(dashboard(signed_in, demo_plan, **params))) == expected


def test_filters_by_area_and_department_combine_with_sorting(signed_in, demo_plan):
    area = demo_plan.areas.get(name="综合经济实力")
    department = Target.objects.get(code="FIXED-ASSET-INVESTMENT").lead_department
    html = dashboard(
        signed_in, demo_plan, area=area.pk, lead_department=department.pk, sort="-code"
    )
    assert shown_codes(html) == ["FIXED-ASSET-INVESTMENT", "COUNTY-RANK"]


def test_sorting_by_status_puts_best_first(signed_in, demo_plan):
    codes = shown_codes(dashboard(signed_in, demo_plan, sort="status"))
    assert codes[0] in {"URBAN-POPULATION", "ECON-DEV-ZONE"}
    assert codes[-1] == "COUNTY-RANK"


def test_the_year_selector_shows_status_as_of_that_year(signed_in, demo_plan):
    html_2022 = dashboard(signed_in, demo_plan, year=2022, status="achieved")
    assert "ECON-DEV-ZONE" not in shown_codes(html_2022)  # achieved only in 2023
    assert "ECON-DEV-ZONE" in shown_codes(dashboard(signed_in, demo_plan, status="achieved"))


def test_pagination_keeps_the_filters(client, admin_user):
    plan = factory.make_plan()
    area = factory.make_area(plan)
    for n in range(60):
        factory.make_target(plan, area=area, code=f"K{n:02d}", kind="level")
    client.force_login(admin_user)
    html = dashboard(client, plan, kind="level", sort="code")
    assert len(shown_codes(html)) == 50
    link = re.search(r'href="(\?[^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "kind=level" in link and "sort=code" in link
    page2 = client.get(plan.get_absolute_url() + link).content.decode()
    assert shown_codes(page2) == [f"K{n}" for n in range(50, 60)]


def test_the_page_speaks_english_when_chosen(signed_in, demo_plan):
    signed_in.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = dashboard(signed_in, demo_plan)
    assert "On track" in html and "Gross domestic product" in html
    assert "基本符合预期" not in html


def test_the_browsers_language_alone_does_not_switch(signed_in, demo_plan):
    html = signed_in.get(demo_plan.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "基本符合预期" in html


class TestTargetPage:
    def test_it_shows_chart_figures_rate_wording_departments_and_history(
        self, signed_in, demo_plan
    ):
        target = Target.objects.get(code="GDP")
        html = signed_in.get(target.get_absolute_url()).content.decode()
        assert re.search(r"<title>GDP 地区生产总值</title>", html)
        assert "<svg" in html
        # one dot per approved level (2020 baseline + 2022-2024: the sample's 2021 gives
        # its growth rate only), one hollow for 2025
        assert html.count('<circle class="approved"') == 4
        assert html.count('<circle class="unapproved"') == 1
        assert 'class="expected"' in html and 'class="projection"' in html
        assert 'class="goal"' in html
        assert "主要经济指标增1.2倍" in html
        assert "统计局" in html
        rate = target.assess(2024).required_annual_rate
        assert formats.format_share(rate) in html
        assert "修改记录" in html and "示例数据 sample data" in html

    def test_the_chart_matches_the_table(self, signed_in, demo_plan):
        target = Target.objects.get(code="RD-SHARE")
        html = signed_in.get(target.get_absolute_url()).content.decode()
        titles = re.findall(r"<title>已审核 (\d{4}): ([\d.]+)</title>", html)
        approved = {str(e.year): f"{e.value:.2f}" for e in target.entries.filter(state="approved")}
        assert dict(titles) == approved

    def test_milestones_have_no_chart(self, signed_in, demo_plan):
        target = Target.objects.get(code="ECO-CITY")
        html = signed_in.get(target.get_absolute_url()).content.decode()
        assert "<svg" not in html and "未到期" in html

    def test_an_unknown_code_is_404(self, signed_in, demo_plan):
        url = reverse("tracker:target-detail", args=[demo_plan.slug, "NOPE"])
        assert signed_in.get(url).status_code == 404


def test_the_department_view_shows_who_is_late(signed_in, demo_plan):
    html = signed_in.get(reverse("tracker:departments", args=[demo_plan.slug])).content.decode()
    row = re.search(r"<th>发改局</th>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r'<td class="dept-cell[^"]*">(.*?)</td>', row, re.S)
    cell_2025 = cells[-1]
    assert "✎ 1" in cell_2025  # fixed-asset investment drafted
    # The rank has nothing yet; the development zone, completed in 2023, needs no more.
    assert "∅ 1" in cell_2025


class TestTheYearAsOf:
    def test_the_dashboard_as_of_a_year_shows_only_the_years_up_to_it(self, signed_in, demo_plan):
        html = dashboard(signed_in, demo_plan, year=2022)
        headers = re.findall(r"<th[^>]*>\s*(20\d\d)\s*</th>", html)
        assert headers == ["2021", "2022"]
        assert "178.5" not in html  # GDP 2023

    def test_by_default_it_shows_every_year_with_a_figure(self, signed_in, demo_plan):
        html = dashboard(signed_in, demo_plan)
        assert re.search(r'class="unapproved"[^>]*>205\.0<sup>已提交</sup>', html)  # 2025

    @pytest.mark.parametrize("asked", ["2030", "2020", "abc"])
    def test_a_year_outside_the_plan_says_so(self, signed_in, demo_plan, asked):
        html = dashboard(signed_in, demo_plan, year=asked)
        assert f"{asked} 不是本规划的年份（2021—2025），现显示 2024 年。" in html

    def test_the_year_selector_applies_at_once_from_a_static_script(self, signed_in, demo_plan):
        html = dashboard(signed_in, demo_plan)
        assert re.search(r'<select name="year" data-autosubmit>', html)
        assert re.search(r'<script src="/static/tracker/tracker\.js[^"]*" defer></script>', html)
        assert "<script>" not in html  # the CSP allows only this site's own files

    def test_the_filter_menus_read_all(self, signed_in, demo_plan):
        html = dashboard(signed_in, demo_plan)
        assert html.count('<option value="" selected>全部</option>') == 5
        assert "---------" not in html


class TestOnlyApprovedFiguresAndYourOwn:
    def test_a_reporter_sees_other_departments_figures_only_once_approved(self, client, demo_plan):
        client.login(username="caizheng", password="lingyuan-demo-2025")
        html = dashboard(client, demo_plan)
        assert ">25.8<sup>已提交</sup>" in html  # the Finance Bureau's own submission
        assert "205.0" not in html  # the Statistics Bureau's GDP, only submitted
        assert "33.50" not in html  # Housing's returned built-up area
        page = client.get(Target.objects.get(code="GDP").get_absolute_url()).content.decode()
        assert '<circle class="unapproved"' not in page
        assert "已提交" not in page.split("修改记录")[1]  # nor in the change history
        assert "192.3" in page  # approved figures are there for everyone

    def test_an_administrator_sees_every_figure(self, client, demo_plan):
        client.login(username="admin", password="lingyuan-demo-2025")
        html = dashboard(client, demo_plan)
        assert "205.0" in html and "33.50" in html


class TestWordsAndCharts:
    def test_a_milestone_aims_at_completed(self, signed_in, demo_plan):
        target = Target.objects.get(code="ECO-CITY")
        html = signed_in.get(target.get_absolute_url()).content.decode()
        assert re.search(r"<dt>目标值</dt><dd>完成 \(2025 年\)</dd>", html)
        assert "— (2025)" not in html
        assert "未完成" in dashboard(signed_in, demo_plan)

    def test_large_figures_have_thousands_separators(self, signed_in, demo_plan):
        html = dashboard(signed_in, demo_plan)
        assert ">32,300<" in html  # income in yuan

    def test_chart_ticks_are_round_and_the_legend_lists_only_what_is_drawn(
        self, signed_in, demo_plan
    ):
        gdp = signed_in.get(Target.objects.get(code="GDP").get_absolute_url()).content.decode()
        ticks = re.findall(r'<text class="axis" [^>]*text-anchor="end">([^<]+)</text>', gdp)
        assert ticks == ["100", "150", "200", "250", "300", "350"]
        assert 'class="key projection"' in gdp and 'class="key expected"' in gdp

        rank = signed_in.get(Target.objects.get(code="COUNTY-RANK").get_absolute_url())
        html = rank.content.decode()
        ticks = re.findall(r'<text class="axis" [^>]*text-anchor="end">([^<]+)</text>', html)
        assert ticks == ["9", "10", "11"]
        legend = re.findall(r'<span class="key (\w+)"></span>', html)
        assert legend == ["goal"]  # no figure yet: only the target line is drawn


def test_units_and_the_region_follow_the_language(signed_in, demo_plan):
    signed_in.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = dashboard(signed_in, demo_plan)
    assert "<small>Lingyuan · 2021–2025</small>" in html
    assert "Lingyuan" in signed_in.get(reverse("tracker:plan-list")).content.decode()


def test_every_page_names_the_icon_and_the_old_address_leads_to_it(signed_in, demo_plan):
    html = dashboard(signed_in, demo_plan)
    assert re.search(r'<link rel="icon" href="/static/tracker/favicon\.svg', html)
    response = signed_in.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_the_departments_page_does_not_ask_for_a_baseline_the_plan_gives(signed_in, demo_plan):
    html = signed_in.get(reverse("tracker:departments", args=[demo_plan.slug])).content.decode()
    row = re.search(r"<th>财政局</th>(.*?)</tr>", html, re.S).group(1)
    cell_2020 = re.findall(r'<td class="dept-cell[^"]*">(.*?)</td>', row, re.S)[0]
    assert "∅" not in cell_2020  # budget revenue: the plan states 11.6 for 2020
    row = re.search(r"<th>科技局</th>(.*?)</tr>", html, re.S).group(1)
    cell_2020 = re.findall(r'<td class="dept-cell[^"]*">(.*?)</td>', row, re.S)[0]
    assert "∅" not in cell_2020  # R&D share has its 2020 figure; the zone is a milestone


def facts(html: str) -> dict[str, str]:
    """A target page's facts, label to text, tags and spacing dropped."""
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html, re.S)
    plain = [(re.sub(r"<[^>]+>|\s+", "", k), re.sub(r"<[^>]+>|\s+", "", v)) for k, v in pairs]
    return dict(plain)


class TestNumbersAsStatisticiansPublishThem:
    def test_the_dashboard_opens_with_the_count_by_status(self, signed_in, demo_plan):
        html = dashboard(signed_in, demo_plan)
        line = re.search(r'<p class="summary-line">(.*?)</p>', html, re.S).group(1)
        assert re.sub(r"<[^>]+>|\s+", "", line) == (
            "截至2024年，11项主要指标中，提前实现2项、基本符合预期2项、滞后2项、严重滞后2项、"
            "未到期2项、无数据1项"
        )

    def test_the_count_by_status_reads_in_english_when_chosen(self, signed_in, demo_plan):
        signed_in.post(reverse("set_language"), {"language": "en", "next": "/"})
        html = dashboard(signed_in, demo_plan)
        assert (
            "As of 2024:</strong> Of 11 main indicators: Met early 2, On track 2, Behind 2, "
            "Off track 2, Pending 2, No data 1" in html
        )

    def test_a_status_resting_on_an_older_figure_says_its_year(self, signed_in, demo_plan):
        # The development zone was approved in 2023: an achievement lasts, it rests on no
        # older figure as of 2024.
        html = dashboard(signed_in, demo_plan)
        row = re.search(r"ECON-DEV-ZONE</td>.*?</tr>", html, re.S).group(0)
        assert "依据" not in row
        gdp = re.search(r">GDP</td>.*?</tr>", html, re.S).group(0)
        assert "依据" not in gdp  # GDP has its 2024 figure
        # As of 2025, when no 2025 figure is approved, every verdict rests on 2024.
        target = Target.objects.get(code="GDP")
        page = signed_in.get(target.get_absolute_url(), {"year": 2025}).content.decode()
        assert "依据2024年数据" in page.split("</h1>")[0]
        assert "依据2024年数据" in facts(page)["评价年度"]

    def test_a_share_changes_in_percentage_points(self, signed_in, demo_plan):
        target = Target.objects.get(code="RD-SHARE")  # 1.20% in 2020, 1.90% 2023, 2.30% 2024
        shown = facts(signed_in.get(target.get_absolute_url()).content.decode())
        assert shown["2024年较上年"] == "+0.40个百分点"
        assert shown["实际变化（2020—2024年）"] == "〔累计提高1.10个百分点〕"
        assert shown["规划目标变化（2020—2025年）"] == "〔累计提高1.30个百分点〕"  # to 2.50
        assert shown["今后所需进度"] == "每年+0.20个百分点"
        assert not any("%" in text for label, text in shown.items() if "变化" in label)

    def test_a_share_reads_in_points_in_english(self, signed_in, demo_plan):
        signed_in.post(reverse("set_language"), {"language": "en", "next": "/"})
        target = Target.objects.get(code="RD-SHARE")
        html = signed_in.get(target.get_absolute_url()).content.decode()
        assert "+0.40 percentage points" in html
        assert "〔up 1.10 percentage points in all〕" in html

    def test_a_growth_goal_says_its_basis(self, signed_in, demo_plan):
        # The sample's comparable rates 2021-2024: 1.068 x 1.031 x 1.059 x 1.055 = 1.230
        # (the levels, 147.6 in 2020 and 192.3 in 2024, would give x 1.303 at current prices).
        target = Target.objects.get(code="GDP")
        shown = facts(signed_in.get(target.get_absolute_url()).content.decode())
        assert shown["实际变化（2020—2024年）"] == "按可比价〔累计增长23.0%〕"
        assert shown["规划目标变化（2020—2025年）"] == "按可比价〔累计增长120.0%〕"
        assert shown["目标值"].endswith("=基期×2.2")  # the factor as the plan gives it

    def test_a_relative_goal_compares_average_growth_and_the_latest_year_apart(
        self, signed_in, demo_plan
    ):
        target = Target.objects.get(code="INCOME-GROWTH")
        shown = facts(signed_in.get(target.get_absolute_url()).content.decode())
        # Income 25000 -> 32300 over four years: 1.292 ** (1/4) - 1 = 6.6% a year; GDP
        # 147.6 -> 192.3: 6.8% a year. In 2024 alone: 32300 / 30400 = 6.3%, 192.3 / 178.5 = 7.7%.
        assert shown["年均增长（2020—2024年）"] == "按现价6.6%·地区生产总值6.8%"
        assert shown["2024年当年增长"] == "按现价6.3%·地区生产总值7.7%"

    def test_a_year_with_a_rate_but_no_level_shows_the_rate_and_its_source(
        self, signed_in, demo_plan
    ):
        entry = ProgressEntry.objects.get(series__indicator__code="GDP", year=2025)
        entry.value, entry.growth, entry.source = None, Decimal("6.55"), "2025年统计公报"
        entry.state = ProgressEntry.State.APPROVED
        entry.save()
        target = Target.objects.get(code="GDP")
        html = signed_in.get(target.get_absolute_url()).content.decode()
        table = html.split('<table class="table figures">')[1].split("</table>")[0]
        assert "<th>可比价增速</th>" in table and "<th>出处</th>" in table
        row = re.search(r"<tr><td>2025</td>(.*?)</tr>", table, re.S).group(1)
        cells = [
            re.sub(r"<[^>]+>|\s+", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        assert cells[:2] == ["—", "6.55%"]  # the figures table is where figures are checked
        assert "2025年统计公报" in cells
        row = re.search(r">GDP</td>.*?</tr>", dashboard(signed_in, demo_plan), re.S).group(0)
        assert ">增长6.6%</td>" in row

    def test_figures_without_growth_have_no_growth_column(self, signed_in, demo_plan):
        target = Target.objects.get(code="BUDGET-REVENUE")  # the sample gives levels only
        html = signed_in.get(target.get_absolute_url()).content.decode()
        assert "可比价增速" not in html
