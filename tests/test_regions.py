"""Rights by region: a county's figures are entered and approved in the county; a sibling
county sees none of them before approval, and a prefecture reads them once approved and
acts on none of them.

The sweep is test_visibility's: it walks the URLconf (no page listed by hand) over a plan of
北票市 with figures in every state but approved, as people of 凌源市 and of 朝阳市. Then it
posts to every URL, with a body that would do each page's act, and finds nothing changed.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests import factory
from tests.test_visibility import (
    APPROVED,
    SECRET_TEXTS,
    SECRET_VALUES,
    _forms,
    _found,
    _secrets,
    _sweep,
    _urls,
    plant,
)
from tracker.figures.rights import administers, can_enter, oversees, region_of
from tracker.models import (
    ClosedYear,
    Deadline,
    Department,
    Evaluation,
    Explanation,
    FigureMessage,
    ImportBatch,
    PendingImport,
    Plan,
    Profile,
    ProgressEntry,
    Region,
    Target,
)
from tracker.regions.divisions import region_for


@pytest.fixture
def regions(db):
    return {name: region_for(Region, name) for name in ("北票市", "凌源市")} | {
        "朝阳市": Region.objects.get(code="211300")
    }


@pytest.fixture
def beipiao(regions, settings, tmp_path):
    """北票市's plan with figures in every state, and people of 凌源市 and 朝阳市."""
    settings.MEDIA_ROOT = tmp_path
    planted = plant(regions["北票市"], prefix="beipiao_")
    lingyuan = factory.make_department(name="统计局", region=regions["凌源市"])
    factory.make_plan(region=regions["凌源市"])
    planted["people"] = {
        "lingyuan_reporter": factory.make_user("lingyuan", role="reporter", departments=[lingyuan]),
        "lingyuan_admin": factory.make_user(
            "lingyuan_admin", role="admin", region=regions["凌源市"]
        ),
        "chaoyang": factory.make_user("chaoyang", role="admin", region=regions["朝阳市"]),
        "chaoyang_viewer": factory.make_user("cy_viewer", role="viewer", region=regions["朝阳市"]),
    }
    return planted


# -- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lingyuan_reporter", "lingyuan_admin"])
def test_a_sibling_county_sees_nothing_of_a_county_s_figures_not_approved(client, beipiao, who):
    client.force_login(beipiao["people"][who])
    said = _sweep(client, beipiao)
    assert len(said) > 100
    assert _found(said, _secrets()) == {}
    assert _found(said, _forms(APPROVED))  # approved figures are everyone's who signs in


@pytest.mark.parametrize("who", ["chaoyang", "chaoyang_viewer"])
def test_the_prefecture_reads_a_county_s_approved_figures_and_nothing_else(client, beipiao, who):
    client.force_login(beipiao["people"][who])
    said = _sweep(client, beipiao)
    assert _found(said, _secrets()) == {}
    assert _found(said, _forms(APPROVED))


def test_the_county_s_own_administrator_sees_every_figure(client, beipiao):
    """The sweep can fail: 北票市's administrator finds each planted secret somewhere."""
    client.force_login(beipiao["admin"])
    said = _sweep(client, beipiao)
    found = set(_found(said, _secrets()))
    assert set(SECRET_TEXTS) <= found
    assert all(set(_forms(value)) & found for value in SECRET_VALUES)


# -- acting --------------------------------------------------------------------------------


def _state() -> tuple:
    """Everything an act could change, to compare before and after."""
    return (
        list(ProgressEntry.objects.order_by("pk").values_list("pk", "state", "version", "value")),
        ProgressEntry.history.count(),
        Target.history.count(),
        list(ClosedYear.objects.values_list("region", "year")),
        Evaluation.objects.count(),
        list(ImportBatch.objects.order_by("pk").values_list("pk", "state")),
        FigureMessage.objects.count(),
        Explanation.objects.count(),
        Deadline.objects.count(),
        PendingImport.objects.count(),
    )


ENTRY_URL = re.compile(r"/entries/(\d+)/")


def _act_everywhere(client, planted) -> None:
    """Post to every URL of the sweep a body that would do its act: approve, return,
    reopen (with the figure's version), close and reopen years, freeze, revert, remind,
    enter, post a message, and the admin's approval action."""
    entries = ProgressEntry.objects.filter(series__targets__plan=planted["plan"])
    versions = dict(entries.values_list("pk", "version"))
    body = {
        "confirm": "1",
        "confirm_flagged": "1",
        "reason": "示例原因",
        "text": "示例留言",
        "kind": "annual",
        "title": "评估",
        "date": "2025-01-15",
        "year": "2024",
        "state": "submitted",
        "entry": [f"{pk}:{version}" for pk, version in versions.items()],
        "action": "approve_entries",
        "_selected_action": list(versions),
        "index": "0",
    }
    urls, _unfilled = _urls(planted)
    for url in urls:
        if "logout" in url:  # it would end the session, and the sweep with it
            continue
        match = ENTRY_URL.search(url)
        version = versions.get(int(match.group(1)), 0) if match else 0
        response = client.post(url, {**body, "version": str(version)})
        assert response.status_code < 500, url


@pytest.mark.parametrize("who", ["lingyuan_admin", "chaoyang", "chaoyang_viewer"])
def test_no_act_on_a_county_s_plan_succeeds_from_outside_the_county(client, beipiao, who):
    client.force_login(beipiao["people"][who])
    before = _state()
    _act_everywhere(client, beipiao)
    assert _state() == before


def test_the_county_s_own_administrator_acts_on_its_plan(client, beipiao):
    """The posts can do something: from 北票市's administrator, they change the plan."""
    client.force_login(beipiao["admin"])
    before = _state()
    _act_everywhere(client, beipiao)
    assert _state() != before


# -- the rule ------------------------------------------------------------------------------


def test_an_administrator_acts_in_their_region_only(beipiao, regions):
    people = beipiao["people"]
    plan = beipiao["plan"]
    target = beipiao["targets"][0]
    assert administers(beipiao["admin"], plan.region_id) and can_enter(beipiao["admin"], target)
    for who in ("lingyuan_admin", "chaoyang", "chaoyang_viewer", "lingyuan_reporter"):
        assert not administers(people[who], plan.region_id)
        assert not can_enter(people[who], target)
    assert administers(people["chaoyang"], regions["朝阳市"].pk)
    assert list(Plan.objects.administered_by(people["chaoyang"])) == []
    assert list(Plan.objects.administered_by(beipiao["admin"])) == [plan]


def test_a_prefecture_oversees_its_counties_and_a_county_only_itself(beipiao, regions):
    people = beipiao["people"]
    assert oversees(people["chaoyang"], regions["北票市"])
    assert oversees(people["chaoyang_viewer"], regions["朝阳市"])
    assert not oversees(people["lingyuan_admin"], regions["北票市"])
    assert not oversees(people["lingyuan_reporter"], regions["凌源市"])
    under = set(Region.objects.overseen_by(people["chaoyang"]).values_list("code", flat=True))
    assert {"211300", "211381", "211382"} <= under and "210000" not in under


def test_an_administrator_without_a_region_has_every_region(beipiao, regions):
    """As every administrator had before regions had people; a superuser always has."""
    boss = factory.make_user("everywhere", role="admin")
    assert region_of(boss) is None and administers(boss, regions["北票市"].pk)
    superuser = factory.make_user("root", is_superuser=True)
    Profile.objects.create(user=superuser, region=regions["凌源市"])
    assert region_of(superuser) is None and administers(superuser, regions["北票市"].pk)
    assert Group.objects.filter(name="viewers").exists()


def test_a_county_administrator_manages_the_accounts_of_its_region_only(client, beipiao, regions):
    """Never one of another region, nor an account of every region: the region is asked."""
    from django.urls import reverse

    client.force_login(beipiao["admin"])
    listed = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "beipiao_tongji" in listed and "lingyuan_admin" not in listed
    other = beipiao["people"]["lingyuan_admin"]
    assert client.get(reverse("admin:auth_user_change", args=[other.pk])).status_code in (302, 404)
    page = client.get(reverse("admin:auth_user_change", args=[beipiao["owner"].pk]))
    field = page.context["inline_admin_formsets"][0].formset.forms[0].fields["region"]
    assert field.required and set(field.queryset) == {regions["北票市"]}
    # Its help says what is true for them: a region must be given, none is every region.
    assert "必填" in str(field.help_text) and "留空" not in str(field.help_text)
    client.force_login(factory.make_user("root-accounts", is_superuser=True, is_staff=True))
    page = client.get(reverse("admin:auth_user_change", args=[beipiao["owner"].pk]))
    field = page.context["inline_admin_formsets"][0].formset.forms[0].fields["region"]
    assert not field.required and "留空：所有地区" in str(field.help_text)


def test_an_account_made_by_a_county_administrator_belongs_to_its_region(client, beipiao):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    client.force_login(beipiao["admin"])
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "xinren",
            "password1": "a-long-Passw0rd-2025",
            "password2": "a-long-Passw0rd-2025",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    account = get_user_model().objects.get(username="xinren")
    assert region_of(account) == beipiao["plan"].region_id


@pytest.mark.parametrize(
    "who", ["lingyuan_reporter", "lingyuan_admin", "chaoyang", "chaoyang_viewer"]
)
def test_a_county_s_departments_page_is_its_own(client, beipiao, who):
    """How far 北票市's departments have got counts its drafts: nobody outside it reads that,
    nor is linked to it; its own administrator does."""
    url = reverse("tracker:departments", args=[beipiao["plan"].slug])
    client.force_login(beipiao["people"][who])
    assert client.get(url).status_code == 404
    assert url not in client.get(beipiao["plan"].get_absolute_url()).content.decode()
    client.force_login(beipiao["admin"])
    assert client.get(url).status_code == 200
    assert url in client.get(beipiao["plan"].get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "who", ["lingyuan_reporter", "lingyuan_admin", "chaoyang", "chaoyang_viewer"]
)
def test_a_county_s_entry_and_import_pages_are_its_own(client, beipiao, who):
    """Figures of 北票市 are entered in 北票市: its entry and import pages refuse people of
    another region, saying so, and its pages do not link them there; its reporter is."""
    plan = beipiao["plan"]
    urls = [
        reverse("tracker:data-entry", args=[plan.slug, 2022]),
        reverse("tracker:import", args=[plan.slug]),
    ]
    client.force_login(beipiao["people"][who])
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "北票市" in response.content.decode()
        assert url not in client.get(plan.get_absolute_url()).content.decode()
    client.force_login(beipiao["owner"])
    for url in urls:
        assert client.get(url).status_code == 200
    assert urls[1] in client.get(plan.get_absolute_url()).content.decode()


def test_the_approvals_filters_offer_one_s_own_region(client, beipiao, regions):
    """A county's administrator filters among their own plans; an administrator of every
    region tells same-named departments apart by their regions."""
    other = beipiao["plan"]
    lingyuan = Plan.objects.filter(region=regions["凌源市"]).get()
    statistics = Department.objects.get(region=regions["凌源市"], name="统计局")
    factory.make_target(lingyuan, lead_department=statistics)
    client.force_login(beipiao["people"]["lingyuan_admin"])
    page = client.get(reverse("tracker:approvals")).content.decode()
    assert f'value="{other.slug}"' not in page
    client.force_login(factory.make_user("everywhere", role="admin"))
    page = client.get(reverse("tracker:approvals")).content.decode()
    assert f'value="{other.slug}"' in page
    assert f"{regions['北票市'].display_name} · 统计局" in page
    assert f"{regions['凌源市'].display_name} · 统计局" in page


# -- home pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["chaoyang", "chaoyang_viewer"])
def test_a_prefecture_s_home_is_the_matrix_of_its_regions(client, beipiao, who):
    """From `/` and after signing in; the plans and their work are a link away."""
    matrix = reverse("tracker:region", args=["211300"])
    client.force_login(beipiao["people"][who])
    response = client.get(reverse("tracker:plan-list"))
    assert response.status_code == 302 and response["Location"] == matrix
    html = client.get(matrix).content.decode()
    plans = reverse("tracker:plans")
    assert f'href="{plans}"' in html and "我的工作和规划" in html
    nav = html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{plans}"' in nav and f'href="{matrix}"' in nav
    listed = client.get(plans)
    assert listed.status_code == 200 and "北票市" in listed.content.decode()


def test_signing_in_as_a_prefecture_lands_on_its_matrix(client, beipiao):
    from tests.factory import PASSWORD

    response = client.post(
        reverse("login"), {"username": "chaoyang", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("tracker:region", args=["211300"])
    assert response.status_code == 200 and "各地区对比" in response.content.decode()


@pytest.mark.parametrize("who", ["lingyuan_reporter", "lingyuan_admin"])
def test_a_county_s_people_keep_the_home_of_their_work(client, beipiao, who):
    client.force_login(beipiao["people"][who])
    response = client.get(reverse("tracker:plan-list"))
    assert response.status_code == 200 and "我的工作" in response.content.decode()
    nav = response.content.decode().split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/"' in nav and "/regions/" not in nav


def test_an_administrator_of_every_region_keeps_the_home_of_their_work(client, beipiao):
    client.force_login(factory.make_user("everywhere-home", role="admin"))
    assert client.get(reverse("tracker:plan-list")).status_code == 200
