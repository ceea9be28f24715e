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
    ClosedYear,
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
from tracker.plans import publishing
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


# Why the demo's administrator published the seed plan: its goals and figures are public.
PUBLISHED_REASON = (
    "示例数据：公开“十四五”规划实施情况（政务公开）。Sample data: the plan's progress, published."
)


def publish_seed_plan() -> None:
    """Publish the seed plan at /public/ through the one switch, as `load_demo` does; safe
    to run again (a plan published already is left as it is)."""
    plan = Plan.objects.get(slug=PLAN_SLUG)
    if plan.published:
        return
    admin = get_user_model().objects.get(username=ADMIN[0])
    publishing.set_published(plan=plan, published=True, by=admin, reason=PUBLISHED_REASON)


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


# -- 朝阳市 and its county-level units (示例数据) ----------------------------------------------

PREFECTURE = "211300"
# code: (plan slug, English name) of each county-level unit with a sample plan; 凌源市 keeps
# the seed's real plan.
COUNTIES = {
    "211302": ("shuangta-14th", "Shuangta"),
    "211303": ("longcheng-14th", "Longcheng"),
    "211321": ("chaoyangxian-14th", "Chaoyang County"),
    "211322": ("jianping-14th", "Jianping"),
    "211324": ("kazuo-14th", "Kazuo"),
    "211381": ("beipiao-14th", "Beipiao"),
}
# Invented 2020 figures of each unit, in the order of COUNTY_TARGETS: GDP (亿元), budget
# revenue (亿元), county rank (none for a district), R&D share (%), urban population (万人),
# per-capita disposable income (元), forest coverage (%).
COUNTY_2020 = {
    "211302": ("210.5", "12.8", None, "1.10", "38.20", "36800", "28.50"),
    "211303": ("118.4", "7.6", None, "0.90", "22.60", "33100", "30.20"),
    "211321": ("132.7", "6.9", "48", "0.60", "9.80", "17600", "36.40"),
    "211322": ("141.2", "8.1", "41", "0.70", "16.40", "19200", "33.80"),
    "211324": ("98.6", "5.2", "55", "0.50", "10.90", "18400", "38.60"),
    "211381": ("166.3", "9.4", "36", "0.80", "24.80", "21500", "34.70"),
}
# Each unit's invented yearly change: a share of the year before for amounts, points for
# shares, places gained every other year for a rank.
COUNTY_PACE = {
    "211302": ("0.062", "0.071", "0", "0.06", "0.012", "0.058", "0.20"),
    "211303": ("0.048", "0.052", "0", "0.04", "0.010", "0.055", "0.30"),
    "211321": ("0.071", "0.083", "3", "0.05", "0.018", "0.072", "0.60"),
    "211322": ("0.055", "0.060", "2", "0.03", "0.015", "0.066", "0.40"),
    "211324": ("0.038", "0.041", "1", "0.02", "0.008", "0.061", "0.50"),
    "211381": ("0.066", "0.090", "4", "0.07", "0.016", "0.069", "0.45"),
}
# How far each unit's sample goals of levels lie beyond (above 1) or short of its own pace:
# some units reach them, some do not.
COUNTY_AMBITION = {
    "211302": "0.98",
    "211303": "1.03",
    "211321": "0.96",
    "211322": "1.00",
    "211324": "1.05",
    "211381": "0.99",
}
FOREST = {
    "code": "FOREST-COVERAGE",
    "name": "森林覆盖率",
    "name_en": "Forest coverage",
    "unit": "%",
    "unit_en": "%",
    "measure": "share",
    "decimal_places": 2,
    "source": "自然资源局",
}
# code, area, kind, goal (a factor for multiples, else a value; None: as COUNTY_GOALS)
COUNTY_TARGETS = [
    ("GDP", "综合经济实力", "multiple", "1.4"),
    ("BUDGET-REVENUE", "综合经济实力", "multiple", "1.5"),
    ("COUNTY-RANK", "综合经济实力", "rank", None),
    ("RD-SHARE", "开放创新", "level", None),
    ("URBAN-POPULATION", "城乡建设", "level", None),
    ("INCOME-GROWTH", "民生保障", "level", None),
    ("FOREST-COVERAGE", "生态环境", "level", None),
]
AREAS_EN = {
    "综合经济实力": "Overall economic strength",
    "开放创新": "Openness and innovation",
    "城乡建设": "Urban and rural development",
    "民生保障": "Livelihood",
    "生态环境": "Ecological environment",
}
# The 2025 figures still in the workflow in each unit's sample: (code, state). GDP's are
# approved in every unit, so the prefecture compares and sums them.
COUNTY_2025_OPEN = [("BUDGET-REVENUE", D), ("URBAN-POPULATION", S)]
# A sample rank among 朝阳市's units by GDP, as a prefecture's statistics bureau publishes
# it: its ranks are computed again from the units' approved GDP figures on the comparison.
CITY_RANK = {
    "code": "CITY-GDP-RANK",
    "name": "地区生产总值全市位次",
    "name_en": "GDP rank in the prefecture",
    "unit": "位",
    "unit_en": "place",
    "measure": "rank",
    "decimal_places": 0,
    "definition": "示例数据：朝阳市各县（市、区）地区生产总值由高到低的位次。",
    "source": "示例数据：朝阳市统计局",
}
# code: (published ranks 2020-2025, goal for 2025), invented. 2025's were published on
# earlier figures: 建平县 4th and 朝阳县 5th, where their approved GDP puts 朝阳县 ahead.
CITY_RANKS = {
    "211302": ((1, 1, 1, 1, 1, 1), 1),
    "211381": ((2, 2, 2, 2, 2, 2), 2),
    "211322": ((4, 4, 4, 4, 4, 4), 3),
    "211321": ((5, 5, 5, 5, 5, 5), 4),
    "211303": ((6, 6, 6, 6, 6, 6), 5),
    "211324": ((7, 7, 7, 7, 7, 7), 6),
}
CITY_RANK_NOTE = "示例数据：2025年位次按初步核算数排定"
COUNTY_ACCOUNTS = {
    # username: (name, role, region code)
    "chaoyang": ("朝阳市发改委管理员（示例）", "prefecture", PREFECTURE),
    "beipiao_admin": ("北票市管理员（示例）", "county", "211381"),
    "beipiao": ("北票市统计局填报员（示例）", "reporter", "211381"),
}
COUNTY_NOTE = "示例数据：为演示朝阳市各县（市、区）的对比而编造，并非统计数据。"


def load_region() -> list[tuple[str, str, str]]:
    """朝阳市 with its county-level units, as `load_demo` shows them: a sample plan of each
    unit but 凌源市 (whose plan is the seed's), their sample figures, and the accounts of
    the prefecture and of 北票市; 凌源市's administrator `admin` administers 凌源市 alone.
    Safe to run again. Kept out of `load`, so tests of the seed plan see one region.
    Returns (user name, password, role) for each account it adds."""
    from tracker.models import Area, Profile, Region
    from tracker.regions.divisions import KNOWN, region_for

    with transaction.atomic(), store.batch():
        prefecture = Region.objects.get(code=PREFECTURE)
        Profile.objects.update_or_create(
            user=get_user_model().objects.get(username=ADMIN[0]),
            defaults={"region": Plan.objects.get(slug=PLAN_SLUG).region},
        )
        forest, _ = Indicator.objects.get_or_create(code=FOREST["code"], defaults=FOREST)
        city_rank, _ = Indicator.objects.get_or_create(
            code=CITY_RANK["code"],
            defaults={
                **CITY_RANK,
                "rank_of": Indicator.objects.get(code="GDP"),
                "rank_among": prefecture,
            },
        )
        accounts = _region_accounts(prefecture)
        for code, (slug, name_en) in COUNTIES.items():
            if not Plan.objects.filter(slug=slug).exists():
                _county_plan(region_for(Region, KNOWN[code][0]), slug, name_en, Area, forest)
            _city_rank(Plan.objects.get(slug=slug), city_rank)
        _gdp_2025_approved()
        _close_county_years()
    return accounts


def _region_accounts(prefecture) -> list[tuple[str, str, str]]:
    from tracker.models import Profile, Region
    from tracker.regions.divisions import KNOWN, region_for

    admins = Group.objects.get(name=ADMINISTRATORS)
    reporters = Group.objects.get(name=REPORTERS)
    accounts = []
    for username, (name, role, code) in COUNTY_ACCOUNTS.items():
        region = region_for(Region, KNOWN[code][0])
        group = reporters if role == "reporter" else admins
        user = _user(username, first_name=name, group=group, staff=role != "reporter")
        if role == "reporter":
            department, _ = Department.objects.get_or_create(
                name="统计局",
                region=region,
                defaults={"name_en": "Statistics Bureau", "is_sample": True},
            )
            department.members.add(user)
            accounts.append((username, PASSWORD, f"{region.name}统计局填报员 reporter"))
        else:
            Profile.objects.update_or_create(user=user, defaults={"region": region})
            accounts.append((username, PASSWORD, f"{region.name}管理员 administrator"))
    return accounts


def _county_plan(region, slug: str, name_en: str, Area, forest) -> Plan:
    """One unit's sample plan: seven goals, the 2020-2024 figures approved and 2025's
    approved but for a few still in the workflow."""
    plan = Plan.objects.create(
        slug=slug,
        name=f"{region.name}“十四五”规划（示例数据）",
        name_en=f"{name_en} 14th Five-Year Plan (sample data)",
        region=region,
        baseline_year=2020,
        start_year=2021,
        end_year=2025,
        description=COUNTY_NOTE,
    )
    department, _ = Department.objects.get_or_create(
        name="统计局", region=region, defaults={"name_en": "Statistics Bureau", "is_sample": True}
    )
    reporter = department.members.first()
    admin = get_user_model().objects.filter(profile__region=region).first()
    base, pace = COUNTY_2020[region.code], COUNTY_PACE[region.code]
    areas = {}
    for order, (code, area_name, kind, goal) in enumerate(COUNTY_TARGETS, start=1):
        index = [t[0] for t in COUNTY_TARGETS].index(code)
        if base[index] is None:
            continue  # a district is not ranked among the province's counties
        if area_name not in areas:
            areas[area_name] = Area.objects.create(
                plan=plan, name=area_name, name_en=AREAS_EN[area_name], order=len(areas) + 1
            )
        indicator = forest if code == forest.code else Indicator.objects.get(code=code)
        target = _county_target(plan, areas[area_name], indicator, kind, goal, order, department)
        target._history_user = admin
        target.save()
        values = _county_values(base[index], pace[index], indicator)
        open_states = dict(COUNTY_2025_OPEN)
        for year, value in values.items():
            state = open_states.get(code, A) if year == 2025 else A
            _county_figure(target, year, value, state, reporter or admin)
    return plan


def _county_target(plan, area, indicator, kind, goal, order, department) -> Target:
    base = COUNTY_2020[plan.region.code]
    index = [t[0] for t in COUNTY_TARGETS].index(indicator.code)
    start = Decimal(base[index])
    if kind == "multiple":
        factor, value = Decimal(goal), None
    elif kind == "rank":
        factor, value = None, max(Decimal(1), start - 10)
    else:
        factor = None
        pace = Decimal(COUNTY_PACE[plan.region.code][index])
        ambition = Decimal(COUNTY_AMBITION[plan.region.code])
        if indicator.measure == "share":
            value = (start + pace * 5 * ambition).quantize(start)
        else:
            value = (start * (1 + pace) ** 5 * ambition).quantize(start)
    target = Target(
        plan=plan,
        area=area,
        indicator=indicator,
        code=indicator.code,
        order=order,
        name=indicator.name,
        name_en=indicator.name_en,
        unit=indicator.unit,
        unit_en=indicator.unit_en,
        kind=kind,
        direction=Target.Direction.DECREASE if kind == "rank" else Target.Direction.INCREASE,
        nature=Target.Nature.ANTICIPATORY,
        baseline_year=plan.baseline_year,
        target_value=value,
        target_year=plan.end_year,
        factor=factor,
        decimal_places=indicator.decimal_places,
        lead_department=department,
        notes=COUNTY_NOTE,
    )
    target._change_reason = "示例数据 sample data"
    return target


def _county_values(start: str, pace: str | int, indicator) -> dict[int, Decimal]:
    """Invented figures 2020-2025 from a 2020 figure and a yearly pace: a share of the year
    before, added points for a share, places gained for a rank."""
    value, values = Decimal(start), {}
    places = Decimal(10) ** -indicator.decimal_places
    for year in range(2020, 2026):
        values[year] = value.quantize(places)
        if indicator.measure == "rank":
            value = max(Decimal(1), value - Decimal(pace) * (year % 2))
        elif indicator.measure == "share":
            value += Decimal(pace)
        else:
            value *= 1 + Decimal(pace)
    return values


def _county_figure(target: Target, year: int, value: Decimal, state: str, by) -> None:
    if ProgressEntry.objects.filter(series=target.series_id, year=year).exists():
        return
    entry = ProgressEntry(
        target=target,
        year=year,
        value=value,
        quality=FIN if year < 2024 else (PRE if year == 2024 else EST),
        state=state,
        entered_by=by,
        reviewed_by=by if state == A else None,
        reviewed_at=timezone.now() if state == A else None,
        is_sample=True,
        note="示例数据",
    )
    entry._history_user = by
    entry._change_reason = "示例数据 sample data"
    entry.save()


def _city_rank(plan: Plan, indicator: Indicator) -> None:
    """A unit's sample goal on its GDP rank in 朝阳市, and the published ranks 2020-2025,
    approved; added to a plan loaded before it had one. Safe to run again."""
    ranks, goal = CITY_RANKS[plan.region.code]
    target = Target.objects.filter(plan=plan, indicator=indicator).first()
    if target is None:
        department = Department.objects.get(name="统计局", region=plan.region)
        area = plan.areas.get(name=COUNTY_TARGETS[0][1])
        target = Target(
            plan=plan,
            area=area,
            indicator=indicator,
            code=indicator.code,
            order=len(COUNTY_TARGETS) + 1,
            name=indicator.name,
            name_en=indicator.name_en,
            unit=indicator.unit,
            unit_en=indicator.unit_en,
            kind=Target.Kind.RANK,
            direction=Target.Direction.DECREASE,
            nature=Target.Nature.ANTICIPATORY,
            baseline_year=plan.baseline_year,
            target_value=Decimal(goal),
            target_year=plan.end_year,
            decimal_places=0,
            lead_department=department,
            notes=COUNTY_NOTE,
        )
        target._change_reason = "示例数据 sample data"
        target.save()
    by = target.lead_department.members.first() if target.lead_department else None
    for year, rank in zip(range(plan.baseline_year, plan.end_year + 1), ranks, strict=True):
        _county_figure(target, year, Decimal(rank), A, by)
    latest = ProgressEntry.objects.filter(series=target.series_id, year=plan.end_year)
    latest.filter(note="示例数据").update(note=CITY_RANK_NOTE)


def _gdp_2025_approved() -> None:
    """Every unit's 2025 GDP approved, so that 朝阳市 sees each unit's and their sum: 凌源市's
    sample figure by its administrator, and the other units' sample figures still
    submitted from an earlier load (their plans now load them approved). Written as the
    sample rows are, with their history, and no notice mailed."""
    admin = get_user_model().objects.get(username=ADMIN[0])
    lingyuan = Plan.objects.get(slug=PLAN_SLUG).region.code
    for entry in ProgressEntry.objects.filter(
        series__indicator__code="GDP",
        series__region__code__in=[*COUNTIES, lingyuan],
        year=2025,
        is_sample=True,
        state=S,
    ).select_related("series__region"):
        by = admin if entry.series.region.code == lingyuan else entry.entered_by
        entry.state, entry.reviewed_by, entry.reviewed_at = A, by, timezone.now()
        entry._history_user = by
        entry._change_reason = "示例数据 sample data"
        entry.save()


def _closer(region) -> tuple:
    """Who closes a sample unit's settled years: its administrator where the demo has one,
    else a sample name for the unit's office."""
    admin = get_user_model().objects.filter(profile__region=region, is_active=True).first()
    if admin is not None:
        return admin, display_user(admin)
    return None, f"{region.name}发改局管理员（示例）"


def _close_county_years() -> None:
    """Close the sample units' settled years, as an office would have them by now. Written
    as sample rows, like their figures: most units have no administrator to close them, so
    a sample name of the unit's office stands for its closer."""
    for slug, _name in COUNTIES.values():
        plan = Plan.objects.get(slug=slug)
        by, name = _closer(plan.region)
        plan.region.closed_years.filter(closed_by_name="示例数据").update(
            closed_by=by, closed_by_name=name
        )
        closed = plan.closed_by_year()
        for year in SETTLED_YEARS:
            if year not in closed:
                ClosedYear.objects.create(
                    region=plan.region,
                    plan=plan,
                    year=year,
                    closed_by=by,
                    closed_by_name=name,
                    reason=SETTLED_REASON,
                )
