"""axe-core in a real browser on every public page, in both languages, on a desktop and a
phone: no serious or critical violation of WCAG 2.1 A/AA; and a keyboard reaches the
content by the skip link."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    if os.environ.get("REQUIRE_BROWSER"):
        raise RuntimeError("REQUIRE_BROWSER is set but chromium is not installed")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def published(transactional_db):
    """The demo's 14th plan, published, with an evaluation frozen."""
    from django.contrib.auth.models import Group

    from tracker import demo
    from tracker.figures.rights import ADMINISTRATORS, REPORTERS
    from tracker.models import Plan
    from tracker.plans import evaluations

    for name in (ADMINISTRATORS, REPORTERS):
        Group.objects.get_or_create(name=name)
    demo.load()
    demo.publish_seed_plan()
    plan = Plan.objects.get(slug="lingyuan-14th")
    from django.contrib.auth import get_user_model

    evaluations.freeze(
        plan=plan,
        year=2024,
        kind="midterm",
        title="中期评估（示例）",
        date=date(2025, 3, 1),
        summary="",
        by=get_user_model().objects.get(username="admin"),
    )
    return plan


def _pages(plan) -> list[str]:
    evaluation = plan.evaluations.get()
    codes = list(plan.targets.values_list("code", flat=True))
    return [
        reverse("public:index"),
        reverse("public:dashboard", args=[plan.slug]),
        reverse("public:evaluations", args=[plan.slug]),
        reverse("public:evaluation", args=[plan.slug, evaluation.pk]),
        *(reverse("public:target", args=[plan.slug, code]) for code in codes),
    ]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_axe_finds_nothing_serious_on_any_public_page(
    browser, live_server, published, language, width
):
    axe = axe_playwright.Axe()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    found = {}
    for url in _pages(published):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
        serious = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in SERIOUS
        ]
        if serious:
            found[url] = serious
    context.close()
    assert not found, found


def test_the_keyboard_reaches_the_content_first(browser, live_server, published):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto(reverse("public:dashboard", args=[published.slug]))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.evaluate("getComputedStyle(document.activeElement).top") != "-48px"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
    context.close()
