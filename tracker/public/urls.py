"""The public pages' addresses, under /public/: stable, for a government portal to link to."""

from django.urls import path

from tracker.public import views

app_name = "public"

urlpatterns = [
    path("", views.index, name="index"),
    path("language/", views.language, name="language"),
    path("plans/<slug:slug>/", views.dashboard, name="dashboard"),
    path("plans/<slug:slug>/targets/<code:code>/", views.target, name="target"),
    path("plans/<slug:slug>/evaluations/", views.evaluation_list, name="evaluations"),
    path("plans/<slug:slug>/evaluations/<int:pk>/", views.evaluation, name="evaluation"),
    path(
        "plans/<slug:slug>/evaluations/<int:pk>/report.xlsx",
        views.evaluation_report,
        name="evaluation-report",
    ),
    path("plans/<slug:slug>/report.xlsx", views.report, name="report"),
]
