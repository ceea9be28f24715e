"""The home page tells each person what to do next."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tests import factory
from tracker.models import PendingImport, ProgressEntry, Target
from tracker.reminders import todo

HOME = "/"


def home(client, username):
    client.login(username=username, password="lingyuan-demo-2025")
    return client.get(HOME).content.decode()


def test_a_reporter_sees_the_returned_figure_with_its_reason(client, demo_plan):
    html = home(client, "zhujian")
    assert "1 项数据被退回" in html
    assert "城市建设区面积" in html and "请附自然资源局的面积核定文件后重新提交" in html
    assert reverse("tracker:data-entry", args=[demo_plan.slug, 2025]) in html


def test_a_reporter_sees_what_is_missing_and_what_waits(client, demo_plan):
    html = home(client, "fagai")
    # 2025: rank and development zone have nothing; fixed-asset investment is a draft
    assert "缺 2 项数据" in html and "1 项草稿尚未提交" in html
    html = home(client, "caizheng")
    assert "1 项数据已提交，等待审核" in html
    assert "缺" not in html


def test_a_completed_milestone_and_a_stated_baseline_are_not_missing(demo_plan):
    fagai = demo_plan.targets.get(code="ECON-DEV-ZONE").lead_department.members.get()
    years = {w.year: w for w in todo.reporter_work(fagai, today=datetime.date(2026, 3, 1))}
    codes_2024 = {t.code for t in years[2024].missing}
    assert "ECON-DEV-ZONE" not in codes_2024  # completed in 2023
    assert "FIXED-ASSET-INVESTMENT" not in {t.code for t in years[2020].missing}
    assert "COUNTY-RANK" in codes_2024


def test_a_year_not_yet_over_is_not_due(demo_plan):
    tongji = demo_plan.targets.get(code="GDP").lead_department.members.get()
    years = [w.year for w in todo.reporter_work(tongji, today=datetime.date(2025, 6, 1))]
    assert 2025 not in years


def test_an_administrator_sees_what_waits_and_the_years_to_close(client, demo_plan):
    html = home(client, "admin")
    waiting = ProgressEntry.objects.filter(state="submitted").count()
    assert f'<strong class="work-count">{waiting}</strong>' in html
    assert reverse("tracker:approvals") in html
    assert "待关闭的年度" in html and "缺 5 项，待审核 3 项，单位处理中 2 项" in html


def test_a_year_with_every_figure_approved_is_ready_to_close(client, admin_user):
    plan = factory.make_plan(start_year=2021, end_year=2021)
    target = factory.make_target(plan)
    factory.make_entry(target, 2021, 150)
    client.force_login(admin_user)
    html = client.get(HOME).content.decode()
    assert "数据已全部审核，可以关闭" in html
    assert f"#year-{plan.slug}-2021" in html


def test_an_upload_waiting_for_confirmation_is_listed(client, demo_plan):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="keji")
    pending = PendingImport.objects.create(
        plan=demo_plan, user=user, file_name="科技局2025.xlsx", sha256="0" * 64, payload={}
    )
    html = home(client, "keji")
    assert "待确认的导入" in html and pending.get_absolute_url() in html


@pytest.mark.parametrize("username", ["admin", "tongji"])
def test_every_page_links_to_the_plans_entry_and_for_administrators_approvals(
    client, demo_plan, username
):
    client.login(username=username, password="lingyuan-demo-2025")
    target = Target.objects.get(code="GDP")
    for url in [HOME, demo_plan.get_absolute_url(), target.get_absolute_url()]:
        html = client.get(url).content.decode()
        nav = html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
        assert 'href="/"' in nav and "填报数据" in nav
        assert (reverse("tracker:approvals") in nav) == (username == "admin")


def test_someone_in_no_department_is_told_why_there_is_nothing(client, outsider):
    client.force_login(outsider)
    html = client.get(HOME).content.decode()
    assert "您尚未加入任何单位" in html


def test_a_department_member_without_the_reporters_role_is_told_so(client, demo_plan):
    member = factory.make_user("member")
    demo_plan.targets.get(code="GDP").lead_department.members.add(member)
    client.force_login(member)
    html = client.get(HOME).content.decode()
    assert "填报数据需要“填报员”角色" in html
    assert "暂无待办" not in html and "您尚未加入任何单位" not in html


def test_a_plan_without_targets_has_no_year_to_close(db):
    plan = factory.make_plan(start_year=2021, end_year=2021)
    assert not [w for w in todo.open_years() if w.plan == plan]


@pytest.mark.parametrize(
    "language, counts, overdue, never",
    [
        ("zh-hans", "缺 5 项，单位处理中 2 项", "已逾期", ["待审核 0 项", "仍在报送期"]),
        ("en", "5 missing, 2 with the departments", "overdue", ["0 waiting", "Still open"]),
    ],
)
def test_an_overdue_year_says_so_and_leaves_out_counts_of_none(
    client, demo_plan, language, counts, overdue, never
):
    """The administrator's open year past its deadline reads overdue, not "still open for
    reporting", and lists only what is there: no "0 waiting for approval"."""
    ProgressEntry.objects.filter(year=2025, state="submitted").update(state="approved")
    client.login(username="admin", password="lingyuan-demo-2025")
    client.cookies["django_language"] = language
    html = client.get(HOME).content.decode()
    assert counts in html
    assert f'<span class="overdue">{overdue}</span>' in html
    for words in never:
        assert words not in html


def test_counts_in_words_name_only_what_there_is(demo_plan):
    year = todo.OpenYear(demo_plan, 2025, missing=0, waiting=1, with_departments=0)
    assert year.counts_text == "待审核 1 项"
