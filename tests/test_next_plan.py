"""The next plan starts from the previous one: same targets, its finals as baselines."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests import factory
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.models import Plan, ProgressEntry, Target
from tracker.plans.next_plan import linked_series

PASSWORD = "lingyuan-demo-2025"


@pytest.fixture
def finals(demo_plan):
    """The 14th plan with its 2025 figures approved, as once the statistics are final."""
    admin = factory.make_user("approver", role="admin")
    for entry in ProgressEntry.objects.filter(series__targets__plan=demo_plan, year=2025):
        entry.state = ProgressEntry.State.APPROVED
        entry.quality = ProgressEntry.Quality.FINAL
        entry.reviewed_by = admin
        entry.save()
    return demo_plan


def baseline(plan, code):
    """The baseline the pages show: the region's approved figure of the baseline year."""
    target = plan.targets.with_entries(ANY_ADMINISTRATOR).get(code=code)
    return target.spec(target.approved_values()).baseline_value, target.baseline_vintage


def start(**options):
    out = io.StringIO()
    arguments = {
        "source": "lingyuan-14th",
        "slug": "next",
        "name": "凌源市“十五五”规划",
        "start": "2026",
        "end": "2030",
        "user": "admin",
        **options,
    }
    call_command("start_next_plan", *[f"--{k}={v}" for k, v in arguments.items()], stdout=out)
    return out.getvalue()


def test_the_next_plans_baselines_equal_the_finals(finals):
    output = start()
    plan = Plan.objects.get(slug="next")
    assert (plan.baseline_year, plan.start_year, plan.end_year) == (2025, 2026, 2030)
    assert plan.region == finals.region
    assert list(plan.areas.values_list("name", "order")) == list(
        finals.areas.values_list("name", "order")
    )
    old = {t.code: t for t in Target.objects.filter(plan=finals)}
    new = {t.code: t for t in Target.objects.filter(plan=plan).with_entries(ANY_ADMINISTRATOR)}
    assert new.keys() == old.keys()
    for code, target in new.items():
        before = old[code]
        fields = ["name", "name_en", "unit", "kind", "direction", "lead_department_id"]
        for name in fields:
            assert getattr(target, name) == getattr(before, name), (code, name)
        assert target.area.name == before.area.name
        assert (target.target_value, target.factor) == (None, None)
        assert (target.baseline_year, target.target_year) == (2025, 2030)
        assert target.baseline_source == finals
        # One statistic: the next plan reads the region's figures of the same indicator,
        # so its baseline is the very 2025 figure, nothing copied or fixed.
        assert target.series_id == before.series_id
        assert target.baseline_value is None
        final = before.entries.filter(year=2025, state="approved").first()
        if not before.is_milestone and final is None:
            assert target.baseline_figure() is None and code in output
        elif not before.is_milestone:
            assert target.baseline_figure() == final
            assert target.baseline_vintage == final.get_quality_display()
    assert new["GDP"].spec(new["GDP"].approved_values()).baseline_value == Decimal("205.0")
    assert new["INCOME-GROWTH"].reference_target == new["GDP"]
    assert "2030" in output


def test_milestones_already_achieved_are_flagged_not_open(finals):
    start()
    plan = Plan.objects.get(slug="next")
    zone = plan.targets.get(code="ECON-DEV-ZONE")  # achieved in 2023
    assert zone.assess(2026).status == "achieved"
    eco_city = plan.targets.get(code="ECO-CITY")  # achieved in 2025 once approved
    assert eco_city.assess(2026).status == "achieved"
    high_tech = plan.targets.get(code="HIGH-TECH-ZONE")  # not achieved: stays open
    assert high_tech.assess(2026).status == "pending"
    # Nothing is copied: the figures the next plan reads are the region's.
    assert not high_tech.entries.filter(achieved=True).exists()
    assert ProgressEntry.objects.filter(year=2025, achieved=True).count() == 1


def test_bad_input_is_refused_and_nothing_is_written(finals):
    with pytest.raises(CommandError, match="2025"):
        start(start="2025")
    with pytest.raises(CommandError, match="lingyuan-14th"):
        start(slug="lingyuan-14th")
    with pytest.raises(CommandError, match="No plan"):
        start(source="nowhere")
    assert Plan.objects.count() == 1


def test_an_administrator_starts_it_from_the_admin_with_a_small_form(client, finals):
    client.login(username="admin", password=PASSWORD)
    url = reverse("admin:tracker_plan_changelist")
    chosen = {"action": "start_next_plan", "_selected_action": [finals.pk]}
    form = client.post(url, chosen)
    assert form.status_code == 200
    html = form.content.decode()
    assert 'name="slug"' in html and 'value="2026"' in html
    # a start year inside the source plan is refused, saying why, and nothing is written
    refused = client.post(
        url,
        {
            **chosen,
            "apply": "1",
            "slug": "next",
            "name": "十五五",
            "start_year": "2025",
            "end_year": "2030",
        },
    )
    assert "2025" in refused.content.decode()
    assert not Plan.objects.filter(slug="next").exists()
    done = client.post(
        url,
        {
            **chosen,
            "apply": "1",
            "slug": "next",
            "name": "十五五",
            "start_year": "2026",
            "end_year": "2030",
        },
    )
    plan = Plan.objects.get(slug="next")
    assert done.status_code == 302
    assert baseline(plan, "GDP") == (Decimal("205.0"), "最终")


def test_a_target_page_shows_both_plans_as_one_line(client, finals):
    start()
    plan = Plan.objects.get(slug="next")
    gdp = plan.targets.get(code="GDP")
    entry = ProgressEntry(target=gdp, year=2026, value=Decimal("218.6"), state="approved")
    entry._history_user = get_user_model().objects.get(username="tongji")
    entry.save()
    old_gdp = finals.targets.get(code="GDP")
    series = linked_series(old_gdp)
    assert series[-1] == (2026, Decimal("218.6"))
    # 2025 is the 15th plan's own baseline year: the same figure, read by both plans.
    # (The sample's 2021 gives GDP's growth rate only, no level to link.)
    assert [y for y, _v in linked_series(gdp)] == [2020, 2022, 2023, 2024]
    client.login(username="keji", password=PASSWORD)
    html = client.get(gdp.get_absolute_url()).content.decode()
    for year in range(2020, 2031):
        assert f">{year}</text>" in html
    polyline = html.split('<polyline class="approved" points="')[1].split('"')[0]
    # 2020 and 2022-2024 before, the 2025 baseline, 2026
    assert len(polyline.split()) == 6
    assert "承接自凌源市“十四五”规划" in html


def test_the_demo_has_a_labelled_15th_plan_started_from_the_14th_and_loads_twice(demo_plans):
    from tracker import demo

    fourteenth, fifteenth = demo_plans
    assert "示例数据" in fifteenth.name and "sample data" in fifteenth.name_en
    assert (fifteenth.baseline_year, fifteenth.start_year, fifteenth.end_year) == (2025, 2026, 2030)
    # Carried from the 14th, and one sample goal of its own: R&D spending, from which (with
    # GDP) the R&D share is computed.
    targets = fifteenth.targets.exclude(code="RD-SPENDING")
    assert {t.code for t in targets} == set(fourteenth.targets.values_list("code", flat=True))
    assert {t.baseline_source for t in targets} == {fourteenth}
    assert fifteenth.targets.get(code="RD-SPENDING").notes.startswith("示例数据")
    gdp = fifteenth.targets.get(code="GDP")
    assert gdp.factor == Decimal("1.4") and gdp.baseline_value is None  # the 2025 figure
    rd_share = fifteenth.targets.get(code="RD-SHARE")  # no 2025 figure: a sample stands in
    assert rd_share.baseline_value == Decimal("2.30") and "示例数据" in rd_share.baseline_reason
    assert gdp.entries.get(year=2026).is_sample
    samples = ProgressEntry.objects.filter(is_sample=True)
    assert all(e.note.startswith("示例数据") for e in samples)
    counts = (Plan.objects.count(), Target.objects.count(), ProgressEntry.objects.count())
    demo.load(next_plan=True)
    assert (Plan.objects.count(), Target.objects.count(), ProgressEntry.objects.count()) == counts


def test_the_english_plan_list_names_the_15th_plan_and_its_region_in_english(client, demo_plans):
    fourteenth, fifteenth = demo_plans
    assert fifteenth.region_en == fourteenth.region_en == "Lingyuan"
    client.force_login(get_user_model().objects.get(username="admin"))
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    plans = html[html.index('id="plans"') :]
    assert "Lingyuan 15th Five-Year Plan (sample data)" in plans
    assert "凌源" not in plans


def test_figures_awaiting_approval_are_named_and_filled_in_once_approved(client, demo_plan):
    """The demo's 2025 figures are partly only submitted when the 15th plan starts: the
    administrator is told which, and fills those baselines once they are approved."""
    output = start()
    assert "2025 figure awaiting approval, no baseline yet: GDP, BUDGET-REVENUE" in output
    assert "--fill-baselines" in output
    assert "no 2025 figure, no baseline: COUNTY-RANK, RD-SHARE" in output
    plan = Plan.objects.get(slug="next")
    assert baseline(plan, "GDP") == (None, "")
    # the statistics bureau's 2025 GDP is approved later
    gdp = ProgressEntry.objects.get(
        series__targets__plan=demo_plan, series__indicator__code="GDP", year=2025
    )
    client.login(username="admin", password=PASSWORD)
    client.post(reverse("tracker:approve"), {"entry": [f"{gdp.pk}:{gdp.version}"]})
    out = io.StringIO()
    call_command("start_next_plan", "--slug=next", "--fill-baselines", "--user=admin", stdout=out)
    assert out.getvalue().startswith("next: 1 baselines filled (1 estimate)")
    assert baseline(plan, "GDP") == (Decimal("205.0"), "预计")
    # the admin action does the same, and tells what still lacks a baseline
    budget = ProgressEntry.objects.get(
        series__targets__plan=demo_plan, series__indicator__code="BUDGET-REVENUE", year=2025
    )
    client.post(reverse("tracker:approve"), {"entry": [f"{budget.pk}:{budget.version}"]})
    response = client.post(
        reverse("admin:tracker_plan_changelist"),
        {"action": "fill_baselines", "_selected_action": [plan.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "已按2025年数据补填 2 个基期值" in html  # GDP and the budget read theirs
    assert "以下指标无2025年数据，因此没有基期值" in html
    assert baseline(plan, "BUDGET-REVENUE") == (Decimal("25.8"), "预计")
    assert baseline(plan, "GDP") == (Decimal("205.0"), "预计")


def test_the_admin_names_the_targets_left_without_a_baseline(client, demo_plan):
    client.login(username="admin", password=PASSWORD)
    response = client.post(
        reverse("admin:tracker_plan_changelist"),
        {
            "action": "start_next_plan",
            "_selected_action": [demo_plan.pk],
            "apply": "1",
            "slug": "next",
            "name": "十五五",
            "start_year": "2026",
            "end_year": "2030",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "以下指标的2025年数据尚待审核，暂无基期值：GDP, BUDGET-REVENUE" in html
    assert "已完成：ECON-DEV-ZONE。" in html


def test_fill_baselines_needs_an_existing_plan_and_start_needs_its_options(demo_plan):
    with pytest.raises(CommandError, match="No plan"):
        call_command("start_next_plan", "--slug=nowhere", "--fill-baselines", "--user=admin")
    with pytest.raises(CommandError, match="--source, --name"):
        call_command("start_next_plan", "--slug=next", "--start=2026", "--end=2030")
    assert not Plan.objects.filter(slug="next").exists()


def test_the_next_plan_keeps_the_ratios_and_each_goals_basis_of_growth(finals):
    finals.ahead_ratio, finals.on_track_ratio = Decimal("1.35"), Decimal("1.10")
    finals.save()
    finals.targets.filter(code="GDP").update(basis=Target.Basis.CURRENT)
    finals.targets.filter(code="BUDGET-REVENUE").update(basis=Target.Basis.COMPARABLE)
    start()
    plan = Plan.objects.get(slug="next")
    assert (plan.ahead_ratio, plan.on_track_ratio, plan.behind_ratio) == (
        Decimal("1.35"),
        Decimal("1.10"),
        Decimal("0.80"),
    )
    bases = dict(plan.targets.values_list("code", "basis"))
    assert bases["GDP"] == "current" and bases["BUDGET-REVENUE"] == "comparable"
    assert bases["FIXED-ASSET-INVESTMENT"] == ""  # the indicator's usual: comparable prices
    assert plan.targets.get(code="FIXED-ASSET-INVESTMENT").price_basis == "comparable"
