"""A person's name in the order of its script, one rule everywhere: 王芳 (family name first,
no space) for a Chinese name, "Ann Lee" for others; in the header, the admin's user list
and mail greetings."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests import factory
from tracker.models import Profile, display_user, full_name
from tracker.reminders.mail import remind_now


@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [
        ("芳", "王", "王芳"),
        ("小明", "欧阳", "欧阳小明"),
        ("芳", "", "芳"),
        ("", "王", "王"),
        ("Ann", "Lee", "Ann Lee"),
        ("Ann", "", "Ann"),
        (" Ann ", " Lee ", "Ann Lee"),
        ("", "", ""),
    ],
)
def test_the_order_follows_the_script(first, last, shown):
    assert full_name(first, last) == shown


@pytest.fixture
def wang(department):
    return factory.make_user(
        "wangfang",
        role="reporter",
        departments=[department],
        first_name="芳",
        last_name="王",
        email="wang@example.org",
    )


def test_display_user_names_the_person_so_and_falls_back_to_the_user_name(wang, db):
    assert display_user(wang) == "王芳"
    assert display_user(factory.make_user("nobody")) == "nobody"
    assert display_user(factory.make_user("ann", first_name="Ann", last_name="Lee")) == "Ann Lee"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_header_names_the_person_family_name_first(client, wang, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(wang)
    page = client.get(reverse("tracker:profile")).content.decode()
    assert 'class="who"' in page
    assert "王芳" in page and "芳 王" not in page


def test_the_admins_user_list_names_people_family_name_first(client, wang, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "王芳" in page and "芳 王" not in page


@pytest.mark.parametrize(
    ("language", "greeting"), [("zh-hans", "王芳，您好"), ("en", "Dear 王芳,")]
)
def test_the_mail_greets_the_person_family_name_first(wang, department, language, greeting):
    profile = Profile.of(wang)
    profile.language = language
    profile.save()
    plan = factory.make_plan()
    factory.make_target(plan, code="GDP", lead_department=department)
    remind_now(plan, 2024, [department], on=date(2025, 6, 1))
    (sent,) = [m for m in mail.outbox if m.to == ["wang@example.org"]]
    assert greeting in sent.body and "芳 王" not in sent.body
