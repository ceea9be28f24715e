"""Django's own admin strings that Django 5.2 ships without Chinese read Chinese on a
Chinese admin page: the group picker's (JavaScript catalog), the user add page's, the
index's screen-reader headers, the password length rule; English pages keep Django's."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factory


@pytest.fixture
def chief(client, db):
    chief = factory.make_user("chief", role="admin")
    chief.is_superuser = True
    chief.save()
    client.force_login(chief)
    return chief


def catalog(client) -> dict:
    """The admin's JavaScript catalog, as the browser gets it."""
    body = client.get("/admin/jsi18n/").content.decode()
    found = re.search(r"const newcatalog = (\{.*?\});", body, re.S)
    return json.loads(found.group(1)) if found else {}  # none at all in English


def speak(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


def test_the_group_picker_speaks_chinese(client, chief):
    speak(client, "zh-hans")
    words = catalog(client)
    assert words["Choose all %s"] == "全选%s"
    assert words["Remove all %s"] == "删除全部%s"
    assert words["Choose selected %s"] == "选择所选%s"
    assert words["Remove selected %s"] == "删除所选%s"
    assert words["(click to clear)"] == "（点击清除）"
    assert words["Choose all"] == "全选"  # Django's own translations are still there


def test_the_group_picker_speaks_english_when_chosen(client, chief):
    speak(client, "en")
    assert "Choose all %s" not in catalog(client)  # no catalog: Django's English as it is


@pytest.mark.parametrize(
    ("language", "shown", "absent"),
    [
        ("zh-hans", "创建用户后，即可编辑更多用户选项。", "After you’ve created a user"),
        (
            "en",
            "After you’ve created a user, you’ll be able to edit more user options.",
            "创建用户后",
        ),
    ],
)
def test_the_user_add_page_explains_in_the_readers_language(client, chief, language, shown, absent):
    speak(client, language)
    page = client.get(reverse("admin:auth_user_add")).content.decode()
    assert shown in page and absent not in page


def test_the_admin_index_headers_speak_chinese(client, chief):
    speak(client, "zh-hans")
    page = client.get(reverse("admin:index")).content.decode()
    assert "模型名称" in page and "Model name" not in page
    assert "添加链接" in page and "Add link" not in page


def test_a_too_short_password_is_refused_in_chinese(client, chief):
    speak(client, "zh-hans")
    response = client.post(
        reverse("admin:auth_user_add"),
        {"username": "newbie", "password1": "a1", "password2": "a1", "usable_password": "true"},
    )
    page = response.content.decode()
    assert "密码太短，至少须有" in page and "This password is too short" not in page
