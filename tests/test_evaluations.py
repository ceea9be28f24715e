"""Evaluations: frozen as published, shown as they were, with every later correction listed."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from tests import factory
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.models import Evaluation, EvaluationDeletion, FrozenFigure, Plan, ProgressEntry
from tracker.plans import evaluations

PASSWORD = "lingyuan-demo-2025"


@pytest.fixture
def as_admin(client, demo_plan):
    client.login(username="admin", password=PASSWORD)
    return client


def freeze(plan, year=2023, kind="midterm", title="凌源市“十四五”规划中期评估"):
    out = io.StringIO()
    call_command(
        "freeze_evaluation",
        "--plan",
        plan.slug,
        "--year",
        str(year),
        "--kind",
        kind,
        "--title",
        title,
        "--user",
        "admin",
        stdout=out,
    )
    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("evaluation ")
    return Evaluation.objects.get(pk=int(last.split()[1]))


def workbook_values(content: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(content))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def correct_gdp_2023(client, value="180.1"):
    """As people do it: the administrator reopens the figure with a reason, the statistics
    bureau's reporter enters the revised figure, the administrator approves it."""
    entry = ProgressEntry.objects.get(
        series__indicator__code="GDP", series__targets__plan__slug="lingyuan-14th", year=2023
    )
    client.login(username="admin", password=PASSWORD)
    client.post(
        reverse("tracker:reopen-entry", args=[entry.pk]),
        {"reason": "统计局修订2023年地区生产总值", "version": entry.version},
    )
    entry.refresh_from_db()
    client.login(username="tongji", password=PASSWORD)
    prefix = f"t{entry.target.pk}"
    client.post(
        reverse("tracker:data-entry", args=["lingyuan-14th", 2023]),
        {
            "submit": "1",
            f"{prefix}-value": value,
            f"{prefix}-quality": "final",
            f"{prefix}-note": "示例数据：统计局修订",
            f"{prefix}-version": entry.version,
        },
    )
    entry.refresh_from_db()
    client.login(username="admin", password=PASSWORD)
    client.post(reverse("tracker:approve"), {"entry": [f"{entry.pk}:{entry.version}"]})
    entry.refresh_from_db()
    assert (entry.value, entry.state) == (Decimal(value), "approved")
    return entry


# The demo's 2025 figures not approved, by state, in the close page's words.
NOT_COUNTED_2025 = (
    "尚未审核、因而不计入评价的数据：2025年：5 项数据未审核（草稿 1、已提交 3、已退回 1）。"
)


class TestFreezing:
    def test_the_command_prints_the_evaluation_number_last_and_stores_every_target(self, demo_plan):
        evaluation = freeze(demo_plan)
        assert (evaluation.kind, evaluation.year, evaluation.frozen_by.username) == (
            "midterm",
            2023,
            "admin",
        )
        assert evaluation.get_kind_display() == "中期评估"
        assert evaluation.targets.count() == demo_plan.targets.count()
        gdp = evaluation.targets.get(code="GDP")
        assert gdp.status == "off_track"
        assert Decimal(gdp.assessment["progress"]) > 0
        assert gdp.assessment["projected_value"] is not None
        # figures up to the evaluation's year only, with their quality and state
        figures = FrozenFigure.objects.filter(frozen_target=gdp)
        assert [(f.year, f.value, f.quality, f.state) for f in figures] == [
            (2020, Decimal("147.6"), "estimate", "approved"),  # the baseline is a figure
            (2021, None, "final", "approved"),  # the sample gives 2021's growth only
            (2022, Decimal("166.0"), "final", "approved"),
            (2023, Decimal("178.5"), "final", "approved"),
        ]

    def test_bad_input_is_refused_and_nothing_is_written(self, demo_plan):
        with pytest.raises(CommandError, match="2019"):
            freeze(demo_plan, year=2019)
        with pytest.raises(CommandError, match="标题"):
            freeze(demo_plan, title="  ")
        with pytest.raises(CommandError, match="not an administrator"):
            call_command(
                "freeze_evaluation",
                "--plan",
                demo_plan.slug,
                "--year",
                "2023",
                "--kind",
                "annual",
                "--title",
                "年度",
                "--user",
                "tongji",
            )
        assert not Evaluation.objects.exists()

    def test_an_administrator_freezes_from_the_plan_page(self, as_admin, demo_plan):
        html = as_admin.get(demo_plan.get_absolute_url()).content.decode()
        url = reverse("tracker:evaluation-freeze", args=[demo_plan.slug])
        assert url in html
        response = as_admin.post(
            url,
            {
                "kind": "final",
                "year": "2025",
                "title": "终期评估",
                "date": "2026-11-20",
                "summary": "示例数据：总体完成良好。",
            },
            follow=True,
        )
        evaluation = Evaluation.objects.get()
        assert response.redirect_chain[-1][0] == evaluation.get_absolute_url()
        assert (evaluation.kind, evaluation.year, evaluation.date) == (
            "final",
            2025,
            date(2026, 11, 20),
        )
        html = response.content.decode()
        assert "frozen-banner" in html and "终期评估" in html and "总体完成良好" in html
        # the demo's 2025 figures are partly still in the workflow: said, not hidden
        assert NOT_COUNTED_2025 in html
        # and it is listed on the plan's page
        html = as_admin.get(demo_plan.get_absolute_url()).content.decode()
        assert evaluation.get_absolute_url() in html

    def test_the_form_says_a_published_plan_s_evaluation_is_public_at_once(
        self, as_admin, demo_plan
    ):
        from django.contrib.auth import get_user_model

        from tracker.plans import publishing

        url = reverse("tracker:evaluation-freeze", args=[demo_plan.slug])
        public = reverse("public:evaluations", args=[demo_plan.slug])
        demo_plan.refresh_from_db()
        if demo_plan.published:
            admin = get_user_model().objects.get(username="admin")
            publishing.set_published(plan=demo_plan, published=False, by=admin, reason="撤回")
        assert public not in as_admin.get(url).content.decode()
        admin = get_user_model().objects.get(username="admin")
        publishing.set_published(plan=demo_plan, published=True, by=admin, reason="公开")
        html = as_admin.get(url).content.decode()
        assert "published-notice" in html and public in html

    def test_the_form_and_the_command_say_which_figures_are_not_approved_yet(
        self, as_admin, demo_plan
    ):
        url = reverse("tracker:evaluation-freeze", args=[demo_plan.slug])
        html = as_admin.get(url).content.decode()
        assert NOT_COUNTED_2025 in html
        out = io.StringIO()
        call_command(
            "freeze_evaluation",
            *("--plan", demo_plan.slug, "--year", "2025", "--kind", "final"),
            *("--title", "终期评估", "--user", "admin"),
            stdout=out,
        )
        lines = out.getvalue().strip().splitlines()
        assert lines[-2] == "not yet approved, so not counted: 2025: 5"
        assert lines[-1] == f"evaluation {Evaluation.objects.get().pk}"
        # as of 2023 everything is approved: nothing to say
        assert freeze(demo_plan).year == 2023
        assert evaluations.unapproved(demo_plan, 2023) == {}

    def test_a_form_with_a_year_outside_the_plan_writes_nothing(self, as_admin, demo_plan):
        url = reverse("tracker:evaluation-freeze", args=[demo_plan.slug])
        response = as_admin.post(
            url, {"kind": "final", "year": "2030", "title": "终期评估", "date": "2026-11-20"}
        )
        assert response.status_code == 200
        assert "2030" in response.content.decode()
        assert not Evaluation.objects.exists()

    @pytest.mark.parametrize(
        "change, error",
        [
            ({"date": "0001-01-01"}, "请填写 2020 年至 2030 年之间的日期。"),
            ({"date": "9999-12-31"}, "请填写 2020 年至 2030 年之间的日期。"),
            ({"summary": "长" * 20_001}, "20000"),
        ],
        ids=["year-one", "year-9999", "summary-too-long"],
    )
    def test_a_date_outside_the_plan_or_a_summary_of_a_book_is_refused(
        self, client, demo_plan, change, error
    ):
        client.login(username="admin", password=PASSWORD)
        url = reverse("tracker:evaluation-freeze", args=[demo_plan.slug])
        post = {"kind": "final", "year": "2025", "title": "终期评估", "date": "2026-11-20"}
        response = client.post(url, {**post, **change})
        assert response.status_code == 200
        assert error in response.content.decode()
        assert not Evaluation.objects.exists()

    def test_reporters_may_not_freeze(self, client, demo_plan):
        client.login(username="tongji", password=PASSWORD)
        url = reverse("tracker:evaluation-freeze", args=[demo_plan.slug])
        assert client.get(url).status_code == 403
        post = {"kind": "final", "year": "2025", "title": "终期评估", "date": "2026-11-20"}
        assert client.post(url, post).status_code == 403
        assert not Evaluation.objects.exists()


class TestFrozen:
    def test_a_frozen_report_does_not_change_when_figures_are_corrected_but_the_live_one_does(
        self, client, demo_plan
    ):
        evaluation = freeze(demo_plan)
        client.login(username="admin", password=PASSWORD)
        frozen_url = reverse("tracker:evaluation-report", args=[demo_plan.slug, evaluation.pk])
        live_url = reverse("tracker:report", args=[demo_plan.slug]) + "?year=2023"
        frozen_before = workbook_values(client.get(frozen_url).content)
        live_before = workbook_values(client.get(live_url).content)

        correct_gdp_2023(client, "180.1")

        client.login(username="admin", password=PASSWORD)
        frozen_after = workbook_values(client.get(frozen_url).content)
        live_after = workbook_values(client.get(live_url).content)
        assert frozen_after == frozen_before
        summary = [row for row in frozen_after["汇总"] if row[1] == "地区生产总值"][0]
        assert 178.5 in summary and 180.1 not in summary
        assert live_after != live_before
        live_summary = [row for row in live_after["汇总"] if row[1] == "地区生产总值"][0]
        assert 180.1 in live_summary

    def test_the_page_shows_the_dashboard_as_it_was_and_lists_changes_since(
        self, client, demo_plan
    ):
        evaluation = freeze(demo_plan)
        correct_gdp_2023(client, "180.1")
        client.login(username="tongji", password=PASSWORD)  # who reports GDP
        html = client.get(evaluation.get_absolute_url()).content.decode()
        assert "frozen-banner" in html
        table, changes = html.split('id="changes"')
        assert "178.5" in table and "180.1" not in table
        assert "2024" not in table.split("<table")[1].split("</thead>")[0]  # as of 2023 only
        # old -> new, who, why, and the evaluation's own figure
        assert "178.5" in changes and "180.1" in changes
        assert "统计局修订2023年地区生产总值" in changes
        # the workflow's reasons read in the reader's language, not as stored code words
        assert "重新打开: 统计局修订2023年地区生产总值" in changes
        assert "reopened:" not in changes and ">submitted<" not in changes
        assert "示例管理员" in changes and "统计局填报员" in changes
        revisions = evaluations.changes_since(evaluation, ANY_ADMINISTRATOR)
        values = [(r.old_value, r.new_value) for r in revisions]
        # The sample's 2023 gave its growth beside the level; the revision, the level alone.
        assert ("178.5（增长5.9%）", "180.1") in values
        assert {r.frozen_value for r in revisions} == {"178.5（增长5.9%）"}
        # Another department sees the approved change, not the steps in the workflow.
        client.login(username="keji", password=PASSWORD)
        html = client.get(evaluation.get_absolute_url()).content.decode()
        changes = html.split('id="changes"')[1]
        assert "178.5" in changes and "180.1" in changes
        assert "统计局修订" not in changes and "统计局填报员" not in changes

    def test_a_change_by_an_account_since_removed_is_listed_without_a_name(self, client, demo_plan):
        evaluation = freeze(demo_plan)
        correct_gdp_2023(client, "180.1")
        # A script's change has no user, and neither has a removed account's.
        ProgressEntry.history.filter(history_date__gt=evaluation.frozen_at).update(
            history_user=None
        )
        client.login(username="admin", password=PASSWORD)
        response = client.get(evaluation.get_absolute_url())
        assert response.status_code == 200
        changes = response.content.decode().split('id="changes"')[1]
        assert "180.1" in changes and "<td>—</td>" in changes

    def test_the_export_command_writes_the_frozen_report(self, client, demo_plan, tmp_path):
        evaluation = freeze(demo_plan)
        correct_gdp_2023(client)
        path = tmp_path / "frozen.xlsx"
        call_command(
            "export_report",
            "--plan",
            demo_plan.slug,
            "--evaluation",
            str(evaluation.pk),
            "--output",
            str(path),
            stdout=io.StringIO(),
        )
        client.login(username="admin", password=PASSWORD)
        download = client.get(
            reverse("tracker:evaluation-report", args=[demo_plan.slug, evaluation.pk])
        )
        assert workbook_values(path.read_bytes()) == workbook_values(download.content)
        with pytest.raises(CommandError, match="No evaluation 999"):
            call_command(
                "export_report",
                "--plan",
                demo_plan.slug,
                "--evaluation",
                "999",
                "--output",
                str(path),
            )

    def test_the_frozen_report_says_which_evaluation_it_is(self, demo_plan, tmp_path):
        evaluation = freeze(demo_plan)
        for language, kind, sheets in [
            ("zh-hans", "中期评估", ("汇总", "说明")),
            ("en", "Mid-term evaluation", ("Summary", "Notes")),
        ]:
            path = tmp_path / f"frozen-{language}.xlsx"
            call_command(
                "export_report",
                f"--plan={demo_plan.slug}",
                f"--evaluation={evaluation.pk}",
                f"--language={language}",
                f"--output={path}",
                stdout=io.StringIO(),
            )
            book = load_workbook(path)
            # The title already says 中期评估: the Chinese report does not say it twice.
            label = "凌源市“十四五”规划中期评估"
            if language == "en":
                label = f"凌源市“十四五”规划中期评估 ({kind})"
            for ws in book.worksheets:
                if ws.sheet_state == "visible":  # the charts' data sheet is hidden
                    assert label in ws.oddHeader.right.text, ws.title
            summary, notes = (book[name] for name in sheets)
            assert label in summary["A1"].value
            assert summary["A1"].value.count("中期评估") == 1
            assert label in [row[1] for row in notes.iter_rows(values_only=True)]

    def test_the_live_report_names_no_evaluation(self, client, demo_plan):
        client.login(username="admin", password=PASSWORD)
        book = load_workbook(
            io.BytesIO(client.get(reverse("tracker:report", args=[demo_plan.slug])).content)
        )
        assert book["汇总"].oddHeader.right.text == "截至2024年"
        assert "评估" not in book["汇总"]["A1"].value

    def test_a_renamed_plan_and_changed_thresholds_leave_the_evaluation_alone(
        self, client, demo_plan
    ):
        evaluation = freeze(demo_plan)
        Plan.objects.filter(pk=demo_plan.pk).update(name="改名", behind_ratio=Decimal("0.10"))
        frozen, rows = evaluations.frozen_standings(evaluation, viewer=ANY_ADMINISTRATOR)
        assert frozen.name == "凌源市“十四五”规划" and frozen.behind_ratio == Decimal("0.80")
        assert {r.target.code: r.status for r in rows}["GDP"] == "off_track"

    def test_comparison_marks_the_statuses_that_changed(self, client, demo_plan):
        evaluation = freeze(demo_plan)
        correct_gdp_2023(client, "260.0")  # a large revision lifts GDP off "off track"
        client.login(username="keji", password=PASSWORD)
        url = reverse("tracker:evaluation-compare", args=[demo_plan.slug, evaluation.pk])
        html = client.get(url).content.decode()
        changed = [part for part in html.split("<tr")[1:] if 'class="changed"' in part]
        # GDP itself, and income growth, judged against GDP's growth
        assert [part.split('class="code">')[1].split("<")[0] for part in changed] == [
            "GDP",
            "INCOME-GROWTH",
        ]
        assert "status-off_track" in changed[0]


class TestApi:
    def test_the_api_serves_an_evaluation(self, client, demo_plan):
        evaluation = freeze(demo_plan)
        correct_gdp_2023(client, "180.1")
        client.login(username="keji", password=PASSWORD)
        url = reverse("tracker:api-plan", args=[demo_plan.slug])
        data = client.get(url, {"evaluation": evaluation.pk}).json()
        assert data["as_of_year"] == 2023
        assert data["evaluation"]["kind"] == "midterm"
        assert data["evaluation"]["frozen_by"] == "admin"
        gdp = next(t for t in data["targets"] if t["code"] == "GDP")
        assert [e["year"] for e in gdp["entries"]] == [2020, 2021, 2022, 2023]  # from the baseline
        assert gdp["entries"][-1]["value"] == "178.5"
        assert gdp["status"] == "off_track"
        live = client.get(url, {"year": 2023}).json()
        assert next(t for t in live["targets"] if t["code"] == "GDP")["latest"]["value"] == "180.1"

    def test_an_unknown_or_malformed_evaluation_is_refused(self, client, demo_plan):
        other = factory.make_plan()
        evaluation = freeze(demo_plan)
        client.login(username="keji", password=PASSWORD)
        assert (
            client.get(
                reverse("tracker:api-plan", args=[other.slug]), {"evaluation": evaluation.pk}
            ).status_code
            == 404
        )
        url = reverse("tracker:api-plan", args=[demo_plan.slug])
        assert client.get(url, {"evaluation": "x"}).status_code == 400


class TestImmutable:
    def test_the_admin_shows_an_evaluation_but_never_edits_it(self, as_admin, demo_plan):
        evaluation = freeze(demo_plan)
        url = reverse("admin:tracker_evaluation_change", args=[evaluation.pk])
        response = as_admin.get(url)
        assert response.status_code == 200
        assert 'name="_save"' not in response.content.decode()
        as_admin.post(url, {"title": "改过的标题", "kind": "final", "year": 2024})
        evaluation.refresh_from_db()
        assert evaluation.title == "凌源市“十四五”规划中期评估"
        assert as_admin.get(reverse("admin:tracker_evaluation_add")).status_code == 403
        delete = reverse("admin:tracker_evaluation_delete", args=[evaluation.pk])
        assert as_admin.post(delete, {"post": "yes", "reason": "重复"}).status_code == 403
        assert Evaluation.objects.filter(pk=evaluation.pk).exists()

    def test_only_a_superuser_deletes_one_and_must_give_a_reason(self, client, demo_plan):
        evaluation = freeze(demo_plan)
        root = factory.make_user("root", is_superuser=True, is_staff=True)
        client.force_login(root)
        delete = reverse("admin:tracker_evaluation_delete", args=[evaluation.pk])
        assert "reason" in client.get(delete).content.decode()
        client.post(delete, {"post": "yes", "reason": "  "})
        assert Evaluation.objects.filter(pk=evaluation.pk).exists()
        client.post(delete, {"post": "yes", "reason": "误将年度评估冻结为中期评估"})
        assert not Evaluation.objects.filter(pk=evaluation.pk).exists()
        record = EvaluationDeletion.objects.get()
        assert (record.evaluation_number, record.deleted_by, record.reason) == (
            evaluation.pk,
            root,
            "误将年度评估冻结为中期评估",
        )


class TestPlanStage:
    def test_a_plan_is_current_then_under_evaluation_then_ended(self, demo_plan):
        assert demo_plan.phase(date(2024, 6, 1)) == "current"
        assert demo_plan.phase(date(2020, 6, 1)) == "upcoming"
        assert demo_plan.phase(date(2026, 6, 1)) == "under_evaluation"
        freeze(demo_plan, year=2025, kind="final", title="终期评估")
        assert demo_plan.phase(date(2026, 6, 1)) == "ended"

    def test_the_plan_list_shows_each_plans_period_and_stage(self, client, demo_plans):
        client.login(username="keji", password=PASSWORD)
        html = client.get(reverse("tracker:plan-list")).content.decode()
        assert "2021–2025" in html and "2026–2030" in html
        for plan in Plan.objects.with_final_evaluation():
            assert str(plan.phase_label) in html


def test_evaluation_pages_need_a_sign_in(client, demo_plan):
    evaluation = freeze(demo_plan)
    for url in [
        evaluation.get_absolute_url(),
        reverse("tracker:evaluation-report", args=[demo_plan.slug, evaluation.pk]),
        reverse("tracker:evaluation-compare", args=[demo_plan.slug, evaluation.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_the_page_speaks_english_when_asked(client, demo_plan):
    evaluation = freeze(demo_plan)
    client.login(username="keji", password=PASSWORD)
    client.cookies["django_language"] = "en"
    html = client.get(evaluation.get_absolute_url()).content.decode()
    assert "Mid-term evaluation" in html and "Changes since" in html
    assert "Lingyuan 14th Five-Year Plan" in html


def test_a_frozen_figure_keeps_its_plausibility_flag_and_explanation(client, demo_plan):
    """A figure confirmed although questioned stays marked in the evaluation, its report
    and its API, even after the live figure is corrected and the flag cleared."""
    entry = ProgressEntry.objects.get(
        series__targets__plan=demo_plan, series__indicator__code="GDP", year=2023
    )
    entry.plausibility_flag = "是上年（166.0）的 3.2 倍，请核对单位（亿元）。"
    entry.plausibility_note = "含新并入园区"
    entry.save()
    evaluation = freeze(demo_plan)
    entry.refresh_from_db()
    entry.plausibility_flag = entry.plausibility_note = ""
    entry.save()
    figure = FrozenFigure.objects.get(
        frozen_target__evaluation=evaluation, year=2023, frozen_target__code="GDP"
    )
    assert (figure.plausibility_flag, figure.plausibility_note) == (
        "是上年（166.0）的 3.2 倍，请核对单位（亿元）。",
        "含新并入园区",
    )
    _plan, rows = evaluations.frozen_standings(evaluation, viewer=ANY_ADMINISTRATOR)
    gdp = next(row for row in rows if row.target.code == "GDP")
    assert gdp.entries[2023].is_flagged and gdp.entries[2023].plausibility_note == "含新并入园区"
    client.login(username="keji", password=PASSWORD)
    api = client.get(f"/api/plans/{demo_plan.slug}/?evaluation={evaluation.pk}").json()
    figures = next(t for t in api["targets"] if t["code"] == "GDP")["entries"]
    frozen_2023 = next(f for f in figures if f["year"] == 2023)
    assert "3.2" in frozen_2023["plausibility_flag"]
    assert frozen_2023["plausibility_note"] == "含新并入园区"
    report = client.get(reverse("tracker:evaluation-report", args=[demo_plan.slug, evaluation.pk]))
    notes = [
        cell
        for rows in workbook_values(report.content).values()
        for row in rows
        for cell in row
        if isinstance(cell, str)
    ]
    assert any("3.2 倍" in cell and "含新并入园区" in cell for cell in notes)


class TestWords:
    """An evaluation opens with the count by status; a final one states 完成情况."""

    def test_a_midterm_evaluation_opens_with_the_count_by_status(self, as_admin, demo_plan):
        html = as_admin.get(freeze(demo_plan).get_absolute_url()).content.decode()
        assert (
            '<p class="summary-line">11项主要指标中，提前实现1项、基本符合预期1项、滞后4项、'
            "严重滞后2项、未到期2项、无数据1项</p>" in html
        )
        assert "<th>完成情况</th>" not in html and "进度" in html

    def test_a_final_evaluation_states_completion_in_place_of_progress(self, as_admin, demo_plan):
        evaluation = freeze(demo_plan, year=2025, kind="final", title="终期评估")
        html = as_admin.get(evaluation.get_absolute_url()).content.decode()
        assert "11项主要指标中，超额完成1项、完成1项、未完成8项、无数据1项" in html
        head = html.split("</thead>")[0].rsplit("<thead", 1)[1]
        headers = [h.strip() for h in re.findall(r"<th[^>]*>\s*([^<]+?)\s*</th>", head)]
        assert "完成情况" in headers and "进度" not in headers and "状态" not in headers
        assert ">超额完成</span>" in html and ">未完成</span>" in html
        # No 2025 figure is approved: the verdicts rest on 2024's, and say so.
        assert "依据2024年数据" in html

    def test_the_final_evaluation_reads_in_english_when_asked(self, as_admin, demo_plan):
        evaluation = freeze(demo_plan, year=2025, kind="final", title="Final")
        as_admin.cookies["django_language"] = "en"
        html = as_admin.get(evaluation.get_absolute_url()).content.decode()
        assert "Of 11 main indicators: Exceeded 1, Completed 1, Not completed 8, No data 1" in html
        assert "Completion" in html and "based on 2024 figures" in html


class TestASecondEvaluationOfTheSameKindAndYear:
    POST = {"kind": "final", "year": "2025", "title": "终期评估", "date": "2026-11-20"}

    def test_is_frozen_only_once_confirmed(self, as_admin, demo_plan):
        url = reverse("tracker:evaluation-freeze", args=[demo_plan.slug])
        first = freeze(demo_plan, year=2025, kind="final", title="终期评估")
        response = as_admin.post(url, {**self.POST, "title": "终期评估（修订）"})
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="repeats"' in html and first.get_absolute_url() in html
        assert "示例管理员 于" in html  # who froze it, by name
        assert "该类型、该年度已有 1 份评估。如确需再冻结一份，请勾选确认。" in html
        assert 'name="confirm_repeat"' in html and "再冻结一份" in html
        assert Evaluation.objects.count() == 1
        response = as_admin.post(url, {**self.POST, "confirm_repeat": "on"})
        assert response.status_code == 302
        assert Evaluation.objects.filter(kind="final", year=2025).count() == 2

    def test_says_so_in_english(self, as_admin, demo_plan):
        freeze(demo_plan, year=2025, kind="final", title="终期评估")
        as_admin.post(reverse("set_language"), {"language": "en"})
        url = reverse("tracker:evaluation-freeze", args=[demo_plan.slug])
        html = as_admin.post(url, self.POST).content.decode()
        assert "An evaluation of this kind and year is already frozen." in html
        assert "Freeze another evaluation of this kind and year" in html

    def test_of_another_kind_or_year_asks_nothing(self, as_admin, demo_plan):
        freeze(demo_plan, year=2025, kind="final", title="终期评估")
        url = reverse("tracker:evaluation-freeze", args=[demo_plan.slug])
        html = as_admin.get(url).content.decode()
        assert 'name="confirm_repeat"' not in html
        response = as_admin.post(url, {**self.POST, "kind": "midterm", "year": "2023"})
        assert response.status_code == 302
        assert Evaluation.objects.count() == 2
