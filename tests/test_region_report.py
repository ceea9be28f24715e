"""A region's workbook: its regions' status matrix and one sheet per indicator compared, from
the command and from the matrix page, approved figures only, for those who may read the
region, printed A4 landscape, headed and numbered."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from tests import factory
from tests.test_regions_compared import YEAR, prefecture  # noqa: F401 (a fixture)
from tests.test_report_print import pages, to_pdf, tools  # noqa: F401 (a fixture)
from tracker.excel.region_report import sheet_names
from tracker.models import Region
from tracker.plans import region_workbook


def export(tmp_path, *args) -> object:
    path = tmp_path / "regions.xlsx"
    call_command("export_region_report", "--region", "999100", "--output", str(path), *args)
    return load_workbook(path)


def rows(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def every_value(wb) -> set:
    return {v for ws in wb.worksheets for row in rows(ws) for v in row if v is not None}


def table(ws, first: str) -> list[list]:
    """The rows from the header whose first cell is `first` on."""
    found = rows(ws)
    start = next(n for n, row in enumerate(found) if row[0] == first)
    return found[start:]


@pytest.fixture
def shi(client, prefecture):  # noqa: F811
    user = factory.make_user("shi", role="admin", region=prefecture)
    client.force_login(user)
    return client


# -- what it holds -------------------------------------------------------------------------


def test_the_command_writes_the_matrix_and_one_sheet_per_indicator(prefecture, tmp_path):  # noqa: F811
    wb = export(tmp_path, "--year", str(YEAR))
    assert wb.sheetnames[0] == "状态矩阵"
    assert len(wb.sheetnames) == 6  # the matrix and GDP, RD, RD-SHARE, RANK, ENERGY
    matrix = table(wb["状态矩阵"], "地区")
    header = matrix[0]
    assert header[:3] == ["地区", "规划", "指标数"]
    assert "地区生产总值" in header and "综合实力全省县域排名" in header
    by_region = {row[0]: row for row in matrix[1:]}
    assert by_region["甲县"][1] == "甲县规划" and by_region["甲县"][2] == 5
    assert by_region["丁县"][1] == "无覆盖本年度的规划"
    gdp = by_region["乙县"][header.index("地区生产总值")]
    assert gdp.split("\n")[0] in {"提前实现", "快于预期", "基本符合预期", "滞后", "严重滞后"}
    assert any(str(v).startswith("截至") is False for v in header)

    sheet = next(n for n in wb.sheetnames if n.startswith("GDP "))
    compared = table(wb[sheet], "地区")
    assert compared[0][:5] == ["地区", "排名", f"{YEAR}年数据", "目标值", "状态"]
    figures = {row[0]: row[1:4] for row in compared[1:]}
    assert figures["乙县"] == [1, 300, 300]
    assert figures["丙县"] == [2, 200, 450]
    assert figures["甲县"] == [3, 100, 150]
    assert figures["丁县"][:2] == ["—", "—"]
    assert compared[-1][0] == "测试地区"
    # 丁县 has no figure: no sum is given, and the sheet says why.
    assert compared[-1][2] == "—" and "丁县" in compared[-1][3]


def test_each_sheet_says_its_year_and_that_only_approved_figures_count(prefecture, tmp_path):  # noqa: F811
    wb = export(tmp_path, "--year", str(YEAR))
    for ws in wb.worksheets:
        lead = " ".join(str(row[0] or row[1] or "") for row in rows(ws)[:6])
        assert f"截至{YEAR}年" in lead, ws.title
        assert "已审核" in lead, ws.title


@pytest.mark.parametrize("year", [2022, YEAR, 2024])
def test_no_draft_or_submitted_figure_ever_appears(prefecture, tmp_path, year):  # noqa: F811
    values = every_value(export(tmp_path, "--year", str(year)))
    assert not {v for v in values if isinstance(v, int | float) and v in (9999, 7777)}
    assert not any("9999" in str(v) or "7777" in str(v) for v in values)


def test_a_later_year_shows_no_figure_of_it_but_the_approved(prefecture, tmp_path):  # noqa: F811
    wb = export(tmp_path, "--year", "2024")
    sheet = next(n for n in wb.sheetnames if n.startswith("GDP "))
    figures = {row[0]: row[2] for row in table(wb[sheet], "地区")[1:-1]}
    assert set(figures.values()) == {"—"}  # 2024's GDP figures are drafts


def test_the_default_year_is_the_pages(prefecture, tmp_path):  # noqa: F811
    wb = export(tmp_path)
    assert f"截至{YEAR}年" in rows(wb.worksheets[0])[0][0]


def test_in_english(prefecture, tmp_path):  # noqa: F811
    wb = export(tmp_path, "--year", str(YEAR), "--language", "en")
    assert wb.sheetnames[0] == "Status matrix"
    assert table(wb["Status matrix"], "Region")[0][:3] == ["Region", "Plan", "Targets"]
    sheet = next(n for n in wb.sheetnames if n.startswith("RD-SHARE "))
    assert sheet == "RD-SHARE R&D intensity"
    compared = table(wb[sheet], "Region")
    assert compared[0][:3] == ["Region", "Rank", f"Figure {YEAR}"]
    # 丁县 has no figures: the share is not recomputed, and the sheet says why.
    assert compared[-1][2] == "—"
    assert compared[-1][3].startswith("No roll-up is given: not every region")
    shares = {row[0]: row[2] for row in compared[1:-1]}
    assert shares["C3"] == pytest.approx(float(Decimal(8) / Decimal(200) * 100))


def test_a_rank_indicator_shows_its_published_ranks_and_no_computed_one(prefecture, tmp_path):  # noqa: F811
    wb = export(tmp_path, "--year", str(YEAR))
    sheet = next(n for n in wb.sheetnames if n.startswith("RANK "))
    compared = table(wb[sheet], "地区")
    assert "排名" not in compared[0]
    assert {row[0]: row[1] for row in compared[1:4]} == {"丙县": 5, "甲县": 12, "乙县": 30}


def test_sheet_names_are_short_unique_and_allowed():
    names = sheet_names(
        [
            "状态矩阵",
            "A" * 40 + "1",
            "A" * 40 + "2",
            "a" * 40,
            "x[1]:y*z?/w\\",
            "'quoted'",
            "状态矩阵",
        ]
    )
    assert all(len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    assert not any(re.search(r"[\[\]:*?/\\]", n) for n in names)
    assert not any(n.startswith("'") or n.endswith("'") for n in names)
    assert names[0] == "状态矩阵" and names[-1] == "状态矩阵 (2)"


# -- refused -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--region", "123456"], "No region has the code"),
        (["--region", "999101"], "has no regions under it"),
        (["--region", "999100", "--year", "2031"], "covers 2031"),
    ],
)
def test_the_command_refuses_with_a_reason(prefecture, tmp_path, args, said):  # noqa: F811
    with pytest.raises(CommandError, match=said):
        call_command("export_region_report", *args, "--output", str(tmp_path / "x.xlsx"))
    assert not (tmp_path / "x.xlsx").exists()


def test_the_command_says_why_it_cannot_write(prefecture, tmp_path):  # noqa: F811
    with pytest.raises(CommandError, match="Cannot write"):
        call_command(
            "export_region_report", "--region", "999100", "--output", str(tmp_path / "no/x.xlsx")
        )


# -- the download --------------------------------------------------------------------------


def test_the_matrix_page_offers_the_workbook_of_its_year(shi):
    page = shi.get(reverse("tracker:region", args=["999100"]), {"year": YEAR}).content.decode()
    url = reverse("tracker:region-report", args=["999100"])
    assert f"{url}?year={YEAR}" in page
    response = shi.get(url, {"year": YEAR})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[0] == "状态矩阵"
    assert "shi" in rows(wb.worksheets[0])[3][0]  # made by the reader
    assert not any("9999" in str(v) for v in every_value(wb))


def test_the_download_speaks_the_reader_s_language(shi, settings):
    shi.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = shi.get(reverse("tracker:region-report", args=["999100"]), {"year": YEAR})
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "Status matrix"


def test_the_download_refuses_a_year_not_covered_and_one_not_a_year(shi):
    url = reverse("tracker:region-report", args=["999100"])
    assert shi.get(url, {"year": "2031"}).status_code == 404
    assert shi.get(url, {"year": "soon"}).status_code == 400


def test_a_county_gets_no_workbook_of_its_prefecture_nor_of_another_county(
    client,
    prefecture,  # noqa: F811
):
    county = Region.objects.get(code="999101")
    for role in ("admin", "viewer"):
        client.force_login(factory.make_user(f"county_{role}", role=role, region=county))
        for code in ("999100", "999102", "999101"):
            response = client.get(reverse("tracker:region-report", args=[code]), {"year": YEAR})
            assert response.status_code == 404, (role, code)


# -- printed -------------------------------------------------------------------------------


def test_every_sheet_prints_a4_landscape_headed_numbered_with_titles(prefecture, tmp_path):  # noqa: F811
    wb = export(tmp_path, "--year", str(YEAR))
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape" and setup.paperSize == 9, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), ws.title
        assert re.fullmatch(r"\$?\d+:\$?\d+", ws.print_title_rows), ws.title
        assert ws.print_title_cols.replace("$", "") == "A:A", ws.title
        assert ws.oddHeader.left.text == "测试地区"
        assert f"截至{YEAR}年" in ws.oddHeader.right.text and "生成日期" in ws.oddHeader.right.text
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
        assert ws.oddFooter.right.text == "各地区对比"


@pytest.fixture
def province(db):
    """A province of 100 county-level regions, each with a plan of 20 targets."""
    call_command("make_scale_data", "--plans", "100", "--targets-per-plan", "20", "--years", "2")
    if connection.vendor == "postgresql":  # as after any bulk load: the planner's statistics
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Region.objects.get(code="970000")


def test_a_province_s_matrix_prints_across_pages_with_names_repeated(province, tmp_path):
    path = tmp_path / "province.xlsx"
    region_workbook.write(province, 2022, "zh-hans", path)
    wb = load_workbook(path, read_only=False)
    matrix = wb.worksheets[0]
    assert len(wb.sheetnames) == 21
    assert len(table(matrix, "地区")) >= 101
    # Too wide for one page at 9 pt: across pages, names and header on each; as tall as
    # its hundred regions need.
    assert matrix.sheet_properties.pageSetUpPr.fitToPage
    assert matrix.page_setup.fitToWidth > 1 and matrix.page_setup.fitToHeight == 0
    assert matrix.print_title_cols.replace("$", "") == "A:A"
    assert matrix.print_title_rows
    for ws in wb.worksheets[1:]:
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1


# -- as its readers see it: LibreOffice to PDF -----------------------------------------


def printed(path, tmp_path) -> list[str]:
    return pages(to_pdf(path, tmp_path))


@pytest.mark.usefixtures("tools")
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_printed_every_page_is_headed_numbered_and_nothing_is_cut(
    prefecture,  # noqa: F811
    tmp_path,
    language,
):
    path = tmp_path / "regions.xlsx"
    region_workbook.write(prefecture, YEAR, language, path)
    texts = printed(path, tmp_path)
    assert 6 <= len(texts) <= 12
    for number, text in enumerate(texts, start=1):
        if language == "en":
            assert "As of 2023" in text and re.search(rf"Page\s+{number}\s+of", text)
        else:
            assert "截至2023年" in text, number
            assert re.search(rf"第\s*{number}\s*页，共\s*{len(texts)}\s*页", text), number
    whole = "\n".join(texts)
    assert "###" not in whole


@pytest.mark.usefixtures("tools")
def test_the_demo_s_matrix_prints_its_counts_on_the_pages_of_their_regions(db, tmp_path):
    """朝阳市's seven units in English, the widest of the demo's words: the matrix goes
    across pages, each with every region and the counts under them; the published rank's
    sheet prints the computed rank beside it and where they differ."""
    from django.core.management import call_command

    from tracker.models import Region

    call_command("load_demo", stdout=io.StringIO())
    path = tmp_path / "chaoyang.xlsx"
    region_workbook.write(Region.objects.get(code="211300"), 2025, "en", path)
    texts = printed(path, tmp_path)
    matrix_pages = [t for t in texts if "compared, as of" not in t]
    assert len(matrix_pages) >= 2
    for text in matrix_pages:
        assert "Lingyuan" in text and "Beipiao" in text and "Targets" in text
    rank = next(t for t in texts if "GDP rank in the prefecture: the regions" in t)
    assert "Computed" in rank and "published 5, computed 4" in rank
