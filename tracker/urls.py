from django.urls import include, path, register_converter

from tracker.figures.numbers import CODE
from tracker.views import (
    approvals,
    conversation,
    dashboard,
    entry,
    evaluations,
    excel,
    profile,
    publishing,
    regions,
)


class CodeConverter:
    """A target code: a path holding anything else (NUL, 300 characters, 汉字) is not found
    before any query is made."""

    regex = CODE

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CodeConverter, "code")


class RegionCodeConverter(CodeConverter):
    """A GB/T 2260 code: six digits."""

    regex = "[0-9]{6}"


register_converter(RegionCodeConverter, "region")

app_name = "tracker"

urlpatterns = [
    path("", dashboard.home, name="plan-list"),
    path("plans/", dashboard.plan_list, name="plans"),
    path("plans/<slug:slug>/", dashboard.plan_dashboard, name="plan-dashboard"),
    path("plans/<slug:slug>/targets/<code:code>/", dashboard.target_detail, name="target-detail"),
    path("plans/<slug:slug>/report.xlsx", excel.report_download, name="report"),
    path("plans/<slug:slug>/figures.csv", excel.figures_csv, name="figures-csv"),
    path("plans/<slug:slug>/entry/<int:year>/", entry.data_entry, name="data-entry"),
    path(
        "plans/<slug:slug>/entry/<int:year>/template.xlsx",
        excel.template_download,
        name="template",
    ),
    path("plans/<slug:slug>/years/<int:year>/close/", approvals.close_year, name="close-year"),
    path("plans/<slug:slug>/years/<int:year>/reopen/", approvals.reopen_year, name="reopen-year"),
    path("plans/<slug:slug>/departments/", dashboard.departments, name="departments"),
    path(
        "plans/<slug:slug>/departments/remind/",
        approvals.remind_departments,
        name="remind-departments",
    ),
    path("plans/<slug:slug>/import/", excel.import_page, name="import"),
    path("plans/<slug:slug>/import/<uuid:pk>/", excel.import_preview, name="import-preview"),
    path("plans/<slug:slug>/imports/<int:pk>/revert/", excel.revert_import, name="revert-import"),
    path("api/plans/<slug:slug>/", dashboard.api_plan, name="api-plan"),
    path("plans/<slug:slug>/targets.xlsx", excel.targets_export, name="targets-export"),
    path("plans/<slug:slug>/targets-import/", excel.targets_import, name="targets-import"),
    path(
        "plans/<slug:slug>/targets-import/<uuid:pk>/",
        excel.targets_preview,
        name="targets-preview",
    ),
    path("plans/<slug:slug>/evaluations/new/", evaluations.freeze, name="evaluation-freeze"),
    path(
        "plans/<slug:slug>/evaluations/<int:pk>/",
        evaluations.evaluation_detail,
        name="evaluation",
    ),
    path(
        "plans/<slug:slug>/evaluations/<int:pk>/report.xlsx",
        evaluations.evaluation_report,
        name="evaluation-report",
    ),
    path(
        "plans/<slug:slug>/evaluations/<int:pk>/compare/",
        evaluations.compare,
        name="evaluation-compare",
    ),
    path("plans/<slug:slug>/publishing/", publishing.publishing, name="publishing"),
    path("approvals/", approvals.approvals, name="approvals"),
    path("approvals/approve/", approvals.approve, name="approve"),
    path("entries/<int:pk>/return/", approvals.return_entry, name="return-entry"),
    path("entries/<int:pk>/reopen/", approvals.reopen_entry, name="reopen-entry"),
    path("entries/<int:pk>/evidence/", entry.evidence, name="evidence"),
    path("entries/<int:pk>/messages/", conversation.figure_messages, name="figure-messages"),
    path(
        "plans/<slug:slug>/targets/<code:code>/explanation/",
        conversation.explain,
        name="target-explanation",
    ),
    path("profile/", profile.profile, name="profile"),
    path("regions/<region:code>/", regions.region_matrix, name="region"),
    path("regions/<region:code>/report.xlsx", regions.region_report, name="region-report"),
    path(
        "regions/<region:code>/indicators/<code:indicator>/",
        regions.region_indicator,
        name="region-indicator",
    ),
    path("api/regions/<region:code>/", regions.api_region, name="api-region"),
    path(
        "api/regions/<region:code>/indicators/<code:indicator>/",
        regions.api_region_indicator,
        name="api-region-indicator",
    ),
    path("public/plans/<slug:slug>/data/", include("tracker.public.data_urls")),
]
