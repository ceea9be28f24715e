"""A round of reporting asks only for what can be done: closing tells the truth, homes and
the departments page ask for the years open for reporting, and an administrator can remind
a department now.

A year is open for reporting once it has ended and until it is closed
(`Plan.reporting_lock`). "Today" is the real one, as in the other tests: the demo's 2025 is
over, its deadline (2026-03-31) passed, and the 15th plan's 2030 lies ahead.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests import factory
from tracker.figures import writes
from tracker.models import ClosedYear, Deadline, Department, ProgressEntry
from tracker.reminders import deadlines

PASSWORD = "lingyuan-demo-2025"
TODAY = deadlines.today


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


def as_user(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def text(response) -> str:
    """The page's words, without tags."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def close_url(slug, year):
    return reverse("tracker:close-year", args=[slug, year])


def home_cards(client) -> list[str]:
    """The headings of the work cards on the home page: 'plan · year'."""
    html = client.get("/").content.decode()
    return re.findall(r'<div class="work-card[^"]*">\s*<h2>([^<]*)</h2>', html)


# -- 5. closing tells the truth -----------------------------------------------------------


class TestClosing:
    def test_2030_of_the_15th_plan_cannot_be_closed_and_no_button_is_offered(
        self, client, demo_plans
    ):
        as_user(client, "admin")
        page = client.get(close_url("lingyuan-15th", 2030))
        words = text(page)
        assert "2030年尚未结束" in words and "2031年1月1日" in words
        assert 'name="confirm"' not in page.content.decode()
        assert "所有数据均已审核" not in words
        approvals = client.get(reverse("tracker:approvals")).content.decode()
        assert close_url("lingyuan-15th", 2030) not in approvals

    def test_a_post_to_close_2030_closes_nothing_and_says_why(self, client, demo_plans):
        as_user(client, "admin")
        response = client.post(
            close_url("lingyuan-15th", 2030), {"reason": "试试", "confirm": "1"}, follow=True
        )
        assert not ClosedYear.objects.exists()
        assert "2030年尚未结束" in text(response)

    def test_the_write_itself_refuses_a_year_not_over(self, demo_plans, admin_user):
        fourteenth, fifteenth = demo_plans
        with pytest.raises(writes.Refused, match="尚未结束"):
            writes.close_year(fifteenth, TODAY().year, by=admin_user, reason="x")

    def test_2025_lists_its_missing_and_unapproved_figures_with_counts(self, client, demo_plan):
        as_user(client, "admin")
        page = client.get(close_url(demo_plan.slug, 2025))
        words = text(page)
        assert "该年度尚有：缺 5 项数据，5 项数据未审核" in words
        assert "缺数据：5 项指标尚无数据" in words and "未审核：5 项数据" in words
        missing = page.content.decode().split('id="missing-figures"')[1].split("</table>")[0]
        for code in ["COUNTY-RANK", "RD-SHARE", "HIGH-TECH-ZONE", "URBAN-POPULATION"]:
            assert code in missing
        assert "统计局" in missing and "科技局" in missing
        # A milestone completed earlier is not asked for again.
        assert "ECON-DEV-ZONE" not in missing
        unapproved = page.content.decode().split('id="open-figures"')[1]
        assert "已提交" in unapproved and "草稿" in unapproved and "已退回" in unapproved
        assert "所有数据均已审核" not in words
        assert 'name="confirm"' in page.content.decode()

    def test_the_close_page_speaks_english_too(self, client, demo_plan):
        as_user(client, "admin")
        client.cookies["django_language"] = "en"
        words = text(client.get(close_url(demo_plan.slug, 2025)))
        assert "This year still lacks: 5 figures missing, 5 figures not approved." in words
        assert "Missing: 5 targets with no figure" in words

    @pytest.mark.parametrize(
        "language, said, never",
        [
            ("zh-hans", "该年度尚有：缺 10 项数据。", "0 项数据未审核"),
            ("en", "This year still lacks: 10 figures missing.", "0 figures not approved"),
        ],
    )
    def test_a_count_of_none_is_left_out(self, client, demo_plan, language, said, never):
        ProgressEntry.objects.filter(year=2025).exclude(state="approved").delete()
        as_user(client, "admin")
        client.cookies["django_language"] = language
        words = text(client.get(close_url(demo_plan.slug, 2025)))
        assert said in words and never not in words

    def test_a_year_before_its_deadline_cannot_be_closed_until_the_deadline_passes(
        self, client, admin_user
    ):
        plan = factory.make_plan()
        factory.make_entry(factory.make_target(plan), 2024, 100)
        deadline = Deadline.objects.create(plan=plan, year=2024, due=TODAY() + timedelta(days=5))
        lock = writes.close_lock(plan, 2024)
        assert lock.code == "before_deadline" and deadline.due.strftime("%Y-%m-%d") in lock
        client.force_login(admin_user)
        client.post(close_url(plan.slug, 2024), {"reason": "早", "confirm": "1"})
        assert not ClosedYear.objects.exists()
        deadline.due = TODAY() - timedelta(days=1)
        deadline.save()
        client.post(close_url(plan.slug, 2024), {"reason": "公报已发布", "confirm": "1"})
        assert ClosedYear.objects.get().year == 2024

    def test_a_complete_year_says_so(self, client, admin_user):
        plan = factory.make_plan(start_year=2021, end_year=2021)
        factory.make_entry(factory.make_target(plan), 2021, 150)
        client.force_login(admin_user)
        words = text(client.get(close_url(plan.slug, 2021)))
        assert "该年度每项指标均已填报，且所有数据均已审核" in words

    def test_the_evaluation_page_counts_figures_not_approved_by_state(self, client, demo_plan):
        as_user(client, "admin")
        page = client.get(reverse("tracker:evaluation-freeze", args=[demo_plan.slug]))
        assert "2025年：5 项数据未审核（草稿 1、已提交 3、已退回 1）" in text(page)


# -- 6. only what can be done is asked for --------------------------------------------------


class TestOpenYears:
    def test_the_rule_open_after_the_year_ends_until_it_is_closed(self, admin_user):
        plan = factory.make_plan(start_year=2021, end_year=TODAY().year + 1)
        years = plan.reporting_years()
        assert years == list(range(2020, TODAY().year))
        assert plan.reporting_lock(TODAY().year).code == "year_not_over"
        writes.close_year(plan, 2021, by=admin_user, reason="公报已发布")
        plan.forget_closed_years()
        assert 2021 not in plan.reporting_years()
        assert plan.reporting_lock(2021).code == "closed_year"

    def test_a_reporters_home_asks_only_for_open_years_each_with_its_deadline(
        self, client, demo_plans
    ):
        as_user(client, "fagai")
        cards = home_cards(client)
        years = [int(card.rsplit("·", 1)[1]) for card in cards]
        assert years and all(year < TODAY().year for year in years)
        # The 15th plan's baseline year is the 14th's 2025, asked for once, there.
        assert not [card for card in cards if "十五五" in card and "2025" in card]
        html = client.get("/").content.decode()
        assert re.search(r"2025年数据报送 截止 2026-03-31，已逾期 \d+ 天", text(client.get("/")))
        assert 'class="deadline overdue"' in html

    def test_once_the_earlier_years_are_closed_only_2025_is_asked_for(self, client, demo_plans):
        as_user(client, "admin")
        for year in range(2020, 2025):
            response = client.post(
                close_url("lingyuan-14th", year), {"reason": "已审定", "confirm": "1"}
            )
            assert response.status_code == 302
        assert ClosedYear.objects.count() == 5
        admin_home = text(client.get("/"))
        assert not re.search(r"凌源市“十四五”规划 202[0-4] :", admin_home)
        as_user(client, "fagai")
        assert [card.split("·")[1].strip() for card in home_cards(client)] == ["2025"]
        as_user(client, "keji")  # R&D spending is the 15th plan's own: its 2025 is asked
        assert [c.replace(" ", "") for c in home_cards(client)] == [
            "凌源市“十五五”规划（示例数据）·2025",
            "凌源市“十四五”规划·2025",
        ]

    def test_the_departments_page_shows_no_red_and_no_missing_for_years_not_over(
        self, client, demo_plans
    ):
        as_user(client, "admin")
        html = client.get(reverse("tracker:departments", args=["lingyuan-15th"])).content.decode()
        rows = html.split("<tbody>")[1].split("</tbody>")[0]
        cells = re.findall(r'<td class="dept-cell([^"]*)">(.*?)</td>', rows, flags=re.S)
        years = list(range(2025, 2031))
        by_year = {}
        for i, (classes, body) in enumerate(cells):
            by_year.setdefault(years[i % len(years)], []).append((classes, body))
        for year in range(TODAY().year, 2031):
            for classes, body in by_year[year]:
                assert "not-open" in classes and "overdue" not in classes and "late" not in classes
                assert "∅" not in body and "Remind" not in body
        assert "尚未开始报送" in html and "红色：已过报送期限" in html

    def test_a_closed_year_no_longer_shows_red(self, client, demo_plan, admin_user):
        as_user(client, "admin")
        url = reverse("tracker:departments", args=[demo_plan.slug])
        assert "dept-cell late overdue" in client.get(url).content.decode()
        writes.close_year(demo_plan, 2025, by=admin_user, reason="公报已发布")
        html = client.get(url).content.decode()
        assert " overdue" not in html.split("<tbody>")[1] and "已关闭" in html

    def test_reminders_are_not_sent_for_a_year_not_over(self, demo_plans):
        with pytest.raises(CommandError, match="尚未结束|has not ended"):
            call_command("send_reminders", "--plan", "lingyuan-15th", "--year", "2030")


# -- 7. remind now ---------------------------------------------------------------------------


def remind(client, slug, year, department=None, **extra):
    data = {"year": year}
    if department is not None:
        data["department"] = department.pk
    return client.post(
        reverse("tracker:remind-departments", args=[slug]), data, follow=True, **extra
    )


class TestRemindNow:
    def test_reminding_one_department_twice_in_a_day_says_it_was_already_reminded(
        self, client, demo_plan
    ):
        statistics = Department.objects.get(name="统计局")
        as_user(client, "admin")
        first = text(remind(client, demo_plan.slug, 2025, statistics))
        assert "已提醒 1 人报送2025年数据：统计局填报员（2 项数据）" in first
        assert [m.to for m in mail.outbox] == [["tongji@example.org"]]
        assert "INCOME-GROWTH" in mail.outbox[0].body
        second = text(remind(client, demo_plan.slug, 2025, statistics))
        assert "未提醒 1 人：统计局填报员：今天已提醒过" in second
        assert len(mail.outbox) == 1

    def test_reminding_all_names_who_was_reminded_and_who_was_skipped(self, client, demo_plan):
        zhujian = get_user_model().objects.get(username="zhujian")
        zhujian.email = ""
        zhujian.save()
        as_user(client, "admin")
        client.cookies["django_language"] = "en"
        words = text(remind(client, demo_plan.slug, 2025))
        assert sorted(address for m in mail.outbox for address in m.to) == [
            "fagai@example.org",
            "keji@example.org",
            "tongji@example.org",
        ]
        assert "Reminded 3 people of the 2025 figures:" in words
        assert "Not reminded, 1 person: 住建局填报员: no email address." in words

    def test_chinese_lists_use_chinese_punctuation(self, client, demo_plan):
        as_user(client, "admin")
        first = text(remind(client, demo_plan.slug, 2025))
        assert "项数据）、" in first and "), " not in first
        second = text(remind(client, demo_plan.slug, 2025))
        assert "今天已提醒过；" in second and "; " not in second

    def test_a_reporter_cannot_remind(self, client, demo_plan):
        as_user(client, "tongji")
        response = remind(client, demo_plan.slug, 2025)
        assert response.status_code == 403 and mail.outbox == []
        page = client.get(reverse("tracker:departments", args=[demo_plan.slug]))
        assert "remind-departments" not in page.content.decode()
        assert reverse("tracker:remind-departments", args=[demo_plan.slug]) not in text(page)

    def test_a_department_of_another_plan_is_not_found(self, client, demo_plan, department):
        as_user(client, "admin")
        assert remind(client, demo_plan.slug, 2025, department).status_code == 404
        assert mail.outbox == []

    def test_a_year_not_open_for_reporting_reminds_nobody(self, client, demo_plans):
        as_user(client, "admin")
        words = text(remind(client, "lingyuan-15th", 2030))
        assert "未提醒任何人：2030年尚未结束" in words and mail.outbox == []

    def test_only_a_post_with_its_token_reminds(self, client, demo_plan):
        as_user(client, "admin")
        url = reverse("tracker:remind-departments", args=[demo_plan.slug])
        assert client.get(url).status_code == 405
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        strict.force_login(get_user_model().objects.get(username="admin"))
        assert strict.post(url, {"year": 2025}).status_code == 403
        assert mail.outbox == []

    def test_the_page_offers_remind_buttons_to_administrators_for_open_years_only(
        self, client, demo_plans
    ):
        as_user(client, "admin")
        html = client.get(reverse("tracker:departments", args=["lingyuan-15th"])).content.decode()
        years = re.findall(r'name="year" value="(\d+)"', html)
        assert years and all(int(year) < TODAY().year for year in years)


def test_a_closed_years_entry_page_shows_no_red_deadline(client, demo_plan, admin_user):
    as_user(client, "tongji")
    url = reverse("tracker:data-entry", args=[demo_plan.slug, 2025])
    assert 'class="deadline overdue"' in client.get(url).content.decode()
    writes.close_year(demo_plan, 2025, by=admin_user, reason="公报已发布")
    html = client.get(url).content.decode()
    assert 'class="deadline' not in html and "逾期" not in html
