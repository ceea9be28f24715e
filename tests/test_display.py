"""One vocabulary and one number format: words for milestones and states, figures, chart ticks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from tracker import display


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
    assert display.format_figure(value, places) == expected


def test_milestones_and_states_have_one_word_in_each_language():
    with translation.override("zh-hans"):
        assert display.milestone_word(True) == "已完成"
        assert display.milestone_word(False) == "未完成"
        assert display.state_word("submitted") == "已提交"
    with translation.override("en"):
        assert display.milestone_word(True) == "Completed"
        assert display.milestone_word(False) == "Not completed"
    assert display.milestone_word(None) == ""


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
    ticks = display.nice_ticks(low, high, whole=whole)
    assert ticks == expected
    assert len(set(ticks)) == len(ticks)
