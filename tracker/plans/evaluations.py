"""Evaluations: freezing a plan's standing as published, and reading it back unchanged.

Freezing copies every target's definition, assessment, explanation and figures (up to the
evaluation's year, whatever their state) into the database. Reading an evaluation rebuilds
unsaved Plan, Area, Department, Target and ProgressEntry objects from that copy, so the
dashboard table, the Excel report and the API render it exactly as they render live data,
without ever reading a live figure.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date as date_type
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from tracker.excel.report import write_report
from tracker.figures.history import shown_reason, visible_records
from tracker.figures.rights import ANY_ADMINISTRATOR, require_admin
from tracker.figures.workflow import hold
from tracker.models import (
    Area,
    Department,
    Evaluation,
    EvaluationDeletion,
    FrozenFigure,
    FrozenTarget,
    Indicator,
    Plan,
    ProgressEntry,
    Region,
    Series,
    Target,
    figures_visible_to,
)
from tracker.standings import formats
from tracker.standings.engine import NEEDS_EXPLANATION, Assessment, Basis, Status
from tracker.standings.standing import Standing, plan_targets, standings

# -- freezing --------------------------------------------------------------------------


def _fields(obj: models.Model) -> dict:
    """Every stored column of a row, by attribute name (foreign keys as ids)."""
    return {f.attname: f.value_from_object(obj) for f in obj._meta.concrete_fields}


def _explanation(row: Standing) -> str:
    """原因及措施: for a target behind, off track or not completed, as its responsible
    department wrote it (`Explanation`); a figure's note stays a note."""
    if row.assessment.status not in NEEDS_EXPLANATION:
        return ""
    return row.reasons_and_measures()


@transaction.atomic
def freeze(
    *,
    plan: Plan,
    year: int,
    kind: str,
    title: str,
    by,
    summary: str = "",
    date: date_type | None = None,
) -> Evaluation:
    """Freeze the standing of every target of `plan` as of `year`; returns the evaluation.

    Raises ValidationError (nothing written) for a year outside the plan, an unknown kind or
    an empty title; PermissionDenied when `by` is no administrator of the plan's region.
    """
    require_admin(by, plan.region_id)
    errors = {}
    outside = plan.status_year_outside(year)
    if outside:
        errors["year"] = str(outside)
    if kind not in Evaluation.Kind.values:
        errors["kind"] = _("The kind must be one of: %(kinds)s.") % {
            "kinds": ", ".join(Evaluation.Kind.values)
        }
    if not title.strip():
        errors["title"] = _("An evaluation needs a title.")
    if errors:
        raise ValidationError(errors)
    # 1. The moment of the freeze comes first, so that any change saved while the copy is
    #    made is listed as a change since; the plan's figures are locked meanwhile, in the
    #    order every write takes (see tracker.figures.workflow).
    frozen_at = timezone.now()
    hold(plan)
    figures = ProgressEntry.objects.select_for_update().filter(series__targets__plan=plan)
    list(figures.order_by("pk").values("pk"))
    targets = list(plan_targets(plan, viewer=ANY_ADMINISTRATOR))
    rows = standings(targets, year)
    departments = {t.lead_department for t in targets if t.lead_department}
    for target in targets:
        departments.update(target.co_departments.all())
    # 2. The plan as it stands, so later edits to its name or ratios leave this alone.
    evaluation_kwargs = dict(date=date) if date else {}
    evaluation = Evaluation.objects.create(
        plan=plan,
        kind=kind,
        title=title.strip(),
        year=year,
        summary=summary,
        frozen_by=by,
        frozen_at=frozen_at,
        frozen_plan={
            "plan": _fields(plan),
            "region": _fields(plan.region),
            "areas": [_fields(area) for area in plan.areas.all()],
            "departments": [_fields(d) for d in sorted(departments, key=lambda d: d.pk)],
        },
        **evaluation_kwargs,
    )
    # 3. One row per target, its figures up to the evaluation's year beneath it.
    frozen = FrozenTarget.objects.bulk_create(
        FrozenTarget(
            evaluation=evaluation,
            target=row.target,
            position=position,
            code=row.target.code,
            status=row.status,
            definition={
                **_fields(row.target),
                "co_departments": sorted(d.pk for d in row.target.co_departments.all()),
            },
            assessment=dataclasses.asdict(row.assessment),
            explanation=_explanation(row),
        )
        for position, row in enumerate(rows)
    )
    FrozenFigure.objects.bulk_create(
        FrozenFigure(
            frozen_target=frozen_target,
            entry=entry,
            year=entry.year,
            value=entry.value,
            achieved=entry.achieved,
            quality=entry.quality,
            growth=entry.growth,
            growth_quality=entry.growth_quality,
            source=entry.source,
            growth_source=entry.growth_source,
            state=entry.state,
            return_reason=entry.return_reason,
            note=entry.note,
            note_public=entry.note_public,
            plausibility_flag=entry.plausibility_flag,
            plausibility_note=entry.plausibility_note,
            version=entry.version,
            is_sample=entry.is_sample,
        )
        for frozen_target, row in zip(frozen, rows, strict=True)
        for entry in row.entries.values()
        if entry.year <= year
    )
    return evaluation


def unapproved(plan: Plan, year: int | None = None) -> dict[int, dict[str, int]]:
    """Per year (up to `year`), how many figures are entered but not approved yet, by
    state: {2025: {"submitted": 3, "draft": 1}}.

    An evaluation keeps them with their state, but they count toward no status: an
    administrator freezing one should know.
    """
    entries = ProgressEntry.objects.filter(series__targets__plan=plan).exclude(
        state=ProgressEntry.State.APPROVED
    )
    entries = entries.filter(models.Q(value__isnull=False) | models.Q(achieved__isnull=False))
    if year is not None:
        entries = entries.filter(year__lte=year)
    counts: dict[int, dict[str, int]] = {}
    rows = entries.values("year", "state").annotate(n=models.Count("pk")).order_by("year")
    for row in rows:
        counts.setdefault(row["year"], {})[row["state"]] = row["n"]
    return counts


def unapproved_text(counts: dict[int, dict[str, int]]) -> str:
    """“Not approved yet, so not counted: 2025: 5 figures not approved (3 submitted,
    1 draft, 1 returned).”, in the close page's words; "" when all are approved."""
    if not counts:
        return ""
    states = dict(ProgressEntry.State.choices)
    years = pgettext("between reasons", "; ").join(
        _("%(year)s: %(figures)s (%(states)s)")
        % {
            "year": y,
            "figures": ngettext(
                "%(count)d figure not approved", "%(count)d figures not approved", sum(n.values())
            )
            % {"count": sum(n.values())},
            "states": _(", ").join(
                f"{states[state]} {n[state]}" for state in ProgressEntry.State.values if state in n
            ),
        }
        for y, n in counts.items()
    )
    return _("Not approved yet, so not counted: %(years)s.") % {"years": years}


@transaction.atomic
def delete(evaluation: Evaluation, *, by, reason: str) -> EvaluationDeletion:
    """Delete an evaluation, leaving a record of what it was, who deleted it and why."""
    if not by.is_superuser:
        raise ValidationError(_("Only a superuser may delete an evaluation."))
    if not reason.strip():
        raise ValidationError({"reason": _("Deleting an evaluation needs a reason.")})
    record = EvaluationDeletion.objects.create(
        plan=evaluation.plan,
        evaluation_number=evaluation.pk,
        description=str(evaluation)[:300],
        deleted_by=by,
        reason=reason.strip(),
    )
    evaluation.delete()
    return record


# -- reading back ----------------------------------------------------------------------


def _rebuild(model, data: dict):
    """An unsaved instance of `model` holding the frozen column values."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.attname in data:
            values[field.attname] = field.to_python(data[field.attname])
    return model(**values)


def _assessment(data: dict) -> Assessment:
    values = {}
    for field in dataclasses.fields(Assessment):
        value = data.get(field.name)
        if field.name == "status":
            value = Status(value)
        elif field.name == "basis":
            value = Basis(value) if value else None
        elif isinstance(value, str):
            value = Decimal(value)
        values[field.name] = value
    return Assessment(**values)


def frozen_plan(evaluation: Evaluation) -> Plan:
    """The plan's name, region, years and ratios as they were when the evaluation was
    frozen (evaluations frozen before regions were kept name the region in the plan)."""
    data = evaluation.frozen_plan
    plan = _rebuild(Plan, data["plan"])
    if "region" in data:
        plan.region = _rebuild(Region, data["region"])
    else:
        plan.region = Region(
            name=data["plan"].get("region", ""), name_en=data["plan"].get("region_en", "")
        )
    return plan


def frozen_standings(evaluation: Evaluation, *, viewer) -> tuple[Plan, list[Standing]]:
    """The evaluation's plan and rows, rebuilt in memory from the snapshot alone, with the
    frozen figures `viewer` may see (`figures_visible_to`, asked of the live target: of a
    target deleted since, only an administrator sees those not approved).

    Each target's `entries` and `co_departments` are preset (as a prefetch would), so
    code that reads them through the usual managers sees the frozen figures and never
    queries live data.
    """
    data = evaluation.frozen_plan
    plan = frozen_plan(evaluation)
    areas = {}
    for area_data in data["areas"]:
        area = _rebuild(Area, area_data)
        area.plan = plan
        areas[area.pk] = area
    departments = {d["id"]: _rebuild(Department, d) for d in data["departments"]}
    rows, by_id = [], {}
    visible = FrozenFigure.objects.filter(
        figures_visible_to(viewer, "frozen_target__target__series", "entry__computed")
    )
    frozen_targets = list(
        evaluation.targets.prefetch_related(models.Prefetch("figures", queryset=visible))
    )
    indicators = Indicator.objects.in_bulk(
        {f.definition.get("indicator_id") for f in frozen_targets} - {None}
    )
    for frozen in frozen_targets:
        target = _rebuild(Target, frozen.definition)
        if target.indicator_id in indicators:
            target.indicator = indicators[target.indicator_id]
        target.plan = plan
        target.area = areas.get(target.area_id) or Area(pk=target.area_id, plan=plan, name="—")
        target.lead_department = departments.get(target.lead_department_id)
        entries = []
        for figure in frozen.figures.all():
            entries.append(
                ProgressEntry(
                    pk=figure.entry_id,
                    target=target,
                    year=figure.year,
                    value=figure.value,
                    achieved=figure.achieved,
                    quality=figure.quality,
                    growth=figure.growth,
                    growth_quality=figure.growth_quality,
                    source=figure.source,
                    growth_source=figure.growth_source,
                    state=figure.state,
                    return_reason=figure.return_reason,
                    note=figure.note,
                    note_public=figure.note_public,
                    plausibility_flag=figure.plausibility_flag,
                    plausibility_note=figure.plausibility_note,
                    version=figure.version,
                    is_sample=figure.is_sample,
                )
            )
        # A stand-in statistic holding the frozen figures (snapshots taken before
        # statistics were kept name none: 0 stands for it).
        series = Series(pk=target.series_id or 0)
        series._prefetched_objects_cache = {"entries": entries}
        target.series = series
        target._prefetched_objects_cache = {
            "co_departments": [
                departments[pk] for pk in frozen.definition["co_departments"] if pk in departments
            ],
        }
        by_id[target.pk] = target
        values = target.approved_values()
        row = Standing(
            target,
            _assessment(frozen.assessment),
            {e.year: e for e in entries},
            target.spec(values),
            values,
        )
        row.explanation = frozen.explanation
        rows.append(row)
    for row in rows:
        target = row.target
        target.reference_target = by_id.get(target.reference_target_id)
    return plan, rows


def write_frozen_report(out, evaluation: Evaluation, *, viewer, **options) -> int:
    """The evaluation's report as published: the writer fed from the snapshot, made by
    whoever froze it, when they froze it, with the figures `viewer` may see. Returns how
    many targets it holds."""
    frozen, rows = frozen_standings(evaluation, viewer=viewer)
    write_report(
        out,
        frozen,
        evaluation.year,
        rows,
        user=evaluation.frozen_by,
        now=evaluation.frozen_at,
        evaluation=evaluation,
        **options,
    )
    return len(rows)


# -- against live data -----------------------------------------------------------------


@dataclass
class Revision:
    """A figure changed after the evaluation was frozen, from the history."""

    code: str
    target_name: str
    year: int
    when: datetime
    who: object
    old_value: str
    new_value: str
    frozen_value: str
    quality: str
    state: str
    reason: str
    target_url: str


def _shown(record, target) -> str:
    if record is None:
        return ""
    if target.is_milestone:
        return formats.milestone_word(record.achieved)
    shown = formats.format_figure(record.value, target.decimal_places)
    if getattr(record, "growth", None) is None:
        return shown
    growth = formats.format_share(record.growth / 100)
    return _("%(level)s (growth %(growth)s)") % {"level": shown or "—", "growth": growth}


def changes_since(evaluation: Evaluation, viewer) -> list[Revision]:
    """Every change to a figure the evaluation covers (its years), saved after the freeze,
    that `viewer` may see (`history.visible_records`).

    A change counts when it moved the value, the milestone flag, the data quality or the
    state; each shows the figure before and after it and as the evaluation holds it (as
    far as `viewer` may see that). Oldest first.
    """
    targets = {
        t.series_id: t for t in Target.objects.filter(plan=evaluation.plan).select_related("plan")
    }
    frozen = {
        (f.frozen_target.target_id, f.year): f
        for f in FrozenFigure.objects.filter(
            figures_visible_to(viewer, "frozen_target__target__series", "entry__computed"),
            frozen_target__evaluation=evaluation,
        ).select_related("frozen_target")
    }
    records = (
        visible_records(viewer)
        .filter(
            series__in=list(targets),
            year__gte=evaluation.plan.baseline_year,
            year__lte=evaluation.year,
        )
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    quality, state = dict(ProgressEntry.Quality.choices), dict(ProgressEntry.State.choices)
    watched = ("value", "growth", "achieved", "quality", "state")
    previous, revisions = {}, []
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        if record.history_date <= evaluation.frozen_at:
            continue
        deleted = record.history_type == "-"
        if (
            before
            and not deleted
            and all(getattr(before, name) == getattr(record, name) for name in watched)
        ):
            continue
        target = targets[record.series_id]
        revisions.append(
            Revision(
                code=target.code,
                target_name=target.display_name,
                year=record.year,
                when=record.history_date,
                who=record.history_user,
                old_value=_shown(before, target),
                new_value="" if deleted else _shown(record, target),
                frozen_value=_shown(frozen.get((target.pk, record.year)), target),
                quality=quality.get(record.quality, record.quality),
                state=_("Deleted") if deleted else state.get(record.state, record.state),
                reason=shown_reason(record.history_change_reason),
                target_url=target.get_absolute_url(),
            )
        )
    revisions.sort(key=lambda revision: revision.when)
    return revisions


def status_changes(evaluation: Evaluation, live_rows: list[Standing]) -> dict[int, str]:
    """For each live target whose status differs from the evaluation's: the frozen status.

    Targets added since the freeze map to "" (they had no status then).
    """
    frozen = dict(evaluation.targets.values_list("target_id", "status"))
    changed = {}
    for row in live_rows:
        before = frozen.get(row.target.pk, "")
        if before != row.status:
            changed[row.target.pk] = before
    return changed
