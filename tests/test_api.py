"""The read-only JSON API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tracker.models import Target

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
    for target in Target.objects.filter(plan=demo_plan).with_entries():
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
    assert client.get(reverse("tracker:api-plan", args=["nope"])).status_code == 404
