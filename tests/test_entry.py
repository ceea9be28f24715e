"""Reporting staff enter figures; administrators approve, return, reopen and close years."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factory
from tracker.models import ClosedYear, ProgressEntry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def plan(db):
    return factory.make_plan(slug="city-14th")


@pytest.fixture
def gdp(plan, department):
    return factory.make_target(
        plan, code="GDP", name="地区生产总值", lead_department=department, comparable_growth=True
    )


@pytest.fixture
def zone(plan, department):
    return factory.make_milestone(plan, lead_department=department)


@pytest.fixture
def revenue(plan, other_department):
    return factory.make_target(plan, code="REV", name="财政收入", lead_department=other_department)


@pytest.fixture
def as_reporter(client, reporter):
    client.login(username=reporter.username, password=factory.PASSWORD)
    return client


@pytest.fixture
def as_admin(client, admin_user):
    client.login(username=admin_user.username, password=factory.PASSWORD)
    return client


def entry_url(plan, year=2023):
    return reverse("tracker:data-entry", args=[plan.slug, year])


def row(target, value="", quality="preliminary", note="", version=0, field="value"):
    prefix = f"t{target.pk}"
    return {
        f"{prefix}-{field}": value,
        f"{prefix}-quality": quality,
        f"{prefix}-note": note,
        f"{prefix}-version": version,
    }


def post(client, plan, *rows, year=2023, action="draft", files=None):
    data = {action: "1"}
    for r in rows:
        data.update(r)
    data.update(files or {})
    return client.post(entry_url(plan, year), data, follow=True)


class TestSignIn:
    def test_anonymous_users_see_only_the_login_page(self, client, gdp, plan):
        for url in [
            reverse("tracker:plan-list"),
            plan.get_absolute_url(),
            gdp.get_absolute_url(),
            entry_url(plan),
            reverse("tracker:approvals"),
        ]:
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))

    def test_the_login_page_speaks_chinese(self, client, db):
        html = client.get(reverse("login")).content.decode()
        assert "登录" in html and "用户名" in html and "密码" in html

    def test_signing_out_says_so_in_chinese(self, client, reporter):
        client.force_login(reporter)
        response = client.post(reverse("logout"), follow=True)
        assert "您已退出" in response.content.decode()
        assert client.get(reverse("tracker:plan-list")).status_code == 302

    def test_roles_exist_as_groups(self, db):
        from django.contrib.auth.models import Group

        assert set(Group.objects.values_list("name", flat=True)) >= {"administrators", "reporters"}


class TestDepartmentScope:
    def test_the_page_offers_only_targets_the_department_leads(
        self, as_reporter, plan, gdp, revenue
    ):
        html = as_reporter.get(entry_url(plan)).content.decode()
        assert "地区生产总值" in html
        assert "财政收入" not in html

    def test_a_form_posted_for_another_departments_target_writes_nothing(
        self, as_reporter, plan, gdp, revenue
    ):
        response = post(as_reporter, plan, row(gdp, "110"), row(revenue, "99"))
        assert (
            "nothing was saved" in response.content.decode()
            or "未保存" in response.content.decode()
        )
        assert not ProgressEntry.objects.exists()

    def test_everyone_signed_in_reads_every_target(self, client, outsider, revenue):
        client.login(username=outsider.username, password=factory.PASSWORD)
        assert client.get(revenue.get_absolute_url()).status_code == 200

    def test_reporters_cannot_open_the_approval_page(self, as_reporter, gdp):
        assert as_reporter.get(reverse("tracker:approvals")).status_code == 403


class TestSaving:
    def test_save_draft_then_submit(self, as_reporter, plan, gdp, reporter):
        post(as_reporter, plan, row(gdp, "112.5", note="初步统计"))
        entry = ProgressEntry.objects.get(series=gdp.series_id, year=2023)
        assert (entry.value, entry.state, entry.entered_by) == (Decimal("112.5"), "draft", reporter)
        post(
            as_reporter,
            plan,
            row(gdp, "112.5", note="初步统计", version=entry.version),
            action="submit",
        )
        entry.refresh_from_db()
        assert entry.state == "submitted"

    def test_milestones_take_yes_or_no(self, as_reporter, plan, zone):
        post(as_reporter, plan, row(zone, "yes", field="achieved"), action="submit")
        entry = ProgressEntry.objects.get(series=zone.series_id)
        assert entry.achieved is True and entry.value is None

    def test_the_page_shows_last_years_figure_target_and_expected_value(
        self, as_reporter, plan, gdp
    ):
        factory.make_entry(gdp, 2022, "131.5")
        html = as_reporter.get(entry_url(plan)).content.decode()
        assert "131.5" in html  # last year's figure
        assert "200.0" in html  # the target
        assert "160.0" in html  # expected in 2023: 100 + 100 x 3/5

    @pytest.mark.parametrize(
        "typed, reason",
        [
            ("12a", "is not a number"),
            ("12.3456789", "more than 6 decimal places"),
            ("-5", "cannot be negative"),
        ],
    )
    def test_bad_figures_are_explained_beside_their_row_and_nothing_is_saved(
        self, as_reporter, plan, gdp, zone, typed, reason, settings
    ):
        settings.LANGUAGE_CODE = "en"
        as_reporter.cookies["django_language"] = "en"
        response = post(as_reporter, plan, row(gdp, typed), row(zone, "yes", field="achieved"))
        html = response.content.decode()
        assert reason in html
        assert 'id="row-GDP" class="has-error' in html
        assert not ProgressEntry.objects.exists()

    def test_errors_are_in_chinese_by_default(self, as_reporter, plan, gdp):
        html = post(as_reporter, plan, row(gdp, "十二")).content.decode()
        assert "不是数字" in html

    def test_full_width_digits_and_thousands_separators_are_read(self, as_reporter, plan, gdp):
        factory.make_entry(gdp, 2022, "1200.0")  # so that 1234.5 is a plausible next figure
        post(as_reporter, plan, row(gdp, "１,２３４.５"))
        assert ProgressEntry.objects.get(series=gdp.series_id, year=2023).value == Decimal("1234.5")

    def test_a_year_outside_the_plan_is_refused_with_a_message(self, as_reporter, plan, gdp):
        response = as_reporter.post(entry_url(plan, 2031), row(gdp, "120") | {"draft": "1"})
        assert response.status_code == 404
        assert "2031" in response.content.decode()
        assert not ProgressEntry.objects.exists()

    def test_a_page_with_a_locked_row_saves_the_open_ones(self, as_reporter, plan, gdp, zone):
        factory.make_entry(gdp, 2023, "100.0")  # approved: no inputs on the page
        html = as_reporter.get(entry_url(plan)).content.decode()
        assert f'name="t{gdp.pk}-value"' not in html
        post(as_reporter, plan, row(zone, "yes", field="achieved"), action="submit")
        assert ProgressEntry.objects.get(series=zone.series_id).state == "submitted"

    def test_blank_rows_are_left_alone(self, as_reporter, plan, gdp, zone):
        post(as_reporter, plan, row(gdp, "120"), row(zone, "", field="achieved"))
        assert list(ProgressEntry.objects.values_list("series__indicator__code", flat=True)) == [
            "GDP"
        ]


class TestWorkflow:
    def test_return_resubmit_approve_lock_and_history(
        self, client, plan, gdp, reporter, admin_user
    ):
        # 1. the reporter submits
        client.force_login(reporter)
        post(client, plan, row(gdp, "150.0"), action="submit")
        entry = ProgressEntry.objects.get(series=gdp.series_id)
        # 2. the administrator returns it, with a reason (none refused)
        client.force_login(admin_user)
        url = reverse("tracker:return-entry", args=[entry.pk])
        client.post(url, {"reason": "  ", "version": entry.version})
        entry.refresh_from_db()
        assert entry.state == "submitted"
        client.post(url, {"reason": "请核对统计口径", "version": entry.version})
        entry.refresh_from_db()
        assert (entry.state, entry.return_reason) == ("returned", "请核对统计口径")
        # 3. the reporter sees the reason, corrects and resubmits
        client.force_login(reporter)
        html = client.get(entry_url(plan)).content.decode()
        assert "请核对统计口径" in html
        post(client, plan, row(gdp, "148.0", version=entry.version), action="submit")
        entry.refresh_from_db()
        assert (entry.state, entry.value) == ("submitted", Decimal("148.0"))
        # 4. the administrator approves from the approval page
        client.force_login(admin_user)
        html = client.get(reverse("tracker:approvals")).content.decode()
        assert "148.0" in html
        client.post(reverse("tracker:approve"), {"entry": [f"{entry.pk}:{entry.version}"]})
        entry.refresh_from_db()
        assert (entry.state, entry.reviewed_by) == ("approved", admin_user)
        # 5. locked for the reporter, who is told why
        client.force_login(reporter)
        html = client.get(entry_url(plan)).content.decode()
        assert "已审核" in html and "重新打开" in html  # approved ... ask to reopen
        response = post(client, plan, row(gdp, "1.0", version=entry.version), action="submit")
        entry.refresh_from_db()
        assert entry.value == Decimal("148.0")
        assert "未保存" in response.content.decode()
        # 6. the target page lists every step
        html = client.get(gdp.get_absolute_url()).content.decode()
        for step in ["150.0", "148.0", "请核对统计口径", "已提交", "已退回", "已审核"]:
            assert step in html, step
        states = list(entry.history.order_by("history_date").values_list("state", flat=True))
        assert states == ["submitted", "returned", "submitted", "approved"]

    def test_approve_many_at_once(self, as_admin, plan, gdp, revenue):
        a = factory.make_entry(gdp, 2023, "120", state="submitted")
        b = factory.make_entry(revenue, 2023, "130", state="submitted")
        as_admin.post(
            reverse("tracker:approve"), {"entry": [f"{a.pk}:{a.version}", f"{b.pk}:{b.version}"]}
        )
        assert set(ProgressEntry.objects.values_list("state", flat=True)) == {"approved"}

    def test_only_approved_figures_count(self, plan, gdp):
        factory.make_entry(gdp, 2023, "300", state="submitted")
        assert gdp.assess(2023).status == "no_data"

    def test_reopening_a_figure_needs_a_reason_and_unlocks_it(
        self, client, plan, gdp, reporter, admin_user
    ):
        entry = factory.make_entry(gdp, 2023, "120", quality="estimate")
        client.force_login(admin_user)
        url = reverse("tracker:reopen-entry", args=[entry.pk])
        client.post(url, {"reason": "", "version": entry.version})
        entry.refresh_from_db()
        assert entry.state == "approved"
        client.post(url, {"reason": "统计局修订为最终数", "version": entry.version})
        entry.refresh_from_db()
        assert entry.state == "returned" and "统计局修订为最终数" in entry.return_reason
        # the reporter revises the estimate to the final figure; the earlier value is kept
        client.force_login(reporter)
        post(
            client, plan, row(gdp, "118.4", quality="final", version=entry.version), action="submit"
        )
        entry.refresh_from_db()
        assert (entry.value, entry.quality) == (Decimal("118.4"), "final")
        values = [h.value for h in entry.history.order_by("history_date")]
        assert Decimal("120") in values and Decimal("118.4") in values


class TestClosedYear:
    def test_a_closed_year_is_locked_and_says_by_whom_and_why(
        self, client, plan, gdp, reporter, admin_user
    ):
        client.force_login(admin_user)
        client.post(
            reverse("tracker:close-year", args=[plan.slug, 2023]),
            {"reason": "统计公报已发布", "confirm": "1"},
        )
        closed = ClosedYear.objects.get(region=plan.region, year=2023)
        assert closed.closed_by == admin_user
        client.force_login(reporter)
        html = client.get(entry_url(plan)).content.decode()
        assert "统计公报已发布" in html and admin_user.username in html
        response = post(client, plan, row(gdp, "120"), action="submit")
        assert not ProgressEntry.objects.exists()
        assert "已关闭" in response.content.decode()

    def test_a_closed_year_refuses_approvals_too(self, as_admin, admin_user, plan, gdp):
        entry = factory.make_entry(gdp, 2023, "120", state="submitted")
        ClosedYear.objects.create(region=plan.region, plan=plan, year=2023, closed_by=admin_user)
        as_admin.post(reverse("tracker:approve"), {"entry": [f"{entry.pk}:{entry.version}"]})
        entry.refresh_from_db()
        assert entry.state == "submitted"

    def test_reopening_a_year_needs_a_reason_which_is_kept(self, as_admin, admin_user, plan):
        ClosedYear.objects.create(region=plan.region, plan=plan, year=2023, closed_by=admin_user)
        url = reverse("tracker:reopen-year", args=[plan.slug, 2023])
        as_admin.post(url, {"reason": ""})
        assert ClosedYear.objects.filter(plan=plan, year=2023).exists()
        as_admin.post(url, {"reason": "统计局更正2023年数据"})
        assert not ClosedYear.objects.filter(plan=plan, year=2023).exists()
        last = ClosedYear.history.latest()
        assert last.history_type == "-" and last.history_change_reason == "统计局更正2023年数据"
        assert last.history_user == admin_user


class TestNoLostUpdates:
    def test_the_second_of_two_concurrent_saves_is_refused_with_the_first_value(
        self, client, plan, gdp, reporter, department
    ):
        colleague = factory.make_user("colleague", role="reporter", departments=[department])
        entry = factory.make_entry(gdp, 2023, "100.0", state="draft")
        version_both_read = entry.version
        client.force_login(reporter)
        post(client, plan, row(gdp, "111.1", version=version_both_read))
        client.force_login(colleague)
        response = post(client, plan, row(gdp, "222.2", version=version_both_read))
        entry.refresh_from_db()
        assert entry.value == Decimal("111.1")
        html = response.content.decode()
        assert "111.1" in html and "reporter" in html

    def test_a_stale_form_for_a_new_figure_is_refused(self, client, plan, gdp, reporter):
        client.force_login(reporter)
        factory.make_entry(gdp, 2023, "100.0", state="draft")  # created after the form was read
        post(client, plan, row(gdp, "111.1", version=0))
        assert ProgressEntry.objects.get(series=gdp.series_id).value == Decimal("100.0")


class TestEvidence:
    def test_a_pdf_is_attached_and_downloads_for_signed_in_users_only(
        self, as_reporter, client, plan, gdp, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        upload = SimpleUploadedFile("公报.pdf", PDF, content_type="application/pdf")
        post(as_reporter, plan, row(gdp, "120"), files={f"t{gdp.pk}-evidence": upload})
        entry = ProgressEntry.objects.get(series=gdp.series_id)
        url = reverse("tracker:evidence", args=[entry.pk])
        response = as_reporter.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        as_reporter.logout()
        assert as_reporter.get(url).status_code == 302

    def test_a_renamed_text_file_is_refused(self, as_reporter, plan, gdp, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        upload = SimpleUploadedFile("report.pdf", b"just some text", content_type="application/pdf")
        response = post(as_reporter, plan, row(gdp, "120"), files={f"t{gdp.pk}-evidence": upload})
        assert "report.pdf" in response.content.decode()
        assert not ProgressEntry.objects.exists()

    def test_a_file_over_the_size_limit_is_refused(
        self, as_reporter, plan, gdp, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        settings.EVIDENCE_MAX_BYTES = 100
        upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 200, content_type="application/pdf")
        response = post(as_reporter, plan, row(gdp, "120"), files={f"t{gdp.pk}-evidence": upload})
        assert "100" in response.content.decode()
        assert not ProgressEntry.objects.exists()


class TestFiguresAsBulletinsStateThem:
    """A bulletin gives a level at current prices and a growth at comparable prices."""

    @pytest.fixture
    def english(self, as_reporter, settings):
        settings.LANGUAGE_CODE = "en"
        as_reporter.cookies["django_language"] = "en"
        return as_reporter

    def stored(self, target, year=2023):
        return ProgressEntry.objects.get(series=target.series_id, year=year)

    def test_the_bulletins_sentence_pasted_as_it_stands_gives_level_and_growth(
        self, as_reporter, plan, gdp
    ):
        post(as_reporter, plan, row(gdp, "地区生产总值160亿元，按可比价格计算增长3.1%"))
        entry = self.stored(gdp)
        assert (entry.value, entry.growth) == (Decimal("160"), Decimal("3.1"))
        assert entry.history.latest().growth == Decimal("3.1")

    @pytest.mark.parametrize(
        "typed, growth",
        [
            ("增长3.1%", "3.1"),
            ("按可比口径增长15.7%", "15.7"),
            ("下降2.3%", "-2.3"),
            ("固定资产投资增长12%", "12"),
            ("4.1%", "4.1"),  # a percentage cannot be an amount in 亿元
        ],
    )
    def test_a_rate_alone_is_a_growth_without_a_level(self, as_reporter, plan, gdp, typed, growth):
        post(as_reporter, plan, row(gdp, typed), action="submit")
        entry = self.stored(gdp)
        assert entry.value is None and entry.growth == Decimal(growth)
        assert entry.state == "submitted"

    def test_the_growth_box_takes_the_rate_with_its_own_quality_and_source(
        self, as_reporter, plan, gdp
    ):
        data = row(gdp, "160", quality="preliminary") | {
            f"t{gdp.pk}-growth": "3.1",
            f"t{gdp.pk}-growth_quality": "final",
            f"t{gdp.pk}-source": "2023年统计公报",
            f"t{gdp.pk}-growth_source": "2024年政府工作报告",
        }
        post(as_reporter, plan, data)
        entry = self.stored(gdp)
        assert (entry.value, entry.growth, entry.growth_quality) == (
            Decimal("160"),
            Decimal("3.1"),
            "final",
        )
        assert (entry.source, entry.growth_source) == ("2023年统计公报", "2024年政府工作报告")

    def test_a_level_in_another_unit_is_refused_naming_both(self, english, plan, gdp):
        html = post(english, plan, row(gdp, "地区生产总值160万元，增长3.1%")).content.decode()
        assert "is given in 万元, but this target is measured in 亿元" in html
        assert not ProgressEntry.objects.exists()

    def test_a_growth_at_current_prices_is_refused(self, english, plan, gdp):
        html = post(english, plan, row(gdp, "按现价计算增长5.2%")).content.decode()
        assert "comparable prices" in html and 'id="row-GDP" class="has-error' in html
        assert not ProgressEntry.objects.exists()

    def test_two_different_rates_on_one_row_are_refused(self, english, plan, gdp):
        data = row(gdp, "增长3.1%") | {f"t{gdp.pk}-growth": "2.9"}
        html = post(english, plan, data).content.decode()
        assert "keep one" in html
        assert not ProgressEntry.objects.exists()

    def test_a_share_takes_no_growth_rate(self, english, plan, department):
        share = factory.make_target(
            plan,
            code="RD",
            name="研发投入强度",
            unit="%",
            decimal_places=2,
            lead_department=department,
        )
        html = post(english, plan, row(share, "增长3%")).content.decode()
        assert "takes no growth rate" in html
        assert f'name="t{share.pk}-growth"' not in html
        assert not ProgressEntry.objects.exists()

    def test_every_reported_digit_is_kept_and_shown_back(self, as_reporter, plan, gdp):
        factory.make_entry(gdp, 2022, "3.5")
        post(as_reporter, plan, row(gdp, "3.76"))
        entry = self.stored(gdp)
        assert entry.value == Decimal("3.76")  # the target shows one decimal
        html = as_reporter.get(entry_url(plan)).content.decode()
        assert f'name="t{gdp.pk}-value" value="3.76"' in html
        # The page sent back as it is changes nothing.
        post(as_reporter, plan, row(gdp, "3.76", version=entry.version))
        assert self.stored(gdp).version == entry.version

    def test_a_later_years_rate_alone_keeps_the_earlier_level(self, as_reporter, plan, gdp):
        factory.make_entry(gdp, 2022, "160", growth=Decimal("3.1"))
        post(as_reporter, plan, row(gdp, "增长5.4%"), action="submit")
        assert self.stored(gdp, 2022).value == Decimal("160")
        assert self.stored(gdp).growth == Decimal("5.4")
        html = as_reporter.get(entry_url(plan)).content.decode()
        assert f'name="t{gdp.pk}-growth" value="5.4"' in html

    def test_the_targets_page_shows_the_growth_in_its_figures_and_history(
        self, as_reporter, plan, gdp
    ):
        post(as_reporter, plan, row(gdp, "地区生产总值160亿元，按可比价格计算增长3.1%"))
        post(as_reporter, plan, row(gdp, "160亿元，增长3.4%", version=1))
        html = as_reporter.get(gdp.get_absolute_url()).content.decode()
        assert "可比价增速" in html
        assert html.count("3.4%") >= 2  # the figure, and its change in the history
        assert "增速 3.1%" in html  # the growth before the change


class TestEveryReportedDigitWhereFiguresAreChecked:
    """A figure typed as 205.36 in a target of one display decimal is checked as 205.36."""

    def test_approvers_see_every_digit_the_growth_and_a_grouped_change(
        self, client, admin_user, plan, gdp
    ):
        factory.make_entry(gdp, 2022, "160")
        factory.make_entry(gdp, 2023, "205.36", growth=Decimal("3.1"), state="submitted")
        big = factory.make_target(plan, code="POP", name="常住人口", unit="人")
        factory.make_entry(big, 2022, "32300")
        factory.make_entry(big, 2023, "34100", state="submitted")
        client.force_login(admin_user)
        html = client.get(reverse("tracker:approvals")).content.decode()
        assert "205.36" in html and "205.4" not in html
        assert "增速 3.1%" in html  # the growth GDP's status rests on, beside its level
        assert "+45.36" in html
        assert "32,300.0" in html and "34,100.0" in html and "+1,800.0" in html

    def test_the_targets_figures_and_history_show_every_digit(self, as_reporter, plan, gdp):
        factory.make_entry(gdp, 2022, "160", growth=Decimal("6"))
        post(as_reporter, plan, row(gdp, "205.36"))
        html = as_reporter.get(gdp.get_absolute_url()).content.decode()
        table = html.split('class="table figures"')[1].split("</table>")[0]
        history = html.split('class="table history"')[1].split("</table>")[0]
        assert "205.36" in table and "205.36" in history  # the yearly figures table and the history
        assert "6.0%" in html  # a growth keeps at least one decimal

    def test_the_entry_page_shows_last_years_figure_with_every_digit(self, as_reporter, plan, gdp):
        factory.make_entry(gdp, 2022, "198.24")
        html = as_reporter.get(entry_url(plan)).content.decode()
        assert "198.24" in html


class TestARateAloneKeepsTheLevel:
    def stored(self, target, year=2023):
        return ProgressEntry.objects.get(series=target.series_id, year=year)

    def test_a_rate_typed_in_the_value_box_of_a_stored_level_keeps_the_level(
        self, as_reporter, plan, gdp
    ):
        entry = factory.make_entry(gdp, 2023, "160", state="draft")
        post(as_reporter, plan, row(gdp, "增长5.2%", version=entry.version))
        entry.refresh_from_db()
        assert (entry.value, entry.growth) == (Decimal("160"), Decimal("5.2"))

    def test_emptying_the_value_box_removes_the_level(self, as_reporter, plan, gdp):
        entry = factory.make_entry(gdp, 2023, "160", growth=Decimal("5.2"), state="draft")
        data = row(gdp, "", version=entry.version) | {f"t{gdp.pk}-growth": "5.2"}
        post(as_reporter, plan, data)
        entry.refresh_from_db()
        assert (entry.value, entry.growth) == (None, Decimal("5.2"))

    def test_the_growth_box_says_what_it_holds(self, as_reporter, plan, gdp):
        html = as_reporter.get(entry_url(plan)).content.decode()
        assert "keeps the level" in html or "保留" in html
