"""示例数据 / sample data: departments, accounts and figures to show the tracker at work.

Nothing here comes from the seed article: every department assignment, account and figure
below is invented for the demonstration and is marked `is_sample` wherever it is stored.
The 2020 figures stand in for baselines the plan does not state. Figures up to 2024 are
approved; 2025's are still in the workflow (submitted, draft, returned), so the statuses
as of 2024 show every case: achieved, on track, behind, off track, pending and no data.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction

from tracker import store
from tracker.models import Department, Plan, ProgressEntry, Target
from tracker.permissions import ADMINISTRATORS, REPORTERS

PLAN_SLUG = "lingyuan-14th"
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
        2021: ("158.2", FIN, A),
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
NOTES = {
    ("GDP", 2024): "示例数据：受主导产业产能释放滞后影响，增速低于规划路径；"
    "措施：加快旭阳焦化、非金属新材料产业园项目达产。",
    ("BUILT-UP-AREA", 2024): "示例数据：新区开发用地报批进度慢于预期。",
}
RETURN_REASON = "示例数据：请附自然资源局的面积核定文件后重新提交。"


def _user(username: str, *, first_name: str, group: Group, staff: bool = False):
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.first_name = first_name
    user.is_staff = staff
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(group)
    return user


@transaction.atomic
def load() -> list[tuple[str, str, str]]:
    """Load the seed plan if missing, then the sample data; safe to run again.

    Existing figures are left as they are, so a second run neither duplicates nor resets
    what somebody entered. Returns (user name, password, role) for each demo account.
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
            name=name, defaults={"name_en": name_en, "is_sample": True}
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
    store.forget(plan=plan)
    return accounts


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
        )
        if target.is_milestone:
            entry.achieved = figure
        else:
            entry.value = Decimal(figure)
        entry._history_user = admin if state == A else reporter
        entry._change_reason = "示例数据 sample data"
        entry.save()
