"""What cannot be stored is refused where it comes in, saying where and why; never a 500.

Figures: exponents no column holds (1E-999999) and more digits than any figure has. Text:
NUL (a workbook's `_x0000_`), which PostgreSQL refuses, and lengths beyond the model's.
Addresses: NUL, 300 characters or 汉字 where a code belongs. Run these on SQLite and on
PostgreSQL (DATABASE_URL=postgres://…): NUL fails only there.
"""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from tests import factory
from tests.test_excel_import import XLSX, filled, save, template_bytes
from tracker.excel.importer import build_preview
from tracker.excel.reader import as_year
from tracker.figures import plausibility, writes
from tracker.figures.numbers import OutOfRange, Reported, parse_decimal, storable
from tracker.forms import clean_figure, read_figure
from tracker.models import (
    Area,
    Evaluation,
    ImportBatch,
    PendingImport,
    ProgressEntry,
    Target,
)
from tracker.plans import evaluations
from tracker.text import NOTE_MAX, quoted, unstorable

FEW = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def plan(db, department):
    plan = factory.make_plan(slug="edges")
    area = factory.make_area(plan)
    common = dict(area=area, lead_department=department)
    gdp = factory.make_target(plan, code="GDP", name="地区生产总值", **common)
    factory.make_target(plan, code="RD", name="研发投入占比", unit="%", decimal_places=2, **common)
    factory.make_entry(gdp, 2022, 100)  # approved: a figure for 2023 is compared with it
    return plan


def upload(client, plan, data: bytes, name="figures.xlsx"):
    url = reverse("tracker:import", args=[plan.slug])
    return client.post(url, {"file": SimpleUploadedFile(name, data, XLSX)})


def page_text(response) -> str:
    return response.content.decode()


def refused_at(response, where: str) -> str:
    """The reason the page gives for `where` ("填报!F5"), which must be there."""
    sheet, cell = where.split("!")
    found = re.search(rf"<td>{sheet}</td><td>{cell}</td><td>([^<]*)</td>", page_text(response))
    assert found, where
    return found.group(1)


# -- figures ------------------------------------------------------------------------------

EXTREMES = ["1E-999999", "1e-999994", "-1e-7", "0.0000001", "1." + "0" * 40, "0E-999999"]


@pytest.mark.parametrize("typed", EXTREMES)
def test_numbers_no_figure_column_holds_are_refused_with_a_short_reason(typed):
    with pytest.raises(OutOfRange) as refusal:
        parse_decimal(typed)
    assert len(str(refusal.value)) < 200


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("1E+5", "100000"),
        ("0E+999999", "0"),
        ("0.30000000000000004", "0.30000000000000004"),  # a spreadsheet's =0.1+0.2
        ("0.000001", "0.000001"),
        ("-999999999999.999999", "-999999999999.999999"),
    ],
)
def test_numbers_a_column_holds_are_kept_written_out(typed, kept):
    assert str(parse_decimal(typed)) == kept


def test_the_same_rule_guards_the_model_and_every_number_it_lets_through_is_stored(plan):
    target = Target.objects.get(plan=plan, code="GDP")
    for value in ("1E-999999", "1e-7"):
        with pytest.raises(ValidationError):
            ProgressEntry(target=target, year=2023, value=Decimal(value)).full_clean()
    entry = ProgressEntry(target=target, year=2023, value=storable(Decimal("1E+11")))
    entry.full_clean()
    entry.save()
    entry.refresh_from_db()
    assert entry.value == Decimal("100000000000")


@pytest.mark.parametrize("typed", EXTREMES[:3])
def test_the_entry_form_refuses_an_extreme_exponent(plan, typed):
    target = Target.objects.get(plan=plan, code="GDP")
    with pytest.raises(ValidationError) as refusal:
        clean_figure(typed, target)
    assert refusal.value.code in ("out_of_range", "too_many_decimals")


def test_the_entry_page_refuses_it_with_a_message_and_saves_nothing(client, plan, reporter):
    target = Target.objects.get(plan=plan, code="GDP")
    client.force_login(reporter)
    prefix = f"t{target.pk}"
    response = client.post(
        reverse("tracker:data-entry", args=[plan.slug, 2023]),
        {
            f"{prefix}-value": "1E-999999",
            f"{prefix}-quality": "preliminary",
            f"{prefix}-version": 0,
        },
    )
    assert response.status_code == 200
    assert "0.000001" in page_text(response)
    assert not ProgressEntry.objects.filter(year=2023).exists()


@pytest.mark.parametrize("typed", [*EXTREMES, 1e-300])
def test_an_import_refuses_an_extreme_number_at_its_cell(client, plan, reporter, typed):
    client.force_login(reporter)
    response = upload(client, plan, filled(plan, reporter, F5=typed))
    assert response.status_code == 200
    assert refused_at(response, "填报!F5")
    assert not PendingImport.objects.exists()
    assert not ProgressEntry.objects.filter(year=2023).exists()


def test_a_flagged_figure_keeps_a_short_finding(plan, reporter):
    """One million times last year's figure is questioned in a sentence, not a megabyte."""
    workbook = filled(plan, reporter, F5="99999999999.9", H5="统计公报如此")
    result = build_preview(workbook, file_name="f.xlsx", user=reporter, plan=plan)
    assert result.ok
    assert [w.code for w in result.warnings] == ["implausible"]
    assert len(result.rows[0].flag) < 300


BIG_AND_SMALL = st.decimals(allow_nan=False, allow_infinity=False).filter(lambda d: d > 0)


@given(
    value=st.one_of(BIG_AND_SMALL, st.sampled_from([Decimal("1E-999999"), Decimal("9E+999999")])),
    previous=st.one_of(st.none(), BIG_AND_SMALL),
    expected=st.one_of(st.none(), BIG_AND_SMALL),
    percent=st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_findings_are_short_for_any_number(value, previous, expected, percent):
    """Whatever a caller passes, the check answers, and the findings kept stay short."""
    rules = plausibility.Rules(unit="%" if percent else "亿元", maximum=Decimal(1000))
    history = {} if previous is None else {2022: previous}
    findings = plausibility.check(value, rules, plausibility.Known(2023, history, expected))
    assert len(plausibility.flag_text(findings)) < 600
    assert all(len(f.message) < 300 for f in findings)


def test_a_target_import_refuses_an_extreme_baseline_at_its_cell(client, admin_user, plan):
    client.force_login(admin_user)
    response = upload_targets(client, plan, [target_row(baseline="1E-999999")])
    assert response.status_code == 200
    assert refused_at(response, "指标定义!H2")
    assert not Target.objects.filter(code="NEW").exists()


# -- text ---------------------------------------------------------------------------------


def test_a_nul_in_a_note_is_refused_at_its_cell(client, plan, reporter):
    """openpyxl writes `_x0000_` as it is, and every reader decodes it as NUL."""
    client.force_login(reporter)
    response = upload(client, plan, filled(plan, reporter, F5=120, H5="ab_x0000_cd"))
    assert response.status_code == 200
    assert "U+0000" in refused_at(response, "填报!H5")
    assert not PendingImport.objects.exists()


def test_a_nul_after_a_figure_is_refused_at_its_cell(client, plan, reporter):
    # "3万" keeps its unit sign in the finding that is stored: the NUL would be stored too.
    client.force_login(reporter)
    response = upload(client, plan, filled(plan, reporter, F5="3万_x0000_"))
    assert response.status_code == 200
    assert "U+0000" in refused_at(response, "填报!F5")
    assert not PendingImport.objects.exists()


def test_a_note_is_capped_in_the_import_as_in_the_form(client, plan, reporter):
    client.force_login(reporter)
    response = upload(client, plan, filled(plan, reporter, F5=120, H5="长" * (NOTE_MAX + 1)))
    assert response.status_code == 200
    assert str(NOTE_MAX) in refused_at(response, "填报!H5")
    assert not PendingImport.objects.exists()

    response = upload(client, plan, filled(plan, reporter, F5=120, H5="长" * NOTE_MAX))
    assert response.status_code == 302
    client.post(response["Location"], {"confirm": "1", "state": "draft"})
    assert ProgressEntry.objects.get(year=2023).note == "长" * NOTE_MAX


def test_a_column_title_with_a_nul_is_quoted_storably_in_the_warning(client, plan, reporter):
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes(plan, 2023, reporter)))
    ws = wb.worksheets[0]
    ws["F5"] = 120
    ws["K4"] = "列_x0000_" + "x" * 1000  # beside the header row: an unknown column
    client.force_login(reporter)
    response = upload(client, plan, save(wb))
    assert response.status_code == 302
    warnings = PendingImport.objects.get().payload["warnings"]
    assert [w for w in warnings if "\ufffd" in json.dumps(w, ensure_ascii=False)]
    assert all(len(json.dumps(w, ensure_ascii=False)) < 300 for w in warnings)


def test_a_year_of_thousands_of_digits_is_no_year():
    assert as_year("2" * 5000) is None and as_year("２０２１年") == 2021


def test_messages_quote_text_briefly_and_storably():
    assert quoted("a\x00b") == "a\ufffdb"
    assert len(quoted("x" * 10_000)) == 40
    assert unstorable("plain 文本") is None
    assert "U+0000" in unstorable("a\x00")
    assert str(NOTE_MAX) in unstorable("x" * (NOTE_MAX + 1), NOTE_MAX)


@pytest.mark.parametrize(
    "field, cell",
    [("note", "t{pk}-note"), ("value", "t{pk}-value")],
)
def test_the_entry_page_refuses_a_nul_in_a_field(client, plan, reporter, field, cell):
    target = Target.objects.get(plan=plan, code="GDP")
    client.force_login(reporter)
    prefix = f"t{target.pk}"
    data = {f"{prefix}-value": "120", f"{prefix}-quality": "preliminary", f"{prefix}-version": 0}
    data[cell.format(pk=target.pk)] = "12\x000"
    response = client.post(reverse("tracker:data-entry", args=[plan.slug, 2023]), data)
    assert response.status_code == 200
    assert not ProgressEntry.objects.filter(year=2023).exists()


def test_the_model_caps_notes_and_refuses_nul(plan):
    target = Target.objects.get(plan=plan, code="GDP")
    for note in ("x" * (NOTE_MAX + 1), "a\x00b"):
        entry = ProgressEntry(target=target, year=2023, value=Decimal(1), note=note)
        with pytest.raises(ValidationError) as refusal:
            entry.full_clean()
        assert "note" in refusal.value.message_dict
        target.notes = note
        with pytest.raises(ValidationError):
            target.full_clean()


def test_an_evaluation_is_not_deleted_for_a_reason_with_a_nul(client, plan, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    evaluation = evaluations.freeze(
        plan=plan, year=2023, kind="midterm", title="中期", by=admin_user
    )
    client.force_login(admin_user)
    url = reverse("admin:tracker_evaluation_delete", args=[evaluation.pk])
    response = client.post(url, {"post": "yes", "reason": "审计\x00"}, follow=True)
    assert response.status_code == 200 and "U+0000" in page_text(response)
    assert Evaluation.objects.filter(pk=evaluation.pk).exists()


# -- target definitions: every text against its field -----------------------------------

HEADERS = [
    *("指标代码", "指标名称", "类别", "单位", "类型"),
    *("基期年份", "目标年份", "基期值", "目标值", "备注"),
]


def target_row(**cells):
    row = dict(
        code="NEW",
        name="新指标",
        area="经济",
        unit="亿元",
        kind="level",
        baseline_year=2020,
        target_year=2025,
        baseline="100",
        target="200",
        notes="",
    )
    row.update(cells)
    return list(row.values())


def upload_targets(client, plan, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "指标定义"
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    return client.post(
        reverse("tracker:targets-import", args=[plan.slug]),
        {"file": SimpleUploadedFile("targets.xlsx", save(wb), XLSX)},
    )


@pytest.mark.parametrize(
    "cells, cell",
    [
        ({"area": "类" * 150}, "C2"),  # the area's name holds 100
        ({"name": "名" * 201}, "B2"),
        ({"unit": "u" * 31}, "D2"),
        ({"notes": "备" * (NOTE_MAX + 1)}, "J2"),
        ({"name": "新_x0000_指标"}, "B2"),
        ({"area": "经_x0000_济"}, "C2"),
        ({"notes": "_x0000_"}, "J2"),
        ({"baseline_year": "9" * 5000}, "F2"),  # more digits than int() reads
    ],
)
def test_a_target_import_checks_every_text_at_its_cell(client, admin_user, plan, cells, cell):
    client.force_login(admin_user)
    response = upload_targets(client, plan, [target_row(**cells)])
    assert response.status_code == 200
    assert refused_at(response, f"指标定义!{cell}")
    assert not PendingImport.objects.exists()
    assert not Target.objects.filter(code="NEW").exists()
    assert not Area.objects.filter(name__startswith="类").exists()


def test_a_target_import_takes_the_longest_texts_its_fields_hold(client, admin_user, plan):
    client.force_login(admin_user)
    long = dict(area="类" * 100, name="名" * 200, unit="u" * 30, notes="备" * NOTE_MAX)
    response = upload_targets(client, plan, [target_row(**long)])
    assert response.status_code == 302, page_text(response)[-3000:]
    client.post(response["Location"], {"confirm": "1"})
    target = Target.objects.get(plan=plan, code="NEW")
    assert (target.area.name, target.name, target.notes) == (
        long["area"],
        long["name"],
        long["notes"],
    )


# -- addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["%00", "GDP%00", "x" * 300, "%E6%B1%89%E5%AD%97", "%C0%80", "%FF"]
)
def test_a_target_address_that_is_no_code_is_not_found(client, plan, admin_user, code):
    client.force_login(admin_user)
    assert client.get(f"/plans/{plan.slug}/targets/{code}/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/plans/edges/?q=%00",
        "/plans/edges/?year=2023%00",
        "/api/plans/edges/?evaluation=%00",
        "/admin/tracker/target/?kind=%00",
        "/admin/tracker/progressentry/?state__exact=a%00b",
        "/admin/tracker/importbatch/?q=%00",
    ],
)
def test_a_query_holding_nul_is_a_bad_request_that_says_why(client, plan, admin_user, url):
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 400
    assert "U+0000" in page_text(response)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/tracker/progressentry/x/history/",
        "/admin/tracker/target/1/history/x/",
        "/admin/tracker/target/%00/change/",
        "/admin/tracker/closedyear/99999999999999999999/history/",
    ],
)
def test_admin_history_of_no_key_is_not_found(client, plan, admin_user, url):
    client.force_login(admin_user)
    assert client.get(url).status_code in (302, 404)  # the change page redirects home


def test_a_preview_of_one_kind_is_not_found_at_the_other_kinds_address(client, plan, admin_user):
    client.force_login(admin_user)
    response = upload(client, plan, filled(plan, admin_user, F5=120))
    figures = PendingImport.objects.get()
    assert (
        client.get(reverse("tracker:targets-preview", args=[plan.slug, figures.pk])).status_code
        == 404
    )
    client.post(response["Location"], {"confirm": "1", "state": "draft"})
    assert ImportBatch.objects.filter(preview=figures.pk).exists()
    assert (
        client.get(reverse("tracker:targets-preview", args=[plan.slug, figures.pk])).status_code
        == 404
    )

    response = upload_targets(client, plan, [target_row()])
    targets = PendingImport.objects.get(kind=PendingImport.Kind.TARGETS)
    assert (
        client.get(reverse("tracker:import-preview", args=[plan.slug, targets.pk])).status_code
        == 404
    )
    assert client.get(response["Location"]).status_code == 200


# -- the property: stored as sent, or refused with a message ----------------------------

NUMBER_TEXTS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.integers().map(str),
    st.sampled_from([*EXTREMES, "1E+5", "0E+999999", "3万", "12%", "-0", "1,234.5"]),
)
NOTES = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.sampled_from(["ab_x0000_cd", "长" * NOTE_MAX, "长" * (NOTE_MAX + 1), " 前后空格 "]),
)


@given(value=st.one_of(NUMBER_TEXTS, st.text(max_size=12)), note=NOTES)
@settings(max_examples=40, **FEW)
def test_whatever_the_entry_page_is_sent_is_stored_or_refused(client, plan, reporter, value, note):
    target = Target.objects.get(plan=plan, code="GDP")
    client.force_login(reporter)
    prefix = f"t{target.pk}"
    data = {
        f"{prefix}-value": value,
        f"{prefix}-note": note,
        f"{prefix}-quality": "preliminary",
        f"{prefix}-version": 0,
        f"{prefix}-confirm": "on",
        f"{prefix}-explanation": "核实无误",
    }
    try:  # the figure as the page reads it, to confirm it should it be questioned
        reported = read_figure(value.strip(), target) if value.strip() else Reported()
        expected, growth = reported.level, reported.growth
        data[f"{prefix}-confirmed_value"] = str(expected)
    except ValidationError:
        expected = growth = None
    response = client.post(reverse("tracker:data-entry", args=[plan.slug, 2023]), data)
    assert response.status_code in (200, 302)
    entry = ProgressEntry.objects.filter(series=target.series_id, year=2023).first()
    if response.status_code == 302:
        if entry is not None:  # a blank figure saves nothing
            assert entry.value == expected and entry.growth == growth
            assert entry.note == note.strip()
            entry.delete()
    else:
        assert entry is None
        assert 'class="error' in page_text(response) or "errorlist" in page_text(response)


@given(value=st.one_of(NUMBER_TEXTS, st.floats(allow_nan=False)), note=NOTES)
@example(value=1.7976931348623155e308, note="")  # refused by the file check: at its cell too
@settings(max_examples=60, **FEW)
def test_whatever_a_workbook_holds_is_stored_or_refused_at_a_cell(plan, reporter, value, note):
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes(plan, 2023, reporter)))
    ws = wb.worksheets[0]
    try:
        ws["F5"], ws["H5"] = value, note
    except (ValueError, IllegalCharacterError):
        assume(False)  # openpyxl refuses to write these at all
    preview = build_preview(save(wb), file_name="p.xlsx", user=reporter, plan=plan)
    if not preview.ok:
        assert preview.errors and all(p.cell for p in preview.errors)
        assert all(len(p.message) < 500 for p in preview.errors)
        return
    with transaction.atomic():
        PendingImport.objects.create(  # the preview is kept: PostgreSQL's jsonb takes it
            plan=plan, user=reporter, file_name="p.xlsx", sha256="0", payload=preview.payload()
        )
        writes.apply_import(
            plan=plan,
            user=reporter,
            rows=preview.rows,
            file_name="p.xlsx",
            sha256=preview.sha256,
            submit=False,
        )
        stored = ProgressEntry.objects.filter(year=2023)
        for entry in stored:
            assert len(entry.note) <= NOTE_MAX and "\x00" not in entry.note
            if entry.target.code == "GDP" and "_x" not in note:
                assert entry.note == note.strip()
        transaction.set_rollback(True)
