"""Reading figures as people type them, for the entry forms and the Excel import."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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


# The places after the point the figure columns keep: a figure keeps every digit it was
# reported with up to these; the target's display places only round what is shown.
PLACES = 6


def every_digit_kept(value: Decimal, typed: object = None) -> Decimal:
    """`value`, when the columns keep every digit of it (trailing zeros aside), else
    OutOfRange: a figure is stored as reported, never rounded on the way in.

    >>> every_digit_kept(Decimal("3.760")), every_digit_kept(Decimal("1.1234560"))
    (Decimal('3.760'), Decimal('1.1234560'))
    """
    if decimal_places(value.normalize()) > PLACES:
        raise OutOfRange(
            str(
                ngettext(
                    "“%(value)s” has more than %(places)s decimal place, more than a figure "
                    "keeps: give it with %(places)s at most.",
                    "“%(value)s” has more than %(places)s decimal places, more than a figure "
                    "keeps: give it with %(places)s at most.",
                    PLACES,
                )
            )
            % {"value": quoted(value if typed is None else typed), "places": PLACES}
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


def as_reported(value: Decimal | None, places: int) -> str:
    """A stored figure written out with every digit it was reported with, and at least the
    target's display places; no thousands separators (it goes back into an input box).

    >>> as_reported(Decimal("3.760000"), 1), as_reported(Decimal("160.000000"), 1)
    ('3.76', '160.0')
    >>> as_reported(Decimal("-2.5"), 0), as_reported(None, 1)
    ('-2.5', '')
    """
    return shown_as_reported(value, places, grouped=False)


def growth_as_reported(rate: Decimal | None) -> str:
    """A growth rate (percent) with every digit it was reported with, at least one:
    3.1%, 6.0%, -2.35%; "" when none."""
    return "" if rate is None else f"{as_reported(rate, 1)}%"


# Chinese practice (GB/T 15835) groups digits by three only from five digits up.
GROUP_FROM = Decimal(10000)


def shown_as_reported(value: Decimal | None, places: int, *, grouped: bool | None = None) -> str:
    """A figure for a person checking it: every digit it was reported with, at least the
    target's display places, and thousands separators from five digits (`grouped` forces
    them on or off, for a change set beside figures that have them).

    Where figures are checked or corrected (approvals, an import's preview, the target's
    yearly figures and history) the display places must not hide what was typed: 205.36
    shown as 205.4 reads as a typing error that is not there.

    >>> shown_as_reported(Decimal("205.360000"), 1), shown_as_reported(Decimal("205.4"), 1)
    ('205.36', '205.4')
    >>> shown_as_reported(Decimal("32300"), 1), shown_as_reported(Decimal("1800"), 1, grouped=True)
    ('32,300.0', '1,800.0')
    """
    if value is None:
        return ""
    if grouped is None:
        grouped = abs(value) >= GROUP_FROM
    places = max(places, decimal_places(value.normalize()))
    return f"{value:{',' if grouped else ''}.{places}f}"


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


# -- figures as bulletins state them --------------------------------------------------

# The longest text read as one reported figure. A bulletin's sentence about one indicator
# ("全年地区生产总值160.5亿元，按可比价格计算，比上年增长3.1%") is well below it; every pattern
# below runs over at most this many characters.
PHRASE_MAX = 120
NUMBER = re.compile(r"[+-]?\d+(?:,\d{3})*(?:\.\d+)?")
# "2024年" names a year, not a figure ("比2020年增长" too).
YEAR_MENTION = re.compile(r"(?<![\d.])(?:19|20)\d{2}年")
SEPARATORS = ",;、。:"
RISE = ("增长", "增加", "增速", "增幅", "提高", "上升")
FALL = ("下降", "减少", "降低", "回落")
# Words between a verb and its number: 增速为3.1%, 增长了3.1%.
LINKS = "为了是"
# Where a level's unit ends, when no comma separates it from the growth that follows.
CLAUSE_WORDS = ("按", "比", "较", "同比", "其中", "可比", *RISE, *FALL)
CURRENT_PRICES = ("现价", "现行价", "名义")
POINTS = "个百分点"
PERCENT = "%"
CJK = re.compile(r"[\u3400-\u9fff]")
LABEL = re.compile(r"[\u3400-\u9fffA-Za-z()]*")
UNIT_WORD = re.compile(r"[\u3400-\u9fff]{1,8}")


class Unreadable(NotANumber):
    """Text that holds numbers, but not as a figure, its growth, or both."""


class CurrentPrices(Unreadable):
    """A growth rate at current prices: the growth kept is at comparable prices."""


@dataclass(frozen=True)
class Reported:
    """A figure as a bulletin states it: its level, its growth over the previous year at
    comparable prices (percent: 增长3.1% is 3.1, 下降2% is -2), or both. `unit` is the unit
    sign typed after the level ("亿元", "万", "%"), "" when none was typed."""

    level: Decimal | None = None
    growth: Decimal | None = None
    unit: str = ""


def _normal(text: str) -> str:
    """Full-width folded, every space dropped, the minus sign made ASCII."""
    folded = unicodedata.normalize("NFKC", text).replace("\u2212", "-")
    return "".join(folded.split())


def _unreadable(text: str, why) -> Unreadable:
    return Unreadable(str(why) % {"text": quoted(text)})


def read_reported(text: str, unit: str = "", *, percent_is_growth: bool = False) -> Reported:
    """Read a figure as typed or pasted from a bulletin: a level, a growth rate, or both.

    `unit` is the target's; `percent_is_growth` says that a bare "4.1%" is a growth rate
    (an amount in 亿元 cannot be a percentage). Raises NotANumber (with OutOfRange and
    Unreadable under it) saying why, for a person.

    >>> read_reported("地区生产总值160亿元，按可比价格计算增长3.1%", "亿元")
    Reported(level=Decimal('160'), growth=Decimal('3.1'), unit='亿元')
    >>> read_reported("按可比口径增长15.7%").growth, read_reported("下降2.3%").growth
    (Decimal('15.7'), Decimal('-2.3'))
    >>> read_reported("4.1%", "亿元", percent_is_growth=True).growth
    Decimal('4.1')
    >>> read_reported("1,234.5")
    Reported(level=Decimal('1234.5'), growth=None, unit='')
    """
    if len(text) > PHRASE_MAX:
        raise _unreadable(
            text[:PHRASE_MAX],
            _("“%(text)s” is too long: give the figure, its growth, or the bulletin's sentence."),
        )
    typed = _normal(text)
    if not typed:
        raise NotANumber("empty")
    plain = _plain(typed, _normal(unit), percent_is_growth)
    if plain is not None:
        return plain
    return _phrase(text, YEAR_MENTION.sub("", typed), percent_is_growth)


def _plain(typed: str, unit: str, percent_is_growth: bool) -> Reported | None:
    """A number alone, or followed by the target's unit or a percent sign; None otherwise.

    Plain numbers are read by `parse_decimal`, so they keep its rules (exponents, limits)."""
    sign = next((s for s in (unit, PERCENT) if s and typed.endswith(s)), "")
    body = typed[: len(typed) - len(sign)]
    if not body or body[-1] in "+-":
        return None
    try:
        number = parse_decimal(body)
    except OutOfRange:
        raise
    except NotANumber:
        return None
    if sign == PERCENT and percent_is_growth:
        return Reported(growth=number)
    return Reported(level=number, unit=sign)


def _phrase(text: str, typed: str, percent_is_growth: bool) -> Reported:
    """A bulletin's wording: each number with the words before it and the unit after it."""
    found = list(NUMBER.finditer(typed))
    if not found:
        raise NotANumber(text)
    if len(found) > 2:
        raise _unreadable(text, TOO_MANY)
    level = growth = None
    level_unit, start = "", 0
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(typed)
        after = typed[match.end() : end]
        cut = _unit_end(after)
        sign, before = after[:cut], typed[start : match.start()]
        start = match.end() + cut
        if _is_growth(before, sign, percent_is_growth):
            if growth is not None:
                raise _unreadable(text, TOO_MANY)
            growth = _growth(text, before, match.group(), sign)
        else:
            if level is not None:
                raise _unreadable(text, TOO_MANY)
            level, level_unit = _level(text, before, match.group(), sign), sign
    rest = typed[start:]
    if rest.strip(SEPARATORS):
        raise _unreadable(
            text, _("“%(text)s”: the words after the last number are not understood.")
        )
    return Reported(level=level, growth=growth, unit=level_unit)


TOO_MANY = _(
    "“%(text)s” holds more than one figure or growth rate: give one figure, its growth, or both."
)


def _unit_end(after: str) -> int:
    """Where the unit after a number ends: at a comma, or where the next clause begins."""
    ends = [after.find(c) for c in SEPARATORS] + [after.find(w) for w in CLAUSE_WORDS]
    return min([e for e in ends if e >= 0], default=len(after))


def _verb(before: str) -> str:
    """The growth verb right before a number (增长, 下降 …), or ""."""
    words = before.rstrip(SEPARATORS).rstrip(LINKS)
    return next((v for v in (*RISE, *FALL) if words.endswith(v)), "")


def _is_growth(before: str, sign: str, percent_is_growth: bool) -> bool:
    return bool(_verb(before)) or sign == POINTS or (sign == PERCENT and percent_is_growth)


def _growth(text: str, before: str, number: str, sign: str) -> Decimal:
    if sign == POINTS:
        raise _unreadable(
            text,
            _(
                "“%(text)s”: a change in percentage points (个百分点) is a share's; give the "
                "growth in percent (增长3.1%%)."
            ),
        )
    if sign not in ("", PERCENT):
        raise _unreadable(text, _("“%(text)s”: a growth rate is given in percent (增长3.1%%)."))
    if any(word in before for word in CURRENT_PRICES):
        raise CurrentPrices(
            str(
                _(
                    "“%(text)s” is a growth at current prices: the growth kept is at comparable "
                    "prices (按可比价格计算). Give that rate, or the level alone."
                )
            )
            % {"text": quoted(text)}
        )
    rate = parse_decimal(number)
    if _verb(before) in FALL:
        if rate < 0:
            raise _unreadable(text, _("“%(text)s”: a fall is given without a minus sign."))
        rate = -rate
    return rate


def _level(text: str, before: str, number: str, sign: str) -> Decimal:
    """A level: a number after a name at most (地区生产总值160亿元), with a unit word."""
    label = before.strip(SEPARATORS)
    named = not label or (LABEL.fullmatch(label) and CJK.search(label))
    if not named or (sign and sign != PERCENT and not UNIT_WORD.fullmatch(sign)):
        raise NotANumber(text)
    return parse_decimal(number)


def same_unit(typed: str, unit: str) -> bool:
    """Whether a unit typed after a figure is the target's: the same word, none, or its
    magnitude alone (亿 in a target of 亿元).

    >>> same_unit("亿元", "亿元"), same_unit("亿", "亿元"), same_unit("万元", "亿元")
    (True, True, False)
    """
    typed, unit = _normal(typed), _normal(unit)
    return not typed or typed == unit or (typed in ("万", "亿") and unit.startswith(typed))
