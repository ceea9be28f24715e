"""The sample data: every status at least once, labelled, and safe to load twice."""

from __future__ import annotations

from django.contrib.auth import authenticate

from tracker import demo
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.models import Department, ProgressEntry, Target
from tracker.standings.engine import FINAL, Status
from tracker.standings.standing import plan_targets, standings


def test_every_status_on_the_way_appears_as_of_the_default_year_and_the_verdicts_at_the_end(
    demo_plan,
):
    year = demo_plan.status_year()
    assert year == 2024

    def found(year):
        rows = standings(plan_targets(demo_plan, viewer=ANY_ADMINISTRATOR), year)
        return {row.assessment.status for row in rows}

    # Nothing in the sample runs ahead of expectations (快于预期).
    assert found(year) == set(Status) - FINAL - {Status.AHEAD}
    assert found(demo_plan.end_year) == FINAL | {Status.NO_DATA}


def test_every_sample_row_is_labelled(demo_plan):
    # Besides the sample data, only the seed's own 2020 baselines, as the plan states them.
    real = ProgressEntry.objects.filter(is_sample=False)
    assert sorted(real.values_list("series__indicator__code", "year")) == [
        ("BUDGET-REVENUE", 2020),
        ("FIXED-ASSET-INVESTMENT", 2020),
        ("GDP", 2020),
    ]
    assert not Department.objects.filter(is_sample=False).exists()
    assert all(e.note.startswith("示例数据") for e in ProgressEntry.objects.filter(is_sample=True))


def test_loading_twice_neither_fails_nor_duplicates_nor_resets(demo_plan):
    counts = (ProgressEntry.objects.count(), Department.objects.count(), Target.objects.count())
    entry = ProgressEntry.objects.get(series__indicator__code="GDP", year=2021)
    entry.note = "edited by someone"
    entry.save()
    demo.load()
    after = (ProgressEntry.objects.count(), Department.objects.count(), Target.objects.count())
    assert after == counts
    entry.refresh_from_db()
    assert entry.note == "edited by someone"


def test_printed_accounts_log_in(demo_plan):
    accounts = demo.load()
    assert [a[0] for a in accounts][:2] == ["admin", "tongji"]
    for username, password, _role in accounts:
        assert authenticate(username=username, password=password) is not None
