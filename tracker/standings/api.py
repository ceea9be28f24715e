"""The read-only JSON view of a plan: the same numbers as the pages and the report."""

from __future__ import annotations

import json
from decimal import Decimal

from tracker.figures.plausibility import flag_display
from tracker.models import Plan
from tracker.standings.standing import Standing


# Formatting rather than quantize(): quantize fails once a figure has more digits than the
# context's precision (28), which a share of an absurd figure easily has.
def _fraction(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.4f}"


def _figure(value: Decimal | None, places: int) -> str | None:
    return None if value is None else f"{value:.{places}f}"


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
                "achieved": entry.achieved,
                "quality": entry.quality,
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
        "required_annual_rate": _fraction(a.required_annual_rate),
        "projected_value": _figure(a.projected_value, places),
    }


def plan_payload(plan: Plan, year: int, rows: list[Standing]) -> dict:
    return {**_head(plan, year), "targets": [target_payload(row) for row in rows]}


def plan_json(plan: Plan, year: int, targets: list[str]) -> str:
    """`plan_payload` as JSON text, from its targets' objects as JSON texts already."""
    head = json.dumps(_head(plan, year), ensure_ascii=False)
    return f'{head[:-1]}, "targets": [{", ".join(targets)}]}}'


def _head(plan: Plan, year: int) -> dict:
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
    }
