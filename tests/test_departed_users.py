"""A person who is gone never breaks a page; people with recorded work are deactivated."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from tests import factory
from tracker.figures import writes
from tracker.models import ClosedYear, ImportBatch, ProgressEntry, display_user


@pytest.fixture
def plan(department):
    return factory.make_plan(slug="gone")


@pytest.fixture
def target(plan, department):
    return factory.make_target(plan, code="GDP", lead_department=department)


@pytest.fixture
def departed(department, target, plan):
    """A reporter and an administrator who entered, approved, imported and closed, then left."""
    leaver = factory.make_user("leaver", role="admin", departments=[department], first_name="王五")
    entry = factory.make_entry(target, 2022, 120, state="submitted", entered_by=leaver)
    writes.approve_entries([entry], by=leaver)
    writes.close_year(plan, 2023, by=leaver, reason="年报已发布")
    ImportBatch.objects.create(
        plan=plan, imported_by=leaver, imported_by_name="王五", file_name="a.xlsx", sha256="0" * 64
    )
    ProgressEntry.history.filter(history_user=leaver).update(history_user=None)
    factory.make_entry(target, 2021, 110, state="submitted", entered_by=leaver)
    User.objects.filter(pk=leaver.pk).delete()  # from the shell, as a script would
    return leaver


def test_every_page_still_shows(client, admin_user, plan, target, departed):
    client.force_login(admin_user)
    pages = [
        target.get_absolute_url(),
        reverse("tracker:approvals"),
        reverse("tracker:import", args=[plan.slug]),
        reverse("tracker:data-entry", args=[plan.slug, 2023]),
        reverse("tracker:plan-dashboard", args=[plan.slug]),
        reverse("tracker:api-plan", args=[plan.slug]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "王五" in client.get(reverse("tracker:import", args=[plan.slug])).content.decode()
    assert ClosedYear.objects.get().closer == "王五"


def test_history_written_without_a_user(client, admin_user, target):
    entry = factory.make_entry(target, 2022, 130)
    assert entry.history.get().history_user is None
    client.force_login(admin_user)
    assert client.get(target.get_absolute_url()).status_code == 200


def test_display_user_copes_with_none():
    assert display_user(None) == "—"
    assert display_user(None, "王五") == "王五"


def test_the_admin_offers_deactivation_for_people_with_recorded_work(client, target):
    superuser = User.objects.create_superuser("root", password=factory.PASSWORD)
    worker = factory.make_user("worker")
    factory.make_entry(target, 2022, 120, entered_by=worker)
    client.force_login(superuser)
    url = reverse("admin:auth_user_delete", args=[worker.pk])
    page = client.get(url).content.decode()
    assert "停用" in page or "Deactivate" in page
    client.post(url, {"post": "yes"})  # the ordinary delete confirmation does not delete
    assert User.objects.filter(pk=worker.pk).exists()
    client.post(url, {"deactivate": "1"})
    worker.refresh_from_db()
    assert not worker.is_active


def test_an_account_without_recorded_work_is_deleted(client, db):
    superuser = User.objects.create_superuser("root", password=factory.PASSWORD)
    newcomer = factory.make_user("newcomer")
    client.force_login(superuser)
    client.post(reverse("admin:auth_user_delete", args=[newcomer.pk]), {"post": "yes"})
    assert not User.objects.filter(pk=newcomer.pk).exists()


def test_administrators_grant_roles_but_no_powers(client, admin_user, reporter):
    other = Group.objects.create(name="auditors")
    root = User.objects.create_superuser("root", password=factory.PASSWORD)
    client.force_login(admin_user)
    url = reverse("admin:auth_user_change", args=[reporter.pk])
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    assert 'name="is_staff"' not in page and "auditors" not in page
    data = {
        "username": reporter.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_superuser": "on",
        "is_staff": "on",
        "groups": [str(g.pk) for g in Group.objects.filter(name__in=["reporters"])]
        + [str(other.pk)],
    }
    client.post(url, data)
    reporter.refresh_from_db()
    assert not reporter.is_superuser and not reporter.is_staff
    assert not reporter.groups.filter(name="auditors").exists()
    assert client.get(reverse("admin:auth_user_change", args=[root.pk])).status_code in (302, 404)


def test_an_administrator_cannot_make_itself_superuser(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:auth_user_change", args=[admin_user.pk])
    admins = Group.objects.get(name="administrators")
    data = {
        "username": admin_user.username,
        "is_active": "on",
        "is_superuser": "on",
        "groups": [str(admins.pk)],
    }
    client.post(url, data)
    admin_user.refresh_from_db()
    assert not admin_user.is_superuser


def test_an_administrator_cannot_lock_itself_out(client, admin_user, reporter):
    factory.make_entry(factory.make_target(factory.make_plan()), 2022, 1, entered_by=admin_user)
    client.force_login(admin_user)
    delete_url = reverse("admin:auth_user_delete", args=[admin_user.pk])
    response = client.post(delete_url, {"deactivate": "1"}, follow=True)
    assert "不能停用或删除自己的账号" in response.content.decode()
    change_url = reverse("admin:auth_user_change", args=[admin_user.pk])
    page = client.get(change_url).content.decode()
    assert 'name="is_active"' not in page and 'name="groups"' not in page
    data = {
        "username": admin_user.username,
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "_save": "1",
    }
    client.post(change_url, data)
    admin_user.refresh_from_db()
    assert admin_user.is_active and admin_user.groups.filter(name="administrators").exists()
    changelist = reverse("admin:auth_user_changelist")
    action = {"action": "deactivate", "_selected_action": [admin_user.pk]}
    response = client.post(changelist, action, follow=True)
    shown = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert ("warning", "没有停用任何账号。") in shown
    admin_user.refresh_from_db()
    assert admin_user.is_active
    action["_selected_action"] = [reporter.pk]
    response = client.post(changelist, action, follow=True)
    reporter.refresh_from_db()
    assert not reporter.is_active
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
