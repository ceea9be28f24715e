"""Behind a proxy, failed sign-ins lock out an address with a user name, never the user."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tests import factory
from tracker.network import client_address


@pytest.fixture
def behind_nginx(settings):
    settings.AXES_ENABLED = True
    settings.PROXY_COUNT = 1


def sign_in(client, user, password, address):
    # nginx appends the address it sees; REMOTE_ADDR is nginx itself.
    return client.post(
        reverse("login"),
        {"username": user.username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=address,
    )


def test_an_attacker_elsewhere_does_not_lock_the_user_out(client, reporter, behind_nginx, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, reporter, "wrong", "203.0.113.9")
    assert sign_in(client, reporter, factory.PASSWORD, "203.0.113.9").status_code == 429
    response = sign_in(client, reporter, factory.PASSWORD, "198.51.100.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reporter.pk)


def test_a_forged_header_does_not_escape_the_lock_out(client, reporter, behind_nginx, settings):
    # The attacker sends "X-Forwarded-For: <random>"; nginx appends the real address.
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, reporter, "wrong", f"10.0.0.{n}, 203.0.113.9")
    assert sign_in(client, reporter, factory.PASSWORD, "10.9.9.9, 203.0.113.9").status_code == 429


def test_the_lock_out_is_for_that_user_name_only(
    client, reporter, admin_user, behind_nginx, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, reporter, "wrong", "203.0.113.9")
    assert sign_in(client, admin_user, factory.PASSWORD, "203.0.113.9").status_code == 302


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "203.0.113.9", "192.0.2.1"),  # no proxy: the header is the client's own claim
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (2, "1.2.3.4, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, "", "192.0.2.1"),  # bypassed the proxy
        (2, "203.0.113.9", "192.0.2.1"),
    ],
)
def test_the_client_address(settings, proxies, forwarded, expected):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
