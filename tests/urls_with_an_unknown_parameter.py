"""The project's URLs and one whose parameter the visibility sweep has not been taught."""

from django.http import HttpResponse
from django.urls import path

from lingyuan.urls import urlpatterns as project

urlpatterns = [
    *project,
    path("plans/<slug:slug>/new/<int:widget>/", lambda request, **kw: HttpResponse(), name="new"),
]
