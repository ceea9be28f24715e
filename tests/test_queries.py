"""Every page, download and the API run the same number of SQL queries for a plan of 10
targets as for one of 300, with data as a working plan has it: figures entered and reviewed
by several people, each with its history, returned, submitted and draft figures, notes,
plausibility flags and evidence, co-departments, a target measured against another, a
closed year, an evaluation and figures changed since, an import."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from tests import factory
from tracker.models import (
    ClosedYear,
    Deadline,
    Evaluation,
    Explanation,
    FigureMessage,
    ImportBatch,
    PendingImport,
    Plan,
    ProgressEntry,
    Target,
)
from tracker.plans import evaluations

YEARS = range(2021, 2026)


def build_plan(n_targets: int, lead, co, people) -> Plan:
    reporters, reviewers = people
    plan = factory.make_plan(region=f"测试县{n_targets}")  # a county of its own
    areas = [factory.make_area(plan) for _ in range(3)]
    targets = []
    for i in range(n_targets):
        fields = dict(baseline_value=Decimal(100), target_value=Decimal(200))
        kind = ["level", "level", "milestone", "relative"][i % 4]
        if kind == "milestone":
            fields = dict(baseline_value=None, target_value=None)
        elif kind == "relative":
            fields = dict(target_value=None, reference_target=targets[0])
        target = Target(
            plan=plan,
            area=areas[i % 3],
            code=f"Q{i:05d}",
            name=f"指标{i}",
            unit="亿元",
            kind=kind,
            baseline_year=2020,
            target_year=2025,
            lead_department=lead,
            notes=f"口径说明{i}",
            **fields,
        )
        target.save()  # one by one: the relative ones name the first
        targets.append(target)
    Target.co_departments.through.objects.bulk_create(
        Target.co_departments.through(target_id=t.pk, department_id=d.pk)
        for t in targets
        for d in co
    )
    now = timezone.now()
    entries = []
    states = ["approved", "approved", "returned", "submitted", "draft"]
    for i, target in enumerate(targets):
        for year, state in zip(YEARS, states, strict=True):
            milestone = target.kind == "milestone"
            entries.append(
                ProgressEntry(
                    target=target,
                    year=year,
                    value=None if milestone else Decimal(100 + 15 * (year - 2020) + i % 7),
                    achieved=(year > 2022) if milestone else None,
                    state=state,
                    note=f"说明{i}-{year}",
                    return_reason="口径不一致" if state == "returned" else "",
                    plausibility_flag="与上年相比变化过大" if i % 3 == 0 else "",
                    plausibility_note="核实无误" if i % 3 == 0 else "",
                    evidence=f"evidence/2024/proof-{i}-{year}.pdf" if i % 2 else "",
                    entered_by=reporters[i % len(reporters)],
                    reviewed_by=reviewers[i % len(reviewers)] if state != "draft" else None,
                    reviewed_at=now if state in ("approved", "returned") else None,
                )
            )
    options = dict(batch_size=500, default_user=reviewers[0], default_change_reason="import")
    bulk_create_with_history(entries, ProgressEntry, **options)
    for entry in entries:  # a second history record each
        entry.note += "（已核）"
    bulk_update_with_history(entries, ProgressEntry, ["note"], **options)
    # Each figure's conversation: returns answered, questions on the others; and each
    # target's reasons and measures, written by several people.
    FigureMessage.objects.bulk_create(
        FigureMessage(entry=entry, author=author, kind=kind, text=f"{kind}{i}")
        for i, entry in enumerate(entries)
        for kind, author in (
            [("return", reviewers[i % len(reviewers)]), ("answer", reporters[i % len(reporters)])]
            if entry.state == "returned"
            else [("question", reviewers[i % len(reviewers)])]
        )
    )
    Explanation.objects.bulk_create(
        Explanation(target=target, year=year, text=f"原因{i}", author=reporters[i % len(reporters)])
        for i, target in enumerate(targets)
        for year in (2023, 2024)
    )
    ClosedYear.objects.create(
        region=plan.region, plan=plan, year=2021, closed_by=reviewers[0], reason="公报已发布"
    )
    Deadline.objects.create(plan=plan, year=2024, due=timezone.localdate(), note="按期报送")
    ImportBatch.objects.create(
        plan=plan, imported_by=reporters[0], file_name="figures.xlsx", sha256="0" * 64
    )
    evaluations.freeze(
        plan=plan, year=2023, kind=Evaluation.Kind.MIDTERM, title="中期评估", by=reviewers[0]
    )
    changed = [e for e in entries if e.year == 2024]
    for entry in changed:  # changed since the evaluation
        entry.value = (entry.value or 0) + 1
    bulk_update_with_history(changed, ProgressEntry, ["value"], **options)
    return plan


def count_queries(client, url, method="get", **data) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, **data)
    assert response.status_code in (200, 302), (url, response.status_code)
    return len(queries)


def _evaluation(plan: Plan) -> Evaluation:
    return Evaluation.objects.get(plan=plan)


def _preview(client, plan: Plan) -> str:
    """The preview of a figures file for 2024, made from the plan's own template."""
    template = client.get(reverse("tracker:template", args=[plan.slug, 2024])).content
    upload = io.BytesIO(template)
    upload.name = "figures.xlsx"
    client.post(reverse("tracker:import", args=[plan.slug]), {"file": upload})
    pending = PendingImport.objects.filter(plan=plan).latest("created_at")
    return pending.get_absolute_url()


def _target(plan: Plan) -> str:
    return Target.objects.filter(plan=plan, kind="relative").first().get_absolute_url()


PAGES = {
    "home": lambda plan: reverse("tracker:plan-list"),
    "dashboard": lambda plan: plan.get_absolute_url(),
    "filtered dashboard": lambda plan: plan.get_absolute_url() + "?status=on_track&sort=-progress",
    "dashboard of a year": lambda plan: plan.get_absolute_url() + "?year=2022",
    "target page": _target,
    "departments": lambda plan: reverse("tracker:departments", args=[plan.slug]),
    "entry page": lambda plan: reverse("tracker:data-entry", args=[plan.slug, 2024]),
    "entry page of approved figures": lambda plan: reverse(
        "tracker:data-entry", args=[plan.slug, 2022]
    ),
    "entry page of returned figures": lambda plan: reverse(
        "tracker:data-entry", args=[plan.slug, 2023]
    ),
    "entry page of a closed year": lambda plan: reverse(
        "tracker:data-entry", args=[plan.slug, 2021]
    ),
    "approvals": lambda plan: reverse("tracker:approvals") + f"?plan={plan.slug}",
    "approvals of a department and year, a later page": lambda plan: (
        reverse("tracker:approvals")
        + f"?plan={plan.slug}&department={plan.targets.first().lead_department_id}"
        + "&year=2024&page=2"
    ),
    "close year": lambda plan: reverse("tracker:close-year", args=[plan.slug, 2024]),
    "api": lambda plan: reverse("tracker:api-plan", args=[plan.slug]),
    "api of an evaluation": lambda plan: (
        reverse("tracker:api-plan", args=[plan.slug]) + f"?evaluation={_evaluation(plan).pk}"
    ),
    "report": lambda plan: reverse("tracker:report", args=[plan.slug]),
    "report with figures not yet approved": lambda plan: (
        reverse("tracker:report", args=[plan.slug]) + "?year=2024&include_unapproved=1"
    ),
    "template": lambda plan: reverse("tracker:template", args=[plan.slug, 2024]),
    "targets download": lambda plan: reverse("tracker:targets-export", args=[plan.slug]),
    "import page": lambda plan: reverse("tracker:import", args=[plan.slug]),
    "evaluation": lambda plan: reverse(
        "tracker:evaluation", args=[plan.slug, _evaluation(plan).pk]
    ),
    "evaluation compared": lambda plan: reverse(
        "tracker:evaluation-compare", args=[plan.slug, _evaluation(plan).pk]
    ),
    "evaluation report": lambda plan: reverse(
        "tracker:evaluation-report", args=[plan.slug, _evaluation(plan).pk]
    ),
    "new evaluation": lambda plan: reverse("tracker:evaluation-freeze", args=[plan.slug]),
    "profile": lambda plan: reverse("tracker:profile"),
}
FOR_ADMINISTRATORS = {
    "close year",
    "new evaluation",
    "approvals",
    "approvals of a department and year, a later page",
    "targets download",
}


@pytest.fixture
def plans(department, other_department, reporter):
    people = (
        [reporter, *[factory.make_user(f"r{i}", role="reporter") for i in range(3)]],
        [factory.make_user(f"a{i}", role="admin") for i in range(3)],
    )
    co = [other_department, factory.make_department()]
    return build_plan(10, department, co, people), build_plan(300, department, co, people)


def _counts(client, pages, plans) -> dict[str, tuple[int, int]]:
    small, large = plans
    counts = {}
    for name, page in pages.items():
        urls = page(small), page(large)
        for url in urls:  # warm the session and permission caches, and build the store
            count_queries(client, url)
        counts[name] = tuple(count_queries(client, url) for url in urls)
    return counts


def test_query_counts_do_not_grow_with_the_plan(client, reporter, plans):
    client.force_login(reporter)
    pages = {k: v for k, v in PAGES.items() if k not in FOR_ADMINISTRATORS}
    pages["import preview"] = lambda plan: _preview(client, plan)
    counts = _counts(client, pages, plans)
    assert {k: v for k, v in counts.items() if v[0] != v[1]} == {}, "reporter"

    client.force_login(factory.make_user("chief", role="admin"))
    counts = _counts(client, PAGES, plans)
    assert {k: v for k, v in counts.items() if v[0] != v[1]} == {}, "administrator"

    # The pages saw every kind of figure, reviewed by somebody.
    for plan, n in zip(plans, (10, 300), strict=True):
        entries = ProgressEntry.objects.filter(series__targets__plan=plan)
        assert entries.count() == 5 * n
        states = set(entries.values_list("state", flat=True))
        assert states == {"approved", "returned", "submitted", "draft"}
        assert not entries.filter(state="approved", reviewed_by=None).exists()
        assert not entries.filter(state="approved", reviewed_at=None).exists()
        assert len(set(entries.values_list("reviewed_by", flat=True))) > 2
        assert ProgressEntry.history.filter(series__targets__plan=plan).count() >= 5 * n * 2
        assert entries.exclude(evidence="").exists()
        assert entries.exclude(plausibility_flag="").exists()
        assert (
            Target.objects.filter(plan=plan, co_departments__isnull=False).distinct().count() == n
        )


def test_the_home_page_asks_as_many_queries_for_eight_plans_as_for_two(client, roles):
    """Each plan names its region: read with the plans, not once per plan."""
    client.force_login(factory.make_user("chief-home", role="admin"))
    counts = []
    for n in (2, 8):
        while Plan.objects.count() < n:
            factory.make_target(factory.make_plan())
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("tracker:plan-list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def _province(prefix: str, counties: int, indicators: int, code: str):
    """A synthetic province of `counties` county-level units, each with two plans of
    `indicators` targets and approved figures (make_scale_data, as the benchmark builds
    its province of 100 x 50)."""
    from django.core.management import call_command

    from tracker.models import Region

    call_command(
        "make_scale_data",
        plans=2 * counties,
        targets_per_plan=indicators,
        years=5,
        plans_per_region=2,
        departments=2,
        prefix=prefix,
        province=code,
        approved=True,
        stdout=io.StringIO(),
    )
    return Region.objects.get(code=code)


def test_a_province_s_matrix_and_comparison_ask_as_many_queries_however_many_counties(
    client, roles
):
    """The regions' matrix (page and API) and one indicator compared (page and API), read
    by the province's administrator, ask as many queries for 2 counties x 6 indicators as
    for 7 x 13, once the standings store holds them."""
    small = _province("few-", 2, 6, "950000")
    large = _province("many-", 7, 13, "940000")
    chief = factory.make_user("province-chief", role="admin", region=small)
    factory.make_user("province-chief-2", role="admin", region=large)
    counts = {}
    for username, province in (("province-chief", small), ("province-chief-2", large)):
        client.force_login(get_user_model().objects.get(username=username))
        urls = [
            reverse("tracker:region", args=[province.code]) + "?year=2025",
            reverse("tracker:api-region", args=[province.code]) + "?year=2025",
            reverse("tracker:region-indicator", args=[province.code, "S00001"]) + "?year=2025",
            reverse("tracker:api-region-indicator", args=[province.code, "S00001"]) + "?year=2025",
            reverse("tracker:region", args=[province.code]),  # the year found
        ]
        for url in urls:
            count_queries(client, url)  # builds the store
        counts[province.code] = [count_queries(client, url) for url in urls]
        payload = client.get(urls[3]).json()
        assert payload["parent"]["source"] == "sum"
        assert all(place["value"] and place["target"] for place in payload["regions"])
    assert counts["950000"] == counts["940000"], counts
    assert chief.profile.region == small
