"""One set of rules for a figure, kept by every path: entry page, approvals, import, admin.

Each test posts forms as a browser would, as a reporter, an administrator who is not a
superuser (staff in the group `administrators`), or someone without the right.
"""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from tests import factory
from tracker.figures import workflow, writes
from tracker.figures.history import change_log, shown_reason
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.models import ClosedYear, ImportBatch, ProgressEntry

YEAR = 2023


@pytest.fixture
def plan(db):
    return factory.make_plan(slug="city-14th")


@pytest.fixture
def gdp(plan, department):
    return factory.make_target(plan, code="GDP", name="地区生产总值", lead_department=department)


@pytest.fixture
def as_reporter(client, reporter):
    client.force_login(reporter)
    return client


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def entry_url(plan, year=YEAR):
    return reverse("tracker:data-entry", args=[plan.slug, year])


def post_entry(client, plan, target, value, *, version=0, action="draft", year=YEAR):
    prefix = f"t{target.pk}"
    data = {
        action: "1",
        f"{prefix}-value": value,
        f"{prefix}-quality": "preliminary",
        f"{prefix}-note": "",
        f"{prefix}-version": version,
    }
    return client.post(entry_url(plan, year), data, follow=True)


def page(response) -> str:
    return response.content.decode()


def notices(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def close(plan, year, admin_user, reason="统计公报已发布"):
    return writes.close_year(plan, year, by=admin_user, reason=reason)


def workbook(rows) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = "填报"
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, plan, rows):
    """Upload a workbook; returns the preview page's address."""
    data = io.BytesIO(workbook(rows))
    data.name = "figures.xlsx"
    response = client.post(reverse("tracker:import", args=[plan.slug]), {"file": data})
    assert response.status_code == 302, page(response)
    return response.url


class TestRights:
    def test_membership_without_the_reporters_role_enters_nothing(self, client, plan, gdp):
        member = factory.make_user("member", departments=[gdp.lead_department])
        client.force_login(member)
        assert "地区生产总值" not in page(client.get(entry_url(plan)))
        response = post_entry(client, plan, gdp, "120.0")
        assert not ProgressEntry.objects.exists()
        assert any(level == "error" for level, _text in notices(response))

    def test_a_co_department_enters_only_where_the_target_lets_it(
        self, client, plan, gdp, other_department
    ):
        gdp.co_departments.add(other_department)
        helper = factory.make_user("helper", role="reporter", departments=[other_department])
        client.force_login(helper)
        post_entry(client, plan, gdp, "120.0")
        assert not ProgressEntry.objects.exists()
        gdp.co_departments_may_enter = True
        gdp.save()
        assert "地区生产总值" in page(client.get(entry_url(plan)))
        post_entry(client, plan, gdp, "120.0")
        assert ProgressEntry.objects.get().value == Decimal("120.0")

    def test_a_reporter_removed_after_the_preview_cannot_confirm(
        self, as_reporter, plan, gdp, reporter
    ):
        preview_url = upload(as_reporter, plan, [["指标代码", YEAR], ["GDP", 120]])
        gdp.lead_department.members.remove(reporter)
        response = as_reporter.post(preview_url, {"confirm": "1"}, follow=True)
        assert not ProgressEntry.objects.exists()
        assert not ImportBatch.objects.exists()
        assert any("地区生产总值" in text for level, text in notices(response) if level == "error")

    def test_only_administrators_revert_an_import(self, as_reporter, plan, gdp, admin_user):
        preview_url = upload(as_reporter, plan, [["指标代码", YEAR], ["GDP", 120]])
        as_reporter.post(preview_url, {"confirm": "1"})
        batch = ImportBatch.objects.get()
        response = as_reporter.post(reverse("tracker:revert-import", args=[plan.slug, batch.pk]))
        assert response.status_code == 403
        with pytest.raises(workflow.Refused):
            writes.revert_import(batch, by=factory.make_user("nobody", role="reporter"))
        assert ProgressEntry.objects.get().value == Decimal("120")


class TestApprovedFigures:
    def test_approved_rows_are_read_only_for_administrators_too(
        self, as_admin, plan, gdp, admin_user
    ):
        entry = factory.make_entry(gdp, YEAR, "120.0", reviewed_by=admin_user)
        html = page(as_admin.get(entry_url(plan)))
        assert f'name="t{gdp.pk}-value"' not in html
        assert reverse("tracker:reopen-entry", args=[entry.pk]) in html
        response = post_entry(as_admin, plan, gdp, "1.0", version=entry.version)
        entry.refresh_from_db()
        assert (entry.value, entry.state) == (Decimal("120.0"), "approved")
        assert any(level == "error" for level, _text in notices(response))

    def test_reporters_get_no_reopen_link(self, as_reporter, plan, gdp):
        entry = factory.make_entry(gdp, YEAR, "120.0")
        html = page(as_reporter.get(entry_url(plan)))
        assert reverse("tracker:reopen-entry", args=[entry.pk]) not in html
        assert "已审核" in html

    def test_reopen_from_the_entry_page_needs_a_reason_then_unlocks(
        self, as_admin, plan, gdp, admin_user
    ):
        entry = factory.make_entry(gdp, YEAR, "120.0")
        url = reverse("tracker:reopen-entry", args=[entry.pk])
        assert 'name="reason"' in page(as_admin.get(url + "?from=entry"))
        as_admin.post(url, {"reason": " ", "version": entry.version, "from": "entry"})
        entry.refresh_from_db()
        assert entry.state == "approved"
        response = as_admin.post(
            url, {"reason": "统计局更正", "version": entry.version, "from": "entry"}, follow=True
        )
        assert response.redirect_chain[-1][0] == entry_url(plan)
        entry.refresh_from_db()
        assert entry.state == "returned" and "统计局更正" in entry.return_reason
        assert f'name="t{gdp.pk}-value"' in page(response)
        record = entry.history.latest()
        assert record.history_change_reason == "reopened: 统计局更正"

    def test_a_reason_longer_than_the_form_keeps_is_refused_saying_so(
        self, as_admin, plan, gdp, admin_user
    ):
        entry = factory.make_entry(gdp, YEAR, "120.0")
        url = reverse("tracker:reopen-entry", args=[entry.pk])
        response = as_admin.post(
            url, {"reason": "长" * 2001, "version": entry.version}, follow=True
        )
        shown = " ".join(str(m) for m in response.context["messages"])
        # "Nothing was changed: keep it to at most 2000 characters (it has 2001)."
        assert "未做任何更改" in shown and "2000" in shown and "2001" in shown
        entry.refresh_from_db()
        assert entry.state == "approved"
        response = as_admin.post(url, {"reason": "", "version": entry.version}, follow=True)
        assert "请填写原因。" in " ".join(str(m) for m in response.context["messages"])

    def test_an_approved_figure_in_a_file_is_refused_until_reopened(
        self, as_admin, plan, gdp, admin_user
    ):
        entry = factory.make_entry(gdp, YEAR, "120.0")
        data = io.BytesIO(workbook([["指标代码", YEAR], ["GDP", 130]]))
        data.name = "f.xlsx"
        response = as_admin.post(reverse("tracker:import", args=[plan.slug]), {"file": data})
        assert response.status_code == 200 and "重新打开" in page(response)
        workflow.reopen(entry, by=admin_user, reason="更正", version=entry.version)
        preview_url = upload(as_admin, plan, [["指标代码", YEAR], ["GDP", 130]])
        as_admin.post(preview_url, {"confirm": "1"})
        entry.refresh_from_db()
        assert entry.value == Decimal("130")


class TestClosedYear:
    def test_closing_lists_the_open_figures_and_asks_to_confirm(
        self, as_admin, plan, gdp, department
    ):
        rd = factory.make_target(plan, code="RD", name="研发投入", lead_department=department)
        factory.make_entry(gdp, YEAR, "120.0", state="submitted")
        factory.make_entry(rd, YEAR, "2.0", state="draft")
        url = reverse("tracker:close-year", args=[plan.slug, YEAR])
        html = page(as_admin.get(url))
        assert "地区生产总值" in html and "研发投入" in html
        assert "已提交" in html and "草稿" in html
        assert not ClosedYear.objects.exists()
        as_admin.post(url, {"reason": "公报"})  # not confirmed: shown again, nothing closed
        assert not ClosedYear.objects.exists()
        as_admin.post(url, {"reason": "公报", "confirm": "1"})
        assert ClosedYear.objects.get().reason == "公报"

    def test_the_approvals_page_shows_closed_figures_without_buttons(
        self, as_admin, plan, gdp, admin_user
    ):
        entry = factory.make_entry(gdp, YEAR, "120.0", state="submitted")
        close(plan, YEAR, admin_user)
        html = page(as_admin.get(reverse("tracker:approvals")))
        assert f'id="entry-{entry.pk}" class="locked"' in html
        assert f'value="{entry.pk}:{entry.version}"' not in html
        assert reverse("tracker:return-entry", args=[entry.pk]) not in html
        assert f"{YEAR} 年度已关闭" in html.split(f'id="entry-{entry.pk}"')[1]

    def test_a_closed_year_refuses_return_approve_and_reopen(self, as_admin, plan, gdp, admin_user):
        submitted = factory.make_entry(gdp, YEAR, "120.0", state="submitted")
        rd = factory.make_target(plan, code="RD", lead_department=gdp.lead_department)
        approved = factory.make_entry(rd, YEAR, "2.0")
        close(plan, YEAR, admin_user)
        response = as_admin.post(
            reverse("tracker:return-entry", args=[submitted.pk]),
            {"reason": "请核对", "version": submitted.version},
            follow=True,
        )
        assert any("关闭" in text for level, text in notices(response) if level == "error")
        response = as_admin.post(
            reverse("tracker:approve"),
            {"entry": f"{submitted.pk}:{submitted.version}"},
            follow=True,
        )
        assert any("关闭" in text for level, text in notices(response) if level == "error")
        as_admin.post(
            reverse("tracker:reopen-entry", args=[approved.pk]),
            {"reason": "更正", "version": approved.version},
        )
        submitted.refresh_from_db()
        approved.refresh_from_db()
        assert (submitted.state, approved.state) == ("submitted", "approved")

    def test_the_entry_page_of_a_closed_year_has_no_buttons(
        self, as_reporter, plan, gdp, admin_user
    ):
        factory.make_entry(gdp, YEAR, "120.0", state="draft")
        close(plan, YEAR, admin_user)
        html = page(as_reporter.get(entry_url(plan)))
        assert 'name="submit"' not in html and 'name="draft"' not in html
        post_entry(as_reporter, plan, gdp, "1.0", version=1, action="submit")
        assert ProgressEntry.objects.get().state == "draft"

    def test_an_import_is_not_reverted_in_a_closed_year(
        self, as_reporter, client, plan, gdp, admin_user
    ):
        preview_url = upload(as_reporter, plan, [["指标代码", YEAR], ["GDP", 120]])
        as_reporter.post(preview_url, {"confirm": "1"})
        batch = ImportBatch.objects.get()
        close(plan, YEAR, admin_user)
        client.force_login(admin_user)
        response = client.post(
            reverse("tracker:revert-import", args=[plan.slug, batch.pk]),
            {"confirm": "1"},
            follow=True,
        )
        assert any("关闭" in text for level, text in notices(response) if level == "error")
        assert ProgressEntry.objects.get().value == Decimal("120")
        batch.refresh_from_db()
        assert batch.state == "applied"

    def test_a_year_closed_after_the_preview_refuses_the_confirm(
        self, as_reporter, plan, gdp, admin_user
    ):
        preview_url = upload(as_reporter, plan, [["指标代码", YEAR], ["GDP", 120]])
        close(plan, YEAR, admin_user)
        as_reporter.post(preview_url, {"confirm": "1"})
        assert not ProgressEntry.objects.exists()


class TestRevertingAnImport:
    """Revert asks to confirm, and is offered only where it can work."""

    @pytest.fixture
    def batch(self, as_reporter, plan, gdp):
        post_entry(as_reporter, plan, gdp, "100")
        preview_url = upload(as_reporter, plan, [["指标代码", YEAR], ["GDP", 120]])
        as_reporter.post(preview_url, {"confirm": "1", "state": "submitted"})
        return ImportBatch.objects.get()

    def test_asks_to_confirm(self, batch, client, plan, admin_user):
        client.force_login(admin_user)
        url = reverse("tracker:revert-import", args=[plan.slug, batch.pk])
        html = page(client.get(reverse("tracker:import", args=[plan.slug])))
        assert f'href="{url}"' in html and "撤销…" in html
        # a post without the confirmation reverts nothing and shows what the revert does
        response = client.post(url)
        assert response.status_code == 302 and response.url == url
        assert ProgressEntry.objects.get().value == Decimal("120")
        html = page(client.get(url))
        assert "figures.xlsx" in html and "新增 0 项，修改 1 项" in html
        assert 'name="confirm"' in html and "撤销该次导入" in html
        client.cookies["django_language"] = "en"
        html = page(client.get(url))
        assert "Revert the import" in html and "0 new, 1 changed" in html
        response = client.post(url, {"confirm": "1"}, follow=True)
        assert ProgressEntry.objects.get().value == Decimal("100")
        assert any("reverted" in text for level, text in notices(response) if level == "success")
        html = page(response)
        assert url not in html  # a reverted import is not offered again

    def test_is_not_offered_once_a_figure_is_approved_since(self, batch, client, plan, admin_user):
        entry = ProgressEntry.objects.get()
        workflow.approve(entry, by=admin_user, version=entry.version)
        client.force_login(admin_user)
        url = reverse("tracker:revert-import", args=[plan.slug, batch.pk])
        html = page(client.get(reverse("tracker:import", args=[plan.slug])))
        assert f'href="{url}"' not in html
        assert "disabled" in html and "以下数据在导入后又被修改，无法撤销：GDP 2023" in html
        html = page(client.get(url))
        assert 'id="revert-obstacle"' in html and 'name="confirm"' not in html
        client.cookies["django_language"] = "en"
        html = page(client.get(reverse("tracker:import", args=[plan.slug])))
        assert "These figures were changed after the import" in html

    def test_is_not_offered_in_a_closed_year(self, batch, client, plan, admin_user):
        close(plan, YEAR, admin_user)
        client.force_login(admin_user)
        url = reverse("tracker:revert-import", args=[plan.slug, batch.pk])
        html = page(client.get(reverse("tracker:import", args=[plan.slug])))
        assert f'href="{url}"' not in html and "关闭" in html.split("batch-")[-1]

    def test_the_import_page_asks_in_the_same_queries_for_any_number_of_imports(
        self, batch, client, plan, reporter, admin_user
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.force_login(admin_user)
        url = reverse("tracker:import", args=[plan.slug])

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            return len(captured)

        one = queries()
        client.force_login(reporter)
        for value in (130, 140, 150):
            preview_url = upload(client, plan, [["指标代码", YEAR], ["GDP", value]])
            client.post(preview_url, {"confirm": "1", "state": "submitted"})
        assert ImportBatch.objects.count() == 4
        client.force_login(admin_user)
        assert queries() == one
        html = page(client.get(url))
        # the latest is revertible, the three before it were changed by the ones after
        assert html.count("revert-obstacle") == 3

    def test_reporters_see_no_revert(self, batch, as_reporter, plan):
        html = page(as_reporter.get(reverse("tracker:import", args=[plan.slug])))
        assert "revert" not in html.split("batches")[-1].lower()
        url = reverse("tracker:revert-import", args=[plan.slug, batch.pk])
        assert as_reporter.get(url).status_code == 403


class TestNothingDone:
    def test_saving_nothing_is_a_notice(self, as_reporter, plan, gdp):
        response = post_entry(as_reporter, plan, gdp, "")
        assert notices(response) == [("info", "没有需要保存的内容：未填写或修改任何数据。")]

    def test_approving_nothing_is_a_notice(self, as_admin):
        response = as_admin.post(reverse("tracker:approve"), follow=True)
        assert notices(response) == [("info", "未审核任何数据：没有勾选数据。")]

    def test_approving_figures_that_are_gone_is_a_warning(self, as_admin, plan, gdp):
        entry = factory.make_entry(gdp, YEAR, "35", state="submitted")
        ticked = {"entry": f"{entry.pk}:{entry.version}"}
        entry.delete()
        response = as_admin.post(reverse("tracker:approve"), ticked, follow=True)
        assert notices(response) == [("warning", "未审核任何数据：所勾选的数据已不存在。")]


class TestHistoryReasons:
    def test_reasons_are_codes_shown_in_the_readers_language(
        self, client, plan, gdp, reporter, admin_user
    ):
        client.force_login(reporter)
        post_entry(client, plan, gdp, "120.0", action="submit")
        entry = ProgressEntry.objects.get()
        workflow.return_entry(entry, by=admin_user, reason="请核对", version=entry.version)
        stored = list(entry.history.order_by("history_id").values_list("history_change_reason"))
        assert stored == [("submitted",), ("returned: 请核对",)]
        assert [c.reason for c in change_log(gdp, ANY_ADMINISTRATOR)] == ["退回: 请核对", "提交"]
        client.cookies["django_language"] = "en"
        html = page(client.get(gdp.get_absolute_url()))
        assert "returned: 请核对" in html and "退回" not in html.split("Change history")[-1]

    def test_old_free_text_reasons_show_as_they_are(self):
        assert shown_reason("管理员手工修改") == "管理员手工修改"
        assert shown_reason("") == ""
        assert shown_reason("import #7: f.xlsx") == "导入数据: #7: f.xlsx"

    def test_a_reverted_import_is_named_in_the_readers_language(
        self, as_reporter, client, plan, gdp, admin_user
    ):
        post_entry(as_reporter, plan, gdp, "100")  # a draft the import then changes
        preview_url = upload(as_reporter, plan, [["指标代码", YEAR], ["GDP", 120]])
        as_reporter.post(preview_url, {"confirm": "1"})
        batch = ImportBatch.objects.get()
        writes.revert_import(batch, by=admin_user)
        assert ProgressEntry.objects.get().value == Decimal("100")
        stored = ProgressEntry.history.order_by("history_id").last().history_change_reason
        assert stored == f"revert: import #{batch.pk}: figures.xlsx"  # as stored: codes
        assert shown_reason(stored) == f"撤销导入: #{batch.pk}: figures.xlsx"
        client.force_login(admin_user)
        client.cookies["django_language"] = "en"
        html = page(client.get(gdp.get_absolute_url()))
        assert f"import reverted: #{batch.pk}: figures.xlsx" in html
        assert "撤销导入" not in html and "import #" not in html

    def test_target_history_reasons_are_stored_as_codes(self, plan, admin_user):
        from django.utils import translation

        from tracker.plans.next_plan import start_next_plan

        source = plan
        factory.make_target(source, code="POP", name="常住人口")
        with translation.override("en"):
            start_next_plan(
                source=source,
                slug="city-15th",
                name="十五五",
                name_en="",
                start_year=source.end_year + 1,
                end_year=source.end_year + 5,
                by=admin_user,
            )
        target = source.__class__.objects.get(slug="city-15th").targets.get(code="POP")
        stored = target.history.first().history_change_reason
        assert stored == "carried-over: city-14th"
        assert shown_reason(stored) == "承接自上一规划: city-14th"
        with translation.override("en"):
            assert shown_reason(stored) == "carried over from the previous plan: city-14th"


class TestAdmin:
    @pytest.fixture
    def entry(self, gdp):
        return factory.make_entry(gdp, YEAR, "35", state="submitted")

    def change_url(self, entry):
        return reverse("admin:tracker_progressentry_change", args=[entry.pk])

    def form(self, entry, **fields):
        data = {"value": "36", "quality": "final", "note": "", "read_version": entry.version}
        return {**data, **fields}

    def test_a_change_needs_a_reason_which_is_kept(self, as_admin, entry, admin_user):
        response = as_admin.post(self.change_url(entry), self.form(entry))
        assert response.status_code == 200 and "errorlist" in page(response)
        entry.refresh_from_db()
        assert entry.value == Decimal("35")
        response = as_admin.post(self.change_url(entry), self.form(entry, change_reason="更正"))
        assert response.status_code == 302
        entry.refresh_from_db()
        assert entry.value == Decimal("36")
        record = entry.history.latest()
        assert (record.history_change_reason, record.history_user) == (
            "admin-edit: 更正",
            admin_user,
        )

    @pytest.mark.parametrize(
        "typed, said",
        [
            ("999999999999.9999999", "decimal places"),
            ("36.2512345", "decimal places"),
            ("-5", "cannot be negative"),
            ("1E+13", "10¹²"),
        ],
    )
    def test_a_figure_follows_the_targets_rules_as_on_the_entry_page(
        self, as_admin, entry, typed, said
    ):
        as_admin.cookies["django_language"] = "en"
        response = as_admin.post(
            self.change_url(entry), self.form(entry, value=typed, change_reason="更正")
        )
        assert response.status_code == 200 and said in page(response)
        entry.refresh_from_db()
        assert entry.value == Decimal("35")

    def test_a_figure_keeps_more_digits_than_the_target_shows(self, as_admin, entry):
        response = as_admin.post(
            self.change_url(entry), self.form(entry, value="36.25", change_reason="更正")
        )
        assert response.status_code == 302
        entry.refresh_from_db()
        assert entry.value == Decimal("36.25")

    def test_a_new_figure_follows_the_targets_rules(self, as_admin, gdp):
        as_admin.cookies["django_language"] = "en"
        data = {"target": gdp.pk, "year": 2024, "value": "1.2500001", "achieved": "True"}
        data.update(quality="final", note="", change_reason="补录", read_version=0)
        response = as_admin.post(reverse("admin:tracker_progressentry_add"), data)
        html = page(response)
        assert "decimal places" in html and "Only a milestone is achieved or not" in html
        assert not ProgressEntry.objects.exists()

    def test_the_state_cannot_be_set_in_the_admin(self, as_admin, entry):
        html = page(as_admin.get(self.change_url(entry)))
        assert 'name="state"' not in html and 'name="return_reason"' not in html
        as_admin.post(
            self.change_url(entry), self.form(entry, change_reason="改", state="approved")
        )
        entry.refresh_from_db()
        assert entry.state == "submitted"

    def test_values_show_without_trailing_zeros(self, as_admin, entry):
        html = page(as_admin.get(self.change_url(entry)))
        assert 'value="35"' in html and "35.000000" not in html
        target_page = reverse("admin:tracker_target_change", args=[entry.target.pk])
        html = page(as_admin.get(target_page))
        assert "35.000000" not in html and 'value="100"' in html
        statistic_page = reverse("admin:tracker_series_change", args=[entry.series_id])
        html = page(as_admin.get(statistic_page))
        assert "35.0" in html and "35.000000" not in html

    def test_closed_and_approved_figures_are_read_only(self, as_admin, entry, admin_user, plan):
        close(plan, YEAR, admin_user)
        html = page(as_admin.get(self.change_url(entry)))
        assert 'name="value"' not in html and "关闭" in html
        response = as_admin.post(self.change_url(entry), self.form(entry, change_reason="改"))
        assert response.status_code == 403
        writes.reopen_year(plan, YEAR, by=admin_user, reason="重新核对")
        workflow.approve(entry, by=admin_user, version=entry.version)
        response = as_admin.post(self.change_url(entry), self.form(entry, change_reason="改"))
        assert response.status_code == 403
        entry.refresh_from_db()
        assert entry.value == Decimal("35")

    def test_a_new_figure_in_a_closed_year_is_refused_with_the_reason(
        self, as_admin, gdp, admin_user, plan
    ):
        close(plan, 2024, admin_user)
        data = {
            "target": gdp.pk,
            "year": 2024,
            "value": "1",
            "quality": "final",
            "note": "",
            "change_reason": "补录",
            "read_version": 0,
        }
        response = as_admin.post(reverse("admin:tracker_progressentry_add"), data)
        assert response.status_code == 200 and "2024" in page(response)
        assert "关闭" in page(response)
        assert not ProgressEntry.objects.filter(year=2024).exists()

    def test_the_target_pages_year_rows_are_read_only(self, as_admin, entry):
        html = page(as_admin.get(reverse("admin:tracker_target_change", args=[entry.target.pk])))
        assert "entries-0-state" not in html and "entries-0-value" not in html
        assert self.change_url(entry) in html

    def test_approve_selected_says_why_it_refused(self, as_admin, entry, admin_user, plan):
        close(plan, YEAR, admin_user)
        changelist = reverse("admin:tracker_progressentry_changelist")
        response = as_admin.post(
            changelist,
            {"action": "approve_entries", "_selected_action": [entry.pk]},
            follow=True,
        )
        assert response.status_code == 200
        texts = [text for _level, text in notices(response)]
        assert "未审核任何数据。" in texts
        assert any("关闭" in text for text in texts)
        entry.refresh_from_db()
        assert entry.state == "submitted"

    def test_approve_selected_approves_what_it_may(self, as_admin, entry, admin_user):
        draft = factory.make_entry(factory.make_target(entry.target.plan), YEAR, "1", state="draft")
        changelist = reverse("admin:tracker_progressentry_changelist")
        response = as_admin.post(
            changelist,
            {"action": "approve_entries", "_selected_action": [entry.pk, draft.pk]},
            follow=True,
        )
        texts = [text for _level, text in notices(response)]
        assert texts[0] == "已审核通过 1 项数据。"
        assert "只有已提交的数据可以审核或退回" in texts[1]
        entry.refresh_from_db()
        draft.refresh_from_db()
        assert (entry.state, draft.state) == ("approved", "draft")

    def test_figures_are_not_deleted_or_restored_from_history_in_the_admin(self, as_admin, entry):
        delete = reverse("admin:tracker_progressentry_delete", args=[entry.pk])
        assert as_admin.post(delete, {"post": "yes"}).status_code == 403
        record = entry.history.latest()
        restore = reverse(
            "admin:tracker_progressentry_simple_history", args=[entry.pk, record.history_id]
        )
        response = as_admin.post(restore, self.form(entry, change_reason="恢复"))
        assert response.status_code == 403
        assert ProgressEntry.objects.filter(pk=entry.pk).exists()


class TestCodeShape:
    def test_an_import_payload_survives_json(self):
        import json

        from tracker.figures.import_rows import FigureRow

        row = FigureRow(
            sheet="填报",
            cell="F5",
            code="GDP",
            year=YEAR,
            target_id=1,
            entry_id=None,
            version=0,
            value="1.50",
            achieved=None,
            quality="final",
            note="",
            status="new",
        )
        assert FigureRow.from_json(json.loads(json.dumps(row.to_json()))) == row

    def test_services_import_no_excel_code(self):
        import ast
        import inspect

        tree = ast.parse(inspect.getsource(writes))
        imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [m for m in imported if m and m.startswith("tracker.excel")]

    def test_target_rules_are_the_models_said_at_their_cell(self, as_admin, seed_plan):
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = as_admin.get(reverse("tracker:targets-export", args=[seed_plan.slug]))
        wb = openpyxl.load_workbook(io.BytesIO(response.content))
        ws = wb["指标定义"]
        header = [c.value for c in ws[1]]
        row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "RD-SHARE")
        row[header.index("目标年份")].value = 2031
        out = io.BytesIO()
        wb.save(out)
        upload = SimpleUploadedFile("targets.xlsx", out.getvalue())
        response = as_admin.post(
            reverse("tracker:targets-import", args=[seed_plan.slug]), {"file": upload}
        )
        html = page(response)
        cell = row[header.index("目标年份")].coordinate
        assert cell in html and "目标年份不能晚于规划终止年份。" in html


def test_the_admin_history_shows_reasons_in_the_readers_language(client, gdp, admin_user):
    entry = factory.make_entry(gdp, YEAR, "35", state="submitted")
    workflow.approve(entry, by=admin_user, version=entry.version)
    client.force_login(admin_user)
    url = reverse("admin:tracker_progressentry_history", args=[entry.pk])
    assert "审核通过" in page(client.get(url))


def test_closed_years_and_imports_are_not_deleted_in_the_admin(as_admin, plan, admin_user):
    closed = close(plan, YEAR, admin_user)
    url = reverse("admin:tracker_closedyear_delete", args=[closed.pk])
    assert as_admin.post(url, {"post": "yes"}).status_code == 403
    assert ClosedYear.objects.filter(pk=closed.pk).exists()


def test_a_target_with_figures_is_not_deleted_in_the_admin(as_admin, gdp):
    factory.make_entry(gdp, YEAR, "35")
    url = reverse("admin:tracker_target_delete", args=[gdp.pk])
    assert as_admin.post(url, {"post": "yes"}).status_code == 403
    assert ProgressEntry.objects.filter(series=gdp.series_id).exists()


def test_a_department_member_without_the_reporters_role_is_told_why(client, plan, gdp, department):
    member = factory.make_user("member", departments=[department])
    client.force_login(member)
    response = client.get(entry_url(plan))
    assert "填报数据需要“填报员”角色" in page(response)
    assert f'name="t{gdp.pk}-value"' not in page(response)
    response = post_entry(client, plan, gdp, "120")
    assert not ProgressEntry.objects.exists()
    data = io.BytesIO(workbook([["指标代码", YEAR], ["GDP", 130]]))
    data.name = "f.xlsx"
    response = client.post(reverse("tracker:import", args=[plan.slug]), {"file": data})
    assert "填报数据需要“填报员”角色" in page(response)
    assert "该指标由统计局牵头" not in page(response) and not ProgressEntry.objects.exists()
