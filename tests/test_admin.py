"""The admin, as the demo administrator (staff in the administrators group) uses it."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests import factory
from tracker.models import ProgressEntry


@pytest.fixture
def admin_client(client, demo_plan):
    client.login(username="admin", password="lingyuan-demo-2025")
    return client


def test_the_target_list_shows_the_engines_status(admin_client):
    response = admin_client.get(reverse("admin:tracker_target_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "status-off_track" in html and "严重滞后" in html
    assert "status-achieved" in html


def test_the_target_list_filters_and_searches(admin_client, demo_plan):
    url = reverse("admin:tracker_target_changelist")
    html = admin_client.get(url, {"q": "GDP"}).content.decode()
    assert "地区生产总值" in html and "城镇人口" not in html
    html = admin_client.get(url, {"kind__exact": "milestone"}).content.decode()
    assert "国家级生态市" in html and "地区生产总值" not in html


def test_every_model_has_its_pages(admin_client):
    models = ["plan", "area", "department", "target", "progressentry", "closedyear"]
    for model in [*models, "importbatch", "pendingimport"]:
        response = admin_client.get(reverse(f"admin:tracker_{model}_changelist"))
        assert response.status_code == 200, model


def test_a_target_page_has_its_entries_inline_and_its_history(admin_client, demo_plan):
    target = demo_plan.targets.get(code="GDP")
    response = admin_client.get(reverse("admin:tracker_target_change", args=[target.pk]))
    assert response.status_code == 200
    assert "158.2" in response.content.decode()
    statistic = reverse("admin:tracker_series_change", args=[target.series_id])
    assert statistic in response.content.decode()
    assert "158.2" in admin_client.get(statistic).content.decode()
    history = admin_client.get(reverse("admin:tracker_target_history", args=[target.pk]))
    assert history.status_code == 200


def test_approving_from_the_admin_counts_the_figure(admin_client, demo_plan):
    entry = ProgressEntry.objects.get(series__indicator__code="GDP", year=2025)
    assert entry.state == "submitted"
    admin_client.post(
        reverse("admin:tracker_progressentry_changelist"),
        {"action": "approve_entries", "_selected_action": [entry.pk]},
    )
    entry.refresh_from_db()
    assert entry.state == "approved"
    assert entry.history.first().history_user.username == "admin"


def test_a_reporter_cannot_enter_the_admin(client, reporter):
    client.login(username=reporter.username, password=factory.PASSWORD)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_an_edit_in_the_admin_refuses_forms_opened_before_it(admin_client, demo_plan):
    entry = ProgressEntry.objects.get(series__indicator__code="FIXED-ASSET-INVESTMENT", year=2025)
    version_read_by_reporter = entry.version
    url = reverse("admin:tracker_progressentry_change", args=[entry.pk])
    data = {
        "value": "119.0",
        "quality": "estimate",
        "note": "管理员更正",
        "is_sample": "on",
        "change_reason": "统计局更正",
        "read_version": entry.version,
    }
    assert admin_client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.version == version_read_by_reporter + 1
    from tracker.figures import workflow

    with pytest.raises(workflow.StaleEntry):
        workflow.claim(entry, version_read_by_reporter)


def test_a_plan_period_cannot_shrink_past_its_figures(client, admin_user):
    plan = factory.make_plan(slug="period")
    target = factory.make_target(plan)
    factory.make_entry(target, plan.end_year, "1")
    client.force_login(admin_user)
    url = reverse("admin:tracker_plan_change", args=[plan.pk])
    page = client.get(url)
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        for form in formset.formset.initial_forms:
            data.update({form.add_prefix(k): v for k, v in form.initial.items() if v is not None})
            data[form.add_prefix("id")] = form.instance.pk
    data["end_year"] = plan.end_year - 1
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "end_year" in errors and str(plan.end_year) in errors["end_year"][0]
    plan.refresh_from_db()
    assert plan.end_year == target.target_year
    data["end_year"] = plan.end_year
    response = client.post(url, data)
    assert response.status_code == 302


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_a_figures_evidence_links_to_the_download_for_signed_in_users(
    admin_client, demo_plan, settings, tmp_path, state
):
    settings.MEDIA_ROOT = tmp_path
    entry = ProgressEntry.objects.filter(series__targets__plan=demo_plan, state=state).first()
    entry.evidence.save("公报.pdf", ContentFile(b"%PDF-1.4 evidence"))
    html = admin_client.get(reverse("admin:tracker_progressentry_change", args=[entry.pk]))
    html = html.content.decode()
    download = reverse("tracker:evidence", args=[entry.pk])
    assert f'href="{download}"' in html and "公报" in html
    assert "/media/" not in html
    response = admin_client.get(download)
    assert b"".join(response.streaming_content) == b"%PDF-1.4 evidence"
    admin_client.logout()
    assert admin_client.get(download).status_code == 302
