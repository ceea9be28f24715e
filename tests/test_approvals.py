"""The approvals page acts on exactly what was ticked: one form over every group, "select
all" as a script over plain boxes, filters and pages for large plans that a post keeps, and
a result that names what was approved and what was not, with why."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests import factory
from tracker.figures import workflow, writes
from tracker.models import ProgressEntry

YEAR = 2023


class Page(HTMLParser):
    """What a browser without JavaScript sees of the approvals page: the forms, the boxes
    and buttons naming a form, and the "select all" controls."""

    def __init__(self, html: str):
        super().__init__()
        self.forms, self.boxes, self.buttons, self.select_all = {}, [], [], []
        self.links = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post" and "id" in a:
            self.forms[a["id"]] = a["action"]
        elif tag == "input" and a.get("name") == "entry":
            self.boxes.append(a)
        elif tag == "input" and "data-select-all" in a:
            self.select_all.append(a)
        elif tag == "button" and a.get("form"):
            self.buttons.append(a)
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])


def read(response) -> Page:
    assert response.status_code == 200
    return Page(response.content.decode())


def notices(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def ticked(*entries) -> dict:
    """The form's fields as a browser posts them: each ticked box's value."""
    return {"entry": [f"{e.pk}:{e.version}" for e in entries]}


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def plan(db):
    return factory.make_plan(slug="lingyuan-14th")


def submitted(plan, department, code, name, name_en="", year=YEAR):
    target = factory.make_target(
        plan, code=code, name=name, name_en=name_en, lead_department=department
    )
    return factory.make_entry(target, year, "120.0", state="submitted")


@pytest.fixture
def four_groups(plan):
    """Four departments' groups, two submitted figures in each."""
    figures = {}
    for n, (dept, code, name, name_en) in enumerate(
        [
            ("统计局", "GDP", "地区生产总值", "GDP"),
            ("人社局", "INCOME", "居民人均可支配收入", "Disposable income"),
            ("财政局", "BUDGET", "一般公共预算收入", "Budget revenue"),
            ("科技局", "RD", "研发投入强度", "R&D intensity"),
        ]
    ):
        department = factory.make_department(name=dept, name_en=f"Department {n}")
        figures[code] = submitted(plan, department, code, name, name_en)
        figures[f"{code}-2"] = submitted(plan, department, f"{code}-2", f"{name}（其二）")
    return figures


def states(*entries) -> list[str]:
    return [ProgressEntry.objects.get(pk=e.pk).state for e in entries]


class TestOneForm:
    def test_every_box_and_the_button_belong_to_one_form(self, as_admin, four_groups):
        page = read(as_admin.get(reverse("tracker:approvals")))
        assert list(page.forms) == ["approve"]  # the return forms are each a row's own
        assert len(page.boxes) == 8
        assert {box["form"] for box in page.boxes} == {"approve"}
        assert [b["form"] for b in page.buttons] == ["approve"]

    def test_four_figures_ticked_in_four_groups_are_approved_by_one_press(
        self, as_admin, four_groups
    ):
        chosen = [four_groups[code] for code in ("GDP", "INCOME", "BUDGET", "RD")]
        response = as_admin.post(reverse("tracker:approve"), ticked(*chosen), follow=True)
        assert states(*chosen) == ["approved"] * 4
        others = [four_groups[f"{code}-2"] for code in ("GDP", "INCOME", "BUDGET", "RD")]
        assert states(*others) == ["submitted"] * 4
        [(level, text)] = notices(response)
        assert level == "success"
        assert text.startswith("已审核通过 4 项：")
        for name in ("地区生产总值 2023", "居民人均可支配收入 2023", "一般公共预算收入 2023"):
            assert name in text
        assert "其二" not in text

    def test_the_count_reads_right_in_english(self, as_admin, four_groups):
        as_admin.cookies["django_language"] = "en"
        one = as_admin.post(reverse("tracker:approve"), ticked(four_groups["GDP"]), follow=True)
        assert notices(one) == [("success", "1 figure approved: GDP 2023.")]
        two = ticked(four_groups["INCOME"], four_groups["RD"])
        response = as_admin.post(reverse("tracker:approve"), two, follow=True)
        assert notices(response) == [
            ("success", "2 figures approved: Disposable income 2023, R&D intensity 2023.")
        ]

    def test_select_all_is_a_script_over_the_plain_boxes(self, as_admin, four_groups):
        """Without JavaScript the "select all" boxes stay hidden and post nothing; the
        boxes ticked one by one are what the form posts."""
        html = as_admin.get(reverse("tracker:approvals")).content.decode()
        page = Page(html)
        scopes = [box["data-select-all"] for box in page.select_all]
        assert scopes == ["page"] + ["group"] * 4
        assert not any("name" in box for box in page.select_all)
        assert html.count('class="select-all" hidden') == 5
        assert "tracker/tracker.js" in html


class TestRefusals:
    def test_a_figure_changed_since_the_page_was_shown_is_refused_with_its_reason(
        self, as_admin, four_groups
    ):
        gdp, income = four_groups["GDP"], four_groups["INCOME"]
        shown = ticked(gdp, income)  # the page as the approver read it
        department = gdp.target.lead_department
        reporter = factory.make_user("tongji", role="reporter", departments=[department])
        workflow.save(
            gdp,
            by=reporter,
            figure=gdp.value + 1,
            quality="final",
            version=gdp.version,
            submit=True,
        )
        response = as_admin.post(reverse("tracker:approve"), shown, follow=True)
        assert states(gdp, income) == ["submitted", "approved"]
        (ok_level, ok), (level, text) = notices(response)
        assert (ok_level, ok) == ("success", "已审核通过 1 项：居民人均可支配收入 2023。")
        assert level == "warning"
        assert text.startswith("未审核 1 项：地区生产总值 2023 — ")
        assert "tongji" in text and "121.0" in text

    def test_a_figure_returned_meanwhile_says_so(self, as_admin, four_groups, admin_user):
        gdp = four_groups["GDP"]
        shown = ticked(gdp)
        other = factory.make_user("chief", role="admin", first_name="王")
        workflow.return_entry(gdp, by=other, reason="请核对", version=gdp.version)
        response = as_admin.post(reverse("tracker:approve"), shown, follow=True)
        [(level, text)] = notices(response)
        assert level == "error"  # nothing approved
        assert text.startswith("未审核 1 项：地区生产总值 2023 — ")
        assert "退回" in text
        assert states(gdp) == ["returned"]

    def test_a_closed_year_is_the_reason_given(self, as_admin, plan, four_groups, admin_user):
        writes.close_year(plan, YEAR, by=admin_user, reason="公报")
        response = as_admin.post(reverse("tracker:approve"), ticked(four_groups["RD"]), follow=True)
        [(level, text)] = notices(response)
        assert level == "error" and "研发投入强度 2023 — " in text and "关闭" in text

    def test_refusals_read_in_english_with_their_count(self, as_admin, four_groups, admin_user):
        as_admin.cookies["django_language"] = "en"
        gdp, rd = four_groups["GDP"], four_groups["RD"]
        shown = ticked(gdp, rd)
        for entry in (gdp, rd):
            workflow.approve(entry, by=admin_user, version=entry.version)
        response = as_admin.post(reverse("tracker:approve"), shown, follow=True)
        [(level, text)] = notices(response)
        assert text.startswith("2 figures not approved: GDP 2023 — already approved by ")
        assert "; R&D intensity 2023 — already approved by " in text


class TestPagesAndFilters:
    @pytest.fixture
    def many(self, plan):
        """120 figures of one department awaiting approval, and 3 of another."""
        department = factory.make_department(name="统计局")
        entries = [submitted(plan, department, f"M{i:03d}", f"指标{i:03d}") for i in range(120)]
        submitted(plan, department, "LATER", "下一年的指标", year=YEAR + 1)
        other = factory.make_department(name="财政局")
        others = [submitted(plan, other, f"B{i}", f"预算{i}") for i in range(3)]
        return department, entries, other, others

    def test_a_large_list_comes_a_page_at_a_time(self, as_admin, many):
        _department, entries, _other, others = many
        url = reverse("tracker:approvals")
        first = read(as_admin.get(url))
        assert [box["value"] for box in first.boxes] == [f"{e.pk}:1" for e in entries[:50]]
        assert "?page=2" in first.links
        last = read(as_admin.get(url + "?page=3"))
        assert len(last.boxes) == 24
        # In the order of the groups: department, year, then the plan's order of targets.
        assert [box["value"] for box in last.boxes[-3:]] == [f"{e.pk}:1" for e in others]
        assert "?page=2" in last.links and "?page=4" not in last.links
        assert "第 3 页，共 3 页" in as_admin.get(url + "?page=3").content.decode()

    def test_filtering_by_department_and_year(self, as_admin, plan, many):
        _department, _entries, other, others = many
        url = reverse("tracker:approvals") + f"?department={other.pk}&year={YEAR}"
        page = read(as_admin.get(url))
        assert sorted(box["value"] for box in page.boxes) == sorted(
            f"{e.pk}:{e.version}" for e in others
        )
        url = reverse("tracker:approvals") + f"?department={other.pk}&year={YEAR + 1}"
        assert read(as_admin.get(url)).boxes == []

    def test_filtering_by_plan_reads_the_plans_own_targets(self, as_admin, plan, many):
        elsewhere = factory.make_plan(slug="elsewhere")
        theirs = submitted(elsewhere, factory.make_department(), "X", "别处指标")
        page = read(as_admin.get(reverse("tracker:approvals") + "?plan=elsewhere"))
        assert [box["value"] for box in page.boxes] == [f"{theirs.pk}:{theirs.version}"]

    def test_the_filters_and_the_page_survive_the_post(self, as_admin, many):
        department, entries, _other, _others = many
        query = f"?department={department.pk}&page=2"
        page = read(as_admin.get(reverse("tracker:approvals") + query))
        action = page.forms["approve"]
        assert parse_qs(urlsplit(action).query) == {
            "department": [str(department.pk)],
            "page": ["2"],
        }
        values = [box["value"] for box in page.boxes[:3]]
        response = as_admin.post(action, {"entry": values})
        assert response.status_code == 302
        back = urlsplit(response.url)
        assert back.path == reverse("tracker:approvals")
        assert parse_qs(back.query) == {"department": [str(department.pk)], "page": ["2"]}

    def test_a_department_whose_figures_are_all_approved_stays_chosen(self, as_admin, many):
        _department, _entries, other, others = many
        query = f"?department={other.pk}"
        response = as_admin.post(reverse("tracker:approve") + query, ticked(*others), follow=True)
        assert response.redirect_chain == [(reverse("tracker:approvals") + query, 302)]
        html = response.content.decode()
        assert "没有符合筛选条件的待审核数据" in html
        assert f'<option value="{other.pk}" selected>' in html

    def test_a_return_comes_back_to_the_same_filtered_page(self, as_admin, many):
        department, entries, _other, _others = many
        query = f"?department={department.pk}&page=2"
        html = as_admin.get(reverse("tracker:approvals") + query).content.decode()
        pk = int(Page(html).boxes[0]["value"].split(":")[0])
        entry = ProgressEntry.objects.get(pk=pk)
        action = reverse("tracker:return-entry", args=[pk]) + query.replace("&", "&amp;")
        assert f'action="{action}"' in html
        response = as_admin.post(
            reverse("tracker:return-entry", args=[entry.pk]) + query,
            {"reason": "请核对", "version": entry.version},
        )
        assert parse_qs(urlsplit(response.url).query)["department"] == [str(department.pk)]

    def test_a_filter_that_matches_nothing_says_so(self, as_admin, many):
        html = as_admin.get(reverse("tracker:approvals") + "?year=2022").content.decode()
        assert "没有符合筛选条件的待审核数据" in html


class TestQuestionedFigures:
    def test_a_questioned_figure_ticked_with_others_is_confirmed_then_all_approved(
        self, as_admin, four_groups
    ):
        gdp, rd = four_groups["GDP"], four_groups["RD"]
        ProgressEntry.objects.filter(pk=rd.pk).update(
            plausibility_flag="与上年相比变化过大", plausibility_note="核实无误"
        )
        query = "?year=2023"
        response = as_admin.post(reverse("tracker:approve") + query, ticked(gdp, rd))
        html = response.content.decode()
        assert response.status_code == 200 and f'id="flagged-{rd.pk}"' in html
        assert f'id="flagged-{gdp.pk}"' not in html
        assert f'action="{reverse("tracker:approve")}{query}"' in html
        assert states(gdp, rd) == ["submitted", "submitted"]
        confirmed = {**ticked(gdp, rd), "confirm_flagged": "on"}
        response = as_admin.post(reverse("tracker:approve") + query, confirmed)
        assert states(gdp, rd) == ["approved", "approved"]
        assert response.url == reverse("tracker:approvals") + query


class TestReturnNamesTheFigure:
    @pytest.mark.parametrize(
        "language, said",
        [
            ("zh-hans", "已退回：居民人均可支配收入 2023，并附上原因。"),
            ("en", "Returned: Disposable income 2023, with your reason."),
        ],
    )
    def test_the_notice_names_the_returned_figure(self, as_admin, plan, language, said):
        department = factory.make_department(name="统计局", name_en="Statistics Bureau")
        entry = submitted(plan, department, "INCOME", "居民人均可支配收入", "Disposable income")
        as_admin.cookies["django_language"] = language
        response = as_admin.post(
            reverse("tracker:return-entry", args=[entry.pk]),
            {"reason": "请附公报截图", "version": entry.version},
            follow=True,
        )
        assert notices(response) == [("success", said)]
        assert states(entry) == ["returned"]
