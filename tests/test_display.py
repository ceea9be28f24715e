"""One vocabulary and one number format: words for milestones and states, figures, chart ticks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from tests import factory
from tracker.standings import formats


@pytest.mark.parametrize(
    "value, places, expected",
    [
        (Decimal("147.6"), 1, "147.6"),
        (Decimal("2024.5"), 1, "2024.5"),  # four digits stay together (GB/T 15835)
        (Decimal("25000"), 0, "25,000"),
        (Decimal("1234567.891"), 2, "1,234,567.89"),
        (Decimal("-32300"), 0, "-32,300"),
        (None, 2, ""),
    ],
)
def test_figures_get_their_places_and_thousands_separators(value, places, expected):
    assert formats.format_figure(value, places) == expected


def test_milestones_and_states_have_one_word_in_each_language():
    with translation.override("zh-hans"):
        assert formats.milestone_word(True) == "完成"
        assert formats.milestone_word(False) == "未完成"
        assert formats.state_word("submitted") == "已提交"
    with translation.override("en"):
        assert formats.milestone_word(True) == "Completed"
        assert formats.milestone_word(False) == "Not completed"
    assert formats.milestone_word(None) == ""


@pytest.mark.parametrize(
    "low, high, whole, expected",
    [
        (129.9, 236.2, False, [100, 150, 200, 250]),
        (1.2, 2.5, False, [1, 1.5, 2, 2.5]),
        (10, 10, True, [9, 10, 11]),  # a rank that never moved: no 10, 10, 10
        (3, 12, True, [2, 4, 6, 8, 10, 12]),
        (0.2, 0.9, False, [0.2, 0.4, 0.6, 0.8, 1]),
    ],
)
def test_chart_ticks_step_by_one_two_or_five(low, high, whole, expected):
    ticks = formats.nice_ticks(low, high, whole=whole)
    assert ticks == expected
    assert len(set(ticks)) == len(ticks)


def test_the_approvals_page_and_the_dashboard_write_figures_with_the_one_formatter(
    client, admin_user, department
):
    plan = factory.make_plan(slug="city-14th")
    large = factory.make_target(plan, code="LARGE", decimal_places=2, lead_department=department)
    small = factory.make_target(plan, code="SMALL", decimal_places=2, lead_department=department)
    factory.make_entry(large, 2023, "12000")
    factory.make_entry(large, 2024, "12345.6", state="submitted")
    factory.make_entry(small, 2023, "1200")
    factory.make_entry(small, 2024, "1234.5", state="submitted")
    client.force_login(admin_user)
    approvals = client.get("/approvals/").content.decode()
    assert "12,000.00" in approvals and "12,345.60" in approvals and "+345.60" in approvals
    assert "1234.50" in approvals  # four digits stay together (GB/T 15835), as everywhere
    dashboard = client.get(plan.get_absolute_url(), {"year": 2024}).content.decode()
    assert "12,345.60" in dashboard and "1234.50" in dashboard
