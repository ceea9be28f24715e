"""Error pages look like the site, speak the user's language, say why and lead back."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse

from lingyuan import urls as site_urls


def boom(request):
    raise ZeroDivisionError("a bug")


def bad(request):
    from django.core.exceptions import SuspiciousOperation

    raise SuspiciousOperation("tampered")


def not_a_year(request):
    from django.core.exceptions import BadRequest

    raise BadRequest("“x” 不是年份。")


def forbidden(request):
    raise PermissionDenied("只有管理员可以处理这个年份。")


urlpatterns = [
    path("boom/", boom),
    path("bad/", bad),
    path("forbidden/", forbidden),
    path("not-a-year/", not_a_year),
    *site_urls.urlpatterns,
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404


@pytest.fixture
def signed_in(client, reporter, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    client.force_login(reporter)
    return client


def page(response) -> str:
    return response.content.decode()


def test_a_missing_page(signed_in):
    response = signed_in.get("/plans/no-such-plan/")
    assert response.status_code == 404
    text = page(response)
    assert "找不到页面" in text and 'href="/"' in text and "tracker.css" in text
    assert "matches the given query" not in text


def test_a_missing_page_in_english(signed_in):
    signed_in.post(reverse("set_language"), {"language": "en"})
    text = page(signed_in.get("/plans/no-such-plan/"))
    assert "Page not found" in text and "Back to the plans" in text


def test_permission_denied_says_why(signed_in, outsider, client):
    response = signed_in.get("/forbidden/")
    assert response.status_code == 403
    assert "只有管理员可以处理这个年份。" in page(response)
    response = signed_in.get(reverse("tracker:targets-export", args=["x"]))
    assert response.status_code == 403 and "只有管理员" in page(response)


def test_a_bad_request(signed_in):
    response = signed_in.get("/bad/")
    assert response.status_code == 400 and "请求" in page(response)


def test_a_server_error_is_shown_kindly_and_logged(signed_in, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = signed_in.get("/boom/")
    assert response.status_code == 500
    assert "服务器出错" in page(response) and 'href="/"' in page(response)
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.exc_info and record.exc_info[0] is ZeroDivisionError
    assert "/boom/" in record.getMessage()


def test_an_expired_form_says_what_to_do(reporter):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reporter)
    response = browser.post(reverse("tracker:approvals"))
    assert response.status_code == 403
    assert "安全令牌" in page(response) and "tracker.css" in page(response)


def test_opening_a_post_only_address_shows_the_error_page(signed_in, demo_plan):
    response = signed_in.get(reverse("tracker:approve"))
    assert response.status_code == 405 and response["Allow"] == "POST"
    text = page(response)
    assert "无法直接打开的地址" in text and "请返回该页面" in text
    assert 'href="/"' in text and "tracker.css" in text
    signed_in.post(reverse("set_language"), {"language": "en"})
    text = page(signed_in.get(reverse("tracker:reopen-year", args=[demo_plan.slug, 2025])))
    assert "Not a page to open" in text and "Back to the plans" in text


def formatted(record) -> str:
    """A record as the site's console handler writes it (LOGGING's "plain" format)."""
    from django.conf import settings

    return logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]).format(record)


def test_a_refusal_is_logged_in_one_line_and_a_server_error_with_its_traceback(signed_in):
    import unittest

    logs = unittest.TestCase()
    with logs.assertLogs("django.request", level="WARNING") as captured:
        assert signed_in.get("/forbidden/").status_code == 403
    (record,) = captured.records
    line = formatted(record)
    assert "\n" not in line and "Traceback" not in line
    assert "WARNING django.request: Forbidden (Permission denied): /forbidden/" in line
    assert "只有管理员可以处理这个年份。" in line
    with logs.assertLogs("django.request", level="WARNING") as captured:
        assert signed_in.get("/admin/").status_code == 302  # a reporter is sent to sign in
        response = signed_in.get(reverse("tracker:targets-export", args=["x"]))
        assert response.status_code == 403
    assert all("\n" not in formatted(r) for r in captured.records)
    # A bad request too: what was wrong, in one line.
    with logs.assertLogs("django.request", level="WARNING") as captured:
        assert signed_in.get("/not-a-year/").status_code == 400
    (record,) = captured.records
    assert "\n" not in formatted(record) and "“x” 不是年份。" in formatted(record)
    with logs.assertLogs("django.request", level="ERROR") as captured:
        assert signed_in.get("/boom/").status_code == 500
    (record,) = captured.records
    text = formatted(record)
    assert "Traceback" in text and "ZeroDivisionError: a bug" in text


def test_a_missing_public_page_leads_back_to_the_published_plans(db, client, settings):
    """An old link to a plan withdrawn from publication: a 404 in the public pages' look,
    leading to /public/, never to a sign-in."""
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    response = client.get("/public/plans/withdrawn-plan/")
    assert response.status_code == 404
    text = page(response)
    assert "找不到页面" in text and "public.css" in text
    assert 'href="/public/"' in text and "/accounts/login/" not in text
