"""What pages say: units in the reader's language, and a reason where there is nothing to do."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tracker.models import ProgressEntry

PASSWORD = "lingyuan-demo-2025"


@pytest.fixture
def english_admin(client, demo_plan):
    client.login(username="admin", password=PASSWORD)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def test_units_read_in_english_on_every_page_that_lists_figures(english_admin, demo_plan):
    gdp = ProgressEntry.objects.get(
        series__targets__plan=demo_plan, series__indicator__code="GDP", year=2025
    )
    pages = [
        reverse("tracker:approvals"),
        reverse("tracker:close-year", args=[demo_plan.slug, 2025]),
        reverse("tracker:data-entry", args=[demo_plan.slug, 2025]),
        reverse("tracker:reopen-entry", args=[gdp.pk]),
    ]
    for url in pages:
        html = english_admin.get(url).content.decode()
        assert "100 million yuan" in html, url
        assert "亿元" not in html, url


def test_the_entry_page_tells_a_person_without_a_department_why_it_is_empty(
    client, demo_plan, outsider
):
    client.force_login(outsider)
    html = client.get(reverse("tracker:data-entry", args=[demo_plan.slug, 2025])).content.decode()
    assert "您尚未加入任何单位" in html
    assert "逾期" not in html  # a deadline is nobody's business here


def test_the_import_page_names_the_sheet_in_english(english_admin, demo_plan):
    html = english_admin.get(reverse("tracker:import", args=[demo_plan.slug])).content.decode()
    assert "“Yearly data” sheet" in html and "年度数据" not in html


def test_the_import_preview_names_targets_and_writes_figures_as_every_page_does(client, demo_plan):
    import io

    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.login(username="tongji", password=PASSWORD)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    template = client.get(reverse("tracker:template", args=[demo_plan.slug, 2025]))
    wb = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = wb.worksheets[0]
    row = next(r for r in sheet.iter_rows() if r[0].value == "INCOME-GROWTH")
    row[5].value = 34100
    out = io.BytesIO()
    wb.save(out)
    upload = SimpleUploadedFile("f.xlsx", out.getvalue(), "application/octet-stream")
    response = client.post(reverse("tracker:import", args=[demo_plan.slug]), {"file": upload})
    html = client.get(response["Location"]).content.decode()
    assert "Per-capita disposable income" in html
    assert "34,100" in html  # grouped from five digits, as on the dashboard
