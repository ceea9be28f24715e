"""The plausibility check on its own: plain Decimals, no database."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import translation

from tracker.figures.plausibility import (
    Known,
    Rules,
    check,
    flag_display,
    flag_text,
    split_unit_sign,
    unit_sign,
)

POPULATION = Rules(unit="万人", places=2)
PERCENT = Rules(unit="%", places=2)


def codes(findings):
    return [f.code for f in findings]


def test_a_figure_forty_times_last_years_is_caught_with_the_numbers():
    findings = check(D("1234.5"), POPULATION, Known(2024, {2023: D("30.40")}))
    assert codes(findings) == ["jump"]
    assert str(findings[0]) == "是上年（30.40）的 40.6 倍，请核对单位（万人）。"


def test_the_reason_is_in_the_readers_language():
    findings = check(D("1234.5"), POPULATION, Known(2024, {2023: D("30.40")}))
    with translation.override("en"):
        assert str(findings[0]) == "40.6 times last year's figure (30.40); check the unit (万人)."


def test_a_stored_flag_is_said_in_each_readers_language():
    findings = check(D("1234.5"), POPULATION, Known(2024, {2023: D("30.40")}))
    with translation.override("zh-hans"):
        flag = flag_text(findings)
    assert flag_display(flag) == "是上年（30.40）的 40.6 倍，请核对单位（万人）。"
    with translation.override("en"):
        assert flag_display(flag) == "40.6 times last year's figure (30.40); check the unit (万人)."


def test_a_flag_stored_as_words_is_shown_as_it_is():
    old = "是上年（30.40）的 40.6 倍，请核对单位（万人）。"
    with translation.override("en"):
        assert flag_display(old) == old
    assert flag_display("") == ""


def test_a_figure_far_below_last_years_is_caught_too():
    findings = check(D("0.3040"), POPULATION, Known(2024, {2023: D("30.40")}))
    assert codes(findings) == ["jump"]
    assert "1/100.0" in str(findings[0]) and "30.40" in str(findings[0])


def test_an_ordinary_change_passes():
    assert check(D("31.2"), POPULATION, Known(2024, {2023: D("30.40")})) == []


def test_the_factor_is_the_targets_own_setting():
    known = Known(2024, {2023: D("100")})
    assert check(D("250"), Rules("亿元"), known) == []
    assert codes(check(D("250"), Rules("亿元", factor=D("2")), known)) == ["jump"]


def test_without_last_years_figure_the_plans_path_decides():
    findings = check(D("3000"), POPULATION, Known(2023, {2020: D("28")}, expected=D("29")))
    assert codes(findings) == ["off_path"]
    assert "29.00" in str(findings[0]) and "2023" in str(findings[0])


def test_off_the_path_but_on_the_recent_trend_passes():
    # 2021: 100, 2022: 400 (both approved); 2024's path says 120, the trend says 1000.
    known = Known(2024, {2021: D("100"), 2022: D("400")}, expected=D("120"))
    assert check(D("1000"), Rules("亿元"), known) == []


def test_off_both_the_path_and_the_trend_is_caught():
    known = Known(2024, {2021: D("100"), 2022: D("110")}, expected=D("130"))
    findings = check(D("13000"), Rules("亿元"), known)
    assert codes(findings) == ["off_path"]
    assert "130.00" in str(findings[0]) and "130.00" in str(findings[0])
    assert "趋势（130.00）" in str(findings[0])


def test_the_trend_is_the_last_two_figures_line():
    assert Known(2024, {2021: D("10"), 2022: D("12")}).trend == D("16")
    assert Known(2024, {2022: D("12")}).trend is None


def test_a_figure_outside_the_targets_range_is_caught():
    rules = Rules("%", minimum=D("0"), maximum=D("100"))
    findings = check(D("120"), rules, Known(2024))
    assert codes(findings) == ["above_maximum"]
    assert "100.00" in str(findings[0])
    assert codes(check(D("5"), Rules("万人", minimum=D("10")), Known(2024))) == ["below_minimum"]
    assert check(D("50"), rules, Known(2024)) == []


def test_a_percent_typed_for_a_target_in_another_unit_is_caught():
    findings = check(D("31"), POPULATION, Known(2024, {2023: D("30.40")}), typed="31%")
    assert codes(findings) == ["percent_sign"]
    assert "万人" in str(findings[0])


def test_a_percent_typed_for_a_percent_target_is_fine():
    assert check(D("2.4"), PERCENT, Known(2024, {2023: D("2.3")}), typed="2.4％") == []


@pytest.mark.parametrize(
    "typed,unit,disagrees",
    [
        ("3.2万", "人", "万"),
        ("158000万元", "亿元", "万元"),
        ("15800000000元", "亿元", "元"),
        ("304000人", "万人", "人"),
        ("30.4万人", "万人", ""),
        ("30.4万", "万人", ""),
        ("147.6亿", "亿元", ""),
        ("35 平方公里", "平方公里", ""),
        ("1,234.5", "万人", ""),
    ],
)
def test_unit_signs_typed_with_the_value(typed, unit, disagrees):
    assert unit_sign(typed, unit) == disagrees


def test_a_magnitude_word_typed_with_the_value_is_a_finding():
    findings = check(D("3.2"), Rules("人"), Known(2024), typed="3.2万")
    assert codes(findings) == ["unit_sign"]
    assert "“万”" in str(findings[0]) and "人" in str(findings[0])


def test_the_number_is_split_from_its_unit_sign():
    assert split_unit_sign("3.2万", "人") == ("3.2", "万")
    assert split_unit_sign(" 30.4 万人 ", "万人") == ("30.4", "万人")
    assert split_unit_sign("twelve", "万人") == ("twelve", "")
    assert split_unit_sign("万", "万人") == ("万", "")


def test_a_percent_target_given_a_proportion_is_caught():
    findings = check(D("0.025"), PERCENT, Known(2024, {2023: D("2.31")}))
    assert codes(findings) == ["proportion"]
    assert "0.025" in str(findings[0]) and "2.5" in str(findings[0])


def test_a_proportion_is_judged_against_the_path_without_history():
    assert codes(check(D("0.02"), PERCENT, Known(2022, expected=D("2.1")))) == ["proportion"]


def test_a_small_percent_where_small_percents_are_usual_passes():
    assert check(D("0.4"), PERCENT, Known(2024, {2023: D("0.5")})) == []
    assert check(D("0.4"), PERCENT, Known(2024)) == []


def test_zero_and_negative_figures_are_not_compared_by_ratio():
    known = Known(2024, {2023: D("30")})
    assert check(D("0"), Rules("%"), known) == []
    assert check(D("-2"), Rules("%"), known) == []


def test_several_findings_make_one_flag_text():
    rules = Rules("万人", maximum=D("100"))
    findings = check(D("1234.5"), rules, Known(2024, {2023: D("30.40")}), typed="1234.5%")
    assert codes(findings) == ["percent_sign", "jump", "above_maximum"]
    assert flag_display(flag_text(findings)).count("。") == 3
