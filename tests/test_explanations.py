"""Two kinds of text: a figure's note (source, 口径, corrections) stays with the figure, and
a target's 原因及措施 for a year, written by its responsible departments, is what the report
prints and an evaluation freezes."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from tests import factory
from tracker.figures import writes
from tracker.models import Explanation, FrozenTarget
from tracker.plans import evaluations

YEAR = 2024
REASONS = "产能释放滞后；措施：加快项目达产"
NOTE = "统计公报；更正：上次误填"


@pytest.fixture
def plan(db):
    return factory.make_plan(slug="city-14th")


@pytest.fixture
def lagging(plan, department, other_department):
    """A target far behind its path, with an approved figure whose note is a note."""
    target = factory.make_target(plan, code="GDP", name="地区生产总值", lead_department=department)
    target.co_departments.add(other_department)
    factory.make_entry(target, YEAR, "101", note=NOTE)
    return target


@pytest.fixture
def co_reporter(other_department):
    return factory.make_user("caizheng", role="reporter", departments=[other_department])


def summary(client, plan) -> dict:
    response = client.get(reverse("tracker:report", args=[plan.slug]), {"year": YEAR})
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = wb["汇总"]
    header = [c.value for c in ws[4]]
    return {
        r[1].value: dict(zip(header, (c.value for c in r), strict=False))
        for r in ws.iter_rows(min_row=5)
    }


def test_the_report_prints_the_reasons_not_the_note(client, plan, lagging, reporter):
    client.force_login(reporter)
    row = summary(client, plan)["地区生产总值"]
    assert row["状态"].startswith("严重滞后")
    assert row["原因及措施"] == "（尚未填写原因及措施）"  # the note is not a reason
    writes.explain(lagging, YEAR, text=REASONS, by=reporter)
    assert summary(client, plan)["地区生产总值"]["原因及措施"] == REASONS


def test_the_responsible_departments_write_reasons_on_the_target_page(
    client, plan, lagging, reporter, co_reporter, admin_user
):
    url = reverse("tracker:target-explanation", args=[plan.slug, lagging.code])
    client.force_login(co_reporter)  # a co-responsible department writes too
    client.post(url, {"year": YEAR, "text": REASONS})
    explanation = Explanation.objects.get(target=lagging, year=YEAR)
    assert (explanation.text, explanation.author) == (REASONS, co_reporter)
    page = client.get(lagging.get_absolute_url() + f"?year={YEAR}").content.decode()
    assert REASONS in page and NOTE in page  # the note still shows, as the figure's note
    # An administrator corrects it; an empty text removes it.
    client.force_login(admin_user)
    client.post(url, {"year": YEAR, "text": REASONS + "。"})
    assert Explanation.objects.get().text == REASONS + "。"
    client.post(url, {"year": YEAR, "text": ""})
    assert not Explanation.objects.exists()


@pytest.mark.parametrize(
    ("language", "legend", "absent"),
    [
        ("en", "source, statistical definition, corrections", "口径"),
        ("zh-hans", "数据的备注（来源、口径、更正）", "statistical definition"),
    ],
)
def test_the_legend_is_in_the_readers_language_alone(
    client, plan, lagging, reporter, language, legend, absent
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(reporter)
    page = client.get(lagging.get_absolute_url() + f"?year={YEAR}").content.decode()
    start = page.index('<p class="legend">Why' if language == "en" else '<p class="legend">按年度')
    shown = page[start : page.index("</p>", start)]
    assert legend in shown and absent not in shown


def test_nobody_else_writes_reasons(client, plan, lagging, outsider):
    stranger = factory.make_user(
        "stranger", role="reporter", departments=[factory.make_department()]
    )
    url = reverse("tracker:target-explanation", args=[plan.slug, lagging.code])
    for person in (stranger, outsider):
        client.force_login(person)
        response = client.post(url, {"year": YEAR, "text": "不该写入"}, follow=True)
        assert "原因及措施只能由责任单位或管理员填写" in response.content.decode()
        assert "不该写入" not in client.get(lagging.get_absolute_url()).content.decode()
    assert not Explanation.objects.exists()


def test_the_entry_page_asks_lagging_rows_for_their_reasons(client, plan, lagging, reporter):
    on_track = factory.make_target(
        plan, code="POP", name="常住人口", lead_department=reporter.departments.get()
    )
    client.force_login(reporter)
    url = reverse("tracker:data-entry", args=[plan.slug, 2025])
    page = client.get(url)
    rows = {row.target.code: row for row in page.context["rows"]}
    assert rows["GDP"].asks_reasons and not rows["POP"].asks_reasons
    prefix = rows["GDP"].form.prefix
    response = client.post(
        url,
        {
            "draft": "1",
            f"{prefix}-value": "",
            f"{prefix}-quality": "preliminary",
            f"{prefix}-version": "0",
            f"{prefix}-reasons": REASONS,
        },
        follow=True,
    )
    assert "原因及措施已保存" in response.content.decode()
    assert Explanation.objects.get(target=lagging, year=2025).text == REASONS
    assert on_track.explanations.count() == 0


def test_an_evaluation_freezes_the_reasons_and_keeps_them(plan, lagging, reporter, admin_user):
    writes.explain(lagging, YEAR, text=REASONS, by=reporter)
    evaluation = evaluations.freeze(
        plan=plan, year=YEAR, kind="annual", title="年度评估", by=admin_user
    )
    assert FrozenTarget.objects.get(evaluation=evaluation, code="GDP").explanation == REASONS
    writes.explain(lagging, YEAR, text="后来改写", by=reporter)
    assert FrozenTarget.objects.get(evaluation=evaluation, code="GDP").explanation == REASONS
    out = io.BytesIO()
    evaluations.write_frozen_report(out, evaluation, viewer=admin_user)
    ws = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["汇总"]
    cells = [c.value for row in ws.iter_rows(min_row=5) for c in row]
    assert REASONS in cells and "后来改写" not in cells and NOTE not in cells
