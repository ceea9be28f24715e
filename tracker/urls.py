from django.urls import path

from tracker import views

app_name = "tracker"

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("plans/<slug:slug>/", views.plan_dashboard, name="plan-dashboard"),
    path("plans/<slug:slug>/targets/<str:code>/", views.target_detail, name="target-detail"),
]
