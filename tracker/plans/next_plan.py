"""Starting the next plan from the previous one: its areas and targets, its finals as baselines."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tracker.figures import history
from tracker.figures.rights import ANY_ADMINISTRATOR, ANYONE_SIGNED_IN
from tracker.models import Area, Plan, ProgressEntry, Target
from tracker.standings import store

# What the next plan decides afresh: its wording, its goals, and (below) its baselines.
NOT_CARRIED = {
    "id",
    "plan",
    "area",
    "baseline_value",
    "baseline_year",
    "baseline_quality",
    "baseline_reason",
    "baseline_source",
    "target_value",
    "target_year",
    "factor",
    "reference_target",
    "source_text",
    "notes",
}


@dataclass
class Carried:
    """What start_next_plan did, for the command's and the admin's message."""

    plan: Plan
    targets: int = 0
    baselines: dict[str, int] = field(default_factory=dict)  # quality -> count
    without_baseline: list[str] = field(default_factory=list)
    # Of those, the codes whose baseline-year figure is entered but not approved yet.
    awaiting_approval: list[str] = field(default_factory=list)
    achieved_milestones: list[str] = field(default_factory=list)

    def explanation(self) -> str:
        """What is missing and what to do about it, for the command's and the admin's message."""
        parts = []
        year = self.plan.baseline_year
        waiting = self.awaiting_approval
        absent = [code for code in self.without_baseline if code not in waiting]
        if waiting:
            parts.append(
                _(
                    "No baseline yet where the %(year)s figure awaits approval: %(codes)s. "
                    "Once approved, fill the baselines with start_next_plan --fill-baselines "
                    "or the admin action."
                )
                % {"year": year, "codes": ", ".join(waiting)}
            )
        if absent:
            parts.append(
                _("No %(year)s figure, so no baseline: %(codes)s.")
                % {"year": year, "codes": ", ".join(absent)}
            )
        if self.achieved_milestones:
            parts.append(
                _("Already achieved: %(codes)s.") % {"codes": ", ".join(self.achieved_milestones)}
            )
        return " ".join(parts)


def _slug_taken(slug: str) -> ValidationError:
    return ValidationError(
        {"slug": _("A plan with the slug “%(slug)s” exists already.") % {"slug": slug}}
    )


def _check(source: Plan, slug: str, name: str, start_year: int, end_year: int) -> None:
    errors = {}
    if Plan.objects.filter(slug=slug).exists():
        errors.update(_slug_taken(slug).error_dict)
    if not name.strip():
        errors["name"] = _("The new plan needs a name.")
    if start_year <= source.end_year:
        errors["start_year"] = _(
            "The next plan must begin after %(year)s, the last year of %(plan)s."
        ) % {"year": source.end_year, "plan": source.name}
    if end_year < start_year:
        errors["end_year"] = _("The last year cannot come before the first.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
@store.batch()
def start_next_plan(
    *,
    source: Plan,
    slug: str,
    name: str,
    start_year: int,
    end_year: int,
    by,
    name_en: str = "",
) -> Carried:
    """Create the plan that follows `source`, ready for administrators to set its goals.

    1. The same areas, and targets with the same codes, names, units, kinds, directions,
       bases of growth and departments; target values and factors are left empty. The
       plan's three ratios (ahead, on track, behind) are the source's.
    2. The baseline year is the source's last year. Each target reads the region's
       figures, so its baseline is the region's approved figure of that year, and follows
       it when it is approved, revised or reopened; the source plan is recorded.
    3. A milestone achieved in the source shows as achieved: it is the region's figure.
    Raises ValidationError (nothing written) for a taken slug or years that do not follow.
    """
    _check(source, slug, name, start_year, end_year)
    # Stored words (description, notes, history reasons) in the office's own language.
    with translation.override(settings.LANGUAGE_CODE):
        return _start(source, slug, name, name_en, start_year, end_year, by)


def _start(source, slug, name, name_en, start_year, end_year, by) -> Carried:
    baseline_year = source.end_year
    plan = Plan(
        slug=slug,
        name=name.strip(),
        name_en=name_en.strip(),
        region=source.region,
        baseline_year=baseline_year,
        start_year=start_year,
        end_year=end_year,
        ahead_ratio=source.ahead_ratio,
        on_track_ratio=source.on_track_ratio,
        behind_ratio=source.behind_ratio,
        description=_("Started from %(plan)s on %(date)s; baselines are its %(year)s figures.")
        % {"plan": source.name, "date": timezone.localdate(), "year": baseline_year},
    )
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        # Started by somebody else at the same moment, after `_check` looked.
        if Plan.objects.filter(slug=slug).exists():
            raise _slug_taken(slug) from None
        raise
    areas = {
        area.pk: Area.objects.create(
            plan=plan, name=area.name, name_en=area.name_en, order=area.order
        )
        for area in source.areas.all()
    }
    result = Carried(plan=plan)
    old_targets = list(Target.objects.for_plan(source).with_entries(ANY_ADMINISTRATOR))
    # Stored as a code, shown in the reader's language (history.shown_reason).
    reason = history.reason(history.CARRIED_OVER, source.slug)
    new_targets = {}
    for old in old_targets:
        final = next((e for e in old.entries.all() if e.year == baseline_year and e.counts), None)
        achieved = old.is_milestone and any(old.approved_achieved().values())
        carried = {
            f.attname: getattr(old, f.attname)
            for f in Target._meta.concrete_fields
            if f.name not in NOT_CARRIED
        }
        target = Target(
            **carried,
            plan=plan,
            area=areas[old.area_id],
            baseline_year=baseline_year,
            target_year=end_year,
            baseline_source=source,
        )
        if final is not None and not old.is_milestone and final.value is not None:
            result.baselines[final.quality] = result.baselines.get(final.quality, 0) + 1
        elif not old.is_milestone:
            result.without_baseline.append(old.code)
            if any(e.year == baseline_year and e.value is not None for e in old.entries.all()):
                result.awaiting_approval.append(old.code)
        target._history_user = by
        target._change_reason = reason
        target.save()
        target.co_departments.set(old.co_departments.all())
        new_targets[old.pk] = target
        result.targets += 1
        if achieved:
            result.achieved_milestones.append(old.code)
    for old in old_targets:
        if old.reference_target_id in new_targets:
            target = new_targets[old.pk]
            target.reference_target = new_targets[old.reference_target_id]
            target._history_user = by
            target._change_reason = reason
            target.save(update_fields=["reference_target"])
    return result


def fill_baselines(plan: Plan, *, by) -> Carried:
    """Where the plan's baselines stand: each is the region's approved figure of its
    baseline year, read as soon as it is approved (and again when it is revised), so
    nothing needs copying; baselines an administrator fixed stay fixed.

    Kept for plans started before their predecessor's last figures were approved: it says
    which baselines are there now, and which still wait for a figure or its approval.
    """
    result = Carried(plan=plan)
    targets = (
        Target.objects.filter(plan=plan, baseline_value__isnull=True)
        .exclude(kind=Target.Kind.MILESTONE)
        .with_entries(ANY_ADMINISTRATOR)
    )
    for target in targets:
        figure = target.baseline_figure()
        if figure is None or figure.value is None:
            result.without_baseline.append(target.code)
            if any(
                e.year == target.baseline_year and e.value is not None for e in target.entries.all()
            ):
                result.awaiting_approval.append(target.code)
            continue
        result.baselines[figure.quality] = result.baselines.get(figure.quality, 0) + 1
        result.targets += 1
    return result


def linked_series(target: Target) -> list[tuple[int, Decimal]]:
    """The region's approved figures of the target's statistic in the years before or
    after its plan: what the plans before and after it read of the same statistic."""
    years = range(target.plan.baseline_year, target.plan.end_year + 1)
    visible = ProgressEntry.objects.visible_to(ANYONE_SIGNED_IN).filter(
        series=target.series_id, value__isnull=False
    )
    return sorted(
        (year, value) for year, value in visible.values_list("year", "value") if year not in years
    )
