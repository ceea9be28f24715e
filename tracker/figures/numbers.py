"""Reading figures as people type them, for the entry forms and the Excel import."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from tracker.text import quoted

# Every figure stays below 10^12 in its unit: far beyond any county's or province's figure in
# the units plans use (亿元, 万人, %), and well inside what the columns hold (20 digits, 6
# after the point), so every sum and ratio the engine forms stays exact enough to show.
LIMIT = Decimal(10) ** 12
# The columns keep six places after the point: a number that is not zero yet below one
# millionth would be stored as 0, and its exponent (1E-999999 is valid text for a Decimal)
# makes every ratio formed with it overflow or print a million digits.
SMALLEST = Decimal(10) ** -6
# The digits a number may take written out in full, as Decimal's own arithmetic keeps them:
# any figure above (12 before the point, 6 after) or a spreadsheet's binary number (17
# significant digits) fits; "1.000…" with thousands of zeros does not.
DIGITS = 28

# A target's code, also as the URLs spell it: any other text in its place is no target.
CODE = "[A-Za-z0-9_-]{1,40}"
validate_code = RegexValidator(
    re.compile(rf"\A{CODE}\Z"),
    message=_("A code has 1 to 40 letters (A-Z, a-z), digits, “-” or “_”, and nothing else."),
    code="invalid_code",
)


class NotANumber(ValueError):
    """The text is not a number; the message says why, for a person."""


class OutOfRange(NotANumber):
    """A number, but not one a figure can be: |value| >= LIMIT, or below SMALLEST, or longer
    than DIGITS."""


def out_of_range_message(value) -> str:
    return str(
        _(
            "%(value)s is too large for a figure: figures stay below 10¹² in their unit. "
            "Was it entered in a smaller unit (元 instead of 亿元)?"
        )
    ) % {"value": value}


def within_limit(value: Decimal) -> bool:
    return value.is_finite() and abs(value) < LIMIT


def storable(value: Decimal, typed: object = None) -> Decimal:
    """`value` as a figure column holds it, or OutOfRange saying why it cannot be one.

    The one rule for a figure from a form, a workbook or the admin: finite, below LIMIT,
    zero or at least SMALLEST, and at most DIGITS digits written out. A positive exponent
    is written out (1E+5 is 100000), so the figure's text stays plain wherever it is shown.
    `typed` is what a message quotes, when the person wrote something else than `value`.
    """

    def shown() -> str:  # only when refusing: an import asks this of every figure
        return quoted(value if typed is None else typed)

    if not value.is_finite():
        raise NotANumber(shown())
    if abs(value) >= LIMIT:
        raise OutOfRange(out_of_range_message(shown()))
    if value and abs(value) < SMALLEST:
        raise OutOfRange(
            str(
                _(
                    "%(value)s is not zero, yet smaller than any figure kept (0.000001). "
                    "Was it entered in a larger unit?"
                )
            )
            % {"value": shown()}
        )
    _sign, digits, exponent = value.as_tuple()
    if exponent > 0:
        return value.quantize(Decimal(1))  # below LIMIT: 12 digits at most, exact
    if max(len(digits), -exponent) > DIGITS:
        raise OutOfRange(
            str(_("“%(value)s” has more digits than a figure holds (at most %(digits)s)."))
            % {"value": shown(), "digits": DIGITS}
        )
    return value


def validate_figure(value: Decimal | None) -> None:
    """Model validator: a stored figure is one `storable` lets through."""
    if value is None:
        return
    try:
        storable(value)
    except NotANumber as refusal:
        raise ValidationError(str(refusal), code="out_of_range") from None


def parse_decimal(text: str) -> Decimal:
    """Read '1,234.5', '１２３', ' 2.5 ' or '2.5%' as an exact Decimal.

    Full-width digits and punctuation become their ASCII forms (NFKC), thousands
    separators and spaces are dropped, and a trailing percent sign is ignored: in a
    percent target '2.5%' means 2.5. Raises NotANumber for anything else, OutOfRange
    (see `storable`) for a number no figure can be.
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
    return storable(value, text)


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
