"""The report as its readers see it: printed to PDF by LibreOffice, then read back.

Skipped with a reason where LibreOffice or poppler is missing; CI sets REQUIRE_BROWSER=1 so
that a missing tool fails instead (it installs libreoffice-calc and poppler-utils).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tracker.excel.report import write_report
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.standings.standing import plan_targets, standings

TOOLS = ("soffice", "pdftotext", "pdfinfo", "pdffonts")


@pytest.fixture(scope="module")
def tools():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        if os.environ.get("REQUIRE_BROWSER"):
            raise RuntimeError(f"REQUIRE_BROWSER is set but {', '.join(missing)} is missing")
        pytest.skip(f"LibreOffice or poppler is not installed ({', '.join(missing)} missing)")


def printed(plan, year, tmp_path: Path, **options) -> Path:
    """The report written, then converted by LibreOffice headless; returns the PDF."""
    xlsx = tmp_path / f"report-{year}.xlsx"
    with xlsx.open("wb") as out:
        write_report(
            out,
            plan,
            year,
            standings(plan_targets(plan, viewer=ANY_ADMINISTRATOR), year),
            **options,
        )
    return to_pdf(xlsx, tmp_path)


def to_pdf(xlsx: Path, tmp_path: Path) -> Path:
    """`xlsx` converted by LibreOffice headless, beside it; returns the PDF."""
    profile = (tmp_path / "lo-profile").as_uri()  # its own, so parallel runs do not collide
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return xlsx.with_suffix(".pdf")


def pages(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    count = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, count + 1)
    ]


def word_size(pdf: Path, word: str) -> float:
    """The printed size of a CJK word in points (each character is one em wide)."""
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The word, or a CJK line of the cell that starts with it (one em a character).
    found = re.search(
        rf'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">({word}[^<]*)<', bbox
    )
    assert found, f"{word} not printed on page 1"
    return (float(found.group(2)) - float(found.group(1))) / len(found.group(3))


@pytest.mark.usefixtures("tools")
class TestPrinted:
    def test_every_page_is_headed_numbered_and_nothing_is_cut(self, demo_plan, tmp_path):
        pdf = printed(demo_plan, 2024, tmp_path)
        texts = pages(pdf)
        assert 4 <= len(texts) <= 8
        for number, text in enumerate(texts, start=1):
            assert "凌源市“十四五”规划" in text, number
            assert "截至2024年" in text, number
            assert re.search(rf"第\s*{number}\s*页，共\s*{len(texts)}\s*页", text), number
            assert re.search(r"生成日期 \d{4}-\d{2}-\d{2}", text), number
        whole = "\n".join(texts)
        assert "###" not in whole
        for word in ["严重滞后", "平方公里", "109.1%", "原因及措施", "预计能否完成"]:
            assert word in whole, word

    @pytest.mark.parametrize("year", [2024, 2025])
    def test_body_text_prints_at_9_points_or_more(self, demo_plan, tmp_path, year):
        # 2025 adds a year column: the text columns give up room, the text stays at 9 pt.
        pdf = printed(demo_plan, year, tmp_path)
        assert word_size(pdf, "统计局") >= 9.0  # the responsible department, a body cell

    def test_the_english_2025_report_keeps_words_whole_and_cuts_nothing(self, demo_plan, tmp_path):
        pdf = printed(demo_plan, 2025, tmp_path, language="en")
        whole = "\n".join(pages(pdf))
        assert "###" not in whole
        words = set(whole.split())
        # Headers, units and names wrap between words, never inside one.
        for word in ["Planned", "average", "annual", "growth", "measures", "million"]:
            assert word in words, word
        # The plan's last year states completion (完成情况) and predicts nothing.
        for word in ["Environment", "Development", "Anticipatory", "Completed", "Completion"]:
            assert word in words, word

    @pytest.mark.parametrize("year", [2024, 2025])
    def test_the_english_report_prints_what_moved_and_cuts_nothing(self, demo_plan, tmp_path, year):
        # The Chinese report's columns where they fit the page; the notes say what moved.
        texts = pages(printed(demo_plan, year, tmp_path, language="en"))
        whole = "\n".join(texts)
        assert "###" not in whole
        assert "Layout" in whole and "Nature (属性): under the target's name." in whole
        header = texts[0].split("Overall economic strength")[0].split()
        assert ("Unit" in header) == (year == 2025)  # the final year's table has room for it

    def test_the_english_2025_report_prints_at_9_points_or_more(self, demo_plan, tmp_path):
        pdf = printed(demo_plan, 2025, tmp_path, language="en")
        assert word_size(pdf, "示例数据") >= 9.0  # a demo note, a body cell

    def test_a_chinese_face_for_regular_and_bold_text(self, demo_plan, tmp_path):
        pdf = printed(demo_plan, 2024, tmp_path)
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        assert "NotoSansCJK" in fonts and "Bold" in fonts
        assert "Serif" not in fonts  # bold cells no longer fall back to a serif face

    def test_a_report_of_an_earlier_year_prints_nothing_later(self, demo_plan, tmp_path):
        texts = pages(printed(demo_plan, 2022, tmp_path))
        whole = "\n".join(texts)
        assert all("截至2022年" in text for text in texts)
        assert "2023年" not in whole and "2024年" not in whole
        assert "192.3" not in whole  # the 2024 GDP figure

    def test_the_english_report_with_unapproved_figures(self, demo_plan, tmp_path):
        pdf = printed(demo_plan, 2024, tmp_path, language="en", include_unapproved=True)
        texts = pages(pdf)
        # Its summary at 9 pt takes more pages than the Chinese; the notes explain the
        # basis of growth, the gaps and the rounding on a page of their own.
        assert len(texts) <= 11
        for number, text in enumerate(texts, start=1):
            assert "As of 2024" in text, number
            # "of N" is a field of its own: text extraction may set it apart from "Page X".
            assert re.search(rf"Page\s+{number}\s+of", text), number
        assert f"Page 1 of {len(texts)}" in texts[0]
        whole = "\n".join(texts)
        assert "###" not in whole
        for english in ["100 million yuan", "km²", "Off track", "Figures not yet approved"]:
            assert english in whole, english
        for chinese in ["亿元", "平方公里", "严重滞后"]:
            assert chinese not in whole, chinese


@pytest.mark.usefixtures("tools")
def test_the_template_instructions_print_whole_on_a4(demo_plan, tmp_path):
    """Every instruction printed in full, none cut at the page's edges or over the next."""
    from django.utils import translation

    from tracker.excel.template import write_template
    from tracker.models import Target

    xlsx = tmp_path / "template.xlsx"
    targets = list(Target.objects.for_plan(demo_plan).with_entries(ANY_ADMINISTRATOR))
    with translation.override("en"), xlsx.open("wb") as out:
        write_template(out, demo_plan, 2025, targets)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path), str(xlsx)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    texts = pages(xlsx.with_suffix(".pdf"))
    assert len(texts) == 2
    instructions = " ".join(texts[1].split())
    for sentence in [
        "1. Fill the yellow cells of the first sheet: Value, Quality, Growth at comparable "
        "prices (%), Source and Note.",
        "or the bulletin's sentence",
        "no negatives unless the target allows them;",
        "A year may give the rate alone, without the value.",
        "To correct one, ask an administrator to reopen it.",
        "Plan and year are read from the cells above the header: keep them.",
    ]:
        assert sentence in instructions, sentence
