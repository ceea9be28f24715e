"""One vocabulary and one number format for everything people read: pages, tables, charts.

Milestone and state words live here once; so does the way a figure is written.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tracker.figures.numbers import GROUP_FROM  # digits grouped from five up (GB/T 15835)

# A milestone (a zone approved, a title won) is either completed in a year or not yet.
MILESTONE = {True: _("Completed"), False: _("Not completed")}

# Where a figure is in the workflow.
STATES = {
    "draft": _("Draft"),
    "submitted": _("Submitted"),
    "approved": _("Approved"),
    "returned": _("Returned"),
}


def rounded(value: Decimal, places: int) -> Decimal:
    """`value` to `places` decimals, half up, as Chinese statistical practice and Excel's
    number formats round: the one rounding rule of everything shown.

    >>> rounded(Decimal("6.25"), 1), rounded(Decimal("-6.25"), 1), rounded(Decimal("0.125"), 2)
    (Decimal('6.3'), Decimal('-6.3'), Decimal('0.13'))
    """
    try:
        return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the context holds: an absurd figure
        return value


def reported_value(entry, decimal_places: int) -> Decimal | None:
    """The value of `entry` to show where figures are shown as reported: every digit a
    person typed, but a computed figure (tracker/indicators/derived.py) was never typed,
    so it shows at the indicator's places (2.451967 is 2.45); its stored digits stay."""
    if entry is None or entry.value is None:
        return None
    if getattr(entry, "computed", False):
        return rounded(entry.value, decimal_places)
    return entry.value


def format_figure(value: Decimal | None, decimal_places: int) -> str:
    """A figure with its target's decimal places and thousands separators from five digits.

    >>> format_figure(Decimal("12345.6"), 2), format_figure(Decimal("2024.5"), 1)
    ('12,345.60', '2024.5')
    >>> format_figure(Decimal("3.75"), 1), format_figure(Decimal("3.65"), 1)
    ('3.8', '3.7')
    """
    if value is None:
        return ""
    grouping = "," if abs(value) >= GROUP_FROM else ""
    return f"{rounded(value, decimal_places):{grouping}.{decimal_places}f}"


def goal_text(target, goal: Decimal | None) -> str:
    """What a target aims for, in words where it is not a single figure."""
    if target.is_milestone:
        return milestone_word(True)
    if target.kind == "relative":
        reference = target.reference_target
        return _("Growing faster than %(reference)s") % {
            "reference": reference.display_name if reference else "—"
        }
    if target.kind == "annual_growth" and target.target_value is not None:
        return _("%(rate)s%% a year") % {"rate": f"{target.target_value.normalize():f}"}
    return format_figure(goal, target.decimal_places)


def milestone_word(achieved: bool | None) -> str:
    """Completed or not completed; an empty string when nobody said."""
    return "" if achieved is None else str(MILESTONE[achieved])


def state_word(state: str) -> str:
    return str(STATES.get(state, state))


def format_share(value: Decimal | None, places: int = 1) -> str:
    """A fraction as a percentage, half up: 0.567 -> '56.7%', 0.0625 -> '6.3%'."""
    if value is None:
        return ""
    return f"{rounded(Decimal(value) * 100, places):.{places}f}%"


def format_change(value: Decimal | None, points: bool, places: int = 1) -> str:
    """A change with its sign: in percentage points for a share (+0.40个百分点), else a
    fraction as a percentage (+8.5%)."""
    if value is None:
        return ""
    if points:
        return gettext("%(change)s percentage points") % {
            "change": f"{rounded(value, places):+.{places}f}"
        }
    return f"{rounded(Decimal(value) * 100, 1):+.1f}%"


def format_cumulative(value: Decimal | None, points: bool, places: int = 1) -> str:
    """A change since the baseline in the plan's notation: 〔累计提高1.30个百分点〕."""
    if value is None:
        return ""
    if points:
        amount = f"{rounded(abs(value), places):.{places}f}"
        words = (
            gettext("up %(amount)s percentage points in all")
            if value >= 0
            else gettext("down %(amount)s percentage points in all")
        )
    else:
        amount = f"{rounded(abs(Decimal(value)) * 100, 1):.1f}%"
        words = gettext("up %(amount)s in all") if value >= 0 else gettext("down %(amount)s in all")
    return f"〔{words % {'amount': amount}}〕"


BASIS = {"comparable": _("at comparable prices"), "current": _("at current prices")}


def basis_word(basis: str | None) -> str:
    """按可比价 / 按现价, or "" where a target has no growth basis."""
    return str(BASIS[basis]) if basis in BASIS else ""


def based_on(year: int) -> str:
    """Where a status rests on an older figure: 依据2022年数据."""
    return gettext("based on %(year)s figures") % {"year": year}


# Why a year shows no figure in a report of approved figures.
GAPS = {
    "not_submitted": _("not submitted"),
    "not_approved": _("not approved yet"),
    "returned": pgettext_lazy("a year's figure", "returned, not approved"),
    "no_data": _("no data"),
}


def nice_step(span: float, most: int) -> float:
    """The smallest 1-2-5 step (…, 0.5, 1, 2, 5, 10, …) cutting `span` into at most `most` parts.

    >>> nice_step(106.3, 5), nice_step(9, 4), nice_step(0.37, 5)
    (50, 5, 0.1)
    """
    if span <= 0:
        return 1
    magnitude = 10 ** int(f"{span / most:e}".split("e")[1])
    for factor in (1, 2, 5, 10):
        step = factor * magnitude
        if span / step <= most:
            return step
    return 10 * magnitude


def nice_ticks(low: float, high: float, most: int = 5, whole: bool = False) -> list[float]:
    """Tick values on a 1-2-5 step covering low..high; whole numbers only when `whole`.

    >>> nice_ticks(129.9, 236.2)
    [100, 150, 200, 250]
    >>> nice_ticks(9.6, 10.4, whole=True), nice_ticks(10, 10, whole=True)
    ([9, 10, 11], [9, 10, 11])
    """
    step = nice_step(high - low, most)
    if whole:
        step = max(1, round(step))
    first = int(low // step)
    last = -int(-high // step)
    if first == last:
        first, last = first - 1, last + 1
    return [_tidy(i * step) for i in range(first, last + 1)]


def _tidy(value: float) -> float:
    """Drop float noise (0.30000000000000004) and write whole numbers as ints."""
    value = round(value, 10)
    return int(value) if value == int(value) else value
