"""Reading figures as people type them, for the entry forms and the Excel import."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

# The largest magnitude a stored figure can hold (20 digits, 6 after the point).
LIMIT = Decimal(10) ** 14


class NotANumber(ValueError):
    """The text is not a number; the message says why, for a person."""


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
    if abs(value) >= LIMIT:
        raise NotANumber(text)
    return value


def decimal_places(value: Decimal) -> int:
    """How many digits follow the point: 2.50 has 2, 3 has 0."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
