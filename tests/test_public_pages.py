"""The public pages of a published plan: reached without signing in, approved figures only,
nothing of staff, their words or their files; an unpublished plan's every address is 404."""

from __future__ import annotations

import io
import re
from datetime import date
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from tests import factory
from tracker.figures.workflow import Refused
from tracker.models import (
    Evaluation,
    Explanation,
    FigureMessage,
    Plan,
    ProgressEntry,
    Publication,
)
from tracker.plans import evaluations, publishing
from tracker.public import views as public_views

# Strings planted where the public must never read them.
PLANTED = {
    "draft": "777.1",
    "submitted": "777.2",
    "returned": "777.3",
    "return reason": "RETURNREASONXQ",
    "private note": "PRIVATENOTEXQ",
    "evidence": "EVIDENCEFILEXQ",
    "message": "FIGUREMESSAGEXQ",
    "explanation": "EXPLANATIONXQ",
    "plausibility": "PLAUSIBLEXQ",
    "reporter": "REPORTERNAMEXQ",
    "approver": "APPROVERNAMEXQ",
    "author": "AUTHORNAMEXQ",
    "freezer": "FREEZERNAMEXQ",
    "publisher": "PUBLISHERNAMEXQ",
    "publication reason": "PUBLICATIONREASONXQ",
    # An approved figure of a year after the plan: the next plan's, not published.
    "figure of a plan not published": "777.9",
}
PUBLIC_NOTE = "PUBLICNOTEOK"


@pytest.fixture
def planted(db):
    """A published plan with every kind of thing the public must not see, and one public
    note it must."""
    plan = factory.make_plan(slug="open-plan")
    department = factory.make_department(region=plan.region)
    reporter = factory.make_user(
        "rep", role="reporter", departments=[department], first_name=PLANTED["reporter"]
    )
    admin = factory.make_user(
        "adm", role="admin", region=plan.region, first_name=PLANTED["approver"]
    )
    author = factory.make_user("aut", role="admin", first_name=PLANTED["author"])
    freezer = factory.make_user("frz", role="admin", first_name=PLANTED["freezer"])
    publisher = factory.make_user("pub", role="admin", first_name=PLANTED["publisher"])
    target = factory.make_target(plan, code="GDP", lead_department=department)
    other = factory.make_target(plan, code="POP", lead_department=department)
    factory.make_milestone(plan, code="ZONE", lead_department=department)
    approved = dict(entered_by=reporter, reviewed_by=admin)
    factory.make_entry(
        target,
        2021,
        110,
        note=PLANTED["private note"],
        evidence=f"evidence/2021/{PLANTED['evidence']}.pdf",
        plausibility_flag="jump:" + PLANTED["plausibility"],
        plausibility_note=PLANTED["plausibility"],
        **approved,
    )
    public = factory.make_entry(target, 2022, 120, note=PUBLIC_NOTE, note_public=True, **approved)
    factory.make_entry(target, 2023, PLANTED["draft"], state="draft", entered_by=reporter)
    factory.make_entry(
        target, plan.end_year + 1, PLANTED["figure of a plan not published"], **approved
    )
    factory.make_entry(other, 2021, 130, **approved)
    factory.make_entry(other, 2022, PLANTED["submitted"], state="submitted", entered_by=reporter)
    factory.make_entry(
        other,
        2023,
        PLANTED["returned"],
        state="returned",
        return_reason=PLANTED["return reason"],
        entered_by=reporter,
    )
    FigureMessage.objects.create(
        entry=public, author=author, author_name="x", kind="comment", text=PLANTED["message"]
    )
    for year in (2021, 2022, 2023):
        Explanation.objects.create(
            target=target, year=year, text=PLANTED["explanation"], author=author
        )
    evaluations.freeze(
        plan=plan,
        year=2022,
        kind="midterm",
        title="2022年度评估",
        date=date(2023, 3, 1),
        summary="",
        by=freezer,
    )
    publishing.set_published(
        plan=plan, published=True, by=publisher, reason=PLANTED["publication reason"]
    )
    return plan


def _public_patterns(resolver=None, prefix="") -> list[str]:
    """Every URL pattern under public/, as its route text."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _public_patterns(entry, route)
        elif (
            isinstance(entry, URLPattern)
            and route.startswith("public/")
            and route != "public/language/"  # a switch of language, not a page of plans
        ):
            found.append(route)
    return found


def _filled(route: str, plan: Plan) -> list[str]:
    """The route with every plan slug, target code and evaluation number filled in."""
    urls = ["/" + route]
    for name, values in (
        ("slug", [plan.slug]),
        ("code", list(plan.targets.values_list("code", flat=True))),
        ("pk", list(plan.evaluations.values_list("pk", flat=True))),
    ):
        pattern = re.compile(r"<(?:\w+:)?" + name + ">")
        urls = (
            [pattern.sub(str(v), url) for url in urls for v in values]
            if any(pattern.search(url) for url in urls)
            else urls
        )
    assert not any("<" in url for url in urls), urls
    return urls


def _text_of(response) -> str:
    """Everything a reader gets: the body, or for a workbook every cell of every sheet
    with its headers, footers and properties."""
    headers = " ".join(f"{k}: {v}" for k, v in response.items())
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content))
        parts = [str(book.properties.creator), str(book.properties.lastModifiedBy)]
        for ws in book.worksheets:
            parts += [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
            for side in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter):
                parts += [str(side.left.text), str(side.center.text), str(side.right.text)]
        return headers + "\n".join(parts)
    return headers + response.content.decode("utf-8", errors="replace")


LINK = re.compile(r'href="([^"#]*)"')
LANGUAGE = "/public/language/"


def _crawl(client, start: list[str]) -> dict[str, str]:
    """Fetch every address, following the links of each public page to other public
    addresses (downloads included); returns the text of each."""
    seen, queue = {}, list(start)
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        seen[url] = _text_of(response)
        if response["Content-Type"].startswith("text/html"):
            for link in LINK.findall(response.content.decode()):
                absolute = urljoin(url, link.replace("&amp;", "&"))
                path = urlsplit(absolute).path
                if path == LANGUAGE:
                    continue
                if path.startswith("/public/") and urlsplit(absolute).netloc in ("", "testserver"):
                    queue.append(
                        path + (f"?{urlsplit(absolute).query}" if urlsplit(absolute).query else "")
                    )
    return seen


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_planted_string_appears_at_any_public_address(planted, language):
    client = Client()
    client.cookies["django_language"] = language
    start = [url for route in _public_patterns() for url in _filled(route, planted)]
    assert len(start) >= 7
    # Every page and download as of each year of the plan too, the drafts' years included.
    start += [f"{url}?year={year}" for url in start[1:] for year in planted.years]
    fetched = _crawl(client, start)
    assert any(url.endswith("report.xlsx") for url in fetched)
    assert any("/evaluations/" in url and url.endswith("report.xlsx") for url in fetched)
    # The open data, live and as each evaluation published it, is linked from the pages.
    assert f"/public/plans/{planted.slug}/data/datapackage.json" in fetched
    assert any("/data/evaluations/" in url and url.endswith("figures.csv") for url in fetched)
    for url, text in fetched.items():
        for what, planted_text in PLANTED.items():
            assert planted_text not in text, f"{what} at {url}"
    target_page = fetched[f"/public/plans/{planted.slug}/targets/GDP/"]
    assert PUBLIC_NOTE in target_page
    assert "120" in target_page


def test_the_public_note_comes_only_where_marked(planted):
    entry = ProgressEntry.objects.get(note=PUBLIC_NOTE)
    assert public_views.public_note(entry) == PUBLIC_NOTE
    entry.note_public = False
    assert public_views.public_note(entry) == ""


def test_an_unpublished_plan_answers_404_at_every_public_address(planted, admin_user):
    publishing.set_published(plan=planted, published=False, by=admin_user, reason="撤回")
    client = Client()
    urls = [url for route in _public_patterns() for url in _filled(route, planted)]
    for url in urls:
        if url == "/public/":
            assert planted.display_name not in client.get(url).content.decode()
            continue
        assert client.get(url).status_code == 404, url
    # A signed-in user reads no more there: the public pages ask publication, not rights.
    client.force_login(admin_user)
    assert client.get(f"/public/plans/{planted.slug}/").status_code == 404


def test_public_pages_need_no_sign_in_and_speak_both_languages(planted):
    client = Client()
    page = client.get(f"/public/plans/{planted.slug}/")
    assert page.status_code == 200
    assert 'lang="zh-hans"' in page.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": page.request["PATH_INFO"]})
    english = client.get(f"/public/plans/{planted.slug}/").content.decode()
    assert 'lang="en"' in english and "Download the Excel report" in english


def test_a_public_page_has_one_h1_row_headers_and_a_skip_link(planted):
    html = Client().get(f"/public/plans/{planted.slug}/").content.decode()
    assert html.count("<h1") == 1
    assert 'class="skip-link" href="#content"' in html and 'id="content"' in html
    assert '<th scope="row">' in html and '<th scope="col"' in html
    target = Client().get(f"/public/plans/{planted.slug}/targets/GDP/").content.decode()
    assert "<svg" in target and 'id="figures-heading"' in target  # the chart beside its table


def test_the_public_pages_make_no_more_queries_than_the_signed_in_dashboard(
    db, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker import demo

    demo.load(next_plan=True)
    demo.close_settled_years()
    demo.publish_seed_plan()
    plan = Plan.objects.get(slug="lingyuan-14th")
    admin = factory.make_user("reader", role="admin")
    signed_in = Client()
    signed_in.force_login(admin)
    anonymous = Client()

    def count(client, url):
        client.get(url)  # the store filled, as it is for every reader after the first
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    dashboard = count(signed_in, plan.get_absolute_url())
    for name in ("dashboard", "evaluations"):
        url = reverse(f"public:{name}", args=[plan.slug])
        assert count(anonymous, url) <= dashboard, url
    for target in plan.targets.all():
        url = reverse("public:target", args=[plan.slug, target.code])
        assert count(anonymous, url) <= dashboard, url
    assert count(anonymous, reverse("public:index")) <= dashboard


# -- publishing ------------------------------------------------------------------------


def test_an_administrator_publishes_and_withdraws_with_a_reason(db, client):
    plan = factory.make_plan()
    admin = factory.make_user("boss", role="admin", region=plan.region, first_name="王")
    client.force_login(admin)
    url = reverse("tracker:publishing", args=[plan.slug])
    page = client.get(url)
    assert page.status_code == 200 and 'id="publishing-state"' in page.content.decode()
    refused = client.post(url, {"published": "1", "reason": "  "})
    assert refused.status_code == 200
    plan.refresh_from_db()
    assert not plan.published and not Publication.objects.exists()
    assert client.post(url, {"published": "1", "reason": "政务公开"}).status_code == 302
    plan.refresh_from_db()
    assert plan.published
    assert Client().get(f"/public/plans/{plan.slug}/").status_code == 200
    # The same form sent again records nothing more.
    client.post(url, {"published": "1", "reason": "政务公开"})
    assert Publication.objects.count() == 1
    assert client.post(url, {"published": "0", "reason": "数据核查"}).status_code == 302
    plan.refresh_from_db()
    assert not plan.published
    assert Client().get(f"/public/plans/{plan.slug}/").status_code == 404
    record = list(Publication.objects.values_list("published", "reason", "by_name"))
    assert record == [(False, "数据核查", "王"), (True, "政务公开", "王")]
    page = client.get(url).content.decode()
    assert "数据核查" in page and "政务公开" in page


def test_only_the_regions_administrators_publish(client, reporter):
    plan = factory.make_plan()
    elsewhere = factory.make_user("other", role="admin", region=factory.make_region("别县"))
    url = reverse("tracker:publishing", args=[plan.slug])
    client.force_login(reporter)
    assert client.get(url).status_code == 403
    assert client.post(url, {"published": "1", "reason": "x"}).status_code == 403
    client.force_login(elsewhere)
    assert client.get(url).status_code == 404
    assert client.post(url, {"published": "1", "reason": "x"}).status_code == 404
    with pytest.raises(Refused):
        publishing.set_published(plan=plan, published=True, by=elsewhere, reason="x")
    plan.refresh_from_db()
    assert not plan.published and not Publication.objects.exists()


def test_publishing_needs_a_reason_and_a_change(admin_user):
    plan = factory.make_plan()
    with pytest.raises(Refused):
        publishing.set_published(plan=plan, published=True, by=admin_user, reason=" ")
    with pytest.raises(Refused):
        publishing.set_published(plan=plan, published=False, by=admin_user, reason="x")
    publishing.set_published(plan=plan, published=True, by=admin_user, reason="公开")
    assert Plan.objects.published().get() == plan


def test_the_admin_shows_publications_read_only(client, admin_user):
    plan = factory.make_plan()
    publication = publishing.set_published(plan=plan, published=True, by=admin_user, reason="公开")
    client.force_login(admin_user)
    assert client.get(reverse("admin:tracker_publication_changelist")).status_code == 200
    change = reverse("admin:tracker_publication_change", args=[publication.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"reason": "改"}).status_code == 403
    assert client.get(reverse("admin:tracker_publication_add")).status_code == 403
    assert client.get(reverse("admin:tracker_plan_change", args=[plan.pk])).status_code == 200


# -- a public note --------------------------------------------------------------------


def test_freezing_keeps_whether_a_note_is_public(admin_user):
    plan = factory.make_plan()
    target = factory.make_target(plan)
    factory.make_entry(target, 2021, 110, note="公开说明", note_public=True)
    evaluation = evaluations.freeze(
        plan=plan,
        year=2021,
        kind="annual",
        title="2021",
        date=date(2022, 1, 1),
        summary="",
        by=admin_user,
    )
    _frozen, rows = evaluations.frozen_standings(evaluation, viewer=AnonymousUser())
    assert rows[0].entries[2021].note_public is True
    assert Evaluation.objects.get().targets.get().figures.get().note_public is True


def test_the_language_switch_is_a_link_back_to_a_public_page(planted):
    client = Client()
    page = f"/public/plans/{planted.slug}/"
    html = client.get(page).content.decode()
    assert f'href="{LANGUAGE}?language=en&amp;next=/public/plans/{planted.slug}/"' in html
    response = client.get(LANGUAGE, {"language": "en", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert 'lang="en"' in client.get(page).content.decode()
    for elsewhere in ("//evil.example/", "https://evil.example/public/", "/accounts/login/"):
        assert client.get(LANGUAGE, {"language": "zh-hans", "next": elsewhere})["Location"] == (
            "/public/"
        )
    assert 'lang="zh-hans"' in client.get(page).content.decode()


def test_public_pages_set_no_csrf_cookie_and_take_no_form(planted):
    """A shared cache may keep them: no cookie of one reader is handed to the next."""
    client = Client(enforce_csrf_checks=True)
    page = f"/public/plans/{planted.slug}/"
    response = client.get(page)
    assert response.status_code == 200 and not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()
    for method in (client.post, client.put, client.delete):
        refused = method(page)
        assert refused.status_code == 405 and refused["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_public_report_leaves_out_what_is_said_inside_the_government(planted, language):
    """No column of 原因及措施 (never filled for the public), no reporting deadlines."""
    client = Client()
    client.cookies["django_language"] = language
    response = client.get(f"/public/plans/{planted.slug}/report.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    texts = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    for inside in ("原因及措施", "Reasons and measures", "报送期限", "Reporting deadlines"):
        assert not any(inside in text for text in texts), inside
    assert any("2021" in text for text in texts)


@pytest.mark.parametrize("asked", ["abc", "-1", "2099", "9" * 30])
def test_a_year_that_is_not_one_of_the_plan_is_said_on_the_public_pages(planted, asked):
    client = Client()
    for url in (f"/public/plans/{planted.slug}/", f"/public/plans/{planted.slug}/targets/GDP/"):
        html = client.get(url, {"year": asked}).content.decode()
        assert 'role="alert"' in html and asked[:20] in html and "不是本规划的年份" in html
