"""Whatever length a form accepts, the database stores: reasons, notes and file names."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import RequestFactory
from django.urls import reverse

from tests import factory
from tests.test_excel_import import XLSX, filled
from tracker import forms
from tracker.models import ClosedYear, Explanation, FigureMessage, ImportBatch, ProgressEntry

LONG = "因统计局修订数据，" * 222 + "退回"  # 2,000 characters, as the reason fields allow


def history_models():
    from django.apps import apps

    return [m for m in apps.get_models() if hasattr(m, "history_change_reason")]


def test_every_history_keeps_reasons_of_any_length():
    assert len(history_models()) >= 3
    for model in history_models():
        field = model._meta.get_field("history_change_reason")
        assert isinstance(field, models.TextField), model


# Where each plain form's text goes: the model fields (and the history reason) it fills.
DESTINATIONS = {
    (forms.EntryForm, "note"): [ProgressEntry._meta.get_field("note")],
    (forms.EntryForm, "explanation"): [ProgressEntry._meta.get_field("plausibility_note")],
    (forms.EntryForm, "confirmed_value"): [],  # compared with the figure, never stored
    (forms.EntryForm, "growth"): [],  # a number
    (forms.EntryForm, "source"): [ProgressEntry._meta.get_field("source")],
    (forms.EntryForm, "growth_source"): [ProgressEntry._meta.get_field("growth_source")],
    (forms.EntryForm, "answer"): [FigureMessage._meta.get_field("text")],
    (forms.EntryForm, "reasons"): [Explanation._meta.get_field("text")],
    (forms.MessageForm, "text"): [FigureMessage._meta.get_field("text")],
    (forms.ExplanationForm, "text"): [Explanation._meta.get_field("text")],
    (forms.ReasonForm, "reason"): [
        ProgressEntry._meta.get_field("return_reason"),
        FigureMessage._meta.get_field("text"),
    ],
    (forms.CloseYearForm, "reason"): [ClosedYear._meta.get_field("reason")],
}


@pytest.mark.parametrize("form_field, model_fields", DESTINATIONS.items(), ids=str)
def test_plain_forms_accept_no_more_than_their_fields_hold(form_field, model_fields):
    form, name = form_field
    limit = form.base_fields[name].max_length
    for field in model_fields:
        assert field.max_length is None or limit <= field.max_length, field


def test_every_form_field_with_a_length_has_a_destination_listed():
    for form in (forms.EntryForm, forms.ReasonForm, forms.CloseYearForm, forms.MessageForm):
        for name, field in form.base_fields.items():
            if getattr(field, "max_length", None) and name != "value":  # value is a number
                assert (form, name) in DESTINATIONS


def test_admin_forms_match_their_model_fields(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "tracker":
            continue
        form = model_admin.get_form(request, obj=None)
        for name, field in form.base_fields.items():
            if getattr(field, "max_length", None) is None:
                continue
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                # A form's own field, such as the admin's reason for a change, which goes to
                # the history's text column: any length is stored.
                continue
            assert field.max_length == model_field.max_length, (model, name)


@pytest.fixture
def entry(department, reporter):
    plan = factory.make_plan(slug="long-reasons")
    target = factory.make_target(plan, lead_department=department)
    return factory.make_entry(
        target, 2022, 120, state=ProgressEntry.State.SUBMITTED, entered_by=reporter
    )


def test_long_reasons_for_every_action_are_stored(client, admin_user, entry):
    client.force_login(admin_user)
    plan = entry.target.plan
    client.post(
        reverse("tracker:return-entry", args=[entry.pk]), {"reason": LONG, "version": entry.version}
    )
    entry.refresh_from_db()
    assert entry.state == "returned" and entry.return_reason == LONG
    assert entry.history.latest().history_change_reason.endswith(LONG)

    ProgressEntry.objects.filter(pk=entry.pk).update(state="approved")
    entry.refresh_from_db()
    client.post(
        reverse("tracker:reopen-entry", args=[entry.pk]), {"reason": LONG, "version": entry.version}
    )
    assert entry.history.latest().history_change_reason.endswith(LONG)

    client.post(
        reverse("tracker:close-year", args=[plan.slug, 2022]), {"reason": LONG, "confirm": "1"}
    )
    closed = ClosedYear.objects.get(region=plan.region, year=2022)
    assert closed.reason == LONG
    client.post(reverse("tracker:reopen-year", args=[plan.slug, 2022]), {"reason": LONG})
    assert not ClosedYear.objects.exists()
    assert ClosedYear.history.latest().history_change_reason.endswith(LONG)


def test_an_import_with_a_very_long_file_name(client, plan_with_target, reporter):
    plan, target = plan_with_target
    name = "凌源市" * 80 + ".xlsx"  # 245 characters, under the upload's own 255
    client.force_login(reporter)
    data = filled(plan, reporter, 2023, F5=150)
    response = client.post(
        reverse("tracker:import", args=[plan.slug]), {"file": SimpleUploadedFile(name, data, XLSX)}
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    client.post(response["Location"], {"confirm": "1", "state": "draft"})
    assert ImportBatch.objects.get().file_name == name
    assert name in target.entries.get().history.latest().history_change_reason


@pytest.fixture
def plan_with_target(department):
    plan = factory.make_plan(slug="long-names")
    return plan, factory.make_target(plan, lead_department=department)
