from django.urls import path

from tracker import views

app_name = "tracker"

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("plans/<slug:slug>/", views.plan_dashboard, name="plan-dashboard"),
    path("plans/<slug:slug>/targets/<str:code>/", views.target_detail, name="target-detail"),
    path("plans/<slug:slug>/report.xlsx", views.report_download, name="report"),
    path("plans/<slug:slug>/entry/<int:year>/", views.data_entry, name="data-entry"),
    path(
        "plans/<slug:slug>/entry/<int:year>/template.xlsx",
        views.template_download,
        name="template",
    ),
    path("plans/<slug:slug>/years/<int:year>/close/", views.close_year, name="close-year"),
    path("plans/<slug:slug>/years/<int:year>/reopen/", views.reopen_year, name="reopen-year"),
    path("plans/<slug:slug>/departments/", views.departments, name="departments"),
    path("plans/<slug:slug>/import/", views.import_page, name="import"),
    path("plans/<slug:slug>/import/<uuid:pk>/", views.import_preview, name="import-preview"),
    path("plans/<slug:slug>/imports/<int:pk>/revert/", views.revert_import, name="revert-import"),
    path("api/plans/<slug:slug>/", views.api_plan, name="api-plan"),
    path("plans/<slug:slug>/targets.xlsx", views.targets_export, name="targets-export"),
    path("plans/<slug:slug>/targets-import/", views.targets_import, name="targets-import"),
    path(
        "plans/<slug:slug>/targets-import/<uuid:pk>/",
        views.targets_preview,
        name="targets-preview",
    ),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/approve/", views.approve, name="approve"),
    path("entries/<int:pk>/return/", views.return_entry, name="return-entry"),
    path("entries/<int:pk>/reopen/", views.reopen_entry, name="reopen-entry"),
    path("entries/<int:pk>/evidence/", views.evidence, name="evidence"),
]
