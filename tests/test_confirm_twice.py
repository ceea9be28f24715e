"""A preview is applied once, a year reopened once: a second try, even at the same moment,
says so."""

from __future__ import annotations

import threading

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests import factory
from tests.test_excel_import import XLSX, filled
from tracker.figures import writes
from tracker.models import ClosedYear, ImportBatch, PendingImport, ProgressEntry


@pytest.fixture
def plan(department):
    plan = factory.make_plan(slug="twice")
    factory.make_target(plan, code="GDP", lead_department=department)
    return plan


def preview_url(client, plan, reporter) -> str:
    data = filled(plan, reporter, 2023, F5=150)
    response = client.post(
        reverse("tracker:import", args=[plan.slug]),
        {"file": SimpleUploadedFile("twice.xlsx", data, XLSX)},
    )
    assert response.status_code == 302
    return response["Location"]


def said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_confirming_again_says_it_was_applied(client, plan, reporter):
    client.force_login(reporter)
    url = preview_url(client, plan, reporter)
    first = client.post(url, {"confirm": "1", "state": "draft"})
    assert "导入完成" in said(first)
    second = client.post(url, {"confirm": "1", "state": "draft"})
    assert second.status_code == 302
    assert "已经确认" in said(second) or "already confirmed" in said(second)
    assert ImportBatch.objects.count() == 1 and ProgressEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_confirms_at_the_same_moment(roles, plan, reporter):
    if connection.vendor == "sqlite":
        # The in-memory test database shares one cache between threads, and its table locks
        # fail at once instead of waiting as the file database does (timeout 20 s).
        pytest.skip("needs a database that waits for locks between threads: run on PostgreSQL")
    client = Client()
    client.force_login(reporter)
    url = preview_url(client, plan, reporter)
    barrier = threading.Barrier(2)
    outcomes = []

    def confirm():
        browser = Client()
        browser.force_login(reporter)
        barrier.wait()
        try:
            response = browser.post(url, {"confirm": "1", "state": "draft"})
            outcomes.append((response.status_code, said(response)))
        except Exception as error:  # a 500 raises through the test client
            outcomes.append((500, repr(error)))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(status for status, _said in outcomes) == [302, 302], outcomes
    words = " ".join(text for _status, text in outcomes)
    assert "已经确认" in words or "already confirmed" in words, outcomes
    assert ImportBatch.objects.count() == 1
    assert ProgressEntry.objects.count() == 1
    assert not PendingImport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_reopens_of_a_year_at_the_same_moment(roles, plan, admin_user):
    if connection.vendor == "sqlite":
        pytest.skip("needs a database that waits for locks between threads: run on PostgreSQL")
    writes.close_year(plan, 2023, by=admin_user, reason="公报已发布")
    url = reverse("tracker:reopen-year", args=[plan.slug, 2023])
    barrier = threading.Barrier(2)
    outcomes = []

    def reopen():
        browser = Client()
        browser.force_login(admin_user)
        barrier.wait()
        try:
            response = browser.post(url, {"reason": "更正"})
            outcomes.append((response.status_code, said(response)))
        except Exception as error:
            outcomes.append((500, repr(error)))
        finally:
            connection.close()

    threads = [threading.Thread(target=reopen) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(status for status, _said in outcomes) == [302, 302], outcomes
    words = sorted(text for _status, text in outcomes)
    assert words == ["2023 年度已重新打开。", "2023 年度未关闭。"], words
    assert ClosedYear.history.filter(history_type="-").count() == 1
