"""示例数据 / sample data: departments, accounts and figures to show the tracker at work.

Nothing here comes from the seed article: every department assignment, account and figure
below is invented for the demonstration and is marked `is_sample` wherever it is stored.
The 2020 figures stand in for baselines the plan does not state. Figures up to 2024 are
approved; 2025's are still in the workflow (submitted, draft, returned), so the statuses
as of 2024 show every case of a plan under way but "ahead of expectations": met early, on
track, behind, off track, pending and no data; as of 2025, the plan's last year, the final
verdicts: exceeded, completed, not completed.

GDP also carries its growth at comparable prices (可比价增速), as bulletins publish it,
and its goal (增1.2倍) is judged on the chained rates; its 2021 bulletin is taken to give
the rate only, without the level.

The 15th plan (2026-2030) is started from the 14th as `start_next_plan` does; the demo's
2025 figures are still in the workflow, so its baselines stay empty except where sample
values below stand in for them, each saying so in the target's notes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tracker.figures import writes
from tracker.figures.rights import ADMINISTRATORS, REPORTERS
from tracker.models import (
    Deadline,
    Department,
    Explanation,
    FigureMessage,
    Indicator,
    Plan,
    ProgressEntry,
    Target,
    display_user,
)
from tracker.plans.next_plan import start_next_plan
from tracker.standings import store

PLAN_SLUG = "lingyuan-14th"
NEXT_PLAN = {
    "slug": "lingyuan-15th",
    "name": "凌源市“十五五”规划（示例数据）",
    "name_en": "Lingyuan 15th Five-Year Plan (sample data)",
    "start_year": 2026,
    "end_year": 2030,
}
NEXT_PLAN_NOTE = "示例数据：基期值为2025年预计数，待统计局最终数审核后更新；目标值为示例。"
# code: (baseline, target value, factor, 2026 figure), all invented for the demonstration
NEXT_PLAN_SAMPLES = {
    "GDP": ("205.0", None, "1.4", "218.6"),
    "BUDGET-REVENUE": ("25.8", None, "1.4", "27.9"),
    "RD-SHARE": ("2.30", "3.00", None, "2.45"),
    "URBAN-POPULATION": ("30.40", "33.00", None, "31.10"),
}
# The 15th plan's sample goal for R&D spending, whose 2026 figure (with GDP's) computes the
# R&D share: (target value by 2030, 2026 figure).
RD_SPENDING = ("8.00", "5.36")
PASSWORD = "lingyuan-demo-2025"
ADMIN = ("admin", "示例管理员")

# username, department, English name, targets it leads
DEPARTMENTS = [
    ("tongji", "统计局", "Statistics Bureau", ["GDP", "URBAN-POPULATION", "INCOME-GROWTH"]),
    ("caizheng", "财政局", "Finance Bureau", ["BUDGET-REVENUE"]),
    (
        "fagai",
        "发改局",
        "Development and Reform Bureau",
        ["FIXED-ASSET-INVESTMENT", "COUNTY-RANK", "ECON-DEV-ZONE"],
    ),
    ("keji", "科技局", "Science and Technology Bureau", ["RD-SHARE", "HIGH-TECH-ZONE"]),
    ("zhujian", "住建局", "Housing and Urban-Rural Development Bureau", ["BUILT-UP-AREA"]),
    ("shengtai", "生态环境局", "Ecology and Environment Bureau", ["ECO-CITY"]),
]

A, S, D, R = "approved", "submitted", "draft", "returned"
FIN, PRE, EST = "final", "preliminary", "estimate"

# code: {year: (value or achieved, quality, state)}
FIGURES: dict[str, dict[int, tuple]] = {
    "GDP": {
        2021: (None, FIN, A),  # the rate only: see GROWTHS
        2022: ("166.0", FIN, A),
        2023: ("178.5", FIN, A),
        2024: ("192.3", PRE, A),
        2025: ("205.0", EST, S),
    },
    "BUDGET-REVENUE": {
        2021: ("13.1", FIN, A),
        2022: ("15.2", FIN, A),
        2023: ("18.6", FIN, A),
        2024: ("22.0", PRE, A),
        2025: ("25.8", EST, S),
    },
    "FIXED-ASSET-INVESTMENT": {
        2021: ("70.1", FIN, A),
        2022: ("81.5", FIN, A),
        2023: ("95.0", FIN, A),
        2024: ("108.0", PRE, A),
        2025: ("118.0", EST, D),
    },
    "RD-SHARE": {
        2020: ("1.20", FIN, A),
        2021: ("1.40", FIN, A),
        2022: ("1.60", FIN, A),
        2023: ("1.90", FIN, A),
        2024: ("2.30", PRE, A),
    },
    "URBAN-POPULATION": {
        2020: ("25.60", FIN, A),
        2021: ("26.30", FIN, A),
        2022: ("27.10", FIN, A),
        2023: ("28.20", FIN, A),
        2024: ("30.40", PRE, A),
    },
    "BUILT-UP-AREA": {
        2020: ("28.00", FIN, A),
        2021: ("28.60", FIN, A),
        2022: ("29.30", FIN, A),
        2023: ("30.00", FIN, A),
        2024: ("30.90", PRE, A),
        2025: ("33.50", EST, R),
    },
    "INCOME-GROWTH": {
        2020: ("25000", FIN, A),
        2021: ("26800", FIN, A),
        2022: ("28500", FIN, A),
        2023: ("30400", FIN, A),
        2024: ("32300", PRE, A),
    },
    "HIGH-TECH-ZONE": {2023: (False, FIN, A), 2024: (False, PRE, A)},
    "ECON-DEV-ZONE": {2022: (False, FIN, A), 2023: (True, FIN, A)},
    "ECO-CITY": {2024: (False, PRE, A), 2025: (True, EST, S)},
}
# code: {year: growth over the previous year at comparable prices, in percent}
GROWTHS: dict[str, dict[int, str]] = {
    "GDP": {2021: "6.8", 2022: "3.1", 2023: "5.9", 2024: "5.5", 2025: "5.2"},
}
SOURCE = "示例数据：凌源市%s年国民经济和社会发展统计公报"
NOTES = {
    ("GDP", 2021): "示例数据：当年统计公报仅公布按可比价格计算的增速，未列总量。",
}
# 原因及措施 of targets that lag, written by their departments (`Explanation`).
EXPLANATIONS = {
    ("GDP", 2024): "示例数据：受主导产业产能释放滞后影响，增速低于规划路径；"
    "措施：加快旭阳焦化、非金属新材料产业园项目达产。",
    ("BUILT-UP-AREA", 2024): "示例数据：新区开发用地报批进度慢于预期。",
}
# The year whose figures are due, by when: after the statistical bulletin, as is usual.
DEADLINE = (2025, date(2026, 3, 31), "示例数据：统计公报发布后报送初步数据")
RETURN_REASON = "示例数据：请附自然资源局的面积核定文件后重新提交。"
# Years whose figures an office would have settled and closed by now: nobody is asked for
# them any more (2025's are due and still open).
SETTLED_YEARS = range(2020, 2025)
SETTLED_REASON = "示例数据：年度数据已定稿"


def _user(username: str, *, first_name: str, group: Group, staff: bool = False):
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.first_name = first_name
    user.email = user.email or f"{username}@example.org"
    user.is_staff = staff
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(group)
    return user


@transaction.atomic
@store.batch()
def load(*, next_plan: bool = False) -> list[tuple[str, str, str]]:
    """Load the seed plan if missing, then the sample data; safe to run again.

    Existing figures are left as they are, so a second run neither duplicates nor resets
    what somebody entered. `next_plan=True` (as `load_demo` does) adds the 15th plan;
    without it a code names one target, as many tests expect. Returns (user name,
    password, role) for each demo account.
    """
    if not Plan.objects.filter(slug=PLAN_SLUG).exists():
        call_command("loaddata", "lingyuan_14th_fyp", verbosity=0)
    plan = Plan.objects.get(slug=PLAN_SLUG)
    admins = Group.objects.get(name=ADMINISTRATORS)
    reporters = Group.objects.get(name=REPORTERS)

    admin = _user(ADMIN[0], first_name=ADMIN[1], group=admins, staff=True)
    accounts = [(admin.username, PASSWORD, "管理员 administrator")]
    targets = {t.code: t for t in Target.objects.filter(plan=plan)}
    for username, name, name_en, codes in DEPARTMENTS:
        department, _ = Department.objects.get_or_create(
            name=name, region=plan.region, defaults={"name_en": name_en, "is_sample": True}
        )
        reporter = _user(username, first_name=f"{name}填报员", group=reporters)
        department.members.add(reporter)
        accounts.append((username, PASSWORD, f"{name}填报员 reporter, {name_en}"))
        for code in codes:
            target = targets[code]
            if target.lead_department_id is None:
                target.lead_department = department
                target.save(update_fields=["lead_department"])
            _figures(target, reporter, admin)
    Deadline.objects.get_or_create(
        plan=plan, year=DEADLINE[0], target=None, defaults={"due": DEADLINE[1], "note": DEADLINE[2]}
    )
    if next_plan:
        _next_plan(plan, admin)
    return accounts


def close_settled_years() -> None:
    """Close the seed plan's settled years (`SETTLED_YEARS`), as `load_demo` does; safe to
    run again. Kept out of `load`, so tests can still write to those years."""
    plan = Plan.objects.get(slug=PLAN_SLUG)
    admin = get_user_model().objects.get(username=ADMIN[0])
    closed = plan.closed_by_year()
    for year in SETTLED_YEARS:
        if year not in closed:
            writes.close_year(plan, year, by=admin, reason=SETTLED_REASON)


def _next_plan(source: Plan, admin) -> None:
    """The 15th plan, started from the 14th, with a few sample goals and 2026 figures."""
    if Plan.objects.filter(slug=NEXT_PLAN["slug"]).exists():
        return
    plan = start_next_plan(source=source, by=admin, **NEXT_PLAN).plan
    plan.description = f"示例数据 sample data. {plan.description}"
    plan.save(update_fields=["description"])
    for entry in ProgressEntry.objects.of_plan(plan).filter(year__gt=source.end_year):
        entry.note = f"示例数据：{entry.note}"
        entry.save(update_fields=["note"])
    for target in Target.objects.filter(plan=plan, code__in=NEXT_PLAN_SAMPLES):
        baseline, goal, factor, figure = NEXT_PLAN_SAMPLES[target.code]
        if not target.entries.filter(year=plan.baseline_year).exists():
            # No 2025 figure of the region yet: a sample estimate stands in, fixed until
            # the figure is entered (where there is one, the baseline is that figure).
            target.baseline_value = Decimal(baseline)
            target.baseline_quality = ProgressEntry.Quality.ESTIMATE
            target.baseline_reason = NEXT_PLAN_NOTE
            target.notes = NEXT_PLAN_NOTE
        target.target_value = goal and Decimal(goal)
        target.factor = factor and Decimal(factor)
        target._history_user = admin
        target._change_reason = "示例数据 sample data"
        target.save()
        _approved_2026(target, figure, admin)
    _rd_spending(plan, admin)


def _rd_spending(plan: Plan, admin) -> None:
    """A sample goal for R&D spending in the 15th plan: its figure and GDP's compute the
    R&D share (RD-SHARE = RD-SPENDING ÷ GDP × 100), which is then no longer typed."""
    share = Target.objects.get(plan=plan, code="RD-SHARE")
    goal, figure = RD_SPENDING
    target = Target(
        plan=plan,
        area=share.area,
        indicator=Indicator.objects.get(code="RD-SPENDING"),
        code="RD-SPENDING",
        order=share.order,
        name="研究与试验发展（R&D）经费支出",
        name_en="R&D spending",
        unit="亿元",
        unit_en="100 million yuan",
        kind=Target.Kind.LEVEL,
        nature=Target.Nature.ANTICIPATORY,
        baseline_year=plan.baseline_year,
        target_value=Decimal(goal),
        target_year=plan.end_year,
        lead_department=share.lead_department,
        notes="示例数据：为演示由R&D经费支出与地区生产总值计算R&D投入强度而设。",
    )
    target._history_user = admin
    target._change_reason = "示例数据 sample data"
    target.save()
    _approved_2026(target, figure, admin)


def _approved_2026(target: Target, figure: str, admin) -> None:
    """A sample 2026 figure of the 15th plan, preliminary and approved."""
    entry = ProgressEntry(
        target=target,
        year=2026,
        value=Decimal(figure),
        quality=ProgressEntry.Quality.PRELIMINARY,
        state=ProgressEntry.State.APPROVED,
        entered_by=admin,
        reviewed_by=admin,
        is_sample=True,
        note="示例数据",
    )
    entry._history_user = admin
    entry._change_reason = "示例数据 sample data"
    entry.save()


def _figures(target: Target, reporter, admin) -> None:
    existing = set(target.entries.values_list("year", flat=True))
    for year, (figure, quality, state) in FIGURES.get(target.code, {}).items():
        if year in existing:
            continue
        entry = ProgressEntry(
            target=target,
            year=year,
            quality=quality,
            state=state,
            entered_by=reporter,
            is_sample=True,
            note=NOTES.get((target.code, year), "示例数据"),
            return_reason=RETURN_REASON if state == R else "",
            reviewed_by=admin if state == A else None,
            reviewed_at=timezone.now() if state == A else None,
        )
        if target.is_milestone:
            entry.achieved = figure
        elif figure is not None:
            entry.value = Decimal(figure)
        growth = GROWTHS.get(target.code, {}).get(year)
        if growth is not None:
            entry.growth, entry.growth_quality = Decimal(growth), quality
            entry.source = SOURCE % year
        entry._history_user = admin if state == A else reporter
        entry._change_reason = "示例数据 sample data"
        entry.save()
        if state == R:
            FigureMessage.objects.create(
                entry=entry,
                author=admin,
                author_name=display_user(admin),
                kind=FigureMessage.Kind.RETURN,
                text=RETURN_REASON,
            )
    for (code, year), text in EXPLANATIONS.items():
        if code == target.code:
            Explanation.objects.get_or_create(
                target=target,
                year=year,
                defaults={"text": text, "author": reporter, "author_name": display_user(reporter)},
            )
