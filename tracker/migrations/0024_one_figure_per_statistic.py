"""One figure per region, indicator and year.

Until now each plan kept its own copy of a statistic: the 15th plan's baseline copied the
14th plan's 2025 figure, and a figure entered in both plans lived twice. This joins them:
- figures of one statistic and year become one: the approved one (the latest approved,
  else the latest saved) stays, and the others' history is kept under it, with a record
  saying what was joined;
- a target's baseline becomes the region's figure for its baseline year: where there is
  none, the baseline is entered as an approved figure; where an approved figure says
  otherwise, the figure wins and the baseline's value is kept in the figure's history with
  the reason; a baseline over a figure not yet approved stays fixed, with the reason;
- years closed in several plans of one region are closed once, the earliest closing kept.
"""

import importlib
from datetime import timedelta

import django.core.validators
from django.db import migrations, models

import tracker.text
from django.db.models import Count
from django.utils import timezone


FIELDS = (
    "value",
    "achieved",
    "quality",
    "state",
    "return_reason",
    "note",
    "plausibility_flag",
    "plausibility_note",
    "evidence",
    "evidence_name",
    "entered_by_id",
    "reviewed_by_id",
    "reviewed_at",
    "updated_at",
    "version",
    "is_sample",
)


def forward(apps, schema_editor):
    importlib.import_module("tracker.migrations.0023_fill_regions_indicators").fill(
        apps, schema_editor
    )
    Entry = apps.get_model("tracker", "ProgressEntry")
    History = apps.get_model("tracker", "HistoricalProgressEntry")
    Frozen = apps.get_model("tracker", "FrozenFigure")
    Target = apps.get_model("tracker", "Target")
    ClosedYear = apps.get_model("tracker", "ClosedYear")
    now = timezone.now()

    # 1. A milestone carried into a next plan as achieved in its baseline year was a copy
    #    of an earlier achievement: the region's figure of that year shows it already.
    carried_copies = Entry.objects.filter(
        achieved=True,
        state="approved",
        target__baseline_source__isnull=False,
        year=models.F("target__baseline_year"),
    )
    for carried in carried_copies.select_related("target__plan"):
        earlier = (
            Entry.objects.filter(
                series=carried.series_id, year__lt=carried.year, achieved=True, state="approved"
            )
            .order_by("year")
            .first()
        )
        if earlier is not None:
            _record(
                History,
                carried,
                when=now,
                kind="-",
                reason=(
                    f"merged: {carried.target.plan.slug} {carried.target.code} {carried.year} "
                    f"copied the achievement of {earlier.year}"
                ),
            )
            Frozen.objects.filter(entry=carried.pk).update(entry=earlier.pk)
            carried.delete()

    # 2. One figure per statistic and year.
    doubles = (
        Entry.objects.values("series", "year").annotate(n=Count("pk")).filter(n__gt=1).order_by()
    )
    for double in doubles:
        copies = list(
            Entry.objects.filter(series=double["series"], year=double["year"]).select_related(
                "target__plan"
            )
        )
        keep = max(
            copies,
            key=lambda e: (e.state == "approved", e.reviewed_at or e.updated_at, e.updated_at),
        )
        for other in copies:
            if other.pk == keep.pk:
                continue
            History.objects.filter(id=other.pk).update(id=keep.pk)
            Frozen.objects.filter(entry=other.pk).update(entry=keep.pk)
            _record(
                History,
                keep,
                when=now,
                reason=(
                    f"merged: {other.target.plan.slug} {other.target.code} {other.year} = "
                    f"{_shown(other)} ({other.state}) joined with "
                    f"{keep.target.plan.slug}'s {_shown(keep)} ({keep.state})"
                ),
            )
            other.delete()

    # 3. The baseline is the region's figure for the baseline year.
    Plan = apps.get_model("tracker", "Plan")
    for target in Target.objects.filter(baseline_value__isnull=False).select_related("plan"):
        figure = Entry.objects.filter(series=target.series_id, year=target.baseline_year).first()
        copied = f" from {target.baseline_source.slug}" if target.baseline_source_id else ""
        read_by_another = Plan.objects.filter(
            home=target.plan.home_id,
            start_year__lte=target.baseline_year,
            end_year__gte=target.baseline_year,
        ).exists()
        if figure is None and read_by_another:
            # A year another plan of the region counts: a baseline stated in advance of
            # its figure is no figure of that plan's, so it stays fixed, with the reason.
            target.baseline_reason = (
                f"{target.plan.slug}: baseline{copied}, stated before the region's "
                f"{target.baseline_year} figure"
            )
            target.save(update_fields=["baseline_reason"])
            continue
        if figure is None:
            figure = Entry.objects.create(
                series_id=target.series_id,
                target_id=target.pk,
                year=target.baseline_year,
                value=target.baseline_value,
                quality=target.baseline_quality or "estimate",
                state="approved",
                note=f"{target.plan.name}：规划基期值",
                is_sample=Entry.objects.filter(
                    target__plan=target.plan_id, is_sample=True
                ).exists(),
                reviewed_at=now,
                version=1,
            )
            _record(
                History,
                figure,
                when=now,
                kind="+",
                reason=f"baseline: {target.plan.slug} {target.code}{copied}",
            )
        elif figure.state != "approved":
            target.baseline_reason = (
                f"{target.plan.slug}: baseline{copied}; the {target.baseline_year} figure "
                f"is not approved yet"
            )
            target.save(update_fields=["baseline_reason"])
            continue
        elif figure.value != target.baseline_value and figure.value is not None:
            # The approved figure wins; the baseline's value stays in its history.
            stated = Entry(**{f: getattr(figure, f) for f in FIELDS})
            stated.pk, stated.series_id, stated.year = figure.pk, figure.series_id, figure.year
            stated.value = target.baseline_value
            stated.quality = target.baseline_quality or figure.quality
            _record(
                History,
                stated,
                when=now,
                reason=(
                    f"baseline: {target.plan.slug} {target.code} baseline{copied} "
                    f"{target.baseline_value} differs from the approved figure; "
                    f"the approved figure {figure.value} is kept"
                ),
            )
            _record(History, figure, when=now + timedelta(microseconds=1), reason="merged")
        Target.objects.filter(pk=target.pk).update(
            baseline_value=None, baseline_quality="", baseline_reason=""
        )

    # 4. A year is closed once per region.
    kept = set()
    for closed in ClosedYear.objects.order_by("closed_at", "pk"):
        if (closed.region_id, closed.year) in kept:
            closed.delete()
        else:
            kept.add((closed.region_id, closed.year))


def _shown(entry) -> str:
    if entry.value is not None:
        return f"{entry.value.normalize():f}"
    return {True: "achieved", False: "not achieved"}.get(entry.achieved, "—")


def _record(History, entry, *, when, reason: str, kind: str = "~") -> None:
    History.objects.create(
        id=entry.pk,
        series_id=entry.series_id,
        target_id=getattr(entry, "target_id", None),
        year=entry.year,
        **{f: getattr(entry, f) for f in FIELDS},
        history_date=when,
        history_type=kind,
        history_change_reason=reason,
    )


class Migration(migrations.Migration):
    dependencies = [("tracker", "0023_fill_regions_indicators")]

    operations = [
        migrations.AddField(
            model_name="historicaltarget",
            name="baseline_reason",
            field=models.TextField(
                blank=True,
                help_text="A baseline is the region's figure for the baseline year, and follows its revisions. Give a value above only to fix it otherwise, and say why here.",
                max_length=2000,
                validators=[
                    django.core.validators.MaxLengthValidator(2000),
                    tracker.text.validate_storable,
                ],
                verbose_name="why the baseline is fixed",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="baseline_reason",
            field=models.TextField(
                blank=True,
                help_text="A baseline is the region's figure for the baseline year, and follows its revisions. Give a value above only to fix it otherwise, and say why here.",
                max_length=2000,
                validators=[
                    django.core.validators.MaxLengthValidator(2000),
                    tracker.text.validate_storable,
                ],
                verbose_name="why the baseline is fixed",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
