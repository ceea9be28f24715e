"""Target codes are letters, digits, - and _ (at most 40): a "/" never reaches an address."""

from __future__ import annotations

import importlib

import openpyxl
import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import factory
from tests.test_target_definitions import upload
from tracker.models import Indicator, Series, Target

HEADER = ["指标代码", "指标名称", "类别", "单位", "类型", "方向", "属性", "基期值", "目标值"]


@pytest.mark.parametrize("code", ["GDP/2", "国内生产总值", "a b", "x" * 41, "GDP?", ""])
def test_the_model_refuses_bad_codes(code, db):
    target = factory.make_target()
    target.code = code
    with pytest.raises(ValidationError) as refusal:
        target.full_clean()
    assert "code" in refusal.value.message_dict


@pytest.mark.parametrize("code", ["GDP", "INCOME-GROWTH", "pm2_5", "A" * 40])
def test_good_codes_pass(code, db):
    target = factory.make_target(code=code)
    target.full_clean()


def test_the_admin_refuses_a_slash(client, db):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("root", password=factory.PASSWORD))
    target = factory.make_target(code="GDP")
    page = client.get(reverse("admin:tracker_target_change", args=[target.pk]))
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(code="GDP/2", plan=target.plan_id, area=target.area_id)
    response = client.post(reverse("admin:tracker_target_change", args=[target.pk]), data)
    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors
    target.refresh_from_db()
    assert target.code == "GDP"


def test_the_target_import_refuses_a_slash(client, admin_user):
    client.force_login(admin_user)
    plan = factory.make_plan(slug="codes")
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    wb.active.append(
        ["GDP/2", "地区生产总值", "经济", "亿元", "水平值", "越高越好", "预期性", 100, 200]
    )
    response = upload(client, plan, wb)
    assert response.status_code == 200
    assert "A2" in response.content.decode() and not Target.objects.filter(plan=plan).exists()


@pytest.mark.parametrize("code", ["GDP/2", "x" * 41, None])
def test_the_target_import_says_each_bad_code_once(client, admin_user, code):
    client.force_login(admin_user)
    plan = factory.make_plan(slug="codes")
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    wb.active.append(
        [code, "地区生产总值", "经济", "亿元", "水平值", "越高越好", "预期性", 100, 200]
    )
    response = upload(client, plan, wb)
    problems = [(p.cell, str(p.message)) for p in response.context["preview"].errors]
    assert len(problems) == 1 and problems[0][0].endswith("A2"), problems
    assert not Target.objects.filter(plan=plan).exists()


def test_existing_bad_codes_are_mended_by_the_migration(client, admin_user):
    plan = factory.make_plan(slug="mended")
    area = factory.make_area(plan)
    factory.make_target(plan, code="GDP-2", area=area)
    # Rows from before codes were checked: their indicators carry the same codes.
    indicators = Indicator.objects.bulk_create(
        [Indicator(code=code, name=code, measure="amount") for code in ("GDP/2", "生产总值")]
    )
    statistics = Series.objects.bulk_create(
        [Series(region=plan.region, indicator=indicator) for indicator in indicators]
    )
    Target.objects.bulk_create(
        [
            Target(
                plan=plan,
                area=area,
                indicator=indicators[0],
                series=statistics[0],
                code="GDP/2",
                name="a",
                kind="level",
                baseline_year=2020,
                target_year=2025,
                target_value=1,
            ),
            Target(
                plan=plan,
                area=area,
                indicator=indicators[1],
                series=statistics[1],
                code="生产总值",
                name="b",
                kind="level",
                baseline_year=2020,
                target_year=2025,
                target_value=1,
            ),
        ]
    )
    migration = importlib.import_module("tracker.migrations.0010_codes_and_figures")
    migration.mend_codes(apps, None)
    codes = sorted(Target.objects.filter(plan=plan).values_list("code", flat=True))
    for code in codes:
        Target(code=code).clean_fields(
            exclude=[f.name for f in Target._meta.fields if f.name != "code"]
        )
    assert len(codes) == 3 and "GDP-2" in codes
    client.force_login(admin_user)
    assert client.get(reverse("tracker:plan-dashboard", args=[plan.slug])).status_code == 200


def test_a_target_refers_to_another_target_of_its_plan(db):
    target = factory.make_target(code="GDP")
    target.kind, target.reference_target = Target.Kind.RELATIVE, target
    with pytest.raises(ValidationError) as refusal:
        target.full_clean()
    assert "reference_target" in refusal.value.message_dict
    elsewhere = factory.make_target(plan=factory.make_plan(slug="other"), code="GDP")
    target.reference_target = elsewhere
    with pytest.raises(ValidationError) as refusal:
        target.full_clean()
    assert "reference_target" in refusal.value.message_dict


def test_a_baseline_below_zero_needs_negatives_allowed(db):
    target = factory.make_target(code="RATE", baseline_value=-1)
    with pytest.raises(ValidationError) as refusal:
        target.full_clean()
    assert "baseline_value" in refusal.value.message_dict
    target.allow_negative = True
    target.full_clean()


def test_the_target_import_refuses_a_target_that_is_its_own_reference(client, admin_user):
    client.force_login(admin_user)
    plan = factory.make_plan(slug="codes")
    wb = openpyxl.Workbook()
    wb.active.append([*HEADER, "参照指标代码"])
    wb.active.append(
        ["GDP", "地区生产总值", "经济", "亿元", "relative", "越高越好", "预期性", 100, None, "GDP"]
    )
    response = upload(client, plan, wb)
    problems = [(p.cell, str(p.message)) for p in response.context["preview"].errors]
    assert problems == [("J2", "指标不能以自身为参照指标。")], problems
    assert not Target.objects.filter(plan=plan).exists()
