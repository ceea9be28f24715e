"""Plain functions that make the rows tests need, with sensible defaults."""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tracker.figures.rights import ADMINISTRATORS, REPORTERS, VIEWERS
from tracker.models import (
    Area,
    Department,
    Indicator,
    Plan,
    Profile,
    ProgressEntry,
    Region,
    Target,
)

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery"


def make_region(name: str = "测试市", **fields) -> Region:
    """The region of this name, made the first time it is asked for (code 99xxxx)."""
    region = Region.objects.filter(name=name).first()
    if region is None:
        code = fields.pop("code", None) or f"99{9000 + next(_counter) % 1000:04d}"
        region = Region.objects.create(
            code=code, name=name, **{"level": Region.Level.COUNTY, **fields}
        )
    return region


def make_plan(**fields) -> Plan:
    n = next(_counter)
    defaults = dict(
        slug=f"plan-{n}",
        name=f"测试规划{n}",
        baseline_year=2020,
        start_year=2021,
        end_year=2025,
    )
    # Each plan a county of its own, unless told: plans of one region share their figures.
    region = fields.pop("region", f"测试县{n}")
    if isinstance(region, str):
        region = make_region(region, name_en=fields.pop("region_en", ""))
    return Plan.objects.create(region=region, **{**defaults, **fields})


def make_area(plan: Plan, **fields) -> Area:
    n = next(_counter)
    return Area.objects.create(plan=plan, **{"name": f"领域{n}", "order": n, **fields})


def make_department(**fields) -> Department:
    n = next(_counter)
    fields.setdefault("region", make_region())
    return Department.objects.create(**{"name": f"部门{n}", **fields})


def make_target(plan: Plan | None = None, *, comparable_growth: bool = False, **fields) -> Target:
    """A target of `plan`; `comparable_growth` marks its indicator as one whose growth is
    published at comparable prices (its figures then carry a growth rate)."""
    plan = plan or make_plan()
    n = next(_counter)
    if "area" not in fields:
        fields["area"] = make_area(plan)
    defaults = dict(
        code=f"T{n}",
        name=f"指标{n}",
        unit="亿元",
        kind="level",
        baseline_value=Decimal("100"),
        baseline_year=plan.baseline_year,
        target_value=Decimal("200"),
        target_year=plan.end_year,
        decimal_places=1,
    )
    target = Target.objects.create(plan=plan, **{**defaults, **fields})
    if comparable_growth:
        Indicator.objects.filter(pk=target.indicator_id).update(comparable_growth=True)
        target.indicator.refresh_from_db()
    return target


def make_milestone(plan: Plan, **fields) -> Target:
    """A yes/no target, as the plan's national development zone."""
    defaults = dict(
        code="ZONE",
        name="国家级开发区",
        kind="milestone",
        baseline_value=None,
        target_value=None,
        unit="",
        decimal_places=0,
    )
    return make_target(plan, **{**defaults, **fields})


def make_entry(target: Target, year: int, value=None, **fields) -> ProgressEntry:
    if value is not None and not isinstance(value, bool):
        fields["value"] = Decimal(str(value))
    elif isinstance(value, bool):
        fields["achieved"] = value
    fields.setdefault("state", ProgressEntry.State.APPROVED)
    return ProgressEntry.objects.create(target=target, year=year, **fields)


def make_user(username: str, *, role: str | None = None, departments=(), region=None, **fields):
    """A user in a role (admin, reporter, viewer), of `region` (an administrator's or
    viewer's; none: every region) and members of `departments`."""
    user = get_user_model().objects.create_user(username, password=PASSWORD, **fields)
    if role == "admin":
        user.groups.add(Group.objects.get(name=ADMINISTRATORS))
        user.is_staff = True
        user.save()
    elif role == "reporter":
        user.groups.add(Group.objects.get(name=REPORTERS))
    elif role == "viewer":
        user.groups.add(Group.objects.get(name=VIEWERS))
    if region is not None:
        Profile.objects.create(user=user, region=region)
    for department in departments:
        department.members.add(user)
    return user
