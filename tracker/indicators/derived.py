"""Figures computed from others of the same region and year: derived indicators.

An indicator with a formula (`Indicator.formula`: a ratio of two indicators times a scale,
as R&D intensity = R&D spending ÷ GDP × 100, or a sum of addends) has its figure for a
region and year computed whenever every input has a figure there, and computed again
whenever one of them changes, in the same transaction: every write of a figure (a save, a
delete, the bulk writes of imports and reverts) is heard here (`refresh`).

A computed figure (`ProgressEntry.computed`):
- is never typed: `ProgressEntry.lock_reason` refuses any change to it;
- counts as approved only when all its inputs are approved, as submitted when all are at
  least submitted, else as a draft; and has the lowest quality of its inputs;
- is seen, until approved, by administrators only (`models.figures_visible_to`): it is
  made of other departments' figures.
Where a region lacks an input that year, the indicator's figure is typed like any other: a
region that publishes only the share enters the share.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import Q
from django.utils import timezone

from tracker.figures import history, plausibility
from tracker.figures.numbers import storable
from tracker.models import Indicator, ProgressEntry, Series
from tracker.standings import store

STATES = ["draft", "returned", "submitted", "approved"]
QUALITIES = ["estimate", "preliminary", "final"]
PLACES = Decimal("0.000001")  # what a figure's column holds


def inputs(indicator: Indicator) -> list[Indicator]:
    """The indicators the formula reads, in order (numerator first)."""
    if indicator.formula == Indicator.Formula.RATIO:
        return [i for i in (indicator.numerator, indicator.denominator) if i is not None]
    if indicator.formula == Indicator.Formula.SUM:
        return list(indicator.addends.order_by("code"))
    return []


def formula_text(indicator: Indicator) -> str:
    """The formula in words: "RD-SPENDING ÷ GDP × 100", "A + B"."""
    parts = inputs(indicator)
    if indicator.formula == Indicator.Formula.RATIO and len(parts) == 2:
        scale = f"{indicator.scale.normalize():f}"
        tail = "" if scale == "1" else f" × {scale}"
        return f"{parts[0].code} ÷ {parts[1].code}{tail}"
    return " + ".join(p.code for p in parts)


def compute(indicator: Indicator, values: list[Decimal]) -> Decimal | None:
    """The formula over `values` (in the order of `inputs`), or None where it has no value
    (a ratio over zero) or no storable one."""
    try:
        if indicator.formula == Indicator.Formula.RATIO:
            numerator, denominator = values
            if not denominator:
                return None
            result = numerator / denominator * indicator.scale
        else:
            result = sum(values, Decimal(0))
        return storable(result.quantize(PLACES, rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError, ArithmeticError):
        return None


class _Busy(threading.local):
    depth = 0


_busy = _Busy()


def refresh(pairs: Iterable[tuple[int, int]]) -> None:
    """Compute again every figure derived from the figures of these (statistic, year)."""
    pairs = {(series, year) for series, year in pairs if series and year}
    if not pairs or _busy.depth > 5:  # formulas nest a few levels at most
        return
    ids = {s for s, _y in pairs}
    # One query when, as mostly, nothing is computed from the figures written.
    dependants = list(
        Indicator.objects.filter(
            Q(numerator__series__in=ids)
            | Q(denominator__series__in=ids)
            | Q(addends__series__in=ids)
        ).distinct()
    )
    if not dependants:
        return
    rows = Series.objects.filter(pk__in=ids).values_list("pk", "indicator_id", "region_id")
    written = {pk: indicator for pk, indicator, _region in rows}
    regions = {pk: region for pk, _indicator, region in rows}
    _busy.depth += 1
    try:
        for indicator in dependants:
            wanted = {i.pk for i in inputs(indicator)}
            for series, year in sorted(pairs):
                if written.get(series) in wanted:
                    derive(indicator, regions[series], year)
    finally:
        _busy.depth -= 1


def derive(indicator: Indicator, region_id: int, year: int) -> ProgressEntry | None:
    """Compute `indicator`'s figure of the region and year from its inputs' figures, and
    store it where it changed; remove a computed one whose inputs are no longer all there."""
    parts = inputs(indicator)
    figures = {
        f.series.indicator_id: f
        for f in ProgressEntry.objects.filter(
            series__region=region_id, series__indicator__in=parts, year=year
        ).select_related("series")
    }
    series, _created = Series.objects.get_or_create(region_id=region_id, indicator=indicator)
    existing = ProgressEntry.objects.filter(series=series, year=year).first()
    given = [figures.get(p.pk) for p in parts]
    value = None
    if parts and all(f is not None and f.value is not None for f in given):
        value = compute(indicator, [f.value for f in given])
    if value is None:
        if existing is not None and existing.computed:
            existing._change_reason = history.reason(history.DERIVED, formula_text(indicator))
            existing._history_user = None
            existing.delete()
        return None
    state = min((f.state for f in given), key=STATES.index)
    state = {"returned": "draft"}.get(state, state)
    quality = min((f.quality for f in given), key=QUALITIES.index)
    entry = existing or ProgressEntry(series=series, year=year)
    if entry.computed and (entry.value, entry.state, entry.quality) == (value, state, quality):
        return entry
    entry.value, entry.achieved, entry.state, entry.quality = value, None, state, quality
    entry.computed = True
    entry.is_sample = any(f.is_sample for f in given)
    # Made of sample figures, it is sample data, and says so as they do.
    entry.note = ("示例数据：" if entry.is_sample else "") + formula_text(indicator)
    entry.return_reason = ""
    # Computed, it is not questioned: nothing to explain, and a typed figure's flag goes.
    entry.plausibility_flag, entry.plausibility_note = plausibility.explained_flag([], "")
    entry.entered_by = entry.reviewed_by = None
    entry.reviewed_at = timezone.now() if state == "approved" else None
    if entry.pk:
        entry.version += 1
    entry._change_reason = history.reason(history.DERIVED, formula_text(indicator))
    entry._history_user = None  # computed, by nobody: not the person whose input it follows
    entry.save()
    return entry


def derive_all(indicator: Indicator) -> None:
    """Compute every figure of `indicator` its inputs allow (a formula set or changed)."""
    parts = inputs(indicator)
    if not parts:
        return
    pairs = ProgressEntry.objects.filter(series__indicator__in=parts).values_list(
        "series__region", "year"
    )
    for region_id, year in sorted(set(pairs)):
        derive(indicator, region_id, year)


# The store hears every write of a figure (saves, deletes, bulk writes) and tells this
# once per batch, inside its transaction.
store.when_figures_written(refresh)
