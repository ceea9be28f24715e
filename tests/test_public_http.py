"""Every response under /public/ is cacheable with validators that change when a figure, the
publication or the language does, and each client address has a rate limit: past it, a 429
page in the reader's language, counted on the address the sign-in lock-out counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from tests import factory
from tracker.figures import workflow
from tracker.models import Publication


def publish(plan, published=True):
    plan.published = published
    plan.save(update_fields=["published"])
    Publication.objects.create(plan=plan, published=published, reason="政务公开")


@pytest.fixture
def plan(db, department):
    plan = factory.make_plan(slug="cached-plan")
    target = factory.make_target(plan, code="GDP", lead_department=department)
    factory.make_entry(target, 2020, "100")
    factory.make_entry(target, 2021, "110", state="submitted")
    publish(plan)
    return plan


def data_url(plan, name="figures.csv") -> str:
    return reverse(f"tracker:public-data-{name}", args=[plan.slug])


class TestValidators:
    def test_a_public_response_is_cacheable_with_an_etag_and_last_modified(self, client, plan):
        response = client.get(data_url(plan))
        assert response.status_code == 200
        assert response["ETag"].startswith('W/"')
        assert response["Last-Modified"]
        control = response["Cache-Control"]
        assert "public" in control and f"max-age={django_settings.PUBLIC_MAX_AGE}" in control
        vary = response["Vary"]
        assert "Accept-Language" in vary and "Cookie" in vary

    def test_an_unchanged_response_is_a_304_until_a_figure_is_approved(
        self, client, plan, admin_user
    ):
        first = client.get(data_url(plan))
        etag, modified = first["ETag"], first["Last-Modified"]
        assert client.get(data_url(plan), HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert client.get(data_url(plan), HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
        entry = plan.targets.get().series.entries.get(year=2021)
        workflow.approve(entry, by=admin_user, version=entry.version)
        changed = client.get(data_url(plan), HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200
        assert changed["ETag"] != etag
        assert b"110" in changed.content
        later = http_date(timezone.now().timestamp() + 5)
        assert client.get(data_url(plan), HTTP_IF_MODIFIED_SINCE=later).status_code == 304

    def test_a_returned_figure_changes_the_etag_too(self, client, plan, admin_user):
        etag = client.get(data_url(plan))["ETag"]
        entry = plan.targets.get().series.entries.get(year=2021)
        workflow.return_entry(entry, by=admin_user, reason="请核实", version=entry.version)
        assert client.get(data_url(plan), HTTP_IF_NONE_MATCH=etag).status_code == 200

    def test_a_304_carries_the_validators_and_the_cache_headers(self, client, plan):
        etag = client.get(data_url(plan))["ETag"]
        response = client.get(data_url(plan), HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304 and not response.content
        assert response["ETag"] == etag and "public" in response["Cache-Control"]

    def test_publishing_again_or_another_language_changes_the_etag(self, client, plan):
        etag = client.get(data_url(plan))["ETag"]
        publish(plan, published=False)
        assert client.get(data_url(plan)).status_code == 404
        publish(plan)
        again = client.get(data_url(plan), HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 200
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
        english = client.get(data_url(plan), HTTP_IF_NONE_MATCH=again["ETag"])
        assert english.status_code == 200 and english["ETag"] != again["ETag"]

    def test_each_file_has_its_own_etag(self, client, plan):
        assert client.get(data_url(plan))["ETag"] != client.get(data_url(plan, "data.json"))["ETag"]

    def test_an_unpublished_plan_is_a_404_without_validators(self, client, db):
        other = factory.make_plan(slug="not-public")
        response = client.get(data_url(other))
        assert response.status_code == 404
        assert not response.has_header("ETag")

    def test_a_304_costs_the_count_and_two_queries(self, client, plan):
        """The plan's latest changes, and the names it is shown with."""
        etag = client.get(data_url(plan))["ETag"]
        with CaptureQueriesContext(connection) as queries:
            assert client.get(data_url(plan), HTTP_IF_NONE_MATCH=etag).status_code == 304
        counting = ("tracker_ratelimit_cache", "SAVEPOINT")
        others = [q["sql"] for q in queries.captured_queries]
        others = [sql for sql in others if not any(word in sql for word in counting)]
        assert len(others) == 2 and all("tracker_plan" in sql for sql in others)

    @pytest.mark.parametrize("renamed", ["department", "area", "region", "indicator"])
    def test_a_name_changed_in_the_admin_changes_the_etag(self, client, plan, renamed):
        target = plan.targets.select_related("area", "lead_department", "indicator").get()
        thing = {
            "department": target.lead_department,
            "area": target.area,
            "region": plan.region,
            "indicator": target.indicator,
        }[renamed]
        url = reverse("public:dashboard", args=[plan.slug])
        etag = client.get(url)["ETag"]
        thing.name_en = "Renamed"
        thing.save()
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


class TestRateLimit:
    @pytest.fixture(autouse=True)
    def low_limit(self, settings):
        settings.PUBLIC_RATE_LIMIT = "3/h"

    def test_past_the_limit_a_429_in_chinese_says_when_to_come_back(self, client, plan):
        for _ in range(3):
            assert client.get(data_url(plan)).status_code == 200
        response = client.get(data_url(plan))
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 3600
        text = response.content.decode()
        assert '<html lang="zh-hans">' in text
        assert "请求过于频繁" in text
        assert "no-store" in response["Cache-Control"]

    def test_the_429_page_speaks_english_to_an_english_reader(self, client, plan):
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
        for _ in range(3):
            client.get(data_url(plan))
        response = client.get(data_url(plan))
        assert response.status_code == 429
        text = response.content.decode()
        assert '<html lang="en">' in text and "Too many requests" in text
        assert f"{response['Retry-After']} seconds" in text or "1 second" in text

    def test_pages_elsewhere_are_not_counted(self, client, plan):
        for _ in range(5):
            client.get(reverse("login"))
        assert client.get(data_url(plan)).status_code == 200

    def test_no_limit_when_the_setting_is_empty(self, client, plan, settings):
        settings.PUBLIC_RATE_LIMIT = None
        for _ in range(5):
            assert client.get(data_url(plan)).status_code == 200


class TestBehindAProxy:
    """As the sign-in lock-out (tests/test_login_behind_proxy.py): nginx appends the address
    it received the request from; REMOTE_ADDR is nginx itself."""

    @pytest.fixture(autouse=True)
    def behind_nginx(self, settings):
        settings.PROXY_COUNT = 1
        settings.PUBLIC_RATE_LIMIT = "3/h"

    def get(self, client, plan, forwarded):
        return client.get(data_url(plan), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    def test_the_limit_is_per_forwarded_address(self, client, plan):
        for _ in range(3):
            assert self.get(client, plan, "203.0.113.9").status_code == 200
        assert self.get(client, plan, "203.0.113.9").status_code == 429
        assert self.get(client, plan, "198.51.100.7").status_code == 200

    def test_a_forged_header_does_not_escape_the_limit(self, client, plan):
        for n in range(3):
            assert self.get(client, plan, f"10.0.0.{n}, 203.0.113.9").status_code == 200
        assert self.get(client, plan, "10.9.9.9, 203.0.113.9").status_code == 429


def test_figures_stay_decimals_as_reported(client, plan):
    entry = plan.targets.get().series.entries.get(year=2020)
    entry.value = Decimal("100.000001")
    entry.save()
    assert b"100.000001" in client.get(data_url(plan)).content
