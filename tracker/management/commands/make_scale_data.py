"""Build a synthetic data set of province size for benchmarks and load tests.

Everything it makes is labelled 合成数据 (synthetic data): region, plan and department
names and every figure's note; plan slugs start with the prefix (default `scale-`). Each
plan belongs to a county-level region of its own under one synthetic province (`--province`,
default 970000; 9x codes are left unused by GB/T 2260, and the counties' codes share the
province's first two digits), `--plans-per-region` plans one after the other, each
reading the region's figures of the indicators S00001…. Bulk inserts keep it to seconds:
200 plans x 50 targets x 5 years (10,000 targets, 50,000 figures) on SQLite.

Every figure is approved but those of each plan's last year with figures, which are a mix of
approved, submitted and drafts; with `--approved`, those are approved too, as a province reads
its counties' figures once the counties have approved them.

The growth goals (`multiple`, `annual_growth`) are on indicators whose growth is published
at comparable prices, and their figures carry that growth beside the level, a little below
the growth of the levels (prices rise): they are judged on the chained rates, as GDP is.
"""

from __future__ import annotations

import random
import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from tracker.models import Area, Department, Indicator, Plan, ProgressEntry, Region, Series, Target
from tracker.standings import store

KINDS = ["level", "level", "multiple", "annual_growth", "rank", "milestone"]
# Kinds judged on growth, whose indicators publish it at comparable prices.
GROWTH_KINDS = {"multiple", "annual_growth"}
# Points of yearly growth the levels have beyond the growth at comparable prices.
PRICE_RISE = Decimal("1.5")
AREAS = ["综合经济实力", "开放创新", "城乡建设", "民生保障", "生态环境"]
LABEL = "合成数据"


class Command(BaseCommand):
    help = "Build labelled synthetic plans, targets and yearly figures, in bulk."

    def add_arguments(self, parser):
        parser.add_argument("--plans", type=int, default=200)
        parser.add_argument("--targets-per-plan", type=int, default=50)
        parser.add_argument("--years", type=int, default=5, help="plan years with figures")
        parser.add_argument("--prefix", default="scale-", help="slug prefix of the plans")
        parser.add_argument("--departments", type=int, default=20)
        parser.add_argument("--seed", type=int, default=14)
        parser.add_argument("--replace", action="store_true", help="delete earlier plans first")
        parser.add_argument(
            "--plans-per-region",
            type=int,
            default=1,
            help="plans of each region, one five-year period after another",
        )
        parser.add_argument(
            "--province",
            default="970000",
            help="code of the synthetic province the regions are made under (9x0000)",
        )
        parser.add_argument(
            "--approved", action="store_true", help="every figure approved, the last year's too"
        )

    def handle(
        self,
        *args,
        plans,
        targets_per_plan,
        years,
        prefix,
        departments,
        seed,
        replace,
        plans_per_region,
        province,
        approved,
        **options,
    ):
        if len(province) != 6 or not province.startswith("9") or not province.endswith("0000"):
            raise CommandError("--province is a code 9x0000, which GB/T 2260 leaves unused.")
        if min(plans, targets_per_plan, departments, plans_per_region) < 1 or not 1 <= years <= 5:
            raise CommandError(
                "--plans, --targets-per-plan, --departments, --plans-per-region >= 1; "
                "1 <= --years <= 5"
            )
        if Plan.objects.filter(slug__startswith=prefix).exists():
            if not replace:
                raise CommandError(f"Plans starting with {prefix!r} exist; add --replace.")
            with store.batch():  # figures, then targets: their areas may not go before them
                old = Target.objects.filter(plan__slug__startswith=prefix)
                ProgressEntry.objects.filter(series__targets__in=old).delete()
                old.delete()
                Plan.objects.filter(slug__startswith=prefix).delete()
        started = time.perf_counter()
        with store.batch():  # one transaction, which forgets the stored standings once
            counts = build(
                prefix,
                plans,
                targets_per_plan,
                years,
                departments,
                random.Random(seed),
                per_region=plans_per_region,
                province=province,
                approved=approved,
            )
        self.stdout.write(
            f"{counts['plans']} plans, {counts['targets']} targets, {counts['entries']} figures "
            f"({LABEL}) in {time.perf_counter() - started:.1f} s"
        )


def _regions(prefix: str, n: int, code: str = "970000") -> list[Region]:
    """The synthetic province of `code` and `n` county-level regions of this prefix under
    it, made where missing (codes of the province's first two digits, the next free ones)."""
    name = f"{LABEL}省" if code == "970000" else f"{LABEL}省 {code}"
    province, _ = Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": Region.Level.PROVINCE}
    )
    names = [f"{LABEL}县 {prefix}{r + 1:04d}" for r in range(n)]
    have = {r.name: r for r in Region.objects.filter(parent=province, name__in=names)}
    head = code[:2]
    taken = set(Region.objects.filter(code__startswith=head).values_list("code", flat=True))
    free = (f"{head}{c:04d}" for c in range(1, 10_000) if f"{head}{c:04d}" not in taken)
    Region.objects.bulk_create(
        [
            Region(code=next(free), name=name, level=Region.Level.COUNTY, parent=province)
            for name in names
            if name not in have
        ]
    )
    by_name = {r.name: r for r in Region.objects.filter(parent=province, name__in=names)}
    return [by_name[name] for name in names]


def build(
    prefix,
    n_plans,
    per_plan,
    n_years,
    n_departments,
    rng,
    per_region=1,
    province="970000",
    approved=False,
) -> dict[str, int]:
    regions = _regions(prefix, -(-n_plans // per_region), province)
    Department.objects.bulk_create(
        [
            Department(name=f"{LABEL}单位{d + 1:03d}", region=region)
            for region in regions
            for d in range(n_departments)
        ],
        ignore_conflicts=True,
    )
    departments = {
        (d.region_id, d.name): d
        for d in Department.objects.filter(region__in=regions, name__startswith=LABEL)
    }
    Plan.objects.bulk_create(
        Plan(
            slug=f"{prefix}{p + 1:04d}",
            name=f"{LABEL}规划 {p + 1:04d}",
            region=regions[p // per_region],
            baseline_year=2020 + 5 * (p % per_region),
            start_year=2021 + 5 * (p % per_region),
            end_year=2025 + 5 * (p % per_region),
        )
        for p in range(n_plans)
    )
    plans = list(Plan.objects.filter(slug__startswith=prefix).order_by("slug"))
    Indicator.objects.bulk_create(
        [
            Indicator(
                code=f"S{t + 1:05d}",
                name=f"{LABEL}指标 {t + 1:05d}",
                unit={"rank": "位", "milestone": ""}.get(KINDS[t % len(KINDS)], "亿元"),
                measure={"rank": "rank", "milestone": "milestone"}.get(
                    KINDS[t % len(KINDS)], "amount"
                ),
                decimal_places=1 if KINDS[t % len(KINDS)] != "rank" else 0,
                comparable_growth=KINDS[t % len(KINDS)] in GROWTH_KINDS,
            )
            for t in range(per_plan)
        ],
        ignore_conflicts=True,
    )
    # Indicators made by an earlier run, before their growth was published so, say so now.
    Indicator.objects.filter(
        code__in=[f"S{t + 1:05d}" for t in range(per_plan) if KINDS[t % len(KINDS)] in GROWTH_KINDS]
    ).update(comparable_growth=True)
    indicators = dict(Indicator.objects.filter(code__startswith="S").values_list("code", "pk"))
    Series.objects.bulk_create(
        [
            Series(region=region, indicator_id=indicators[f"S{t + 1:05d}"])
            for region in regions
            for t in range(per_plan)
        ],
        ignore_conflicts=True,
    )
    series = {
        (s.region_id, s.indicator_id): s.pk
        for s in Series.objects.filter(region__in=regions, indicator__code__startswith="S")
    }
    Area.objects.bulk_create(
        Area(plan=plan, name=name, order=i + 1) for plan in plans for i, name in enumerate(AREAS)
    )
    areas = {(a.plan_id, a.order): a for a in Area.objects.filter(plan__in=plans)}
    targets = []
    for plan in plans:
        for t in range(per_plan):
            kind = KINDS[t % len(KINDS)]
            base = Decimal(rng.randint(50, 5000)) / 10
            fields = dict(
                baseline_value=base,
                target_value=None,
                factor=None,
                direction="increase",
                unit="亿元",
            )
            if kind == "level":
                fields["target_value"] = base * Decimal("1.5")
            elif kind == "multiple":
                fields["factor"] = Decimal("2.2")
            elif kind == "annual_growth":
                fields["target_value"] = Decimal(rng.randint(3, 9))
            elif kind == "rank":
                fields.update(
                    baseline_value=Decimal(rng.randint(12, 40)),
                    target_value=Decimal(10),
                    direction="decrease",
                    unit="位",
                )
            else:
                fields.update(baseline_value=None, unit="")
            code = f"S{t + 1:05d}"
            targets.append(
                Target(
                    plan=plan,
                    area=areas[(plan.pk, t % len(AREAS) + 1)],
                    code=code,
                    indicator_id=indicators[code],
                    series_id=series[(plan.region_id, indicators[code])],
                    baseline_reason=LABEL,
                    order=t,
                    name=f"{LABEL}指标 {t + 1:05d}",
                    kind=kind,
                    baseline_year=plan.baseline_year,
                    target_year=plan.end_year,
                    decimal_places=1 if kind != "rank" else 0,
                    lead_department=departments[
                        (plan.region_id, f"{LABEL}单位{(plan.pk + t) % n_departments + 1:03d}")
                    ],
                    nature="binding" if t % 4 == 0 else "anticipatory",
                    **fields,
                )
            )
    Target.objects.bulk_create(targets, batch_size=2000)
    entries = []
    for target in (
        Target.objects.filter(plan__in=plans)
        .only(
            "pk",
            "kind",
            "baseline_value",
            "target_value",
            "factor",
            "direction",
            "series",
            "plan__start_year",
        )
        .select_related("plan")
        .iterator(chunk_size=5000)
    ):
        pace = Decimal(rng.randint(60, 130)) / 100  # how well this target is doing
        for y in range(n_years):
            year = target.plan.start_year + y
            state = (
                "approved" if y < n_years - 1 else rng.choice(["approved", "submitted", "draft"])
            )
            if approved:  # drawn all the same, so that every other figure stays as it was
                state = "approved"
            entry = ProgressEntry(
                target=target,
                year=year,
                state=state,
                quality="final",
                note=f"{LABEL}",
                is_sample=True,
            )
            if target.kind == "milestone":
                entry.achieved = y >= 3 and pace > 1
            elif target.kind == "rank":
                entry.value = max(Decimal(1), target.baseline_value - Decimal(y + 1) * pace)
            else:
                growth = Decimal(1) + Decimal("0.08") * pace
                entry.value = (target.baseline_value * growth ** (y + 1)).quantize(Decimal("0.1"))
                if target.kind in GROWTH_KINDS:
                    entry.growth = ((growth - 1) * 100 - PRICE_RISE).quantize(Decimal("0.1"))
                    entry.growth_quality = entry.quality
            entries.append(entry)
        if len(entries) >= 20000:
            ProgressEntry.objects.bulk_create(entries, batch_size=5000)
            entries.clear()
    ProgressEntry.objects.bulk_create(entries, batch_size=5000)
    return {
        "plans": len(plans),
        "targets": len(targets),
        "entries": ProgressEntry.objects.filter(series__targets__plan__in=plans).distinct().count(),
    }
