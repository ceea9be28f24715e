"""The read-only JSON API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from tracker.figures.plausibility import Finding, flag_display, flag_text
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.models import ProgressEntry, StoredPayload, Target

KEYS = {
    "code",
    "name",
    "name_en",
    "area",
    "unit",
    "kind",
    "direction",
    "nature",
    "baseline_year",
    "baseline_value",
    "target_year",
    "target_value",
    "lead_department",
    "entries",
    "latest",
    "expected_value",
    "progress",
    "expected_share",
    "status",
    "required_annual_rate",
    "projected_value",
}


@pytest.fixture
def api(client, demo_plan):
    client.login(username="tongji", password="lingyuan-demo-2025")
    return lambda **params: client.get(reverse("tracker:api-plan", args=[demo_plan.slug]), params)


def test_anonymous_gets_401_and_no_data(client, demo_plan):
    response = client.get(reverse("tracker:api-plan", args=[demo_plan.slug]))
    assert response.status_code == 401
    assert "targets" not in response.json()


def test_the_shape(api):
    data = api().json()
    assert data["plan"] == {
        "slug": "lingyuan-14th",
        "name": "凌源市“十四五”规划",
        "region": "凌源市",
        "baseline_year": 2020,
        "start_year": 2021,
        "end_year": 2025,
    }
    assert data["as_of_year"] == 2024
    assert len(data["targets"]) == 11
    for target in data["targets"]:
        assert set(target) >= KEYS
        for entry in target["entries"]:
            assert set(entry) >= {"year", "value", "achieved", "quality", "state"}


def test_decimals_are_strings_and_null_where_they_do_not_apply(api):
    targets = {t["code"]: t for t in api().json()["targets"]}
    gdp = targets["GDP"]
    assert gdp["baseline_value"] == "147.6"
    assert gdp["target_value"] is None and gdp["factor"] == "2.2"
    assert gdp["latest"] == {"year": 2024, "value": "192.3"}
    assert gdp["status"] == "off_track"
    zone = targets["ECO-CITY"]
    assert zone["progress"] is None and zone["required_annual_rate"] is None
    assert zone["status"] == "pending"
    assert targets["COUNTY-RANK"]["latest"] is None


def test_every_number_is_the_engines(api, demo_plan):
    targets = {t["code"]: t for t in api().json()["targets"]}
    for target in Target.objects.filter(plan=demo_plan).with_entries(ANY_ADMINISTRATOR):
        a = target.assess(2024)
        got = targets[target.code]
        assert got["status"] == a.status.value
        if a.progress is not None:
            assert Decimal(got["progress"]) == a.progress.quantize(Decimal("0.0001"))
            assert Decimal(got["expected_share"]) == a.expected_share.quantize(Decimal("0.0001"))
        if a.required_annual_rate is not None:
            assert Decimal(got["required_annual_rate"]) == a.required_annual_rate.quantize(
                Decimal("0.0001")
            )


def test_the_year_parameter(api):
    data = api(year=2022).json()
    assert data["as_of_year"] == 2022
    zone = next(t for t in data["targets"] if t["code"] == "ECON-DEV-ZONE")
    assert zone["status"] == "pending"


@pytest.mark.parametrize("year", ["abc", "2031", "2020"])
def test_a_bad_year_is_a_400_that_says_why(api, year):
    response = api(year=year)
    assert response.status_code == 400
    assert "2021-2025" in response.json()["detail"]


def test_an_unknown_plan_is_404(client, demo_plan):
    client.login(username="tongji", password="lingyuan-demo-2025")
    response = client.get(reverse("tracker:api-plan", args=["nope"]))
    assert response.status_code == 404
    assert "nope" in response.json()["detail"]


def test_each_reader_gets_the_words_of_their_language_and_every_change_at_once(client, demo_plan):
    """The API serves stored objects (tracker/standings/store.py), one set per language."""
    client.login(username="tongji", password="lingyuan-demo-2025")
    url = reverse("tracker:api-plan", args=[demo_plan.slug])
    assert client.get(url).status_code == 200  # the store is built; the save forgets it
    entry = ProgressEntry.objects.get(
        series__targets__plan=demo_plan, series__indicator__code="GDP", year=2024
    )
    entry.plausibility_flag = flag_text([Finding("percent_sign", {"unit": "亿元"})])
    entry.save()

    def flag(language):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the language switch
        data = client.get(url).json()
        gdp = next(t for t in data["targets"] if t["code"] == "GDP")
        return next(e for e in gdp["entries"] if e["year"] == 2024)["plausibility_flag"]

    chinese, english = flag("zh-hans"), flag("en")
    with translation.override("zh-hans"):
        assert chinese == flag_display(entry.plausibility_flag) and "亿元" in chinese
    with translation.override("en"):
        assert english == flag_display(entry.plausibility_flag) != chinese
    assert StoredPayload.objects.filter(target=entry.target, language="en").exists()

    # A department renamed in the admin shows at once.
    admin_user = get_user_model().objects.get(username="admin")
    client.force_login(admin_user)
    department = entry.target.lead_department
    response = client.post(
        reverse("admin:tracker_department_change", args=[department.pk]),
        {
            "name": "统计局（新）",
            "name_en": department.name_en,
            "region": department.region_id,
            "members": [],
        },
    )
    assert response.status_code == 302
    data = client.get(url).json()
    gdp = next(t for t in data["targets"] if t["code"] == "GDP")
    assert gdp["lead_department"] == "统计局（新）"


@pytest.mark.parametrize(
    ("username", "sees_gdp_2025", "sees_budget_2025"),
    [("tongji", True, False), ("caizheng", False, True), ("admin", True, True)],
)
def test_figures_not_yet_approved_are_shown_as_on_the_dashboard(
    client, demo_plan, username, sees_gdp_2025, sees_budget_2025
):
    """A reporter sees the unapproved figures of their own department's targets only."""
    client.login(username=username, password="lingyuan-demo-2025")
    data = client.get(reverse("tracker:api-plan", args=[demo_plan.slug]), {"year": 2025}).json()
    years = {t["code"]: {e["year"]: e["state"] for e in t["entries"]} for t in data["targets"]}
    gaps = {t["code"]: {g["year"]: g["reason"] for g in t["gaps"]} for t in data["targets"]}
    assert ProgressEntry.objects.get(series__indicator__code="GDP", year=2025).state != "approved"
    assert (
        ProgressEntry.objects.get(series__indicator__code="BUDGET-REVENUE", year=2025).state
        != "approved"
    )
    assert (2025 in years["GDP"]) is sees_gdp_2025
    assert (2025 in years["BUDGET-REVENUE"]) is sees_budget_2025
    assert years["GDP"][2024] == "approved"  # approved figures are everyone's
    # Why a year has no approved figure is the figure's workflow, told only to who sees it.
    assert (gaps["GDP"][2025] != "no_data") is sees_gdp_2025
    assert (gaps["BUDGET-REVENUE"][2025] != "no_data") is sees_budget_2025
