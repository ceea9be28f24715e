"""Request bodies over the limit are refused before anything reads them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factory
from tests.test_excel_import import XLSX


@pytest.fixture
def plan(department):
    return factory.make_plan(slug="caps", region=department.region)


def test_an_announced_large_body_is_refused_unread(client, plan, reporter):
    client.force_login(reporter)
    # The body is small; only its announced length is large. Reading it would fail.
    response = client.post(
        reverse("tracker:import", args=[plan.slug]),
        {"file": SimpleUploadedFile("big.xlsx", b"PK", XLSX)},
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "100.0" in page and "5.0" in page  # 100.0 MB, at most 5.0 MB


def test_a_real_large_upload_is_refused_with_the_page_in_the_users_language(client, plan, reporter):
    client.force_login(reporter)
    client.post(reverse("set_language"), {"language": "en"})
    response = client.post(
        reverse("tracker:import", args=[plan.slug]),
        {"file": SimpleUploadedFile("big.xlsx", b"x" * (6 * 1024 * 1024), XLSX)},
    )
    assert response.status_code == 413
    assert "at most 5.0" in response.content.decode()


def test_an_upload_within_the_limit_reaches_the_import(client, plan, reporter):
    client.force_login(reporter)
    response = client.post(
        reverse("tracker:import", args=[plan.slug]),
        {"file": SimpleUploadedFile("small.xlsx", b"x" * (4 * 1024 * 1024), XLSX)},
    )
    assert response.status_code == 200
    assert ".xlsx" in response.content.decode()  # refused by the import's own check


def test_other_pages_take_at_most_the_site_wide_limit(client, plan, admin_user, settings):
    client.force_login(admin_user)
    response = client.post(
        reverse("tracker:approvals"), {}, CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1)
    )
    assert response.status_code == 413


def test_a_chunked_body_is_cut_at_the_limit(rf, settings, reporter):
    from django.test.client import encode_multipart

    from tracker.uploads import CapRequestBodies
    from tracker.views.excel import import_page

    body = encode_multipart("BoUnDaRy", {"file": SimpleUploadedFile("a.xlsx", b"x" * 200_000)})
    request = rf.post("/", body, content_type="multipart/form-data; boundary=BoUnDaRy")
    settings.IMPORT_MAX_BYTES = 10_000
    middleware = CapRequestBodies(lambda r: None)
    # Announced honestly, it is refused up front; unannounced, the quota stops the read.
    assert middleware.process_view(request, import_page, (), {}).status_code == 413
    request = rf.post("/", body, content_type="multipart/form-data; boundary=BoUnDaRy")
    request.META["CONTENT_LENGTH"] = ""
    assert middleware.process_view(request, import_page, (), {}) is None
    request.META["CONTENT_LENGTH"] = str(len(body))  # what the parser needs to iterate
    assert "file" not in request.FILES
    assert request.upload_refused
