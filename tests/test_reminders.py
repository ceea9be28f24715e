"""Deadlines, reminders, review notices and the weekly digest, by mail."""

from __future__ import annotations

import io
import re
import socket
from datetime import date, timedelta
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from tests import factory
from tracker.excel.report import write_report
from tracker.figures import rights, writes
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.models import Deadline, Profile, ProgressEntry, SentMail, Target
from tracker.reminders import deadlines, todo
from tracker.reminders import mail as notify
from tracker.standings.standing import plan_targets, standings

TODAY = deadlines.today


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


def run(*args) -> str:
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def html_of(message) -> str:
    (html, kind), *_ = message.alternatives
    assert kind == "text/html"
    return html


@pytest.fixture
def overdue_demo(demo_plan):
    """The demo data, whose 2025 figures were due on 2026-03-31: passed, as the issue asks."""
    deadline = Deadline.objects.get(plan=demo_plan, year=2025, target=None)
    deadline.due = TODAY() - timedelta(days=10)
    deadline.save()
    return demo_plan


@pytest.fixture
def plan_with_reporter(reporter, department):
    plan = factory.make_plan()
    target = factory.make_target(plan, code="GDP", name="地区生产总值", lead_department=department)
    reporter.email = "reporter@example.org"
    reporter.save()
    return plan, target


class TestTheDemoWithADeadlinePassed:
    def test_each_reporter_with_missing_or_returned_figures_is_mailed_once(self, overdue_demo):
        output = run()
        # caizheng and shengtai submitted everything; the administrator reports nothing.
        assert recipients() == [
            "fagai@example.org",
            "keji@example.org",
            "tongji@example.org",
            "zhujian@example.org",
        ]
        assert "sent 4 mails" in output
        zhujian = next(m for m in mail.outbox if m.to == ["zhujian@example.org"])
        assert "城市建设区面积" in zhujian.body and "BUILT-UP-AREA" in zhujian.body
        assert "请附自然资源局的面积核定文件后重新提交" in zhujian.body  # the return reason
        assert "请附自然资源局的面积核定文件后重新提交" in html_of(zhujian)
        tongji = next(m for m in mail.outbox if m.to == ["tongji@example.org"])
        assert "URBAN-POPULATION" in tongji.body and "INCOME-GROWTH" in tongji.body
        assert "GDP" not in tongji.body  # submitted: the administrators have it
        fagai = next(m for m in mail.outbox if m.to == ["fagai@example.org"])
        assert "FIXED-ASSET-INVESTMENT" in fagai.body and "COUNTY-RANK" in fagai.body
        # the economic development zone was approved as completed in 2023: nothing to ask
        assert "ECON-DEV-ZONE" not in fagai.body

    def test_the_link_opens_the_entry_page_with_the_figures(self, overdue_demo, client):
        run()
        zhujian = next(m for m in mail.outbox if m.to == ["zhujian@example.org"])
        link = next(word for word in zhujian.body.split() if "/entry/2025/" in word)
        assert link.startswith("http://testserver/")
        client.force_login(get_user_model().objects.get(username="zhujian"))
        response = client.get(urlsplit(link).path)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="row-BUILT-UP-AREA"' in html and "请附自然资源局的面积核定文件" in html
        assert "逾期" in html  # the page names the deadline as passed

    def test_a_second_run_the_same_day_sends_nothing(self, overdue_demo):
        run()
        output = run()
        assert len(mail.outbox) == 4
        assert "sent 0 mails" in output
        assert SentMail.objects.filter(kind="reminder").count() == 4

    def test_a_dry_run_lists_who_would_get_what_and_sends_nothing(self, overdue_demo):
        output = run("--dry-run")
        assert mail.outbox == [] and not SentMail.objects.exists()
        assert "would send 4 mails" in output
        assert "zhujian <zhujian@example.org>" in output and "BUILT-UP-AREA" in output
        # one reporter left: "1 mail", not "1 mails"
        for user in get_user_model().objects.filter(username__in=["fagai", "keji", "tongji"]):
            Profile.objects.update_or_create(user=user, defaults={"reminders": False})
        output = run("--dry-run", "--plan", overdue_demo.slug, "--year", "2025")
        assert output.strip().endswith("would send 1 mail")


class TestTheSchedule:
    def test_reminder_days_before_on_and_weekly_after(self):
        due = date(2026, 3, 31)
        assert notify.last_reminder_day(due, date(2026, 3, 20), 7) is None
        assert notify.last_reminder_day(due, date(2026, 3, 24), 7) == date(2026, 3, 24)
        assert notify.last_reminder_day(due, date(2026, 3, 30), 7) == date(2026, 3, 24)
        assert notify.last_reminder_day(due, date(2026, 3, 31), 7) == date(2026, 3, 31)
        assert notify.last_reminder_day(due, date(2026, 4, 6), 7) == date(2026, 3, 31)
        assert notify.last_reminder_day(due, date(2026, 4, 7), 7) == date(2026, 4, 7)
        assert notify.last_reminder_day(due, date(2026, 4, 20), 7) == date(2026, 4, 14)

    def test_a_reporter_is_reminded_before_on_and_weekly_after_the_deadline(
        self, plan_with_reporter
    ):
        plan, _target = plan_with_reporter
        due = date(2026, 3, 31)
        Deadline.objects.create(plan=plan, year=2025, due=due)
        sent_on = []
        day = date(2026, 3, 1)
        while day <= date(2026, 4, 22):
            mails, _skipped = notify.plan_reminders(on=day)
            for each in mails:
                assert notify.deliver(each, on=day)
                sent_on.append(day)
            day += timedelta(days=1)
        assert sent_on == [
            date(2026, 3, 24),
            date(2026, 3, 31),
            date(2026, 4, 7),
            date(2026, 4, 14),
            date(2026, 4, 21),
        ]

    def test_a_missed_day_is_caught_up_on_the_next_run(self, plan_with_reporter):
        plan, _target = plan_with_reporter
        Deadline.objects.create(plan=plan, year=2025, due=date(2026, 3, 31))
        mails, _ = notify.plan_reminders(on=date(2026, 4, 2))  # the timer was off on 03-31
        assert [m.address for m in mails] == ["reporter@example.org"]

    def test_nothing_before_the_window_and_nothing_once_submitted(self, plan_with_reporter):
        plan, target = plan_with_reporter
        Deadline.objects.create(plan=plan, year=2025, due=TODAY() + timedelta(days=8))
        assert run() and mail.outbox == []
        Deadline.objects.filter(plan=plan).update(due=TODAY() - timedelta(days=1))
        factory.make_entry(target, 2025, "120", state="submitted")
        run()
        assert mail.outbox == []

    def test_a_targets_own_deadline_overrides_the_plans(self, plan_with_reporter):
        plan, target = plan_with_reporter
        Deadline.objects.create(plan=plan, year=2025, due=TODAY() + timedelta(days=30))
        Deadline.objects.create(plan=plan, year=2025, target=target, due=TODAY())
        assert deadlines.deadline_for(plan, 2025).due == TODAY() + timedelta(days=30)
        assert deadlines.deadline_for(plan, 2025, target).due == TODAY()
        run()
        assert recipients() == ["reporter@example.org"]
        assert "GDP" in mail.outbox[0].body

    def test_plan_and_year_remind_now_whatever_the_schedule_once_a_day(self, plan_with_reporter):
        plan, _target = plan_with_reporter
        run()
        assert mail.outbox == []  # no deadline: nothing scheduled
        run("--plan", plan.slug, "--year", "2024")
        assert recipients() == ["reporter@example.org"]
        assert "2024" in mail.outbox[0].body
        output = run("--plan", plan.slug, "--year", "2023")
        assert len(mail.outbox) == 1 and "reporter: 今天已提醒过" in output

    def test_usage_errors_name_the_problem(self, plan_with_reporter):
        plan, _target = plan_with_reporter
        with pytest.raises(CommandError, match="No plan with the slug 'nope'"):
            run("--plan", "nope")
        with pytest.raises(CommandError, match="--year must lie in 2020-2025"):
            run("--plan", plan.slug, "--year", "2031")

    def test_without_a_site_url_it_refuses_to_mail_broken_links(self, plan_with_reporter, settings):
        plan, _target = plan_with_reporter
        settings.SITE_URL = ""
        with pytest.raises(CommandError, match="SITE_URL must be set"):
            run("--plan", plan.slug, "--year", "2024")
        assert mail.outbox == [] and not SentMail.objects.exists()


class TestEachPersonsChoice:
    def test_nobody_else_is_mailed_and_those_passed_over_are_named(
        self, plan_with_reporter, department
    ):
        plan, _target = plan_with_reporter
        member = dict(role="reporter", departments=[department])
        factory.make_user("noaddress", **member)
        factory.make_user("gone", **member, email="g@example.org", is_active=False)
        quiet = factory.make_user("quiet", **member, email="q@example.org")
        Profile.objects.create(user=quiet, reminders=False)
        factory.make_user("other", role="reporter", email="o@example.org")  # in no department
        output = run("--plan", plan.slug, "--year", "2024")
        assert recipients() == ["reporter@example.org"]
        assert "noaddress: 没有邮箱地址" in output
        assert "quiet: 已关闭此类邮件" in output
        # An account that cannot sign in may enter nothing, so nothing falls to it.
        assert "gone" not in output

    def test_mail_comes_in_each_persons_language_as_text_and_html(
        self, plan_with_reporter, department
    ):
        plan, _target = plan_with_reporter
        english = factory.make_user(
            "english", role="reporter", departments=[department], email="e@example.org"
        )
        Profile.objects.create(user=english, language="en")
        run("--plan", plan.slug, "--year", "2024")
        by_address = {m.to[0]: m for m in mail.outbox}
        chinese, english = by_address["reporter@example.org"], by_address["e@example.org"]
        assert "待报送" in chinese.subject and "尚未报送" in chinese.body
        assert "数据录入" in html_of(chinese) or "填报" in html_of(chinese)
        assert english.subject == "Reminder: 1 figure to report"
        assert "no figure yet" in english.body
        assert 'lang="en"' in html_of(english) and "Enter the figures" in html_of(english)
        assert "地区生产总值" in english.body  # no English name: the Chinese one


class TestReviewNotices:
    @pytest.fixture
    def submitted(self, plan_with_reporter, reporter):
        plan, target = plan_with_reporter
        return factory.make_entry(target, 2024, "150", state="submitted", entered_by=reporter)

    def test_approval_on_the_page_mails_the_reporter(
        self, submitted, admin_user, client, django_capture_on_commit_callbacks
    ):
        client.force_login(admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("tracker:approve"), {"entry": [f"{submitted.pk}:1"]})
        assert recipients() == ["reporter@example.org"]
        assert "已审核" in mail.outbox[0].subject and "150.0" in mail.outbox[0].body
        assert SentMail.objects.get().kind == "notice"

    def test_a_return_quotes_the_reason_and_links_to_the_row(
        self, submitted, admin_user, client, django_capture_on_commit_callbacks
    ):
        client.force_login(admin_user)
        url = reverse("tracker:return-entry", args=[submitted.pk])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"reason": "请核对统计口径", "version": "1"})
        (message,) = mail.outbox
        assert "退回" in message.subject and "请核对统计口径" in message.body
        assert "http://testserver/plans/" in message.body and "#row-GDP" in message.body

    def test_figures_approved_together_make_one_mail(
        self, plan_with_reporter, reporter, admin_user, django_capture_on_commit_callbacks
    ):
        plan, target = plan_with_reporter
        entries = [
            factory.make_entry(target, year, "150", state="submitted", entered_by=reporter)
            for year in (2023, 2024)
        ]
        with django_capture_on_commit_callbacks(execute=True):
            writes.approve_entries(entries, by=admin_user)
        (message,) = mail.outbox
        assert "2023" in message.body and "2024" in message.body

    def test_a_rolled_back_review_mails_nobody(
        self, submitted, admin_user, django_capture_on_commit_callbacks
    ):
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            writes.approve_entries([submitted], by=admin_user)
            raise RuntimeError("something later failed")
        with django_capture_on_commit_callbacks(execute=True):
            notify.send_notices()
        assert mail.outbox == []
        assert ProgressEntry.objects.get(pk=submitted.pk).state == "submitted"

    def test_a_reporter_who_turned_notices_off_gets_none(
        self, submitted, reporter, admin_user, django_capture_on_commit_callbacks
    ):
        Profile.objects.create(user=reporter, notices=False)
        with django_capture_on_commit_callbacks(execute=True):
            writes.approve_entries([submitted], by=admin_user)
        assert mail.outbox == []


class TestWeeklyDigest:
    def test_administrators_get_what_waits_for_them_once_a_week(self, overdue_demo, settings):
        settings.DIGEST_WEEKDAY = TODAY().weekday()
        output = run()
        digests = [m for m in mail.outbox if m.to == ["admin@example.org"]]
        assert len(digests) == 1 and len(mail.outbox) == 5
        body = digests[0].body
        assert "待审核" in body and "http://testserver/approvals/" in body
        assert "住建局" in body and "逾期" in body  # the departments past the deadline
        assert "每周摘要" in output or "Weekly digest" in output
        run()
        assert len(mail.outbox) == 5

    def test_not_on_other_days(self, overdue_demo, settings):
        settings.DIGEST_WEEKDAY = (TODAY().weekday() + 1) % 7
        run()
        assert "admin@example.org" not in recipients()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_real_smtp_server_on_loopback_receives_a_reminder(overdue_demo, settings):
    from aiosmtpd.controller import Controller

    received = []

    class Inbox:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        run("--plan", overdue_demo.slug, "--year", "2025")
    finally:
        controller.stop()
    assert sorted(r for e in received for r in e.rcpt_tos) == [
        "fagai@example.org",
        "keji@example.org",
        "tongji@example.org",
        "zhujian@example.org",
    ]
    envelope = next(e for e in received if e.rcpt_tos == ["zhujian@example.org"])
    message = message_from_bytes(envelope.original_content, policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "请附自然资源局的面积核定文件后重新提交" in text and "BUILT-UP-AREA" in html
    assert str(message["Subject"]).startswith("逾期")


class TestPages:
    def test_the_departments_page_shows_deadlines_and_overdue_in_red(self, overdue_demo, client):
        client.force_login(get_user_model().objects.get(username="admin"))
        html = client.get(reverse("tracker:departments", args=[overdue_demo.slug])).content
        html = html.decode()
        assert "截止 " + (TODAY() - timedelta(days=10)).strftime("%Y-%m-%d") in html
        assert html.count("dept-cell late overdue") == 4  # 住建, 发改, 科技, 统计 in 2025

    def test_the_entry_page_names_the_deadline_and_targets_with_their_own(
        self, plan_with_reporter, reporter, client
    ):
        plan, target = plan_with_reporter
        Deadline.objects.create(plan=plan, year=2025, due=TODAY() + timedelta(days=3))
        Deadline.objects.create(plan=plan, year=2025, target=target, due=TODAY())
        client.force_login(reporter)
        html = client.get(reverse("tracker:data-entry", args=[plan.slug, 2025])).content.decode()
        assert "2025年数据报送 截止" in html and "还剩 3 天" in html
        assert "单独设定期限的指标" in html and "今天截止" in html
        html = client.get(reverse("tracker:data-entry", args=[plan.slug, 2024])).content.decode()
        assert "截止" not in html  # no deadline for 2024

    def test_my_deadlines_on_the_profile_page(self, overdue_demo, client):
        client.force_login(get_user_model().objects.get(username="tongji"))
        html = client.get(reverse("tracker:profile")).content.decode()
        assert "我的报送期限" in html and 'class="overdue"' in html
        assert reverse("tracker:data-entry", args=[overdue_demo.slug, 2025]) in html

    def test_the_profile_page_saves_choices_and_language(self, reporter, client):
        client.force_login(reporter)
        assert f'href="{reverse("tracker:profile")}"' in client.get("/").content.decode()
        response = client.post(
            reverse("tracker:profile"),
            {"language": "en", "notices": "on", "email": "new@example.org"},
        )
        assert response.status_code == 302 and response.cookies["django_language"].value == "en"
        profile = Profile.objects.get(user=reporter)
        assert (profile.language, profile.reminders, profile.notices) == ("en", False, True)
        reporter.refresh_from_db()
        assert reporter.email == "new@example.org"

    def test_a_bad_address_is_refused_and_nothing_saved(self, reporter, client):
        client.force_login(reporter)
        response = client.post(
            reverse("tracker:profile"), {"language": "en", "email": "not an address"}
        )
        assert response.status_code == 200 and "有效的 Email 地址" in response.content.decode()
        assert not Profile.objects.filter(user=reporter).exists()

    def test_the_header_switch_sets_the_profile_language_too(self, reporter, client):
        client.force_login(reporter)
        response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
        assert response.status_code == 302 and response.cookies["django_language"].value == "en"
        assert Profile.objects.get(user=reporter).language == "en"
        html = client.get(reverse("tracker:profile")).content.decode()
        assert 'lang="en"' in html
        assert re.search(r'<input type="radio" name="language" value="en"[^>]*checked', html)
        client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
        assert Profile.objects.get(user=reporter).language == "zh-hans"

    def test_switching_before_signing_in_saves_no_profile(self, db, client):
        response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
        assert response.status_code == 302 and response.cookies["django_language"].value == "en"
        assert not Profile.objects.exists()

    def test_signing_in_brings_the_profiles_language(self, reporter, client):
        Profile.objects.create(user=reporter, language="en")
        client.cookies["django_language"] = "zh-hans"
        response = client.post(
            reverse("login"), {"username": reporter.username, "password": factory.PASSWORD}
        )
        assert response.status_code == 302 and response.cookies["django_language"].value == "en"
        assert 'lang="en"' in client.get("/").content.decode()

    def test_a_language_chosen_on_the_sign_in_page_survives_signing_in(self, reporter, client):
        Profile.objects.create(user=reporter, language="zh-hans")
        client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
        response = client.post(
            reverse("login"), {"username": reporter.username, "password": factory.PASSWORD}
        )
        assert response.status_code == 302 and response.cookies["django_language"].value == "en"
        assert 'lang="en"' in client.get("/").content.decode()
        assert Profile.objects.get(user=reporter).language == "en"
        # Once: the next sign-in follows the profile again.
        client.logout()
        Profile.objects.filter(user=reporter).update(language="zh-hans")
        response = client.post(
            reverse("login"), {"username": reporter.username, "password": factory.PASSWORD}
        )
        assert response.cookies["django_language"].value == "zh-hans"

    def test_the_report_notes_name_the_deadlines(self, demo_plan):
        def notes_text(year):
            out = io.BytesIO()
            write_report(
                out,
                demo_plan,
                year,
                standings(plan_targets(demo_plan, viewer=ANY_ADMINISTRATOR), year),
            )
            book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
            return " ".join(str(c.value) for row in book["说明"].iter_rows() for c in row)

        assert "2025年数据：2026-03-31前" in notes_text(2025)
        # A report as of 2024 says nothing of later years, their deadlines included.
        assert "2026-03-31" not in notes_text(2024)


class TestDeadlineRules:
    def test_a_year_outside_the_plan_or_a_target_of_another_plan_is_refused(
        self, plan_with_reporter
    ):
        plan, _target = plan_with_reporter
        with pytest.raises(ValidationError) as error:
            Deadline(plan=plan, year=2031, due=date(2032, 3, 31)).full_clean()
        assert "2031" in str(error.value)
        stranger = factory.make_target()
        with pytest.raises(ValidationError, match="另一规划"):
            Deadline(plan=plan, year=2025, target=stranger, due=date(2026, 3, 1)).full_clean()

    def test_one_deadline_per_plan_and_year(self, plan_with_reporter):
        plan, _target = plan_with_reporter
        Deadline.objects.create(plan=plan, year=2025, due=date(2026, 3, 31))
        with pytest.raises(ValidationError):
            Deadline(plan=plan, year=2025, due=date(2026, 4, 30)).full_clean()


def test_a_failed_send_is_not_recorded_so_the_next_run_tries_again(overdue_demo, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 5
    with pytest.raises(CommandError, match="4 mails could not be sent"):
        run()
    assert not SentMail.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run()
    assert len(mail.outbox) == 4


def test_administrators_set_deadlines_in_the_admin(seed_plan, admin_user, client):
    client.force_login(admin_user)
    url = reverse("admin:tracker_deadline_add")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"plan": seed_plan.pk, "year": "2025", "due": "2026-03-31", "note": "初步数据"}
    )
    assert response.status_code == 302
    assert deadlines.deadline_for(seed_plan, 2025).due == date(2026, 3, 31)
    refused = client.post(url, {"plan": seed_plan.pk, "year": "2031", "due": "2032-03-31"})
    assert refused.status_code == 200 and "2031" in refused.content.decode()
    assert Deadline.objects.count() == 1


class TestWhomTheyAsk:
    """Reminders and deadlines ask the entry page's rule (`Target.objects.editable_by`)."""

    @pytest.fixture
    def people(self, plan_with_reporter, department, other_department):
        plan, target = plan_with_reporter
        Deadline.objects.create(plan=plan, year=2024, due=TODAY() - timedelta(days=3))
        co = factory.make_user(
            "co", role="reporter", departments=[other_department], email="co@example.org"
        )
        clerk = factory.make_user("clerk", departments=[department], email="clerk@example.org")
        target.co_departments.add(other_department)
        return plan, target, co, clerk

    def test_a_co_department_reporter_is_asked_where_the_target_lets_them_enter(self, people):
        plan, target, co, clerk = people
        target.co_departments_may_enter = True
        target.save()
        assert rights.can_enter(co, target) and not rights.can_enter(clerk, target)
        output = run()
        assert recipients() == ["co@example.org", "reporter@example.org"]
        assert "clerk" not in output
        (due,) = deadlines.for_user(co)
        assert (due.plan, due.year, due.count) == (plan, 2024, 1)
        assert deadlines.for_user(clerk) == []

    def test_not_where_it_does_not(self, people):
        plan, target, co, clerk = people
        assert not rights.can_enter(co, target)
        run()
        assert recipients() == ["reporter@example.org"]
        assert deadlines.for_user(co) == [] and deadlines.for_user(clerk) == []

    def test_a_member_who_is_no_reporter_gets_none_and_sees_none(self, people):
        plan, target, co, clerk = people
        run("--plan", plan.slug, "--year", "2024")
        assert "clerk@example.org" not in recipients()
        assert deadlines.for_user(clerk) == [] and todo.reporter_work(clerk) == []

    def test_each_person_is_asked_exactly_for_what_the_entry_page_lets_them_enter(
        self, people, other_department
    ):
        """Against the rule itself: every person's reminder covers their editable targets."""
        plan, target, co, clerk = people
        target.co_departments_may_enter = True
        target.save()
        own = factory.make_target(plan, code="OWN", lead_department=other_department)
        mails, _skipped = notify.plan_reminders(on=TODAY(), plan=plan, year=2024)
        covered = {m.user.username: {t for t, _y in m.covers} for m in mails}
        for user in get_user_model().objects.all():
            editable = set(
                Target.objects.filter(plan=plan).editable_by(user).values_list("pk", flat=True)
            )
            assert covered.get(user.username, set()) == editable, user.username
        assert covered["co"] == {target.pk, own.pk}
