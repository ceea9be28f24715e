"""Implausible figures on the pages: questioned on entry, confirmed with a reason, flagged
for the approver, asked about before a bulk approval, shown on the target page and the API."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import factory
from tests.test_excel_export import report
from tracker.figures import writes
from tracker.models import ProgressEntry


class FormReader(HTMLParser):
    """What a browser would post from the page's first multipart form: every named field."""

    def __init__(self):
        super().__init__()
        self.fields, self._select, self._textarea, self._in_form = {}, None, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("enctype") == "multipart/form-data":
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "file"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.fields[name] = a.get("value", "on")
            else:
                self.fields[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in a or self._select not in self.fields:
                self.fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def page_fields(response) -> dict:
    reader = FormReader()
    reader.feed(response.content.decode())
    return reader.fields


@pytest.fixture
def plan(db):
    return factory.make_plan(slug="city-14th")


@pytest.fixture
def population(plan, department):
    target = factory.make_target(
        plan,
        code="URBAN-POPULATION",
        name="城镇人口",
        unit="万人",
        baseline_value=Decimal("28"),
        target_value=Decimal("30"),
        decimal_places=2,
        lead_department=department,
    )
    factory.make_entry(target, 2023, "30.40")
    return target


def entry_url(plan, year=2024):
    return reverse("tracker:data-entry", args=[plan.slug, year])


def fill(client, plan, target, value, *, action="draft", **extra):
    """Open the entry page, type into the target's row, press a button, as a browser would."""
    fields = page_fields(client.get(entry_url(plan)))
    fields[f"t{target.pk}-value"] = value
    fields.update({f"t{target.pk}-{k}": v for k, v in extra.items()})
    fields[action] = "1"
    return client.post(entry_url(plan), fields, follow=True)


def resend(client, plan, response, target, *, action="draft", **extra):
    """Post the re-shown page again with some fields changed (a tick, an explanation)."""
    fields = page_fields(response)
    fields.update({f"t{target.pk}-{k}": v for k, v in extra.items()})
    fields[action] = "1"
    return client.post(entry_url(plan), fields, follow=True)


@pytest.fixture
def as_reporter(client, reporter):
    client.force_login(reporter)
    return client


class TestEntryPage:
    def test_a_figure_forty_times_last_years_is_not_saved_and_the_row_says_why(
        self, as_reporter, plan, population
    ):
        html = fill(as_reporter, plan, population, "1,234.5").content.decode()
        assert "是上年（30.40）的 40.6 倍，请核对单位（万人）。" in html
        assert "部分数据看起来不合理" in html and "部分行有错误" not in html
        assert f'name="t{population.pk}-confirm"' in html
        assert f'name="t{population.pk}-explanation"' in html
        assert not ProgressEntry.objects.filter(year=2024).exists()

    def test_a_percent_typed_for_a_figure_in_wan_persons_is_questioned(
        self, as_reporter, plan, population
    ):
        html = fill(as_reporter, plan, population, "31%").content.decode()
        assert "输入带有 %，但本指标以“万人”计，不是百分比。" in html
        assert not ProgressEntry.objects.filter(year=2024).exists()

    def test_the_targets_own_unit_typed_after_the_figure_is_fine(
        self, as_reporter, plan, population
    ):
        fill(as_reporter, plan, population, "31.2万人")
        entry = ProgressEntry.objects.get(year=2024)
        assert entry.value == Decimal("31.2") and not entry.is_flagged

    def test_a_corrected_figure_is_saved_without_a_flag(self, as_reporter, plan, population):
        questioned = fill(as_reporter, plan, population, "1,234.5")
        resend(as_reporter, plan, questioned, population, value="31.20")
        entry = ProgressEntry.objects.get(year=2024)
        assert entry.value == Decimal("31.20") and not entry.is_flagged

    def test_confirming_needs_an_explanation(self, as_reporter, plan, population):
        questioned = fill(as_reporter, plan, population, "1234.5")
        html = resend(as_reporter, plan, questioned, population, confirm="on").content.decode()
        assert "请说明该数据为何无误。" in html
        assert not ProgressEntry.objects.filter(year=2024).exists()

    def test_a_confirmed_figure_carries_the_flag_and_explanation_into_its_history(
        self, as_reporter, plan, population
    ):
        questioned = fill(as_reporter, plan, population, "1234.5", action="submit")
        resend(
            as_reporter,
            plan,
            questioned,
            population,
            action="submit",
            confirm="on",
            explanation="口径调整：含新并入街道",
        )
        entry = ProgressEntry.objects.get(year=2024)
        assert (entry.value, entry.state) == (Decimal("1234.5"), "submitted")
        assert "40.6" in entry.plausibility_flag
        assert entry.plausibility_note == "口径调整：含新并入街道"
        reason = entry.history.latest().history_change_reason
        assert "口径调整：含新并入街道" in reason
        html = as_reporter.get(entry_url(plan)).content.decode()
        assert "口径调整：含新并入街道" in html  # the row shows its flag afterwards
        # the target page's history reads the reason in Chinese, not as a stored code word
        page = as_reporter.get(population.get_absolute_url()).content.decode()
        assert "提交，存疑数据经填报人确认无误: 口径调整：含新并入街道" in page
        assert "although questioned" not in page

    def test_a_flag_confirmed_in_chinese_reads_in_english_for_an_english_approver(
        self, as_reporter, plan, population, admin_user
    ):
        questioned = fill(as_reporter, plan, population, "1234.5", action="submit")
        resend(
            as_reporter,
            plan,
            questioned,
            population,
            action="submit",
            confirm="on",
            explanation="口径调整：含新并入街道",
        )
        entry = ProgressEntry.objects.get(year=2024)
        as_reporter.force_login(admin_user)
        as_reporter.cookies["django_language"] = "en"
        english = "40.6 times last year&#x27;s figure (30.40); check the unit (万人)."
        html = as_reporter.get(reverse("tracker:approvals")).content.decode()
        assert english in html and "倍" not in html
        picked = {"entry": [f"{entry.pk}:{entry.version}"]}
        html = as_reporter.post(reverse("tracker:approve"), picked).content.decode()
        assert english in html and "倍" not in html
        data = as_reporter.get(reverse("tracker:api-plan", args=[plan.slug])).json()
        (row,) = [t for t in data["targets"] if t["code"] == "URBAN-POPULATION"]
        flag = next(e for e in row["entries"] if e["year"] == 2024)["plausibility_flag"]
        assert flag == "40.6 times last year's figure (30.40); check the unit (万人)."
        as_reporter.cookies["django_language"] = "zh-hans"
        html = as_reporter.get(reverse("tracker:approvals")).content.decode()
        assert "是上年（30.40）的 40.6 倍，请核对单位（万人）。" in html

    def test_a_confirmation_counts_only_for_the_figure_it_was_given_for(
        self, as_reporter, plan, population
    ):
        questioned = fill(as_reporter, plan, population, "1234.5")
        html = resend(
            as_reporter,
            plan,
            questioned,
            population,
            value="12345",
            confirm="on",
            explanation="确认",
        ).content.decode()
        assert "406.1 倍" in html
        assert not ProgressEntry.objects.filter(year=2024).exists()

    def test_other_rows_keep_what_was_typed_while_one_is_questioned(
        self, as_reporter, plan, population, department
    ):
        area = factory.make_target(plan, code="AREA", unit="平方公里", lead_department=department)
        fields = page_fields(as_reporter.get(entry_url(plan)))
        fields.update({f"t{population.pk}-value": "1234.5", f"t{area.pk}-value": "120.0"})
        response = as_reporter.post(entry_url(plan), fields | {"draft": "1"}, follow=True)
        assert page_fields(response)[f"t{area.pk}-value"] == "120.0"
        assert not ProgressEntry.objects.filter(year=2024).exists()

    def test_an_unchanged_figure_is_not_asked_about_again(self, as_reporter, plan, population):
        questioned = fill(as_reporter, plan, population, "1234.5")
        resend(as_reporter, plan, questioned, population, confirm="on", explanation="已核实")
        # Submitting the draft later posts the same figure: no second question.
        response = fill(as_reporter, plan, population, "1234.50", action="submit")
        entry = ProgressEntry.objects.get(year=2024)
        assert entry.state == "submitted", response.content.decode()
        assert entry.plausibility_note == "已核实"

    def test_the_page_speaks_english_too(self, as_reporter, plan, population):
        as_reporter.cookies["django_language"] = "en"
        html = fill(as_reporter, plan, population, "1234.5").content.decode()
        assert "40.6 times last year&#x27;s figure (30.40); check the unit (万人)." in html
        assert "The figure is right" in html


@pytest.fixture
def flagged(population, reporter):
    return factory.make_entry(
        population,
        2024,
        "1234.5",
        state="submitted",
        entered_by=reporter,
        plausibility_flag="是上年（30.40）的 40.6 倍，请核对单位（万人）。",
        plausibility_note="口径调整：含新并入街道",
    )


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


class TestApproval:
    def test_approvers_see_the_flag_and_the_explanation(self, as_admin, flagged):
        html = as_admin.get(reverse("tracker:approvals")).content.decode()
        assert "存疑" in html and "40.6 倍" in html and "口径调整：含新并入街道" in html

    def test_bulk_approval_asks_before_approving_flagged_figures(
        self, as_admin, plan, flagged, department
    ):
        other = factory.make_target(plan, code="AREA", lead_department=department)
        plain = factory.make_entry(other, 2024, "120.0", state="submitted")
        picked = [f"{flagged.pk}:{flagged.version}", f"{plain.pk}:{plain.version}"]
        response = as_admin.post(reverse("tracker:approve"), {"entry": picked})
        html = response.content.decode()
        assert response.status_code == 200 and "批准存疑数据？" in html
        assert "口径调整：含新并入街道" in html and f'id="flagged-{flagged.pk}"' in html
        assert not ProgressEntry.objects.filter(state="approved", year=2024).exists()
        # The confirmation page posts the same figures again, with its tick.
        fields = {"entry": picked, "confirm_flagged": "on"}
        as_admin.post(reverse("tracker:approve"), fields)
        flagged.refresh_from_db()
        assert flagged.state == "approved" and flagged.is_flagged
        assert ProgressEntry.objects.get(pk=plain.pk).state == "approved"

    def test_figures_without_a_flag_are_approved_without_asking(self, as_admin, plan, department):
        target = factory.make_target(plan, code="AREA", lead_department=department)
        entry = factory.make_entry(target, 2024, "120.0", state="submitted")
        as_admin.post(reverse("tracker:approve"), {"entry": [f"{entry.pk}:{entry.version}"]})
        entry.refresh_from_db()
        assert entry.state == "approved"

    def test_the_target_page_shows_an_approved_figures_flag(self, as_admin, admin_user, flagged):
        writes.approve_entries([flagged], by=admin_user)
        html = as_admin.get(flagged.target.get_absolute_url()).content.decode()
        assert "40.6 倍" in html and "口径调整：含新并入街道" in html

    def test_the_api_exposes_the_flag(self, as_admin, plan, flagged):
        data = as_admin.get(reverse("tracker:api-plan", args=[plan.slug])).json()
        (target,) = [t for t in data["targets"] if t["code"] == "URBAN-POPULATION"]
        entry = next(e for e in target["entries"] if e["year"] == 2024)
        assert "40.6" in entry["plausibility_flag"]
        assert entry["plausibility_note"] == "口径调整：含新并入街道"
        earlier = next(e for e in target["entries"] if e["year"] == 2023)
        assert earlier["plausibility_flag"] is None


def notes(wb) -> dict[str, str]:
    """The report's notes sheet as label -> text."""
    return {a: b for a, b in wb["说明"].iter_rows(values_only=True) if a}


class TestReport:
    def test_the_reports_notes_mention_approved_flagged_figures(self, admin_user, plan, flagged):
        writes.approve_entries([flagged], by=admin_user)
        found = notes(report(plan, year=2024)[1])
        assert "数据存疑但经确认的数字" in found
        remark = found[flagged.target.name]
        assert remark.startswith("2024年数据存疑但经填报人确认：是上年（30.40）的 40.6 倍")
        assert "说明：口径调整：含新并入街道" in remark

    def test_a_flagged_figure_not_yet_approved_is_not_mentioned(self, plan, flagged):
        found = notes(report(plan, year=2024)[1])
        # The year shows as a gap the notes explain, its questioned figure unmentioned.
        assert "数据存疑" not in found.get(flagged.target.name, "")
        assert "数据存疑但经确认的数字" not in found


class TestAdmin:
    def test_the_targets_plausibility_settings_are_in_the_admin(self, as_admin, population):
        url = reverse("admin:tracker_target_change", args=[population.pk])
        html = as_admin.get(url).content.decode()
        for name in ["plausible_factor", "plausible_minimum", "plausible_maximum"]:
            assert f'name="{name}"' in html, name
        assert "合理变动倍数" in html

    def test_the_settings_are_checked(self, population):
        population.plausible_factor = Decimal("1")
        population.plausible_minimum, population.plausible_maximum = Decimal(50), Decimal(10)
        with pytest.raises(ValidationError) as refusal:
            population.full_clean()
        text = str(refusal.value)
        assert "合理变动倍数须大于 1。" in text and "合理下限不能高于合理上限。" in text

    def test_the_admin_action_leaves_questioned_figures_to_the_approvals_page(
        self, as_admin, flagged
    ):
        response = as_admin.post(
            reverse("admin:tracker_progressentry_changelist"),
            {"action": "approve_entries", "_selected_action": [flagged.pk]},
            follow=True,
        )
        flagged.refresh_from_db()
        assert flagged.state == "submitted"
        assert "1 项存疑数据未批准" in response.content.decode()

    def test_a_lower_factor_makes_a_target_stricter(self, as_reporter, plan, population):
        population.plausible_factor = Decimal("1.2")
        population.save()
        html = fill(as_reporter, plan, population, "40").content.decode()
        assert "是上年（30.40）的 1.3 倍" in html


def test_the_dashboard_marks_an_approved_flagged_figure(as_admin, admin_user, plan, flagged):
    writes.approve_entries([flagged], by=admin_user)
    html = as_admin.get(reverse("tracker:plan-dashboard", args=[plan.slug])).content.decode()
    assert 'class="flagged" title="是上年（30.40）的 40.6 倍' in html
    assert "口径调整：含新并入街道" in html


def test_a_figure_changed_in_the_admin_is_questioned_and_flagged_for_the_approver(
    admin_client, demo_plan
):
    """The admin's form is another way in: an implausible figure saved there carries the
    flag, the reason for the change standing as its explanation, and the approver is asked."""
    entry = ProgressEntry.objects.get(series__indicator__code="FIXED-ASSET-INVESTMENT", year=2025)
    url = reverse("admin:tracker_progressentry_change", args=[entry.pk])
    data = {
        "value": "11800",
        "quality": "estimate",
        "note": "",
        "is_sample": "on",
        "change_reason": "按统计局快报更正",
        "read_version": entry.version,
    }
    response = admin_client.post(url, data, follow=True)
    assert "数据存疑，已标注供审核人查看" in response.content.decode()
    entry.refresh_from_db()
    assert entry.value == Decimal("11800") and "108.0" in entry.plausibility_flag
    assert entry.plausibility_note == "按统计局快报更正"
    # corrected back to a plausible figure, the flag goes
    data.update(value="118.5", read_version=entry.version, change_reason="更正单位")
    admin_client.post(url, data)
    entry.refresh_from_db()
    assert (entry.plausibility_flag, entry.plausibility_note) == ("", "")
