"""Is a typed figure plausible? Pure checks over Decimals, run before anyone approves it.

The commonest real errors in yearly figures are the wrong unit and a slipped digit: GDP in
元 instead of 亿元, a population in persons instead of 万人, a percent typed as a proportion.
`check()` compares a figure with what is known of its target (last year's approved figure,
the plan's path, the recent trend, an optional range, the unit) and returns findings that
say why, with the numbers. Nothing here touches the database or a request; the entry page
and the import build `Rules` and `Known` from a target and call `check()`.

A finding does not forbid a figure: the reporter corrects it or confirms it with an
explanation, and the approver sees the flag.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, DivisionByZero, Overflow, localcontext

from django.utils.translation import get_language
from django.utils.translation import gettext as _

DEFAULT_FACTOR = Decimal(3)
PERCENT_UNITS = frozenset({"%", "％", "百分比"})
MAGNITUDE_WORDS = ("万", "亿")


@dataclass(frozen=True)
class Rules:
    """A target's own settings: its unit (and its English unit), the jump factor and an
    optional range."""

    unit: str = ""
    unit_en: str = ""
    factor: Decimal = DEFAULT_FACTOR
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    places: int = 2

    @property
    def is_percent(self) -> bool:
        return self.unit.strip() in PERCENT_UNITS

    @property
    def units(self) -> dict[str, str]:
        """The units a finding keeps, so that each reader sees the one of their language."""
        return {"unit": self.unit, "unit_en": self.unit_en}


@dataclass(frozen=True)
class Known:
    """What a figure for `year` is compared with.

    `history` holds approved figures of earlier years (the baseline included); `expected`
    is the value the plan's path expects in `year`, where the plan gives one.
    """

    year: int
    history: Mapping[int, Decimal] = field(default_factory=dict)
    expected: Decimal | None = None

    @property
    def previous(self) -> Decimal | None:
        return self.history.get(self.year - 1)

    @property
    def trend(self) -> Decimal | None:
        """The last two earlier figures' straight line, extended to `year`.

        2021: 10, 2022: 12 gives 14 for 2023 and 16 for 2024.
        """
        earlier = sorted((y, v) for y, v in self.history.items() if y < self.year)
        if len(earlier) < 2:
            return None
        (y1, v1), (y2, v2) = earlier[-2:]
        return v2 + (v2 - v1) * Decimal(self.year - y2) / Decimal(y2 - y1)


@dataclass(frozen=True)
class Finding:
    """Why a figure looks wrong: a code and the numbers, said in the reader's language.

    A stored flag keeps the codes and numbers (`flag_text`), not the words, so each reader
    sees it in their own language (`flag_display`).
    """

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return _describe(self.code, self.params)

    def __str__(self) -> str:
        return self.message


def _ratio(value: Decimal, other: Decimal | None) -> Decimal | None:
    """value / other, when both are above zero; the comparison means nothing otherwise."""
    if other is None or value <= 0 or other <= 0:
        return None
    return value / other


def _beyond(ratio: Decimal | None, factor: Decimal) -> bool:
    return ratio is not None and (ratio > factor or ratio * factor < 1)


def _unit(params: Mapping[str, object]) -> str:
    """The unit a finding names, in the reader's language: the English unit in English
    where the target has one ("10,000 persons" for 万人), else the unit as the plan writes it."""
    unit = str(params.get("unit", "") or "")
    english = str(params.get("unit_en", "") or "")
    if english.strip() and (get_language() or "").startswith("en"):
        unit = english
    return unit.strip() or _("no unit")


def check(value: Decimal, rules: Rules, known: Known, *, typed: str = "") -> list[Finding]:
    """Every reason to doubt `value`; an empty list when it looks plausible.

    `typed` is the text as the person entered it, before any cleaning: a unit sign in it
    ("31%", "3.2万") is only visible there.

    Urban population in 万人, 30.40 approved for 2023, then 1234.5 typed for 2024: one
    finding, "是上年（30.40）的 40.6 倍，请核对单位（万人）" (in English, "40.6 times last
    year's figure (30.40); check the unit (万人)").
    """
    findings = []
    sign = unit_sign(typed, rules.unit)
    if sign:
        findings.append(_sign_finding(sign, rules))
    # Figures are bounded where they come in (tracker.figures.numbers.storable); given any other
    # number, a ratio beyond what a Decimal holds is Infinity here, not an exception.
    with localcontext() as context:
        context.traps[Overflow] = context.traps[DivisionByZero] = False
        proportion = _proportion(value, rules, known)
        if proportion:
            findings.append(proportion)
        else:
            findings.extend(_magnitude(value, rules, known))
        findings.extend(_range(value, rules))
    return findings


# Findings are kept with the figure and shown on every page that shows it, so a number in
# one is written out only between these bounds, and in scientific notation beyond them.
# Figures are refused at the edge (tracker.figures.numbers.storable) long before; this keeps a
# finding short whatever it is given.
WRITTEN_OUT = (Decimal("1e-9"), Decimal("1e15"))


def _written(value: Decimal, fixed: str) -> str:
    """`value` in the format `fixed`, or as 1.23E+20 where that would be too long."""
    low, high = WRITTEN_OUT
    if value and not low <= abs(value) < high:
        return f"{value:.2E}"
    return f"{value:{fixed}}"


def _fmt(value: Decimal, rules: Rules) -> str:
    return _written(value, f".{rules.places}f")


def _magnitude(value: Decimal, rules: Rules, known: Known) -> list[Finding]:
    """A jump from last year's figure; without one, far off both the path and the trend."""
    previous = known.previous
    ratio = _ratio(value, previous)
    if ratio is not None:
        if not _beyond(ratio, rules.factor):
            return []
        params = {"previous": _fmt(previous, rules), "ratio": _far(ratio), "up": ratio > 1}
        return [Finding("jump", {**params, **rules.units})]
    path = _ratio(value, known.expected)
    if not _beyond(path, rules.factor):
        return []
    params = {
        "year": known.year,
        "expected": _fmt(known.expected, rules),
        "ratio": _far(path),
        "up": path > 1,
        **rules.units,
    }
    trend = known.trend
    if trend is not None:
        if not _beyond(_ratio(value, trend), rules.factor):
            return []
        params["trend"] = _fmt(trend, rules)
    return [Finding("off_path", params)]


def _far(ratio: Decimal) -> str:
    """How many times apart, one decimal: 40.6 for 40.61, and for 1/40.61 too."""
    return _written(max(ratio, 1 / ratio), ".1f")


def _joined(*parts: str, unit: str) -> str:
    """The parts, then the advice to check the unit: "…，请核对单位（万人）。"."""
    advice = _("check the unit (%(unit)s).") % {"unit": unit}
    return _("; ").join([*parts, advice])


def _range(value: Decimal, rules: Rules) -> list[Finding]:
    params = {"value": _fmt(value, rules), **rules.units}
    if rules.minimum is not None and value < rules.minimum:
        return [Finding("below_minimum", {**params, "limit": _fmt(rules.minimum, rules)})]
    if rules.maximum is not None and value > rules.maximum:
        return [Finding("above_maximum", {**params, "limit": _fmt(rules.maximum, rules)})]
    return []


def _proportion(value: Decimal, rules: Rules, known: Known) -> Finding | None:
    """A percent target given 0.025 where 2.5 was meant: 100 times it fits, it does not."""
    if not rules.is_percent or not 0 < value < 1:
        return None
    references = (known.previous, known.trend, known.expected)
    reference = next((r for r in references if r is not None), None)
    if reference is None or reference < 1 or _beyond(_ratio(value * 100, reference), rules.factor):
        return None
    params = {
        "value": _written(value.normalize(), "f"),
        "percent": _written((value * 100).normalize(), "f"),
        "reference": _fmt(reference, rules),
    }
    return Finding("proportion", params)


def _describe(code: str, params: Mapping[str, object]) -> str:
    """A finding's words in the active language, from its code and numbers."""
    names = {**params, "unit": _unit(params)}
    if code == "jump":
        if params["up"]:
            part = _("%(ratio)s times last year's figure (%(previous)s)")
        else:
            part = _("1/%(ratio)s of last year's figure (%(previous)s)")
        return _joined(part % names, unit=names["unit"])
    if code == "off_path":
        if params["up"]:
            parts = [_("%(ratio)s times the plan's path for %(year)s (%(expected)s)") % names]
        else:
            parts = [_("1/%(ratio)s of the plan's path for %(year)s (%(expected)s)") % names]
        if "trend" in params:
            parts.append(_("far off the recent trend (%(trend)s) too") % names)
        return _joined(*parts, unit=names["unit"])
    if code == "below_minimum":
        message = _(
            "%(value)s is below this target's lowest plausible figure, %(limit)s (%(unit)s)."
        )
        return message % names
    if code == "above_maximum":
        message = _(
            "%(value)s is above this target's highest plausible figure, %(limit)s (%(unit)s)."
        )
        return message % names
    if code == "proportion":
        message = _(
            "%(value)s reads as a proportion; this target is in percent, so %(percent)s%% is "
            "entered as %(percent)s (compare %(reference)s)."
        )
        return message % names
    if code == "percent_sign":
        return _("Typed with %%, but this target is measured in %(unit)s, not in percent.") % names
    message = _(
        "Typed with “%(sign)s”, but this target is measured in %(unit)s: "
        "enter the number in %(unit)s alone."
    )
    return message % names


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().lower()


def _sign_pattern(unit: str) -> re.Pattern:
    signs = [r"%", r"[万亿][^\d\s.,]{0,3}", r"元", r"人"]
    if _normal(unit):
        signs.insert(0, re.escape(_normal(unit)))
    return re.compile(rf"^(?P<number>.*?[\d.])\s*(?P<sign>{'|'.join(signs)})$")


def split_unit_sign(text: str, unit: str) -> tuple[str, str]:
    """The number and the unit sign typed after it: ("3.2", "万") for "3.2万".

    Only unit-like endings are split off (%, 万…, 亿…, 元, 人, the target's own unit), so
    other text stays whole and is refused as not a number.
    """
    found = _sign_pattern(unit).match(_normal(text))
    if not found:
        return text.strip() if text else "", ""
    return found["number"].strip(), found["sign"]


def unit_sign(typed: str, unit: str) -> str:
    """The unit sign in `typed` that disagrees with `unit`, or "" when none does."""
    _number, sign = split_unit_sign(typed, unit)
    unit = _normal(unit)
    if not sign or sign == unit:
        return ""
    if sign == "%":
        return "" if unit in {_normal(u) for u in PERCENT_UNITS} else sign
    if sign in MAGNITUDE_WORDS and unit.startswith(sign):
        return ""
    return sign


def _sign_finding(sign: str, rules: Rules) -> Finding:
    if sign == "%":
        return Finding("percent_sign", rules.units)
    return Finding("unit_sign", {"sign": sign, **rules.units})


def flag_text(findings: list[Finding]) -> str:
    """The findings as a confirmed figure's flag keeps them: their codes and numbers, as JSON.

    `flag_display` says them in the reader's language.
    """
    if not findings:
        return ""
    kept = [{"code": f.code, "params": dict(f.params)} for f in findings]
    return json.dumps(kept, ensure_ascii=False)


def stored_findings(flag: str) -> list[Finding] | None:
    """The findings a stored flag holds; None for a flag kept as words (older figures)."""
    if not flag or not flag.startswith("["):
        return None
    try:
        kept = json.loads(flag)
        return [Finding(str(f["code"]), dict(f["params"])) for f in kept]
    except (ValueError, TypeError, KeyError):
        return None


def flag_display(flag: str) -> str:
    """A stored flag in the active language; a flag kept as words is shown as it is."""
    findings = stored_findings(flag or "")
    if findings is None:
        return flag or ""
    return " ".join(str(f) for f in findings)


def flagged_remark(entries: Mapping[int, object], up_to: int) -> str:
    """For a report's 说明: the approved figures up to `up_to` confirmed although questioned.

    `entries` maps years to progress entries (anything with `state`, `plausibility_flag`
    and `plausibility_note`); the remark names each year, its findings and explanation.
    """
    remarks = []
    for year, entry in sorted(entries.items()):
        if year > up_to or entry.state != "approved" or not entry.plausibility_flag:
            continue
        names = {"year": year, "flag": flag_display(entry.plausibility_flag)}
        remark = _("%(year)s figure confirmed although questioned: %(flag)s") % names
        if entry.plausibility_note:
            remark += " " + _("Explanation: %(note)s") % {"note": entry.plausibility_note}
        remarks.append(remark)
    return "\n".join(remarks)


class Unexplained(ValueError):
    """A questioned figure given without an explanation: each path says where to give one."""


def explained_flag(findings: list[Finding], explanation: str) -> tuple[str, str]:
    """What a figure is stored with, (findings as kept, explanation): the one rule for a
    questioned figure, asked by the entry page, the import and the admin alike.

    A figure the check questions is stored only with an explanation of why it is right;
    without findings nothing is kept (and a stored flag is cleared). Raises `Unexplained`
    for findings with a blank explanation.
    """
    if not findings:
        return "", ""
    return flag_text(findings), require_explanation(flag_text(findings), explanation)


def require_explanation(flag: str, explanation: str) -> str:
    """`explanation`, stripped, where `flag` holds findings; `Unexplained` if it is blank.

    The writers (tracker.figures.workflow, tracker.figures.writes) ask this too, so no path stores a
    questioned figure without its explanation."""
    explanation = (explanation or "").strip()
    if flag and not explanation:
        raise Unexplained(flag)
    return explanation if flag else ""
