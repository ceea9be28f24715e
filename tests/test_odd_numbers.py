"""Numbers in requests that are not plain numbers: an answer that says so, never a 500.

`str.isdigit()` accepts "²" and "①", which `int()` refuses; a number beyond 64 bits fits
no database column.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factory
from tracker.excel.reader import as_year
from tracker.models import ProgressEntry

ODD = ["²", "2²", "①", "٢٠٢٢", "99999999999999999999", "-1", "", " 2022", "2022.5"]


@pytest.fixture
def plan(db, department):
    plan = factory.make_plan(slug="odd")
    target = factory.make_target(plan, code="GDP", lead_department=department)
    factory.make_entry(target, 2023, 120, state=ProgressEntry.State.SUBMITTED)
    return plan


@pytest.mark.parametrize("value", ODD)
def test_the_api_refuses_an_odd_year_or_evaluation_with_400(client, plan, admin_user, value):
    client.force_login(admin_user)
    url = reverse("tracker:api-plan", args=[plan.slug])
    for parameter in ("year", "evaluation"):
        response = client.get(url, {parameter: value})
        assert response.status_code == 400, (parameter, value)
        assert parameter in response.json()["detail"]


@pytest.mark.parametrize("value", ODD)
def test_dashboard_and_entry_pages_take_an_odd_year_without_a_500(client, plan, admin_user, value):
    client.force_login(admin_user)
    assert client.get(plan.get_absolute_url(), {"year": value}).status_code == 200


@pytest.mark.parametrize("value", ["²:1", "1:²", f"{2**64}:1", f"1:{2**64}"])
def test_approving_an_odd_figure_number_approves_nothing(client, plan, admin_user, value):
    client.force_login(admin_user)
    response = client.post(reverse("tracker:approve"), {"entry": value}, follow=True)
    assert response.status_code == 200
    assert not ProgressEntry.objects.filter(state=ProgressEntry.State.APPROVED).exists()


@pytest.mark.parametrize("version", ["²", "99999999999999999999"])
def test_returning_with_an_odd_version_is_refused_as_stale(client, plan, admin_user, version):
    client.force_login(admin_user)
    entry = ProgressEntry.objects.get()
    response = client.post(
        reverse("tracker:return-entry", args=[entry.pk]),
        {"reason": "请核对", "version": version},
        follow=True,
    )
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.state == ProgressEntry.State.SUBMITTED


def test_a_figure_number_beyond_any_key_is_not_found(client, plan, admin_user):
    client.force_login(admin_user)
    url = reverse("tracker:return-entry", args=[99999999999999999999])
    assert client.post(url, {"reason": "请核对", "version": "1"}).status_code == 404


@pytest.mark.parametrize("header", ["²", "2²年", "①", "2021²"])
def test_a_workbook_header_of_odd_digits_is_no_year(header):
    assert as_year(header) is None


def test_a_workbook_header_in_full_width_digits_is_a_year():
    assert as_year("２０２１年") == 2021
