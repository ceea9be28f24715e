"""The admin, as the demo administrator (staff in the administrators group) uses it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factory
from tracker.figures import writes
from tracker.figures.rights import ADMINISTRATORS, REPORTERS
from tracker.models import Indicator, Plan, ProgressEntry, Target

User = get_user_model()


@pytest.fixture
def admin_client(client, demo_plan):
    client.login(username="admin", password="lingyuan-demo-2025")
    return client


def test_the_target_list_shows_the_engines_status(admin_client):
    response = admin_client.get(reverse("admin:tracker_target_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "status-off_track" in html and "严重滞后" in html
    assert "status-achieved" in html


def test_the_target_list_filters_and_searches(admin_client, demo_plan):
    url = reverse("admin:tracker_target_changelist")
    html = admin_client.get(url, {"q": "GDP"}).content.decode()
    assert "地区生产总值" in html and "城镇人口" not in html
    html = admin_client.get(url, {"kind__exact": "milestone"}).content.decode()
    assert "国家级生态市" in html and "地区生产总值" not in html


def test_every_model_has_its_pages(admin_client):
    models = ["plan", "area", "department", "target", "progressentry", "closedyear"]
    for model in [*models, "importbatch", "pendingimport"]:
        response = admin_client.get(reverse(f"admin:tracker_{model}_changelist"))
        assert response.status_code == 200, model


def test_a_target_page_has_its_entries_inline_and_its_history(admin_client, demo_plan):
    target = demo_plan.targets.get(code="GDP")
    response = admin_client.get(reverse("admin:tracker_target_change", args=[target.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "166.0" in html and "3.1%" in html  # GDP 2022, its level and its growth
    statistic = reverse("admin:tracker_series_change", args=[target.series_id])
    assert statistic in html
    html = admin_client.get(statistic).content.decode()
    assert "166.0" in html and "6.8%" in html  # 2021 gives the rate only
    history = admin_client.get(reverse("admin:tracker_target_history", args=[target.pk]))
    assert history.status_code == 200


def test_approving_from_the_admin_counts_the_figure(admin_client, demo_plan):
    entry = ProgressEntry.objects.get(series__indicator__code="GDP", year=2025)
    assert entry.state == "submitted"
    admin_client.post(
        reverse("admin:tracker_progressentry_changelist"),
        {"action": "approve_entries", "_selected_action": [entry.pk]},
    )
    entry.refresh_from_db()
    assert entry.state == "approved"
    assert entry.history.first().history_user.username == "admin"


def test_a_reporter_cannot_enter_the_admin(client, reporter):
    client.login(username=reporter.username, password=factory.PASSWORD)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_an_edit_in_the_admin_refuses_forms_opened_before_it(admin_client, demo_plan):
    entry = ProgressEntry.objects.get(series__indicator__code="FIXED-ASSET-INVESTMENT", year=2025)
    version_read_by_reporter = entry.version
    url = reverse("admin:tracker_progressentry_change", args=[entry.pk])
    data = {
        "value": "119.0",
        "quality": "estimate",
        "note": "管理员更正",
        "is_sample": "on",
        "change_reason": "统计局更正",
        "read_version": entry.version,
    }
    assert admin_client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.version == version_read_by_reporter + 1
    from tracker.figures import workflow

    with pytest.raises(workflow.StaleEntry):
        workflow.claim(entry, version_read_by_reporter)


def as_posted(page) -> dict:
    """A change page's form and inline forms as the browser would post them unchanged."""
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        for form in formset.formset.initial_forms:
            data.update({form.add_prefix(k): v for k, v in form.initial.items() if v is not None})
            data[form.add_prefix("id")] = form.instance.pk
    return data


def test_a_plan_period_cannot_shrink_past_its_figures(client, admin_user):
    plan = factory.make_plan(slug="period")
    target = factory.make_target(plan)
    factory.make_entry(target, plan.end_year, "1")
    client.force_login(admin_user)
    url = reverse("admin:tracker_plan_change", args=[plan.pk])
    data = as_posted(client.get(url))
    data["end_year"] = plan.end_year - 1
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "end_year" in errors and str(plan.end_year) in errors["end_year"][0]
    plan.refresh_from_db()
    assert plan.end_year == target.target_year
    data["end_year"] = plan.end_year
    response = client.post(url, data)
    assert response.status_code == 302


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_a_figures_evidence_links_to_the_download_for_signed_in_users(
    admin_client, demo_plan, settings, tmp_path, state
):
    settings.MEDIA_ROOT = tmp_path
    entry = ProgressEntry.objects.filter(series__targets__plan=demo_plan, state=state).first()
    entry.evidence.save("公报.pdf", ContentFile(b"%PDF-1.4 evidence"))
    html = admin_client.get(reverse("admin:tracker_progressentry_change", args=[entry.pk]))
    html = html.content.decode()
    download = reverse("tracker:evidence", args=[entry.pk])
    assert f'href="{download}"' in html and "公报" in html
    assert "/media/" not in html
    response = admin_client.get(download)
    assert b"".join(response.streaming_content) == b"%PDF-1.4 evidence"
    admin_client.logout()
    assert admin_client.get(download).status_code == 302


# -- growth at comparable prices, bases of growth and the ahead ratio ---------------------------


def test_the_plan_form_puts_the_ahead_ratio_beside_the_other_two(admin_client, demo_plan):
    page = admin_client.get(reverse("admin:tracker_plan_change", args=[demo_plan.pk]))
    html = page.content.decode()
    positions = [
        html.index(f'name="{name}"') for name in ("ahead_ratio", "on_track_ratio", "behind_ratio")
    ]
    assert positions == sorted(positions)
    assert "快于预期系数" in html and 'value="1.20"' in html


def test_an_ahead_ratio_not_above_the_on_track_ratio_is_refused_at_its_field(
    admin_client, demo_plan
):
    url = reverse("admin:tracker_plan_change", args=[demo_plan.pk])
    data = as_posted(admin_client.get(url))
    for ratio in ("1.00", "0.90"):
        data["ahead_ratio"] = ratio
        response = admin_client.post(url, data)
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert list(errors) == ["ahead_ratio"]
        assert "须大于正常进度系数（1）" in errors["ahead_ratio"][0]
    assert Plan.objects.get(pk=demo_plan.pk).ahead_ratio == Decimal("1.20")
    data["ahead_ratio"] = "1.50"
    assert admin_client.post(url, data).status_code == 302
    assert Plan.objects.get(pk=demo_plan.pk).ahead_ratio == Decimal("1.50")


def test_only_a_typed_amount_has_its_growth_published_at_comparable_prices(admin_client, demo_plan):
    gdp = Indicator.objects.get(code="GDP")
    page = admin_client.get(reverse("admin:tracker_indicator_change", args=[gdp.pk]))
    assert 'name="comparable_growth"' in page.content.decode() and gdp.comparable_growth
    share = Indicator.objects.get(code="RD-SHARE")
    url = reverse("admin:tracker_indicator_change", args=[share.pk])
    data = as_posted(admin_client.get(url))
    data["comparable_growth"] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "comparable_growth" in response.context["adminform"].form.errors
    share.refresh_from_db()
    assert not share.comparable_growth


def test_a_rank_names_what_it_ranks_by_and_among_in_the_admin(admin_client, demo_plan):
    """The indicator's page offers both; only a rank takes them, and never itself."""
    from tracker.models import Region

    rank = Indicator.objects.get(code="COUNTY-RANK")
    url = reverse("admin:tracker_indicator_change", args=[rank.pk])
    page = admin_client.get(url)
    html = page.content.decode()
    assert 'name="rank_of"' in html and 'name="rank_among"' in html
    province = Region.objects.get(code="210000")
    gdp = Indicator.objects.get(code="GDP")
    data = as_posted(page)
    data.update(rank_of=str(gdp.pk), rank_among=str(province.pk))
    assert admin_client.post(url, data).status_code == 302
    rank.refresh_from_db()
    assert (rank.rank_of, rank.rank_among) == (gdp, province)
    data["rank_of"] = str(rank.pk)
    response = admin_client.post(url, data)
    assert list(response.context["adminform"].form.errors) == ["rank_of"]
    url = reverse("admin:tracker_indicator_change", args=[gdp.pk])
    data = as_posted(admin_client.get(url))
    data["rank_among"] = str(province.pk)
    response = admin_client.post(url, data)
    assert list(response.context["adminform"].form.errors) == ["rank_among"]
    assert Indicator.objects.get(pk=gdp.pk).rank_among is None


def test_a_growth_goal_states_its_basis_and_no_other_goal_does(admin_client, demo_plan):
    gdp = demo_plan.targets.get(code="GDP")
    url = reverse("admin:tracker_target_change", args=[gdp.pk])
    page = admin_client.get(url)
    html = page.content.decode()
    assert html.index('name="kind"') < html.index('name="basis"') < html.index('name="direction"')
    data = as_posted(page)
    data["basis"] = "current"
    data["co_departments"] = [d.pk for d in gdp.co_departments.all()]
    assert admin_client.post(url, data).status_code == 302
    gdp.refresh_from_db()
    assert gdp.basis == "current" and gdp.price_basis == "current"
    urban = demo_plan.targets.get(code="URBAN-POPULATION")
    url = reverse("admin:tracker_target_change", args=[urban.pk])
    data = as_posted(admin_client.get(url))
    data["basis"] = "comparable"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "增长计算口径" in response.context["adminform"].form.errors["basis"][0]
    assert Target.objects.get(pk=urban.pk).basis == ""


def figure_form(entry, **changes) -> dict:
    """A figure's change form as posted, with a reason, changed as given."""
    data = {
        "value": "" if entry.value is None else str(entry.value),
        "growth": "" if entry.growth is None else str(entry.growth),
        "quality": entry.quality,
        "growth_quality": entry.growth_quality,
        "source": entry.source,
        "growth_source": entry.growth_source,
        "note": entry.note,
        "is_sample": "on",
        "change_reason": "统计局更正",
        "read_version": entry.version,
    }
    return {**data, **changes}


def test_a_year_may_give_the_growth_rate_without_the_level(admin_client, demo_plan):
    # As 2025's bulletin might: "固定资产投资增长12%", no amount.
    entry = ProgressEntry.objects.get(series__indicator__code="FIXED-ASSET-INVESTMENT", year=2025)
    url = reverse("admin:tracker_progressentry_change", args=[entry.pk])
    html = admin_client.get(url).content.decode()
    for name in ("value", "growth", "growth_quality", "source", "growth_source"):
        assert f'name="{name}"' in html, name
    data = figure_form(entry, value="", growth="12", growth_source="2026年政府工作报告")
    assert admin_client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert (entry.value, entry.growth) == (None, Decimal("12"))
    assert entry.growth_quality == entry.quality == "estimate"
    assert entry.growth_source == "2026年政府工作报告"
    listing = admin_client.get(reverse("admin:tracker_progressentry_changelist"))
    assert "12%" in listing.content.decode()


def test_a_figure_gives_its_level_or_its_growth_rate(admin_client, demo_plan):
    entry = ProgressEntry.objects.get(series__indicator__code="FIXED-ASSET-INVESTMENT", year=2025)
    url = reverse("admin:tracker_progressentry_change", args=[entry.pk])
    response = admin_client.post(url, figure_form(entry, value="", growth=""))
    assert response.status_code == 200
    assert "增速" in str(response.context["adminform"].form.errors["value"])
    response = admin_client.post(url, figure_form(entry, growth="-100"))
    assert response.status_code == 200
    assert "growth" in response.context["adminform"].form.errors
    response = admin_client.post(url, figure_form(entry, growth="-3.5", growth_quality="final"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.value, entry.growth, entry.growth_quality) == (
        Decimal("118.0"),
        Decimal("-3.5"),
        "final",
    )


def test_a_share_carries_no_growth_rate(admin_client, demo_plan):
    share = demo_plan.targets.get(code="RD-SHARE")
    url = reverse("admin:tracker_progressentry_add")
    data = {
        "target": share.pk,
        "year": 2025,
        "value": "",
        "growth": "5",
        "quality": "estimate",
        "change_reason": "补录",
        "read_version": 0,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["growth"] and "科技研发投入" in errors["growth"][0]
    assert not ProgressEntry.objects.filter(series=share.series, year=2025).exists()
    response = admin_client.post(url, {**data, "growth": "", "value": "2.45"})
    assert response.status_code == 302
    entry = ProgressEntry.objects.get(series=share.series, year=2025)
    page = admin_client.get(reverse("admin:tracker_progressentry_change", args=[entry.pk]))
    assert 'name="growth"' not in page.content.decode()


def test_a_milestone_says_whether_it_is_achieved(admin_client, demo_plan):
    zone = demo_plan.targets.get(code="HIGH-TECH-ZONE")
    url = reverse("admin:tracker_progressentry_add")
    data = {
        "target": zone.pk,
        "year": 2025,
        "quality": "estimate",
        "change_reason": "补录",
        "read_version": 0,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "achieved" in response.context["adminform"].form.errors
    assert admin_client.post(url, {**data, "achieved": "true"}).status_code == 302
    assert ProgressEntry.objects.get(series=zone.series, year=2025).achieved is True


# -- the admin for administrators who are not superusers ----------------------------------------


@pytest.fixture
def two_plans(client, demo_plans):
    """The 14th and the 15th plan, and the demo administrator signed in (after both load:
    loading sets the passwords again)."""
    client.login(username="admin", password="lingyuan-demo-2025")
    return demo_plans


def english(client):
    client.post(reverse("set_language"), {"language": "en"})


def account_form(account, **changes) -> dict:
    """An account's change form as a non-superuser administrator posts it."""
    joined = timezone.localtime(account.date_joined)
    data = {
        "username": account.username,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "is_active": "on",
        "groups": [g.pk for g in account.groups.all()],
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        # The region's inline: none given, the account keeps every region.
        "profile-TOTAL_FORMS": "0",
        "profile-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_an_administrator_made_by_an_administrator_can_use_the_admin(admin_client):
    maker = User.objects.get(username="admin")
    assert not maker.is_superuser
    response = admin_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "xinguanli",
            "password1": "a-long-Passw0rd-2025",
            "password2": "a-long-Passw0rd-2025",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    account = User.objects.get(username="xinguanli")
    assert not account.is_staff
    change = reverse("admin:auth_user_change", args=[account.pk])
    html = admin_client.get(change).content.decode()
    assert "管理员" in html and "职员状态" in html  # the role, and what it implies
    administrators = Group.objects.get(name=ADMINISTRATORS)
    response = admin_client.post(change, account_form(account, groups=[administrators.pk]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    account.refresh_from_db()
    assert account.is_staff and not account.is_superuser
    # Signed in as the new administrator: the admin opens, and so do its pages.
    client = Client()
    client.login(username="xinguanli", password="a-long-Passw0rd-2025")
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:tracker_progressentry_changelist")).status_code == 200
    # Made a reporter again: no longer staff, and the admin sends them to sign in.
    reporters = Group.objects.get(name=REPORTERS)
    admin_client.post(change, account_form(account, groups=[reporters.pk]))
    account.refresh_from_db()
    assert not account.is_staff
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_superuser_may_keep_staff_status_beyond_the_role(client, db):
    boss = User.objects.create_superuser("boss", password=factory.PASSWORD)
    helper = factory.make_user("helper", is_staff=True)
    client.force_login(boss)
    change = reverse("admin:auth_user_change", args=[helper.pk])
    data = account_form(helper, is_staff="on")
    assert client.post(change, data).status_code == 302
    helper.refresh_from_db()
    assert helper.is_staff


def test_django_admins_words_are_its_own(admin_client, demo_plan):
    # The app's "Change" (a difference between two years) no longer stands for the admin's.
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "修改" in html and "增减" not in html
    entry = ProgressEntry.objects.filter(series__targets__plan=demo_plan).first()
    html = admin_client.get(reverse("admin:tracker_progressentry_changelist")).content.decode()
    assert "增减" not in html
    html = admin_client.get(reverse("tracker:approvals")).content.decode()
    assert "<th>增减</th>" in html
    english(admin_client)
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert ">Change<" in html
    assert entry is not None


def test_a_targets_area_is_chosen_among_its_plans_areas(client, two_plans):
    admin_client, (old, new) = client, two_plans
    gdp = new.targets.get(code="GDP")
    page = admin_client.get(reverse("admin:tracker_target_change", args=[gdp.pk]))
    choices = page.context["adminform"].form.fields["area"].queryset
    assert set(choices) == set(new.areas.all()) and old.areas.exists()
    page = admin_client.get(reverse("admin:tracker_target_add"))
    html = page.content.decode()
    # Before the plan is chosen: each area named with its plan.
    assert f"综合经济实力（{old.name}）" in html and f"综合经济实力（{new.name}）" in html
    data = as_posted(admin_client.get(reverse("admin:tracker_target_change", args=[gdp.pk])))
    data["co_departments"] = [d.pk for d in gdp.co_departments.all()]
    data["area"] = old.areas.first().pk
    response = admin_client.post(reverse("admin:tracker_target_change", args=[gdp.pk]), data)
    assert response.status_code == 200 and "area" in response.context["adminform"].form.errors


def test_the_area_list_shows_each_areas_plan(client, two_plans):
    admin_client, (old, new) = client, two_plans
    html = admin_client.get(reverse("admin:tracker_area_changelist")).content.decode()
    assert html.count(old.name) >= 5 and html.count(new.name) >= 5
    # Plan by plan, the newest first, each in its order.
    assert html.index(new.name) < html.index(old.name)
    html = admin_client.get(reverse("admin:tracker_target_changelist")).content.decode()
    assert f"综合经济实力（{old.name}）" in html  # the area filter
    url = reverse("admin:tracker_target_changelist") + f"?plan__id__exact={new.pk}"
    html = admin_client.get(url).content.decode()
    assert f"综合经济实力（{old.name}）" not in html and "综合经济实力" in html


def test_role_groups_are_named_in_the_readers_language(admin_client, demo_plan):
    tongji = User.objects.get(username="tongji")
    url = reverse("admin:auth_user_changelist")
    html = admin_client.get(url).content.decode()
    assert "填报员" in html and ">administrators<" not in html and ">reporters<" not in html
    change = reverse("admin:auth_user_change", args=[tongji.pk])
    form = admin_client.get(change).context["adminform"].form
    labels = {label for _pk, label in form.fields["groups"].choices}
    assert labels == {"管理员", "填报员", "查阅员"}
    english(admin_client)
    form = admin_client.get(change).context["adminform"].form
    assert {label for _pk, label in form.fields["groups"].choices} == {
        "administrators",
        "reporters",
        "viewers",
    }


def test_a_superuser_sees_the_groups_named_in_their_language(client, demo_plan):
    client.force_login(User.objects.create_superuser("boss", password=factory.PASSWORD))
    html = client.get(reverse("admin:auth_group_changelist")).content.decode()
    assert "管理员" in html and "填报员" in html


def test_the_user_list_shows_role_and_department_in_few_queries(admin_client, demo_plan):
    url = reverse("admin:auth_user_changelist")
    html = admin_client.get(url).content.decode()
    assert "角色" in html and "责任单位" in html
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*>tongji<(?:(?!</tr>).)*</tr>", html, re.S).group()
    assert "填报员" in row and "统计局" in row

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    before = queries()
    department = factory.make_department(name="审计局")
    for i in range(8):
        factory.make_user(f"more{i}", role="reporter", departments=[department])
    assert queries() == before


def test_a_locked_figure_says_why(admin_client, demo_plan, admin_user):
    approved = ProgressEntry.objects.filter(
        series__targets__plan=demo_plan, state="approved", year=2024
    ).first()
    url = reverse("admin:tracker_progressentry_change", args=[approved.pk])
    html = admin_client.get(url).content.decode()
    assert "已审核" in html and "重新打开" in html
    assert reverse("tracker:reopen-entry", args=[approved.pk]) in html
    writes.close_year(demo_plan, 2024, by=admin_user, reason="年度结束")
    html = admin_client.get(url).content.decode()
    assert "已关闭" in html
    english(admin_client)
    html = admin_client.get(url).content.decode()
    assert "closed" in html


def test_a_figure_is_added_by_choosing_its_target(client, two_plans):
    admin_client, (old, new) = client, two_plans
    html = admin_client.get(reverse("admin:tracker_progressentry_add")).content.decode()
    assert 'class="admin-autocomplete"' in html and 'name="target"' in html
    search = reverse("admin:autocomplete")
    query = {"app_label": "tracker", "model_name": "deadline", "field_name": "target"}
    found = admin_client.get(search, {**query, "term": "GDP 十五五"}).json()["results"]
    gdp = new.targets.get(code="GDP")
    assert {"id": str(gdp.pk), "text": f"GDP 地区生产总值（{new.name}）"} in found
    assert all(new.name in result["text"] for result in found)  # the 15th plan's only
    share = old.targets.get(code="RD-SHARE")
    data = {
        "target": share.pk,
        "year": 2025,
        "value": "2.45",
        "quality": "estimate",
        "change_reason": "补录",
        "read_version": 0,
    }
    response = admin_client.post(reverse("admin:tracker_progressentry_add"), data)
    assert response.status_code == 302
    assert ProgressEntry.objects.get(series=share.series, year=2025).value == Decimal("2.45")


def test_a_reporter_cannot_search_targets_in_the_admin(client, demo_plan):
    client.login(username="tongji", password="lingyuan-demo-2025")
    search = reverse("admin:autocomplete")
    query = {"app_label": "tracker", "model_name": "deadline", "field_name": "target"}
    assert client.get(search, {**query, "term": "GDP"}).status_code == 302


def test_a_figures_history_gives_its_reasons_in_the_readers_language(admin_client, demo_plan):
    from tracker.figures import workflow

    entry = ProgressEntry.objects.get(series__indicator__code="GDP", year=2025)
    admin = User.objects.get(username="admin")
    workflow.return_entry(entry, by=admin, reason="请附公报截图", version=entry.version)
    url = reverse("admin:tracker_progressentry_history", args=[entry.pk])
    html = admin_client.get(url).content.decode()
    assert "退回: 请附公报截图" in html and "returned:" not in html
    assert "reason_shown" not in html
    assert '<th scope="col">修改原因</th>' in html and '<th scope="col">改动</th>' in html
    assert "变化的表示" not in html  # the report's word for a change is not the admin's
    english(admin_client)
    html = admin_client.get(url).content.decode()
    assert "returned: 请附公报截图" in html and "退回" not in html


def test_ones_own_role_is_named_in_the_readers_language(admin_client, demo_plan):
    own = User.objects.get(username="admin")
    html = admin_client.get(reverse("admin:auth_user_change", args=[own.pk])).content.decode()
    assert "管理员" in html and "administrators" not in html
    assert 'name="groups"' not in html  # nobody takes their own role away
