"""Give every plan its region, every department the region it works for, every target its
indicator and statistic, every figure and closed year their region's statistic and region.

Safe to run again: it fills only what is missing (the next migration runs it once more for
rows written in between).
"""

from collections import Counter

from django.db import migrations
from django.db.models import OuterRef, Subquery

from tracker.regions.divisions import region_for

SEED_REGION = "凌源市"


def measure_of(target) -> str:
    if target.kind in ("milestone", "rank"):
        return target.kind
    if target.unit.strip() == "%":
        return "share"
    if "平方公里" in target.unit or target.unit_en.strip().lower() in ("km²", "km2"):
        return "area"
    return "amount"


def fill(apps, schema_editor):
    Region = apps.get_model("tracker", "Region")
    Plan = apps.get_model("tracker", "Plan")
    Department = apps.get_model("tracker", "Department")
    Target = apps.get_model("tracker", "Target")
    Indicator = apps.get_model("tracker", "Indicator")
    Series = apps.get_model("tracker", "Series")
    ProgressEntry = apps.get_model("tracker", "ProgressEntry")
    ClosedYear = apps.get_model("tracker", "ClosedYear")

    for plan in Plan.objects.filter(home__isnull=True):
        plan.home = region_for(Region, plan.region, plan.region_en)
        if plan.region_en and not plan.home.name_en:
            plan.home.name_en = plan.region_en
            plan.home.save(update_fields=["name_en"])
        plan.save(update_fields=["home"])

    _departments(Region, Plan, Department, Target)

    for target in (
        Target.objects.filter(series__isnull=True)
        .select_related("plan")
        .order_by("-plan__start_year", "pk")
    ):
        indicator = Indicator.objects.filter(code=target.code).first()
        if indicator is None:
            indicator = Indicator.objects.create(
                code=target.code,
                name=target.name,
                name_en=target.name_en,
                unit=target.unit,
                unit_en=target.unit_en,
                measure=measure_of(target),
                decimal_places=target.decimal_places,
                source=target.data_source,
            )
        series, _ = Series.objects.get_or_create(region_id=target.plan.home_id, indicator=indicator)
        Target.objects.filter(pk=target.pk).update(indicator=indicator, series=series)

    of_target = Target.objects.filter(pk=OuterRef("target_id"))
    ProgressEntry.objects.filter(series__isnull=True).update(
        series=Subquery(of_target.values("series")[:1])
    )
    History = apps.get_model("tracker", "HistoricalProgressEntry")
    History.objects.filter(series__isnull=True).update(
        series=Subquery(of_target.values("series")[:1])
    )
    HistoricalTarget = apps.get_model("tracker", "HistoricalTarget")
    of_live = Target.objects.filter(pk=OuterRef("id"))
    HistoricalTarget.objects.filter(series__isnull=True).update(
        series=Subquery(of_live.values("series")[:1]),
        indicator=Subquery(of_live.values("indicator")[:1]),
    )
    of_plan = Plan.objects.filter(pk=OuterRef("plan_id"))
    ClosedYear.objects.filter(region__isnull=True).update(
        region=Subquery(of_plan.values("home")[:1])
    )
    HistoricalClosedYear = apps.get_model("tracker", "HistoricalClosedYear")
    HistoricalClosedYear.objects.filter(region__isnull=True).update(
        region=Subquery(of_plan.values("home")[:1])
    )


def _departments(Region, Plan, Department, Target):
    """A department works for the region of the plans whose targets it leads or co-leads;
    one that served plans of several regions is kept for the first and copied, with its
    members, for each other (a department belongs to one region)."""
    fallback = None
    for department in Department.objects.filter(region__isnull=True).order_by("pk"):
        regions = Counter(
            Target.objects.filter(lead_department=department).values_list("plan__home", flat=True)
        )
        regions.update(
            Target.objects.filter(co_departments=department).values_list("plan__home", flat=True)
        )
        if not regions:
            if fallback is None:
                first = Plan.objects.order_by("pk").first()
                fallback = first.home if first else region_for(Region, SEED_REGION)
            department.region = fallback
            department.save(update_fields=["region"])
            continue
        ordered = [region for region, _n in regions.most_common()]
        department.region_id = ordered[0]
        department.save(update_fields=["region"])
        for region_id in ordered[1:]:
            copy = Department.objects.create(
                name=department.name,
                name_en=department.name_en,
                is_sample=department.is_sample,
                region_id=region_id,
            )
            copy.members.set(department.members.all())
            Target.objects.filter(lead_department=department, plan__home=region_id).update(
                lead_department=copy
            )
            for target in Target.objects.filter(co_departments=department, plan__home=region_id):
                target.co_departments.remove(department)
                target.co_departments.add(copy)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0022_regions_indicators")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
