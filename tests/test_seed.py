"""The seed's plan loads alone into an empty database with exactly the seed's numbers."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from django.conf import settings

from tracker.figures.rights import ANY_ADMINISTRATOR as ADMIN
from tracker.models import Area, ProgressEntry, Target

SEED = Path(settings.BASE_DIR).parent / "shared" / "seed"

EXPECTED = {
    # code: kind, unit, baseline, target value, factor, direction
    "GDP": ("multiple", "亿元", D("147.6"), None, D("2.2"), "increase"),
    "BUDGET-REVENUE": ("multiple", "亿元", D("11.6"), None, D("2.2"), "increase"),
    "FIXED-ASSET-INVESTMENT": ("multiple", "亿元", D("59.8"), None, D("2.2"), "increase"),
    "COUNTY-RANK": ("rank", "位", None, D("10"), None, "decrease"),
    "RD-SHARE": ("level", "%", None, D("2.5"), None, "increase"),
    "URBAN-POPULATION": ("level", "万人", None, D("30"), None, "increase"),
    "BUILT-UP-AREA": ("level", "平方公里", None, D("35"), None, "increase"),
    "INCOME-GROWTH": ("relative", "元", None, None, None, "increase"),
    "HIGH-TECH-ZONE": ("milestone", "", None, None, None, "increase"),
    "ECON-DEV-ZONE": ("milestone", "", None, None, None, "increase"),
    "ECO-CITY": ("milestone", "", None, None, None, "increase"),
}


def test_the_plan_is_the_seeds(seed_plan):
    assert seed_plan.name == "凌源市“十四五”规划"
    region = seed_plan.region
    assert (region.code, region.name, region.name_en) == ("211382", "凌源市", "Lingyuan")
    assert [region.parent.code, region.parent.parent.code] == ["211300", "210000"]
    assert (seed_plan.baseline_year, seed_plan.start_year, seed_plan.end_year) == (2020, 2021, 2025)
    assert (seed_plan.on_track_ratio, seed_plan.behind_ratio) == (D("1.00"), D("0.80"))


def test_areas_follow_the_goals_paragraph(seed_plan):
    assert list(Area.objects.filter(plan=seed_plan).values_list("name", flat=True)) == [
        "综合经济实力",
        "开放创新",
        "城乡建设",
        "民生保障",
        "生态环境",
    ]


def test_targets_carry_exactly_the_seeds_numbers(seed_plan):
    targets = {t.code: t for t in Target.objects.filter(plan=seed_plan).with_entries(ADMIN)}
    assert set(targets) == set(EXPECTED)
    for code, (kind, unit, baseline, target_value, factor, direction) in EXPECTED.items():
        t = targets[code]
        assert (t.kind, t.unit, t.direction) == (kind, unit, direction), code
        assert (t.indicator.code, t.indicator.unit) == (code, unit), code
        # The baseline is the region's 2020 figure: nothing is fixed on the target.
        assert t.baseline_value is None, code
        assert t.spec(t.approved_values()).baseline_value == baseline, code
        assert t.target_value == target_value, code
        assert t.factor == factor, code
        assert (t.baseline_year, t.target_year) == (2020, 2025)


def test_the_2020_figures_are_marked_as_estimates(seed_plan):
    for code in ("GDP", "BUDGET-REVENUE", "FIXED-ASSET-INVESTMENT"):
        target = Target.objects.with_entries(ADMIN).get(plan=seed_plan, code=code)
        assert target.baseline_figure().quality == "estimate"
        assert target.baseline_vintage == "预计"
        assert "2.2" in target.notes  # the reading of 增1.2倍 is stated


def test_income_growth_is_compared_with_gdp(seed_plan):
    income = Target.objects.get(plan=seed_plan, code="INCOME-GROWTH")
    assert income.reference_target.code == "GDP"


def test_the_fixture_invents_nothing(seed_plan):
    # The only figures are the plan's own 2020 baselines, stated in the seed.
    assert sorted(
        ProgressEntry.objects.values_list("series__indicator__code", "year", "value")
    ) == [
        ("BUDGET-REVENUE", 2020, D("11.6")),
        ("FIXED-ASSET-INVESTMENT", 2020, D("59.8")),
        ("GDP", 2020, D("147.6")),
    ]
    assert not Target.objects.filter(lead_department__isnull=False).exists()


@pytest.mark.skipif(not SEED.exists(), reason="the seed article is not beside the project")
def test_every_source_text_quotes_the_seed(seed_plan):
    article = "".join(p.read_text(encoding="utf-8") for p in SEED.glob("*.txt"))
    for target in Target.objects.filter(plan=seed_plan):
        assert target.source_text, target.code
        for line in target.source_text.splitlines():
            assert line in article, (target.code, line)
