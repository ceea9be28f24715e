"""Open data of a published plan: its targets and approved figures as CSV and JSON, and a
Frictionless Data Package descriptor (datapackage.json) describing the two CSV files.

The figures are read as an anonymous visitor reads them (`plan_standings` and
`frozen_standings` with no one signed in): approved figures only. Of a figure, only what a
statistics bulletin would print goes out: value as reported, quality, growth, source, and
the note where it is marked public. Names of staff, return reasons, plausibility notes,
evidence and messages never do.

Each column is declared once (`TARGET_COLUMNS`, `FIGURE_COLUMNS`): the CSV header, the JSON
keys and the package's table schema come from the same list, so they cannot disagree.
Every row says whether it is live data or an evaluation as published, and when the file
was built.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tracker.figures.numbers import as_reported
from tracker.models import Evaluation, Plan, ProgressEntry, Quality, Target
from tracker.plans.evaluations import frozen_standings
from tracker.standings.engine import Status
from tracker.standings.loading import plan_standings
from tracker.standings.standing import Standing

LIVE, EVALUATION = "live", "evaluation"
FILES = ("targets.csv", "figures.csv", "data.json", "datapackage.json")


@dataclass(frozen=True)
class OpenData:
    """What every file of one package is built from: a plan's standings as an anonymous
    visitor sees them, live or as an evaluation published them."""

    plan: Plan
    year: int
    rows: list[Standing]
    built_at: datetime
    evaluation: Evaluation | None = None

    @property
    def kind(self) -> str:
        return EVALUATION if self.evaluation else LIVE


def live_data(plan: Plan) -> OpenData:
    """The plan's targets and approved figures as they stand now."""
    year = plan.status_year()
    rows = plan_standings(plan, year, viewer=AnonymousUser())
    return OpenData(plan, year, rows, timezone.now())


def evaluation_data(evaluation: Evaluation) -> OpenData:
    """The evaluation's targets and approved figures as it froze them."""
    plan, rows = frozen_standings(evaluation, viewer=AnonymousUser())
    plan.slug = evaluation.plan.slug
    return OpenData(plan, evaluation.year, rows, timezone.now(), evaluation)


# -- columns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Frictionless field type: string, integer, number, boolean, date
    description: str
    value: Callable
    required: bool = False
    enum: tuple[str, ...] = ()

    def field(self) -> dict:
        field = {"name": self.name, "type": self.type, "description": self.description}
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            field["constraints"] = constraints
        if self.type == "boolean":
            field |= {"trueValues": ["true"], "falseValues": ["false"]}
        return field


def _number(value: Decimal | None, places: int) -> str | None:
    """A stored figure with every digit it was reported with (no thousands separators)."""
    return None if value is None else as_reported(value, places)


def _indicator(target) -> tuple[str, bool]:
    """The code of the target's indicator, and whether its growth is published at
    comparable prices (an evaluation's target is rebuilt without its indicator where the
    indicator is gone)."""
    if hasattr(target, "indicator_code"):
        return target.indicator_code, target.indicator.comparable_growth
    indicator = target._state.fields_cache.get("indicator")
    if indicator is None:
        return "", False
    return indicator.code, indicator.comparable_growth


def _common(data: OpenData) -> list[Column]:
    return [
        Column(
            "data",
            "string",
            "live: the plan's data as it stands when the file was built; evaluation: the "
            "data as an evaluation published it, never changed since.",
            lambda _row, d=data: d.kind,
            required=True,
            enum=(LIVE, EVALUATION),
        ),
        Column(
            "evaluation",
            "integer",
            "The number of the evaluation the data was published with; empty for live data.",
            lambda _row, d=data: d.evaluation.pk if d.evaluation else None,
        ),
        Column(
            "built",
            "date",
            "The date the file was built.",
            lambda _row, d=data: timezone.localdate(d.built_at).isoformat(),
            required=True,
        ),
    ]


def target_columns(data: OpenData) -> list[Column]:
    places = lambda row: row.target.decimal_places  # noqa: E731
    return [
        Column(
            "code", "string", "The target's code, stable within the plan.", _code, required=True
        ),
        Column(
            "indicator_code",
            "string",
            "The code of the indicator (statistic) in the catalogue.",
            lambda row: _indicator(row.target)[0],
        ),
        Column("name", "string", "Name (Chinese).", lambda row: row.target.name, required=True),
        Column("name_en", "string", "Name (English).", lambda row: row.target.name_en),
        Column("area", "string", "The plan's chapter (Chinese).", lambda row: row.target.area.name),
        Column("area_en", "string", "The plan's chapter (English).", _area_en),
        Column("unit", "string", "Unit of every value (Chinese).", lambda row: row.target.unit),
        Column(
            "unit_en", "string", "Unit of every value (English).", lambda row: row.target.unit_en
        ),
        Column(
            "kind",
            "string",
            "level: reach the target value; multiple: grow to baseline x factor; "
            "annual_growth: average yearly growth of target value percent; relative: grow "
            "faster than another target; milestone: achieved or not; rank: a position, "
            "lower is better.",
            lambda row: row.target.kind,
            required=True,
            enum=tuple(Target.Kind.values),
        ),
        Column(
            "direction",
            "string",
            "increase: higher is better; decrease: lower is better.",
            lambda row: row.target.direction,
            enum=tuple(Target.Direction.values),
        ),
        Column(
            "nature",
            "string",
            "binding (约束性) or anticipatory (预期性).",
            lambda row: row.target.nature,
            enum=tuple(Target.Nature.values),
        ),
        Column("baseline_year", "integer", "Year of the baseline.", _baseline_year),
        Column(
            "baseline_value",
            "number",
            "Baseline value, in the unit of column unit, every digit as reported.",
            lambda row: _number(row.baseline, places(row)),
        ),
        Column("target_year", "integer", "Year the target is due.", _target_year),
        Column(
            "target_value",
            "number",
            "Target value, in the unit of column unit (for annual_growth: the yearly rate "
            "in percent); empty for multiples, relative targets and milestones.",
            lambda row: _number(row.target.target_value, places(row)),
        ),
        Column(
            "factor",
            "number",
            "For multiples: the target is the baseline value times this factor.",
            lambda row: None if row.target.factor is None else f"{row.target.factor.normalize():f}",
        ),
        Column(
            "goal_value",
            "number",
            "The value to reach by the target year, in the unit of column unit.",
            lambda row: _number(row.assessment.goal_value, places(row)),
        ),
        Column(
            "status",
            "string",
            "Where the target stands as of status_year, on approved figures.",
            lambda row: row.status,
            required=True,
            enum=tuple(s.value for s in Status),
        ),
        Column(
            "status_year",
            "integer",
            "The year the status is assessed as of.",
            lambda row: row.assessment.as_of_year,
        ),
        Column(
            "status_figure_year",
            "integer",
            "The year of the figure the status rests on (older than status_year when that "
            "year has no approved figure yet).",
            lambda row: row.assessment.latest_year,
        ),
        *_common(data),
    ]


def figure_columns(data: OpenData) -> list[Column]:
    return [
        Column(
            "target_code",
            "string",
            "The target's code (targets.csv, column code).",
            lambda f: f.target.code,
            required=True,
        ),
        Column(
            "indicator_code",
            "string",
            "The code of the indicator (statistic) in the catalogue.",
            lambda f: _indicator(f.target)[0],
        ),
        Column("year", "integer", "The year of the figure.", lambda f: f.year, required=True),
        Column(
            "value",
            "number",
            "The figure, in the unit of column unit, every digit as reported; empty for a "
            "milestone and for a year published as a growth rate alone.",
            lambda f: None if f.target.is_milestone else _number(f.value, f.target.decimal_places),
        ),
        Column(
            "achieved",
            "boolean",
            "For a milestone: whether it was achieved that year.",
            lambda f: None if f.achieved is None else ("true" if f.achieved else "false"),
        ),
        Column("unit", "string", "Unit of column value (Chinese).", lambda f: f.target.unit),
        Column("unit_en", "string", "Unit of column value (English).", lambda f: f.target.unit_en),
        Column(
            "quality",
            "string",
            "estimate (预计), preliminary (初步) or final (最终): statistics are revised.",
            lambda f: f.quality,
            enum=tuple(Quality.values),
        ),
        Column(
            "growth",
            "number",
            "Growth over the previous year at comparable prices (可比价), in percent, as "
            "published; only for indicators whose growth is published so.",
            _growth,
        ),
        Column(
            "growth_quality",
            "string",
            "Quality of the growth rate, where there is one.",
            lambda f: (f.growth_quality or f.quality) if _growth(f) is not None else None,
            enum=tuple(Quality.values),
        ),
        Column("source", "string", "Where the figure was published.", lambda f: f.source),
        Column(
            "note",
            "string",
            "The note on the figure, where it is published with it.",
            lambda f: f.note if f.note_public else None,
        ),
        *_common(data),
    ]


def _code(row: Standing) -> str:
    return row.target.code


def _area_en(row: Standing) -> str:
    return row.target.area.name_en


def _baseline_year(row: Standing) -> int:
    return row.target.baseline_year


def _target_year(row: Standing) -> int:
    return row.target.target_year


def _growth(figure) -> str | None:
    if figure.growth is None or not _indicator(figure.target)[1]:
        return None
    return f"{figure.growth.normalize():f}" if figure.growth else "0"


# -- rows --------------------------------------------------------------------------------


def approved_figures(data: OpenData) -> list:
    """Every approved figure of the package's targets, by target and year, each knowing
    its target (`figure.target`)."""
    figures = []
    for row in data.rows:
        for _year, entry in sorted(row.entries.items()):
            if entry.state != ProgressEntry.State.APPROVED:
                continue
            if entry.value is None and entry.achieved is None and entry.growth is None:
                continue
            entry.target = row.target
            figures.append(entry)
    return figures


def _records(columns: list[Column], items) -> list[dict]:
    return [{c.name: c.value(item) for c in columns} for item in items]


def target_records(data: OpenData) -> list[dict]:
    return _records(target_columns(data), data.rows)


def figure_records(data: OpenData) -> list[dict]:
    return _records(figure_columns(data), approved_figures(data))


# -- files -------------------------------------------------------------------------------


def _csv(columns: list[Column], records: list[dict]) -> bytes:
    """UTF-8 with a BOM (Excel then reads the Chinese right), a header row of the column
    names, empty cells for missing values."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    for record in records:
        writer.writerow(["" if record[c.name] is None else record[c.name] for c in columns])
    return text.getvalue().encode("utf-8-sig")


def targets_csv(data: OpenData) -> bytes:
    return _csv(target_columns(data), target_records(data))


def figures_csv(data: OpenData) -> bytes:
    return _csv(figure_columns(data), figure_records(data))


def _head(data: OpenData) -> dict:
    plan, evaluation = data.plan, data.evaluation
    return {
        "data": data.kind,
        "built_at": data.built_at.isoformat(),
        "plan": {
            "slug": plan.slug,
            "name": plan.name,
            "name_en": plan.name_en,
            "region": {
                "code": plan.region.code,
                "name": plan.region.name,
                "name_en": plan.region.name_en,
            },
            "baseline_year": plan.baseline_year,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
        },
        "evaluation": None
        if evaluation is None
        else {
            "number": evaluation.pk,
            "kind": evaluation.kind,
            "title": evaluation.title,
            "date": evaluation.date.isoformat(),
            "year": evaluation.year,
            "frozen_at": evaluation.frozen_at.isoformat(),
        },
        "status_year": data.year,
        "licenses": [licence()],
    }


def data_json(data: OpenData) -> bytes:
    """Targets and figures as JSON: the same keys as the CSV columns; figures as strings
    with every digit reported, years as numbers."""
    document = {
        **_head(data),
        "targets": target_records(data),
        "figures": figure_records(data),
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def licence() -> dict:
    """The licence the open data is published under (settings: OPEN_DATA_LICENSE_*)."""
    found = {
        "name": settings.OPEN_DATA_LICENSE_NAME,
        "path": settings.OPEN_DATA_LICENSE_PATH,
        "title": settings.OPEN_DATA_LICENSE_TITLE,
    }
    return {key: value for key, value in found.items() if value}


def _package_name(data: OpenData) -> str:
    name = data.plan.slug.lower().replace("_", "-")
    return name if data.evaluation is None else f"{name}-evaluation-{data.evaluation.pk}"


def _sources(data: OpenData) -> list[dict]:
    """Where the figures were published (统计公报 …), and the plan itself."""
    plan = data.plan
    found = sorted({f.source.strip() for f in approved_figures(data) if f.source.strip()})
    plan_source = {"title": plan.name}
    if plan.name_en:
        plan_source["description"] = plan.name_en
    return [plan_source, *({"title": title} for title in found)]


def datapackage(data: OpenData) -> dict:
    """A Frictionless (tabular) Data Package descriptor of targets.csv and figures.csv,
    which lie beside it."""
    plan, evaluation = data.plan, data.evaluation
    title, title_en = plan.name, plan.name_en or plan.name
    if evaluation is not None:
        title = f"{title}: {evaluation.title}"
        title_en = f"{title_en}: {evaluation.get_kind_display()} {evaluation.year}"
    csv_dialect = {"delimiter": ",", "lineTerminator": "\r\n", "header": True}
    return {
        "profile": "tabular-data-package",
        "name": _package_name(data),
        "title": title,
        "title_en": title_en,
        "description": (
            f"{plan.name} ({plan.start_year}-{plan.end_year}): targets and approved figures."
        ),
        "created": data.built_at.isoformat(timespec="seconds"),
        "data": data.kind,
        "evaluation": _head(data)["evaluation"],
        "status_year": data.year,
        "region": {"code": plan.region.code, "name": plan.region.name},
        "licenses": [licence()],
        "sources": _sources(data),
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": "targets",
                "path": "targets.csv",
                "title": "Targets",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": csv_dialect,
                "schema": {
                    "fields": [c.field() for c in target_columns(data)],
                    "primaryKey": ["code"],
                },
            },
            {
                "profile": "tabular-data-resource",
                "name": "figures",
                "path": "figures.csv",
                "title": "Approved yearly figures",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": csv_dialect,
                "schema": {
                    "fields": [c.field() for c in figure_columns(data)],
                    "primaryKey": ["target_code", "year"],
                    "foreignKeys": [
                        {
                            "fields": ["target_code"],
                            "reference": {"resource": "targets", "fields": ["code"]},
                        }
                    ],
                },
            },
        ],
    }


def datapackage_json(data: OpenData) -> bytes:
    return json.dumps(datapackage(data), ensure_ascii=False, indent=1).encode()


BUILDERS = {
    "targets.csv": (targets_csv, "text/csv; charset=utf-8"),
    "figures.csv": (figures_csv, "text/csv; charset=utf-8"),
    "data.json": (data_json, "application/json"),
    "datapackage.json": (datapackage_json, "application/json"),
}
