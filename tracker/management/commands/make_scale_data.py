"""Build a synthetic data set of province size for benchmarks and load tests.

Everything it makes is labelled 合成数据 (synthetic data): plan names, department names and
every figure's note; plan slugs start with the prefix (default `scale-`). Bulk inserts keep
it to seconds: 200 plans x 50 targets x 5 years (10,000 targets, 50,000 figures) on SQLite.
"""

from __future__ import annotations

import random
import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from tracker import store
from tracker.models import Area, Department, Plan, ProgressEntry, Target

KINDS = ["level", "level", "multiple", "annual_growth", "rank", "milestone"]
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

    def handle(
        self, *args, plans, targets_per_plan, years, prefix, departments, seed, replace, **options
    ):
        if min(plans, targets_per_plan, departments) < 1 or not 1 <= years <= 5:
            raise CommandError("--plans, --targets-per-plan, --departments >= 1; 1 <= --years <= 5")
        if Plan.objects.filter(slug__startswith=prefix).exists():
            if not replace:
                raise CommandError(f"Plans starting with {prefix!r} exist; add --replace.")
            with store.batch():  # targets first: their areas may not go before them
                Target.objects.filter(plan__slug__startswith=prefix).delete()
                Plan.objects.filter(slug__startswith=prefix).delete()
        started = time.perf_counter()
        with store.batch():  # one transaction, which forgets the stored standings once
            counts = build(prefix, plans, targets_per_plan, years, departments, random.Random(seed))
        self.stdout.write(
            f"{counts['plans']} plans, {counts['targets']} targets, {counts['entries']} figures "
            f"({LABEL}) in {time.perf_counter() - started:.1f} s"
        )


def build(prefix, n_plans, per_plan, n_years, n_departments, rng) -> dict[str, int]:
    departments = [
        Department.objects.get_or_create(name=f"{LABEL}单位{d + 1:03d}")[0]
        for d in range(n_departments)
    ]
    Plan.objects.bulk_create(
        Plan(
            slug=f"{prefix}{p + 1:04d}",
            name=f"{LABEL}规划 {p + 1:04d}",
            region=f"{LABEL}县 {p + 1:04d}",
            baseline_year=2020,
            start_year=2021,
            end_year=2025,
        )
        for p in range(n_plans)
    )
    plans = list(Plan.objects.filter(slug__startswith=prefix).order_by("slug"))
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
            targets.append(
                Target(
                    plan=plan,
                    area=areas[(plan.pk, t % len(AREAS) + 1)],
                    code=f"S{t + 1:05d}",
                    order=t,
                    name=f"{LABEL}指标 {t + 1:05d}",
                    kind=kind,
                    baseline_year=2020,
                    target_year=2025,
                    decimal_places=1 if kind != "rank" else 0,
                    lead_department=departments[(plan.pk + t) % n_departments],
                    nature="binding" if t % 4 == 0 else "anticipatory",
                    **fields,
                )
            )
    Target.objects.bulk_create(targets, batch_size=2000)
    entries = []
    for target in (
        Target.objects.filter(plan__in=plans)
        .only("pk", "kind", "baseline_value", "target_value", "factor", "direction")
        .iterator(chunk_size=5000)
    ):
        pace = Decimal(rng.randint(60, 130)) / 100  # how well this target is doing
        for y in range(n_years):
            year = 2021 + y
            state = (
                "approved" if y < n_years - 1 else rng.choice(["approved", "submitted", "draft"])
            )
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
            entries.append(entry)
        if len(entries) >= 20000:
            ProgressEntry.objects.bulk_create(entries, batch_size=5000)
            entries.clear()
    ProgressEntry.objects.bulk_create(entries, batch_size=5000)
    return {
        "plans": len(plans),
        "targets": len(targets),
        "entries": ProgressEntry.objects.filter(target__plan__in=plans).count(),
    }
