"""One statistic, one home: a figure is a region's indicator in a year, and every plan of the
region that targets the indicator reads it: entered once, approved once, closed once."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from tests import factory
from tracker.figures import writes
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.indicators import derived
from tracker.models import Department, Indicator, Plan, ProgressEntry, Region, Target
from tracker.plans import evaluations

PASSWORD = "lingyuan-demo-2025"


def figure(code: str, year: int, plan: str = "lingyuan-14th") -> ProgressEntry:
    """The region's figure, read through the plan's target."""
    return ProgressEntry.objects.of_plan(Plan.objects.get(slug=plan)).get(
        series__indicator__code=code, year=year
    )


def enter(client, plan: str, year: int, code: str, value: str, *, submit=True):
    """As a reporter does it: the plan's entry page, one row."""
    target = Target.objects.get(plan__slug=plan, code=code)
    stored = ProgressEntry.objects.filter(series=target.series_id, year=year).first()
    prefix = f"t{target.pk}"
    data = {
        f"{prefix}-value": value,
        f"{prefix}-quality": "final",
        f"{prefix}-note": "示例数据",
        f"{prefix}-version": stored.version if stored else 0,
    }
    if submit:
        data["submit"] = "1"
    return client.post(reverse("tracker:data-entry", args=[plan, year]), data)


def approve(client, entry: ProgressEntry):
    client.login(username="admin", password=PASSWORD)
    entry.refresh_from_db()
    client.post(reverse("tracker:approve"), {"entry": [f"{entry.pk}:{entry.version}"]})
    entry.refresh_from_db()
    assert entry.state == "approved"


def api(client, plan: str, **params) -> dict:
    client.login(username="admin", password=PASSWORD)
    return client.get(reverse("tracker:api-plan", args=[plan]), params).json()


def api_target(data: dict, code: str) -> dict:
    return next(t for t in data["targets"] if t["code"] == code)


def report_cells(client, plan: str, year: int) -> str:
    client.login(username="admin", password=PASSWORD)
    response = client.get(reverse("tracker:report", args=[plan]), {"year": year})
    book = load_workbook(io.BytesIO(response.content))
    return " ".join(str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row)


def test_gdp_2025_is_entered_once_and_read_by_both_plans(client, demo_plans):
    fourteenth, fifteenth = demo_plans
    gdp = figure("GDP", 2025)
    assert gdp.state == "submitted"  # the demo's 2025 figure awaits approval
    # The 15th plan offers no second GDP 2025 to enter: it is the same figure.
    assert figure("GDP", 2025, "lingyuan-15th").pk == gdp.pk
    assert ProgressEntry.objects.filter(series__indicator__code="GDP", year=2025).count() == 1
    # The statistics bureau corrects it once, on the 14th plan's page; it is approved once.
    admin_reopen = ProgressEntry.objects.get(pk=gdp.pk)
    client.login(username="admin", password=PASSWORD)
    client.post(
        reverse("tracker:return-entry", args=[admin_reopen.pk]),
        {"reason": "请按统计公报更正", "version": admin_reopen.version},
    )
    client.login(username="tongji", password=PASSWORD)
    response = enter(client, "lingyuan-14th", 2025, "GDP", "207.1")
    assert response.status_code == 302
    approve(client, gdp)
    assert gdp.value == Decimal("207.1")
    # The 14th plan's report and API show it as its 2025 figure ...
    assert "207.1" in report_cells(client, "lingyuan-14th", 2025)
    gdp14 = api_target(api(client, "lingyuan-14th", year=2025), "GDP")
    assert gdp14["latest"] == {"year": 2025, "value": "207.1"}
    # ... and the 15th plan's baseline is that very figure, on the API and its page.
    data = api(client, "lingyuan-15th", year=2026)
    assert data["region"] == {"code": "211382", "name": "凌源市", "name_en": "Lingyuan"}
    gdp15 = api_target(data, "GDP")
    assert (gdp15["baseline_value"], gdp15["baseline_year"], gdp15["indicator"]) == (
        "207.1",
        2025,
        "GDP",
    )
    page = client.get(Target.objects.get(plan=fifteenth, code="GDP").get_absolute_url())
    assert "207.1" in page.content.decode()


def test_revising_the_base_year_moves_the_goal_and_statuses_but_not_a_frozen_evaluation(
    client, demo_plan
):
    admin = factory.make_user("evaluator", role="admin")
    evaluation = evaluations.freeze(
        plan=demo_plan, kind="midterm", title="中期评估", year=2023, by=admin
    )
    before = api_target(api(client, "lingyuan-14th", year=2024), "GDP")
    assert (before["baseline_value"], before["goal_value"]) == ("147.6", "324.7")
    # 2020 revised from the estimate 147.6 to the final 147.0: reopened, entered, approved.
    base = figure("GDP", 2020)
    assert base.quality == "estimate"
    client.login(username="admin", password=PASSWORD)
    client.post(
        reverse("tracker:reopen-entry", args=[base.pk]),
        {"reason": "统计局公布2020年最终核实数", "version": base.version},
    )
    client.login(username="tongji", password=PASSWORD)
    target = Target.objects.get(plan=demo_plan, code="GDP")
    base.refresh_from_db()
    prefix = f"t{target.pk}"
    client.post(
        reverse("tracker:data-entry", args=["lingyuan-14th", 2020]),
        {
            "submit": "1",
            f"{prefix}-value": "147.0",
            f"{prefix}-quality": "final",
            f"{prefix}-note": "最终核实数",
            f"{prefix}-version": base.version,
        },
    )
    approve(client, base)
    after = api_target(api(client, "lingyuan-14th", year=2024), "GDP")
    assert (after["baseline_value"], after["goal_value"]) == ("147.0", "323.4")
    assert after["expected_value"] != before["expected_value"]
    page = client.get(target.get_absolute_url()).content.decode()
    assert "147.0" in page and "最终" in page  # the baseline and its vintage
    # The evaluation keeps what it published, and lists the revision as a change since.
    frozen = api_target(api(client, "lingyuan-14th", evaluation=evaluation.pk), "GDP")
    assert (frozen["baseline_value"], frozen["goal_value"]) == ("147.6", "324.7")
    revisions = evaluations.changes_since(evaluation, ANY_ADMINISTRATOR)
    assert any(r.code == "GDP" and r.year == 2020 and r.new_value == "147.0" for r in revisions)


def test_closing_a_year_from_one_plan_closes_it_for_the_region(demo_plans):
    fourteenth, fifteenth = demo_plans
    admin = factory.make_user("closer", role="admin")
    writes.close_year(fifteenth, 2025, by=admin, reason="公报已发布")
    fourteenth = Plan.objects.get(pk=fourteenth.pk)
    assert fourteenth.year_lock(2025).code == "closed_year"
    lock = figure("GDP", 2025).lock_reason(admin)
    assert lock.code == "closed_year"
    with pytest.raises(writes.Refused):
        writes.close_year(fourteenth, 2025, by=admin)


def test_two_counties_each_have_their_statistics_bureau(db):
    lingyuan = factory.make_region("凌源市", code="211382")
    beipiao = factory.make_region("北票市", code="211381")
    Department.objects.create(name="统计局", region=lingyuan)
    Department.objects.create(name="统计局", region=beipiao)
    assert Department.objects.filter(name="统计局").count() == 2
    with pytest.raises(ValidationError):
        Department(name="统计局", region=beipiao).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(name="统计局", region=lingyuan)
    # Each county's plan reads its own figures of the same indicator.
    plans = [factory.make_plan(region=region) for region in (lingyuan, beipiao)]
    targets = [factory.make_target(plan, code="GDP") for plan in plans]
    assert targets[0].indicator == targets[1].indicator
    assert targets[0].series != targets[1].series
    factory.make_entry(targets[0], 2023, "178.5")
    assert not targets[1].entries.exists()


def test_where_two_plans_name_different_departments_both_may_enter(demo_plans):
    fourteenth, fifteenth = demo_plans
    finance = Department.objects.get(name="财政局")
    gdp15 = Target.objects.get(plan=fifteenth, code="GDP")
    gdp15.lead_department = finance
    gdp15.save()
    caizheng = factory.make_user("caizheng2", role="reporter", departments=[finance])
    gdp_2024 = ProgressEntry.objects.filter(series=gdp15.series_id, year=2024)
    assert gdp_2024.exists()
    assert Target.objects.editable_by(caizheng).filter(plan=fourteenth, code="GDP").exists()


def test_regions_are_known_by_their_gb_t_2260_codes(seed_plan):
    assert Region.objects.get(code="211382").parent == Region.objects.get(code="211300")
    with pytest.raises(ValidationError):
        Region(code="21138", name="x", level="county").full_clean()


# -- derived indicators ------------------------------------------------------------------


@pytest.fixture
def rd(demo_plans):
    """The 15th plan's R&D spending and share, with GDP: share = spending ÷ GDP × 100."""
    fourteenth, fifteenth = demo_plans
    return {
        code: Target.objects.get(plan=fifteenth, code=code)
        for code in ("RD-SPENDING", "RD-SHARE", "GDP")
    }


def test_rd_intensity_is_computed_from_its_two_inputs(client, rd):
    share = figure("RD-SHARE", 2026, "lingyuan-15th")
    assert share.computed and share.state == "approved"
    assert share.value == Decimal("2.451967")  # 5.36 ÷ 218.6 × 100
    assert share.quality == "preliminary"  # the lowest of its inputs'
    # The typed sample it replaced is kept in its history.
    assert share.history.filter(value=Decimal("2.45"), computed=False).exists()
    client.login(username="admin", password=PASSWORD)
    page = client.get(rd["RD-SHARE"].get_absolute_url()).content.decode()
    assert "RD-SPENDING ÷ GDP × 100" in page and "5.36" in page and "218.6" in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_computed_figure_shows_at_the_indicators_places_and_keeps_its_digits(
    client, rd, language
):
    """2.451967 was never reported: the entry page, the next year's context, the target's
    figures and history show 2.45; the stored figure keeps every digit."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.login(username="admin", password=PASSWORD)
    share = rd["RD-SHARE"]
    assert share.decimal_places == 2
    for year in (2026, 2027):
        page = client.get(reverse("tracker:data-entry", args=["lingyuan-15th", year]))
        html = page.content.decode()
        row = html[html.index(f'id="row-{share.code}"') :]
        row = row[: row.index("</tbody>")]
        assert "2.45" in row and "2.451967" not in row, year
    html = client.get(share.get_absolute_url(), {"year": 2026}).content.decode()
    assert "2.45" in html and "2.451967" not in html
    assert figure("RD-SHARE", 2026, "lingyuan-15th").value == Decimal("2.451967")


def test_a_computed_figure_follows_its_inputs_and_counts_only_when_they_are_approved(client, rd):
    client.login(username="keji", password=PASSWORD)
    assert enter(client, "lingyuan-15th", 2027, "RD-SPENDING", "6.00").status_code == 302
    client.login(username="tongji", password=PASSWORD)
    assert enter(client, "lingyuan-15th", 2027, "GDP", "240.0").status_code == 302
    share = figure("RD-SHARE", 2027, "lingyuan-15th")
    assert (share.value, share.state, share.computed) == (Decimal("2.500000"), "submitted", True)
    # Not approved: an administrator sees it, the share's own reporter does not (it is
    # made of other departments' figures), and nobody can type over it.
    keji = get_user_model().objects.get(username="keji")
    assert not ProgressEntry.objects.visible_to(keji).filter(pk=share.pk).exists()
    assert ProgressEntry.objects.visible_to(ANY_ADMINISTRATOR).filter(pk=share.pk).exists()
    assert share.lock_reason(keji).code == "computed"
    response = enter(client, "lingyuan-15th", 2027, "RD-SHARE", "9.9")
    share.refresh_from_db()
    assert share.value == Decimal("2.500000")
    approve(client, figure("GDP", 2027, "lingyuan-15th"))
    share.refresh_from_db()
    assert share.state == "submitted"  # R&D spending still awaits approval
    approve(client, figure("RD-SPENDING", 2027, "lingyuan-15th"))
    share.refresh_from_db()
    assert share.state == "approved"
    assert response.status_code in (200, 302)


def test_a_region_with_only_the_share_types_it(db):
    plan = factory.make_plan(region="只有比重县")
    indicator = Indicator.objects.create(
        code="RD-SHARE-X",
        name="R&D经费投入强度",
        unit="%",
        measure="share",
        formula="ratio",
        numerator=Indicator.objects.create(code="RD-X", name="R&D", measure="amount"),
        denominator=Indicator.objects.create(code="GDP-X", name="GDP", measure="amount"),
    )
    target = factory.make_target(plan, code="RD-SHARE-X", indicator=indicator, unit="%")
    typed = factory.make_entry(target, 2023, "1.9", state="draft")
    admin = factory.make_user("admin-x", role="admin")
    assert not typed.computed and typed.lock_reason(admin) is None
    # Once both inputs are there, the share is computed, replacing the typed one.
    gdp = factory.make_target(plan, code="GDP-X", indicator=indicator.denominator)
    spending = factory.make_target(plan, code="RD-X", indicator=indicator.numerator)
    factory.make_entry(gdp, 2023, "200")
    factory.make_entry(spending, 2023, "5")
    typed.refresh_from_db()
    assert typed.computed and typed.value == Decimal("2.500000")


def test_a_formula_must_not_go_round_in_a_circle(db):
    a = Indicator.objects.create(code="A", name="A", measure="amount")
    b = Indicator.objects.create(code="B", name="B", measure="amount")
    ratio = Indicator.objects.create(
        code="C", name="C", measure="share", formula="ratio", numerator=a, denominator=b
    )
    a.formula, a.numerator, a.denominator = "ratio", ratio, b
    with pytest.raises(ValidationError):
        a.full_clean()
    assert derived.formula_text(ratio) == "A ÷ B × 100"
    assert derived.compute(ratio, [Decimal(1), Decimal(0)]) is None  # no ratio over zero


def test_the_seed_defines_rd_intensity_as_a_ratio(seed_plan):
    share = Indicator.objects.get(code="RD-SHARE")
    assert derived.formula_text(share) == "RD-SPENDING ÷ GDP × 100"
    assert (share.numerator.unit, share.denominator.unit) == ("亿元", "亿元")


def test_a_figure_of_the_earlier_plans_years_is_reopened_through_that_plan(client, demo_plans):
    """The 15th plan reads the region's 2020-2024 figures too, but they are the 14th plan's
    years: reopening 2020 from either page acts through the 14th plan."""
    base = figure("GDP", 2020)
    client.login(username="admin", password=PASSWORD)
    response = client.post(
        reverse("tracker:reopen-entry", args=[base.pk]),
        {"reason": "统计局公布2020年最终核实数", "version": base.version},
    )
    assert (
        response["Location"]
        == Target.objects.get(plan__slug="lingyuan-14th", code="GDP").get_absolute_url()
    )
    base.refresh_from_db()
    assert base.state == "returned"
    # Approvals and the admin name the plan whose year it is.
    assert ProgressEntry.objects.with_targets().get(pk=base.pk).target.plan.slug == (
        "lingyuan-14th"
    )


def test_a_computed_figure_not_yet_approved_is_in_no_reporters_answer(client, rd):
    client.login(username="keji", password=PASSWORD)
    enter(client, "lingyuan-15th", 2027, "RD-SPENDING", "5.90")
    client.login(username="tongji", password=PASSWORD)
    enter(client, "lingyuan-15th", 2027, "GDP", "232.0")
    assert figure("RD-SHARE", 2027, "lingyuan-15th").computed
    # The API gives it to nobody until approved (its stored objects serve every reader);
    # an administrator sees it on the target page.
    for user in ("keji", "tongji", "caizheng", "admin"):
        client.login(username=user, password=PASSWORD)
        data = client.get(reverse("tracker:api-plan", args=["lingyuan-15th"]), {"year": 2027})
        share = api_target(data.json(), "RD-SHARE")
        assert not any(e["year"] == 2027 for e in share["entries"]), user
    client.login(username="admin", password=PASSWORD)
    assert "2.54" in client.get(rd["RD-SHARE"].get_absolute_url()).content.decode()
    # keji's entry page offers no box to type over it: the row is locked, value unshown.
    client.login(username="keji", password=PASSWORD)
    page = client.get(reverse("tracker:data-entry", args=["lingyuan-15th", 2027])).content
    row = page.decode().split('id="row-RD-SHARE"')[1].split("</tr>")[0]
    assert "locked" in page.decode().split('id="row-RD-SHARE"')[0][-200:] + row
    assert "name=" not in row and "2.54" not in row


@pytest.mark.parametrize(
    ("language", "no_data", "based_on"),
    [("en", "No data", "based on"), ("zh-hans", "无数据", "依据")],
)
def test_a_no_data_status_says_no_year_it_rests_on(client, demo_plans, language, no_data, based_on):
    """The 15th plan's income growth: its baseline year 2025 is approved, 2026 has no
    figure yet. The status is "no data", and says no "based on 2025 figures"."""
    target = Target.objects.get(plan__slug="lingyuan-15th", code="INCOME-GROWTH")
    factory.make_entry(target, 2025, "34200", quality="final")  # approved
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.login(username="admin", password=PASSWORD)
    html = client.get(target.get_absolute_url(), {"year": 2026}).content.decode()
    assert no_data in html and based_on not in html
    data = api(client, "lingyuan-15th", year=2026)
    assert api_target(data, "INCOME-GROWTH")["based_on_year"] is None
