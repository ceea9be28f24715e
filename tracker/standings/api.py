"""The read-only JSON view of a plan: the same numbers as the pages and the report."""

from __future__ import annotations

import json
from decimal import Decimal

from tracker.figures.plausibility import flag_display
from tracker.models import Plan
from tracker.standings import formats, words
from tracker.standings.standing import Standing, status_counts


# Formatting rather than quantize(): quantize fails once a figure has more digits than the
# context's precision (28), which a share of an absurd figure easily has.
def _fraction(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.4f}"


def _figure(value: Decimal | None, places: int) -> str | None:
    """A figure as the pages print it (half up, the indicator's decimals)."""
    return None if value is None else f"{formats.rounded(value, places):.{places}f}"


def _reported(value: Decimal | None) -> str | None:
    """A figure with every digit it was reported with."""
    return None if value is None else f"{value.normalize():f}"


def _change(row: Standing, value: Decimal | None) -> str | None:
    """A change: percentage points for a share (a figure), else a fraction."""
    if row.points:
        return _figure(value, row.target.decimal_places)
    return _fraction(value)


def _changes(row: Standing) -> dict:
    a = row.assessment
    return {
        "change_unit": "percentage_points" if row.points else "fraction",
        "planned_change": _change(row, row.planned_change()),
        "change_since_baseline": _change(row, row.change()),
        "change_on_previous_year": _change(
            row, row.year_change(a.latest_year) if a.latest_year else None
        ),
        "required_annual_change": _change(row, row.required_pace()),
    }


def _gaps(row: Standing) -> list[dict]:
    """Each year of the plan up to the one asked without an approved figure, and why."""
    target, a = row.target, row.assessment
    if target.is_milestone:
        return []
    years = range(target.plan.start_year, a.as_of_year + 1)
    return [
        {"year": year, "reason": reason} for year in years if (reason := row.gap(year)) is not None
    ]


def target_payload(row: Standing) -> dict:
    target, a = row.target, row.assessment
    places = target.decimal_places
    latest = None
    if a.latest_year is not None:
        latest = {"year": a.latest_year, "value": _figure(a.latest_value, places)}
    return {
        "code": target.code,
        "indicator": target.indicator_code,
        "name": target.name,
        "name_en": target.name_en,
        "area": target.area.name,
        "unit": target.unit,
        "kind": target.kind,
        "direction": target.direction,
        "nature": target.nature,
        "baseline_year": target.baseline_year,
        "baseline_value": _figure(row.baseline, places),
        "target_year": target.target_year,
        "target_value": _figure(target.target_value, places),
        "factor": None if target.factor is None else str(target.factor.normalize()),
        "goal_value": _figure(a.goal_value, places),
        "lead_department": target.lead_department.name if target.lead_department else None,
        "entries": [
            {
                "year": entry.year,
                "value": _figure(entry.value, places),
                "value_as_reported": _reported(entry.value),
                "growth": _reported(entry.growth),
                "achieved": entry.achieved,
                "quality": entry.quality,
                "growth_quality": (entry.growth_quality or entry.quality)
                if entry.growth is not None
                else None,
                "source": entry.source or None,
                "growth_source": (entry.growth_source or entry.source or None)
                if entry.growth is not None
                else None,
                "state": entry.state,
                "computed": entry.computed,
                "plausibility_flag": flag_display(entry.plausibility_flag) or None,
                "plausibility_note": entry.plausibility_note or None,
            }
            for _year, entry in sorted(row.entries.items())
        ],
        "latest": latest,
        "expected_value": _figure(a.expected_value, places),
        "progress": _fraction(a.progress),
        "expected_share": _fraction(a.expected_share),
        "status": a.status.value,
        "status_label": words.label(a.status),
        "based_on_year": a.latest_year if a.rests_on_older_year else None,
        "basis": a.basis.value if a.basis else None,
        "index": _fraction(a.index),
        **_changes(row),
        "average_growth": _fraction(a.growth),
        "reference_average_growth": _fraction(a.reference_growth),
        "year_growth": _fraction(a.year_growth),
        "reference_year_growth": _fraction(a.reference_year_growth),
        "gaps": _gaps(row),
        "required_annual_rate": _fraction(a.required_annual_rate),
        "projected_value": _figure(a.projected_value, places),
    }


def plan_payload(plan: Plan, year: int, rows: list[Standing]) -> dict:
    counts = status_counts(rows)
    return {**_head(plan, year, counts), "targets": [target_payload(row) for row in rows]}


def plan_json(plan: Plan, year: int, targets: list[str], counts) -> str:
    """`plan_payload` as JSON text, from its targets' objects as JSON texts already, and
    the count of each status."""
    head = json.dumps(_head(plan, year, counts), ensure_ascii=False)
    return f'{head[:-1]}, "targets": [{", ".join(targets)}]}}'


def _summary(counts) -> dict:
    """The review's opening line and the counts behind it."""
    return {
        "text": words.summary_line(counts),
        "counts": {status.value: n for status, n in counts},
    }


def _head(plan: Plan, year: int, counts) -> dict:
    return {
        "plan": {
            "slug": plan.slug,
            "name": plan.name,
            "region": plan.region.name,
            "baseline_year": plan.baseline_year,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
        },
        "region": {
            "code": plan.region.code,
            "name": plan.region.name,
            "name_en": plan.region.name_en,
        },
        "as_of_year": year,
        "summary": _summary(counts),
    }
