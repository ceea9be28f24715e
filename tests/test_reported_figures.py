"""Figures as statistical bulletins state them: a level, a growth at comparable prices, or both,
read from what an officer types or pastes (tracker.figures.numbers.read_reported)."""

from __future__ import annotations

import doctest
from decimal import Decimal

import pytest
from django.utils import translation

from tracker.figures import numbers
from tracker.figures.numbers import (
    PHRASE_MAX,
    CurrentPrices,
    NotANumber,
    OutOfRange,
    Reported,
    Unreadable,
    every_digit_kept,
    read_reported,
    same_unit,
)

D = Decimal


@pytest.fixture(autouse=True)
def english():
    """The refusals are read in English here; the Chinese ones are the .po's."""
    with translation.override("en"):
        yield


def test_the_modules_worked_examples_hold():
    assert doctest.testmod(numbers).failed == 0


@pytest.mark.parametrize(
    "typed, level, growth, unit",
    [
        ("地区生产总值160亿元，按可比价格计算增长3.1%", "160", "3.1", "亿元"),
        ("2024年地区生产总值160.5亿元，按可比价格计算，比上年增长3.1%", "160.5", "3.1", "亿元"),
        ("地区生产总值160亿元按可比价格计算增长3.1%", "160", "3.1", "亿元"),
        ("地区生产总值（GDP）160亿元，同比增长3.1％", "160", "3.1", "亿元"),
        ("增长3.1%", None, "3.1", ""),
        ("按可比口径增长15.7%", None, "15.7", ""),
        ("下降2.3%", None, "-2.3", ""),
        ("比上年下降 2.3 %", None, "-2.3", ""),
        ("增速为-0.5%", None, "-0.5", ""),
        ("规模以上工业增加值增长5%", None, "5", ""),
        ("增长3.1%，总量达160亿元", "160", "3.1", "亿元"),
        ("１６０亿元", "160", None, "亿元"),
        ("160", "160", None, ""),
        ("1,234.5", "1234.5", None, ""),
        ("3.2万", "3.2", None, "万"),
        ("160万元", "160", None, "万元"),
    ],
)
def test_levels_and_rates_are_read_as_published(typed, level, growth, unit):
    reported = read_reported(typed, "亿元")
    assert reported == Reported(
        level=None if level is None else D(level),
        growth=None if growth is None else D(growth),
        unit=unit,
    )


def test_a_bare_percentage_is_a_growth_only_where_the_target_says_so():
    assert read_reported("4.1%", "亿元", percent_is_growth=True) == Reported(growth=D("4.1"))
    assert read_reported("4.1%", "%") == Reported(level=D("4.1"), unit="%")


@pytest.mark.parametrize(
    "typed, refusal, words",
    [
        ("按现价计算增长5%", CurrentPrices, "comparable prices"),
        ("按现行价格计算，比上年增长5%", CurrentPrices, "comparable prices"),
        ("增长3个百分点", Unreadable, "percentage points"),
        ("160亿元，增长3.1%，增长4%", Unreadable, "more than one"),
        ("160亿元，170亿元", Unreadable, "more than one"),
        ("160亿元，同比", Unreadable, "not understood"),
        ("下降-2%", Unreadable, "minus"),
        ("增长3.1万元", Unreadable, "in percent"),
        ("增" * (PHRASE_MAX + 1), Unreadable, "too long"),
    ],
)
def test_what_cannot_be_a_figure_or_its_growth_says_why(typed, refusal, words):
    with pytest.raises(refusal) as raised:
        read_reported(typed, "亿元")
    assert words in str(raised.value)


@pytest.mark.parametrize("typed", ["12a", "十二", "abc12", "GDP160", "增长", "", "  ", "%"])
def test_text_without_a_figure_is_not_a_number(typed):
    with pytest.raises(NotANumber):
        read_reported(typed, "亿元")


def test_a_number_beyond_any_figure_is_refused_as_before():
    with pytest.raises(OutOfRange):
        read_reported("1E+13", "亿元")
    with pytest.raises(OutOfRange):
        read_reported("地区生产总值10000000000000亿元", "亿元")


def test_the_targets_own_unit_after_the_figure_is_read_whatever_it_holds():
    assert read_reported("35km²", "km²") == Reported(level=D("35"), unit="km2")


def test_units_agree_when_the_same_or_its_magnitude_alone():
    assert same_unit("", "亿元") and same_unit("亿元", "亿元") and same_unit("亿", "亿元")
    assert not same_unit("万元", "亿元") and not same_unit("元", "亿元")


def test_every_digit_up_to_six_places_is_kept_and_more_refused():
    assert every_digit_kept(D("3.76")) == D("3.76")
    assert every_digit_kept(D("3.7600000")) == D("3.7600000")  # zeros are no digits lost
    with pytest.raises(OutOfRange, match="more than 6 decimal places"):
        every_digit_kept(D("3.1234567"))
