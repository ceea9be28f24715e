"""A real browser (Debian's chromium, driven by Playwright) against the live app.

Skipped with a reason where chromium is missing; CI sets REQUIRE_BROWSER=1 so that a
missing browser fails instead.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings

from tracker.models import ImportBatch, ProgressEntry

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DOCS = Path(settings.BASE_DIR) / "docs"
PASSWORD = "lingyuan-demo-2025"

if not Path(CHROMIUM).exists():
    if os.environ.get("REQUIRE_BROWSER"):
        raise RuntimeError("REQUIRE_BROWSER is set but chromium is not installed")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    # Playwright runs an event loop in this thread; the tests' own ORM calls are still
    # synchronous and run between browser steps, never inside the loop.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def roles(transactional_db):
    """The groups a migration creates: a transactional test's flush removed them."""
    from django.contrib.auth.models import Group

    from tracker.figures.rights import ADMINISTRATORS, REPORTERS

    for name in (ADMINISTRATORS, REPORTERS):
        Group.objects.get_or_create(name=name)


@pytest.fixture
def open_as(browser, live_server, roles, demo_plan):
    contexts = []

    def sign_in(username):
        context = browser.new_context(
            base_url=live_server.url, accept_downloads=True, viewport={"width": 1400, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click(".login button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield sign_in
    for context in contexts:
        context.close()


def test_a_reporter_fills_the_years_figures_and_submits(open_as, demo_plan):
    page = open_as("tongji")
    page.goto(f"/plans/{demo_plan.slug}/entry/2025/")
    row = page.locator("#row-URBAN-POPULATION")
    row.locator("input[name$='-value']").fill("31.20")
    row.locator("select[name$='-quality']").select_option("preliminary")
    page.click("button[name=submit]")
    page.wait_for_selector(".message-success")
    entry = ProgressEntry.objects.get(series__indicator__code="URBAN-POPULATION", year=2025)
    assert (entry.value, entry.state) == (Decimal("31.20"), "submitted")
    # another department's target is not on the page at all
    assert page.locator("#row-BUDGET-REVENUE").count() == 0


def test_an_administrator_approves(open_as, demo_plan):
    entry = ProgressEntry.objects.get(series__indicator__code="GDP", year=2025)
    page = open_as("admin")
    page.goto("/approvals/")
    page.locator(f"#entry-{entry.pk} input[type=checkbox]").check()
    page.locator("text=审核通过所勾选的数据").click()
    page.wait_for_selector(".message-success")
    entry.refresh_from_db()
    assert entry.state == "approved"


def test_select_all_ticks_a_group_and_the_page(open_as, demo_plan):
    """The script's "select all": a group's box ticks that group only, the page's box every
    figure on the page; one press approves exactly what is ticked."""
    page = open_as("admin")
    page.goto("/approvals/")
    groups = page.locator("section.approval-group")
    first = groups.nth(0)
    first.locator("input[data-select-all=group]").check()
    ticked = page.locator("input[name=entry]:checked")
    assert ticked.count() == first.locator("input[name=entry]").count() > 0
    page.locator("input[data-select-all=page]").check()
    assert ticked.count() == page.locator("input[name=entry]").count()
    page.locator("input[data-select-all=page]").uncheck()
    assert ticked.count() == 0
    first.locator("input[name=entry]").first.check()  # some of the page: shown as such
    assert page.locator("input[data-select-all=page]").evaluate("b => b.indeterminate")


def test_filtering_the_dashboard_and_downloading_the_report(open_as, demo_plan):
    page = open_as("caizheng")
    page.goto(f"/plans/{demo_plan.slug}/")
    page.select_option("#id_status", "off_track")
    page.click(".filters button[type=submit]")
    page.wait_for_url("**status=off_track**")
    codes = page.locator("td.code").all_inner_texts()
    assert sorted(codes) == ["BUILT-UP-AREA", "GDP"]
    with page.expect_download() as download:
        page.click("text=下载 Excel 进展报告")
    assert download.value.suggested_filename.startswith("lingyuan-14th-report-")
    workbook = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert workbook.sheetnames[0] == "汇总"


def test_a_template_is_uploaded_previewed_and_confirmed(open_as, demo_plan, tmp_path):
    page = open_as("keji")
    page.goto(f"/plans/{demo_plan.slug}/entry/2025/")
    with page.expect_download() as download:
        page.click("text=下载 Excel 填报模板")
    workbook = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = workbook.worksheets[0]
    rows = {sheet.cell(r, 1).value: r for r in range(5, sheet.max_row + 1)}
    sheet.cell(rows["RD-SHARE"], 6).value = 2.45
    sheet.cell(rows["HIGH-TECH-ZONE"], 6).value = "是"
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    page.goto(f"/plans/{demo_plan.slug}/import/")
    page.set_input_files("input[type=file]", str(filled))
    page.click("text=检查文件")
    page.wait_for_selector("table.preview")
    assert page.locator("tr.row-new").count() == 2
    page.click("button[name=confirm]")
    page.wait_for_selector(".message-success")
    assert ImportBatch.objects.get().new_count == 2
    assert ProgressEntry.objects.get(
        series__indicator__code="RD-SHARE", year=2025
    ).value == Decimal("2.45")


def test_the_language_switch_changes_the_page(open_as, demo_plan):
    page = open_as("tongji")
    page.goto(f"/plans/{demo_plan.slug}/")
    assert page.locator("h1").inner_text().startswith("凌源市")
    page.click("button[lang=en]")
    page.wait_for_selector("text=Lingyuan 14th Five-Year Plan")
    assert "On track" in page.content()
    page.click("button[lang=zh-hans]")
    page.wait_for_selector("text=凌源市“十四五”规划")


MAIN_PAGES = {
    "home": "/",
    "dashboard": "/plans/lingyuan-14th/",
    "target": "/plans/lingyuan-14th/targets/GDP/",
    "milestone": "/plans/lingyuan-14th/targets/ECO-CITY/",
    "departments": "/plans/lingyuan-14th/departments/",
    "entry": "/plans/lingyuan-14th/entry/2025/",
    "approvals": "/approvals/",
    "import": "/plans/lingyuan-14th/import/",
    "target definitions": "/plans/lingyuan-14th/targets-import/",
    "close year": "/plans/lingyuan-14th/years/2025/close/",
    "freeze an evaluation": "/plans/lingyuan-14th/evaluations/new/",
    "profile": "/profile/",
}


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [390, 1280])
def test_no_page_is_wider_than_the_screen(open_as, demo_plan, language, width):
    page = open_as("admin")
    if language == "en":
        page.click("button[lang=en]")
        page.wait_for_selector("html[lang=en]")
    page.set_viewport_size({"width": width, "height": 800})
    gdp = ProgressEntry.objects.get(series__indicator__code="GDP", year=2025)
    pages = {**MAIN_PAGES, "messages": f"/entries/{gdp.pk}/messages/"}
    wide = {}
    for name, url in pages.items():
        page.goto(url)
        if page_width(page) > width:
            wide[name] = page_width(page)
    assert wide == {}
    # the dashboard's table fits a desktop screen without scrolling inside its box
    page.goto(MAIN_PAGES["dashboard"])
    box = page.locator(".table-scroll").first
    inner = box.evaluate("element => element.scrollWidth - element.clientWidth")
    assert width == 390 or inner <= 0


def test_an_evaluation_and_its_comparison_fit_a_phone(open_as, demo_plan):
    from django.contrib.auth import get_user_model

    from tracker.plans import evaluations

    admin = get_user_model().objects.get(username="admin")
    evaluation = evaluations.freeze(
        plan=demo_plan, year=2023, kind="midterm", title="中期评估", by=admin
    )
    page = open_as("admin")
    page.set_viewport_size({"width": 390, "height": 800})
    for url in (evaluation.get_absolute_url(), f"{evaluation.get_absolute_url()}compare/"):
        page.goto(url)
        assert page_width(page) <= 390, url


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_new_words_fit_a_phone_in_either_language(open_as, demo_plan, language):
    """The count by status, the basis year, changes in percentage points and average
    growth, and a final evaluation's 完成情况: none makes a page wider than a phone."""
    from django.contrib.auth import get_user_model

    from tracker.plans import evaluations

    admin = get_user_model().objects.get(username="admin")
    final = evaluations.freeze(plan=demo_plan, year=2025, kind="final", title="终期", by=admin)
    page = open_as("admin")
    if language == "en":
        page.click("button[lang=en]")
        page.wait_for_selector("html[lang=en]")
    page.set_viewport_size({"width": 390, "height": 800})
    target = f"/plans/{demo_plan.slug}/targets"
    urls = [
        f"/plans/{demo_plan.slug}/",
        f"{target}/RD-SHARE/",
        f"{target}/GDP/?year=2025",
        f"{target}/INCOME-GROWTH/",
        final.get_absolute_url(),
    ]
    for url in urls:
        page.goto(url)
        assert page_width(page) <= 390, url
    page.goto(urls[0])
    assert page.locator(".summary-line").is_visible()
    page.goto(urls[4])
    assert page.locator(".summary-line").is_visible()


def test_the_sign_in_page_fits_a_phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto("/accounts/login/")
    assert page_width(page) <= 390
    context.close()


def test_the_year_selector_applies_at_once(open_as, demo_plan):
    page = open_as("tongji")
    page.goto(f"/plans/{demo_plan.slug}/")
    page.select_option("select[name=year]", "2022")
    page.wait_for_url("**year=2022**")
    headers = page.locator("table.dashboard th").all_inner_texts()
    assert "2022" in headers and "2023" not in headers


def test_screenshots_for_the_readme(open_as, demo_plan, tmp_path):
    # `make screenshots` (SCREENSHOTS=1) refreshes the README's pictures in docs/.
    folder = DOCS if os.environ.get("SCREENSHOTS") else tmp_path
    folder.mkdir(exist_ok=True)
    page = open_as("admin")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/plans/{demo_plan.slug}/")
    page.screenshot(path=folder / "dashboard.png", full_page=True)
    page.goto(f"/plans/{demo_plan.slug}/targets/GDP/")
    page.screenshot(path=folder / "target.png", full_page=True)
    phone = open_as("zhujian")
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto("/")
    phone.screenshot(path=folder / "phone-home.png", full_page=True)
    phone.goto(f"/plans/{demo_plan.slug}/")
    phone.screenshot(path=folder / "phone-dashboard.png")
    assert (folder / "dashboard.png").stat().st_size > 10_000
    image = io.BytesIO((folder / "target.png").read_bytes())
    assert image.read(8) == b"\x89PNG\r\n\x1a\n"
    assert (folder / "phone-home.png").stat().st_size > 5_000


def test_a_warning_before_closing_a_year_stands_out(open_as, demo_plan):
    """The figures a close would leave unapproved are announced in a marked box, not as
    plain text: the browser draws it with its own background and edge."""
    page = open_as("admin")
    page.goto(f"/plans/{demo_plan.slug}/years/2025/close/")
    warning = page.locator("p.warning")
    assert warning.count() == 1
    style = warning.evaluate(
        "e => { const s = getComputedStyle(e), p = getComputedStyle(e.parentElement);"
        " return [s.backgroundColor, p.backgroundColor, s.borderLeftStyle]; }"
    )
    background, around, edge = style
    assert background not in (around, "rgba(0, 0, 0, 0)") and edge == "solid"


def test_the_dashboard_prints_on_a4_landscape_without_its_controls(open_as, demo_plan):
    page = open_as("admin")
    page.goto(f"/plans/{demo_plan.slug}/")
    page.emulate_media(media="print")
    shown = page.evaluate(
        "() => ['.site-header', '.filters'].map("
        "s => getComputedStyle(document.querySelector(s)).display)"
    )
    assert shown == ["none", "none"]
    assert page.locator("td.code").first.is_visible()  # the table itself still prints
    pdf = page.pdf(prefer_css_page_size=True)
    boxes = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf))
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(842, 595)}


def test_a_figure_is_entered_on_a_phone_without_scrolling_sideways(open_as, demo_plan):
    """At 390 px each target is a card: its value box and the growth, quality and source
    inputs stack within the screen; on the target page the source column is readable."""
    page = open_as("tongji")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/plans/{demo_plan.slug}/entry/2025/")
    row = page.locator("#row-GDP")
    for name in ("value", "quality", "growth", "growth_quality", "source"):
        box = row.locator(f"[name$='-{name}']").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, name
    value = row.locator("input[name$='-value']")
    growth = row.locator("input[name$='-growth']").bounding_box()
    assert growth["y"] > value.bounding_box()["y"]  # under the value, not beside it
    value.fill("205.36")
    page.click("button[name=draft]")
    page.wait_for_selector(".message-success")
    page.goto(f"/plans/{demo_plan.slug}/targets/GDP/")
    source = page.locator("table.figures td.source").first.bounding_box()
    assert source["width"] >= 150
    heights = [r.bounding_box()["height"] for r in page.locator("table.figures tbody tr").all()]
    assert max(heights) < 200
    assert "205.36" in page.locator("table.figures").inner_text()


def in_english(page):
    page.click("button[lang=en]")
    page.wait_for_selector("html[lang=en]")


def test_a_reporter_fills_and_submits_a_figure_on_a_phone(open_as, demo_plan):
    """At 390 px the entry page is one card per figure: the first figure's value box is in
    the first screen, within its width, above the figure's context; it saves and submits."""
    page = open_as("tongji")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/plans/{demo_plan.slug}/entry/2025/")
    assert page_width(page) <= 390
    assert not page.locator("table.entry thead").is_visible()
    card = page.locator("table.entry tbody.figure").first
    assert card.get_attribute("id") == "row-GDP"
    value = card.locator("input[name$='-value']")
    box = value.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert box["y"] + box["height"] <= 844  # in the first screen, no scrolling at all
    assert card.get_by_label("数值").count() == 1  # a visible label tied to the box
    for context in ("td.unit", "td.previous", "td.goal"):
        assert card.locator(context).bounding_box()["y"] > box["y"], context
    value.fill("206.1")
    page.click("button[name=submit]")
    page.wait_for_selector(".message-success")
    entry = ProgressEntry.objects.get(series__indicator__code="GDP", year=2025)
    assert (entry.value, entry.state) == (Decimal("206.1"), "submitted")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_entry_page_is_cards_on_a_phone_and_a_table_on_a_desktop(open_as, demo_plan, language):
    """A returned figure's reason is in sight at either width, and no page is wider than
    its screen; on a desktop the figures stay a table that needs no sideways scrolling."""
    from django.contrib.auth import get_user_model

    from tracker.figures import workflow

    entry = ProgressEntry.objects.get(series__indicator__code="GDP", year=2025)
    admin = get_user_model().objects.get(username="admin")
    workflow.return_entry(entry, by=admin, reason="请附统计公报截图", version=entry.version)
    page = open_as("tongji")
    if language == "en":
        in_english(page)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(f"/plans/{demo_plan.slug}/entry/2025/")
        assert page_width(page) <= width, width
        reason = page.locator("#row-GDP .return-reason")
        box = reason.bounding_box()
        assert reason.is_visible() and "请附统计公报截图" in reason.inner_text()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, width
    assert page.locator("table.entry thead").is_visible()
    row = page.locator("#row-GDP tr.figure-main")
    assert row.evaluate("e => getComputedStyle(e).display") == "table-row"
    name, value = (row.locator(s).bounding_box() for s in ("th", "input[name$='-value']"))
    assert value["x"] > name["x"] + name["width"] and abs(value["y"] - name["y"]) < 20
    scroll = page.locator(".entry-form .table-scroll")
    assert scroll.evaluate("e => e.scrollWidth - e.clientWidth") <= 0


def test_a_questioned_figure_is_confirmed_in_its_card_on_a_phone(open_as, demo_plan):
    """A figure a hundred times last year's is questioned inline, under its value box;
    ticked and explained, it is saved and submitted with its explanation."""
    page = open_as("tongji")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/plans/{demo_plan.slug}/entry/2025/")
    card = page.locator("#row-URBAN-POPULATION")
    card.locator("input[name$='-value']").fill("3040")
    page.click("button[name=submit]")
    question = card.locator(".plausibility")
    question.wait_for()
    assert page_width(page) <= 390
    box, value = question.bounding_box(), card.locator("input[name$='-value']").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert value["y"] < box["y"] < card.locator("td.unit").bounding_box()["y"]
    question.get_by_label("数据无误").check()
    question.get_by_label("说明理由").fill("人口普查后口径调整为人")
    page.click("button[name=submit]")
    page.wait_for_selector(".message-success")
    entry = ProgressEntry.objects.get(series__indicator__code="URBAN-POPULATION", year=2025)
    assert (entry.value, entry.state) == (Decimal("3040"), "submitted")
    assert entry.plausibility_note == "人口普查后口径调整为人" and entry.plausibility_flag


def test_a_questioned_figure_does_not_make_its_desktop_row_tall(open_as, demo_plan):
    """On a desktop the question sits in a full-width row under the figure, not in the
    narrow value column."""
    page = open_as("tongji")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/plans/{demo_plan.slug}/entry/2025/")
    page.locator("#row-URBAN-POPULATION input[name$='-value']").fill("3040")
    page.click("button[name=draft]")
    question = page.locator("#row-URBAN-POPULATION .plausibility")
    question.wait_for()
    assert page.locator("#row-URBAN-POPULATION tr.figure-main").bounding_box()["height"] < 150
    assert question.bounding_box()["width"] > 600


def inside(box, width: int) -> bool:
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_figures_messages_fit_a_phone_and_a_message_is_posted(open_as, demo_plan, language):
    """The messages page, its 留言 box included, is no wider than a phone; a reporter
    writes on a figure of theirs from it."""
    entry = ProgressEntry.objects.get(series__indicator__code="GDP", year=2025)
    page = open_as("tongji")
    if language == "en":
        in_english(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/entries/{entry.pk}/messages/")
    assert page_width(page) <= 390
    box = page.locator(".message-form textarea")
    assert inside(box.bounding_box(), 390)
    box.fill("公报第3页")
    page.locator(".message-form button[type=submit]").click()
    page.wait_for_selector(".message-success")
    assert page_width(page) <= 390
    assert entry.messages.filter(text="公报第3页").exists()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_approvals_are_one_card_per_figure_on_a_phone(open_as, demo_plan, language):
    """At 390 px each figure awaiting approval is a card: its box and name first, then the
    value, last year's figure and the change, quality, who entered it, the note and
    messages, and the return box, all within the screen; the approve button is in sight
    wherever the page is scrolled, and approves what was ticked."""
    entry = ProgressEntry.objects.get(series__indicator__code="GDP", year=2025)
    page = open_as("admin")
    if language == "en":
        in_english(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/approvals/")
    assert page_width(page) <= 390
    assert not page.locator("table.approvals thead").first.is_visible()
    card = page.locator(f"#entry-{entry.pk}")
    order = ["td.pick", "td.name", "td.value", "td.previous", "td.quality", "td.note", "td.return"]
    boxes = [card.locator(cell).bounding_box() for cell in order]
    for cell, box in zip(order, boxes, strict=True):
        assert inside(box, 390), cell
    tick, name, value, previous, quality, note, back = boxes
    assert abs(tick["y"] - name["y"]) < 10 and tick["x"] < name["x"]
    tops = [name["y"], value["y"], previous["y"], quality["y"], note["y"], back["y"]]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)
    assert inside(card.locator("td.return input[name=reason]").bounding_box(), 390)
    assert inside(card.locator("td.return button").bounding_box(), 390)
    assert card.locator("td.value").inner_text().strip() != ""
    card.locator("input[name=entry]").check()
    page.screenshot(path=f"/tmp/polish25a-approvals-{language}.png", full_page=False)
    button = page.locator(".approve-actions button")
    assert button.is_visible() and inside(button.bounding_box(), 390)
    assert button.bounding_box()["y"] + button.bounding_box()["height"] <= 844  # no scrolling
    button.click()
    page.wait_for_selector(".message-success")
    entry.refresh_from_db()
    assert entry.state == "approved"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_open_year_of_each_department_is_in_sight_on_a_phone(open_as, demo_plan, language):
    """At 390 px the departments page is one card per department with the open year's
    cell (and its remind button) in sight; years not open are left out, as they ask for
    nothing. A desktop keeps the table."""
    from django.contrib.auth import get_user_model

    from tracker.figures import writes

    admin = get_user_model().objects.get(username="admin")
    writes.close_year(demo_plan, 2020, by=admin, reason="公报已发布")
    page = open_as("admin")
    if language == "en":
        in_english(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/plans/{demo_plan.slug}/departments/")
    assert page_width(page) <= 390
    open_cells = page.locator("table.departments td.dept-cell:not(.not-open)")
    years = set()
    for i in range(open_cells.count()):
        cell = open_cells.nth(i)
        assert cell.is_visible() and inside(cell.bounding_box(), 390)
        years.add(cell.inner_text().split()[0])  # each cell names its year
    assert "2025" in years
    page.screenshot(path="/tmp/polish25a-departments.png", full_page=True)
    assert not page.locator("table.departments td.dept-cell.not-open").first.is_visible()
    overdue = page.locator("table.departments td.dept-cell.overdue").first
    assert inside(overdue.locator("button").bounding_box(), 390)
    remind_all = page.locator("table.departments thead th.year:not(.not-open) button")
    assert inside(remind_all.last.bounding_box(), 390)
    page.set_viewport_size({"width": 1280, "height": 844})
    assert page.locator("table.departments thead").is_visible()
    assert page.locator("table.departments td.dept-cell.not-open").first.is_visible()
    row = page.locator("table.departments tbody tr").first
    assert row.evaluate("e => getComputedStyle(e).display") == "table-row"


# The served demo's region pages, as 朝阳市's administrator reads them.
REGION_PAGES = [
    "/regions/211300/",
    "/regions/211300/indicators/GDP/",
    "/regions/211300/indicators/GDP/?year=2024",
    "/regions/211300/indicators/CITY-GDP-RANK/",
    "/regions/211300/indicators/RD-SHARE/",
]

# Every text of the pages' SVG charts that reaches beyond its drawing: a name cut short.
CHART_TEXT_OUTSIDE = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
  const box = svg.viewBox.baseVal;
  return [...svg.querySelectorAll('text')].filter(text => {
    const b = text.getBBox();
    return b.x < -0.5 || b.x + b.width > box.width + 0.5 || b.y < -0.5
      || b.y + b.height > box.height + 0.5;
  }).map(text => text.textContent);
})"""


@pytest.fixture
def served_demo(roles):
    """Everything `make run` serves: `load_demo`, 朝阳市 and its seven units included."""
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_region_pages_fit_the_screen(browser, live_server, served_demo, language, width):
    """The matrix and the comparisons are never wider than the screen; on a desktop the
    comparison's table is whole (its status column too), and no chart cuts a name, however
    long (喀喇沁左翼蒙古族自治县, Harqin Left Mongol Autonomous County)."""
    screen = {"width": width, "height": 900}
    context = browser.new_context(base_url=live_server.url, viewport=screen)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", "chaoyang")
    page.fill("#id_password", PASSWORD)
    page.click(".login button[type=submit]")
    page.wait_for_url(f"{live_server.url}/regions/211300/")
    if language == "en":
        page.click("button[lang=en]")
        page.wait_for_selector("html[lang=en]")
    wide, cut, names = {}, {}, {}
    for url in REGION_PAGES:
        page.goto(url)
        if page_width(page) > width:
            wide[url] = page_width(page)
        outside = page.evaluate(CHART_TEXT_OUTSIDE)
        if outside:
            cut[url] = outside
        if width == 1280 and "/indicators/" in url:
            box = page.locator(".table-scroll:has(table.comparison)")
            inner = box.evaluate("element => element.scrollWidth - element.clientWidth")
            if inner > 0:
                wide[f"{url} table"] = inner
        names[url] = " ".join(page.locator("svg.chart text").all_text_contents())
    context.close()
    assert wide == {} and cut == {}
    long_name = "Harqin Left Mongol" if language == "en" else "喀喇沁左翼蒙古族自治县"
    assert long_name in names["/regions/211300/indicators/GDP/"]
