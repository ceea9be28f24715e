"""Reading figures as people type them, for the entry forms and the Excel import."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# Every figure stays below 10^12 in its unit: far beyond any county's or province's figure in
# the units plans use (亿元, 万人, %), and well inside what the columns hold (20 digits, 6
# after the point), so every sum and ratio the engine forms stays exact enough to show.
LIMIT = Decimal(10) ** 12

validate_code = RegexValidator(
    re.compile(r"\A[A-Za-z0-9_-]{1,40}\Z"),
    message=_("A code has 1 to 40 letters (A-Z, a-z), digits, “-” or “_”, and nothing else."),
    code="invalid_code",
)


class NotANumber(ValueError):
    """The text is not a number; the message says why, for a person."""


class OutOfRange(NotANumber):
    """A number, but beyond what any figure can be (|value| >= LIMIT)."""


def out_of_range_message(value) -> str:
    return str(
        _(
            "%(value)s is too large for a figure: figures stay below 10¹² in their unit. "
            "Was it entered in a smaller unit (元 instead of 亿元)?"
        )
    ) % {"value": value}


def within_limit(value: Decimal) -> bool:
    return value.is_finite() and abs(value) < LIMIT


def validate_figure(value: Decimal | None) -> None:
    """Model validator: a stored figure is finite and below LIMIT."""
    if value is not None and not within_limit(value):
        raise ValidationError(out_of_range_message(value), code="out_of_range")


def parse_decimal(text: str) -> Decimal:
    """Read '1,234.5', '１２３', ' 2.5 ' or '2.5%' as an exact Decimal.

    Full-width digits and punctuation become their ASCII forms (NFKC), thousands
    separators and spaces are dropped, and a trailing percent sign is ignored: in a
    percent target '2.5%' means 2.5. Raises NotANumber for anything else.
    """
    cleaned = unicodedata.normalize("NFKC", str(text)).strip()
    cleaned = cleaned.replace(",", "").replace(" ", "").replace("\u00a0", "")
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1]
    if not cleaned:
        raise NotANumber("empty")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise NotANumber(text) from None
    if not value.is_finite():
        raise NotANumber(text)
    if not within_limit(value):
        raise OutOfRange(out_of_range_message(text))
    return value


def decimal_places(value: Decimal) -> int:
    """How many digits follow the point: 2.50 has 2, 3 has 0."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


# The largest key or version a database column here holds (a signed 64-bit integer).
KEY_LIMIT = 2**63


def whole_number(text: str) -> int | None:
    """A request's number (a key, a version, a year): ASCII digits that a database column
    holds, or None. `str.isdigit()` alone lets "²" through, which `int()` refuses."""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number < KEY_LIMIT else None
