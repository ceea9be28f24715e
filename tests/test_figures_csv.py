"""The “Yearly data” sheet as CSV, at /plans/<slug>/figures.csv[?year=Y]: what the reader
may see, in the reader's language, every figure as reported."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from tests import factory
from tracker.excel.report import write_report
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.standings.standing import plan_targets, standings

BOM = b"\xef\xbb\xbf"


def url(plan, **query) -> str:
    address = reverse("tracker:figures-csv", args=[plan.slug])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def read(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(BOM)
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def by_code(rows) -> dict[str, list[str]]:
    return {row[0]: row for row in rows[1:]}


@pytest.fixture
def plan(db, department, other_department):
    plan = factory.make_plan(slug="csv-plan")
    ours = factory.make_target(
        plan,
        code="OURS",
        name="=城镇人口",  # typed text that Excel must not run as a formula
        name_en="Urban population",
        unit="万人",
        unit_en="10,000 persons",
        lead_department=department,
        decimal_places=1,
    )
    theirs = factory.make_target(
        plan, code="THEIRS", lead_department=other_department, decimal_places=1
    )
    factory.make_entry(ours, 2020, "100.125", quality="final")
    factory.make_entry(ours, 2021, "0.000001", quality="preliminary")
    factory.make_entry(ours, 2022, "111.5", state="draft", quality="final")
    factory.make_entry(theirs, 2020, "90", quality="final")
    factory.make_entry(theirs, 2021, "987654.321", state="submitted", quality="final")
    return plan


def test_it_is_utf8_with_a_bom_and_a_row_per_target_with_a_column_per_year(client, plan, reporter):
    client.force_login(reporter)
    response = client.get(url(plan, year=2022))
    rows = read(response)
    assert rows[0] == ["指标代码", "指标名称", "单位", "2020", "2021", "2022", "说明"]
    assert [row[0] for row in rows[1:]] == ["OURS", "THEIRS"]
    assert 'filename="csv-plan-figures-2022-' in response["Content-Disposition"]
    assert "测试规划" not in rows[0]  # headers only, no title row: a program reads it as is


def test_approved_figures_only_unless_asked_like_the_excel_report(client, plan, admin_user):
    client.force_login(admin_user)
    rows = by_code(read(client.get(url(plan, year=2022))))
    assert rows["OURS"][3:6] == ["100.125", "0.000001", ""]
    assert rows["THEIRS"][4] == ""
    assert "尚未审核" not in rows["OURS"][6] + rows["THEIRS"][6]
    asked = by_code(read(client.get(url(plan, year=2022, include_unapproved=1))))
    assert asked["THEIRS"][4] == "987654.321"


def test_a_reporter_sees_their_own_draft_but_not_another_departments(client, plan, reporter):
    client.force_login(reporter)
    rows = by_code(read(client.get(url(plan, year=2022, include_unapproved=1))))
    assert rows["OURS"][5] == "111.5"  # their own draft, as on the pages
    assert "2022年：尚未审核（草稿）" in rows["OURS"][6]
    assert rows["THEIRS"][3:6] == ["90.0", "", ""]
    assert "987654" not in "".join(rows["THEIRS"])


def test_a_reader_without_rights_sees_approved_figures_only_even_when_asking(
    client, plan, outsider
):
    client.force_login(outsider)
    rows = by_code(read(client.get(url(plan, year=2022, include_unapproved=1))))
    assert rows["OURS"][3:6] == ["100.125", "0.000001", ""]
    assert rows["THEIRS"][4] == ""


def test_an_administrator_who_asks_sees_every_figure(client, plan, admin_user):
    client.force_login(admin_user)
    rows = by_code(read(client.get(url(plan, year=2022, include_unapproved=1))))
    assert rows["THEIRS"][4] == "987654.321"


def test_anonymous_readers_are_sent_to_sign_in(client, plan):
    response = client.get(url(plan))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_numbers_round_trip_as_decimals_with_every_digit(client, plan, outsider):
    client.force_login(outsider)
    rows = by_code(read(client.get(url(plan, year=2021))))
    assert [Decimal(v) for v in rows["OURS"][3:5]] == [Decimal("100.125"), Decimal("0.000001")]
    assert rows["OURS"][4] == "0.000001"  # no float noise, no exponent
    assert rows["OURS"][5] == "2021年：初步"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_headers_in_the_readers_language(client, plan, outsider, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the language switch
    client.force_login(outsider)
    rows = read(client.get(url(plan, year=2021)))
    if language == "en":
        assert rows[0] == ["Code", "Target", "Unit", "2020", "2021", "Remarks"]
        assert by_code(rows)["OURS"][1:3] == ["Urban population", "10,000 persons"]
        assert by_code(rows)["OURS"][5] == "2021: preliminary"
    else:
        assert rows[0] == ["指标代码", "指标名称", "单位", "2020", "2021", "说明"]
        assert by_code(rows)["OURS"][1:3] == ["'=城镇人口", "万人"]


def test_the_year_defaults_to_the_status_year_and_later_years_are_left_out(client, plan, outsider):
    client.force_login(outsider)
    rows = read(client.get(url(plan)))
    assert rows[0][-2] == str(plan.status_year())
    assert "2022" not in read(client.get(url(plan, year=2021)))[0]


@pytest.mark.parametrize(
    ("year", "status", "words"),
    [("2031", 404, "2031"), ("2020", 404, "2020"), ("abc", 400, "abc")],
)
@pytest.mark.parametrize("address", ["tracker:figures-csv", "tracker:report"])
def test_a_year_outside_the_plan_or_not_a_year_is_refused_saying_why(
    client, plan, outsider, year, status, words, address
):
    client.force_login(outsider)
    response = client.get(reverse(address, args=[plan.slug]), {"year": year})
    assert response.status_code == status
    assert words in response.content.decode()


def test_the_csv_holds_what_the_reports_yearly_data_sheet_holds(client, demo_plan, admin_user):
    """For a reader who sees approved figures only, cell for cell the sheet's figures."""
    outsider = factory.make_user("reader")
    client.force_login(outsider)
    rows = by_code(read(client.get(url(demo_plan, year=2024))))
    out = io.BytesIO()
    standing = standings(plan_targets(demo_plan, viewer=ANY_ADMINISTRATOR), 2024)
    write_report(out, demo_plan, 2024, standing)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["年度数据"]
    compared = 0
    for line in sheet.iter_rows(min_row=2, values_only=True):
        code, years = line[0], line[3:]
        for cell, text in zip(years, rows[code][3:-1], strict=True):
            if isinstance(cell, (int, float, Decimal)):
                assert Decimal(text) == Decimal(str(cell)), code
                compared += 1
            else:
                assert (cell or "") == text, code
    assert compared > 20


@pytest.mark.parametrize(
    ("language", "link"), [("en", "Yearly data (CSV)"), ("zh-hans", "年度数据")]
)
def test_the_dashboard_links_it_beside_the_excel_report(client, demo_plan, language, link):
    client.login(username="tongji", password="lingyuan-demo-2025")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(demo_plan.get_absolute_url(), {"year": 2023}).content.decode()
    # Both are buttons of the one form: the year and the box for figures not yet
    # approved go to either download alike.
    form = html[html.index('<form method="get" class="filters') :]
    form = form[: form.index("</form>")]
    assert f'formaction="{reverse("tracker:report", args=[demo_plan.slug])}"' in form
    assert f'formaction="{url(demo_plan)}"' in form
    assert 'name="include_unapproved" value="1"' in form
    assert '<option value="2023" selected>' in form
    assert link in form
