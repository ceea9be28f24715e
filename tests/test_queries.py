"""Pages and the API run the same number of SQL queries for 10 targets as for 2,000."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factory
from tracker.models import ProgressEntry, Target


def build_plan(n_targets: int, department):
    plan = factory.make_plan()
    areas = [factory.make_area(plan) for _ in range(3)]
    Target.objects.bulk_create(
        Target(
            plan=plan,
            area=areas[i % 3],
            code=f"Q{i:05d}",
            name=f"指标{i}",
            unit="亿元",
            kind="level",
            baseline_value=Decimal(100),
            baseline_year=2020,
            target_value=Decimal(200),
            target_year=2025,
            lead_department=department,
        )
        for i in range(n_targets)
    )
    ProgressEntry.objects.bulk_create(
        ProgressEntry(
            target=t,
            year=year,
            value=Decimal(100 + 15 * (year - 2020)),
            state="approved" if year < 2025 else "submitted",
        )
        for t in Target.objects.filter(plan=plan)
        for year in range(2021, 2026)
    )
    return plan


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


PAGES = {
    "dashboard": lambda plan: plan.get_absolute_url(),
    "filtered dashboard": lambda plan: plan.get_absolute_url() + "?status=on_track&sort=-progress",
    "api": lambda plan: reverse("tracker:api-plan", args=[plan.slug]),
    "target page": lambda plan: Target.objects.filter(plan=plan).first().get_absolute_url(),
    "departments": lambda plan: reverse("tracker:departments", args=[plan.slug]),
    "data entry": lambda plan: reverse("tracker:data-entry", args=[plan.slug, 2024]),
}


def test_query_count_does_not_grow_with_the_plan(client, reporter, department):
    small, large = build_plan(10, department), build_plan(2000, department)
    client.force_login(reporter)
    for name, page in PAGES.items():
        count_queries(client, page(small))  # warm the session and permission caches
        count_queries(client, page(large))  # and build the standings store (tests/test_store.py)
        assert count_queries(client, page(small)) == count_queries(client, page(large)), name
