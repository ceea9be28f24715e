"""A figure as typed into the entry page's value box or an import's value cell, read and
checked against its target: one rule for both, so that a workbook is refused where the page
refuses and takes what the page takes."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tracker.figures import numbers, plausibility
from tracker.figures.numbers import NotANumber, OutOfRange, every_digit_kept, parse_decimal
from tracker.models import Target, localized


def clean_figure(text: str, target: Target) -> Decimal:
    """A typed figure as a Decimal, or a ValidationError that says what is wrong with it."""
    try:
        value = parse_decimal(text)
    except OutOfRange as refusal:
        raise ValidationError(str(refusal), code="out_of_range") from None
    except NotANumber:
        raise ValidationError(
            _("“%(text)s” is not a number. Enter digits such as 12.5."),
            code="not_a_number",
            params={"text": text},
        ) from None
    return checked_level(value, target, text)


def checked_level(value: Decimal, target: Target, text: str) -> Decimal:
    """A level as the target takes it: every digit kept (display places only round what is
    shown), and no negative unless the target allows one."""
    try:
        every_digit_kept(value, text)
    except OutOfRange as refusal:
        raise ValidationError(str(refusal), code="too_many_decimals") from None
    if value < 0 and not target.allow_negative:
        raise ValidationError(
            _("This figure cannot be negative (%(unit)s)."),
            code="negative",
            params={"unit": localized(target, "unit") or target.display_name},
        )
    return value


def checked_growth(rate: Decimal, text: str) -> Decimal:
    """A growth rate in percent: every digit kept, and above -100 (a fall of 100% or more
    would leave nothing)."""
    try:
        every_digit_kept(rate, text)
    except OutOfRange as refusal:
        raise ValidationError(str(refusal), code="too_many_decimals") from None
    if rate <= -100:
        raise ValidationError(
            _("A growth of %(rate)s%% would leave nothing: a fall is less than 100%%."),
            code="growth_out_of_range",
            params={"rate": rate},
        )
    return rate


def carries_growth(target: Target) -> bool:
    """Whether the target's figures may give a growth rate at comparable prices."""
    return target.indicator_id is not None and target.indicator.carries_growth


def read_figure(text: str, target: Target) -> numbers.Reported:
    """What a value box holds, as a level, a growth rate or both, checked against the
    target; a ValidationError says what is wrong.

    A growth-carrying target takes a bulletin's sentence as it stands ("地区生产总值160亿元，
    按可比价格计算增长3.1%"), a rate alone ("增长3.1%", "下降2.3%"), and, for an amount in
    money, a bare percentage as its growth ("4.1%" in 亿元). A level typed with another unit
    (万元 for 亿元) is refused, naming both; other targets read as before, a unit sign typed
    after the figure being a plausibility finding."""
    growing = carries_growth(target)
    try:
        reported = numbers.read_reported(
            text, target.unit, percent_is_growth=growing and "元" in target.unit
        )
    except numbers.CurrentPrices as refusal:
        raise ValidationError(str(refusal), code="current_prices") from None
    except numbers.Unreadable as refusal:
        raise ValidationError(str(refusal), code="unreadable") from None
    except OutOfRange as refusal:
        raise ValidationError(str(refusal), code="out_of_range") from None
    except NotANumber:
        reported = None
    if reported is None or (not growing and reported.growth is None):
        # As typed before growth rates: the number, a unit sign after it questioned.
        number, _sign = plausibility.split_unit_sign(text, target.unit)
        return numbers.Reported(level=clean_figure(number, target))
    if reported.growth is not None and not growing:
        raise ValidationError(
            _("%(target)s takes no growth rate: enter its figure in %(unit)s."),
            code="no_growth",
            params={"target": target.display_name, "unit": localized(target, "unit") or "—"},
        )
    # A percent sign after a level stays a plausibility finding, as before.
    other_unit = reported.unit != "%" and not numbers.same_unit(reported.unit, target.unit)
    if reported.level is not None and other_unit:
        raise ValidationError(
            _("“%(text)s” is given in %(typed)s, but this target is measured in %(unit)s."),
            code="wrong_unit",
            params={"text": text, "typed": reported.unit, "unit": localized(target, "unit") or "—"},
        )
    level = None if reported.level is None else checked_level(reported.level, target, text)
    growth = None if reported.growth is None else checked_growth(reported.growth, text)
    return numbers.Reported(level=level, growth=growth, unit=reported.unit)
