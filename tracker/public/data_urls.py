"""Open data of a published plan, under /public/plans/<slug>/data/: stable addresses a
portal can link to."""

from django.urls import path

from tracker.public import data_views
from tracker.public.data import FILES

urlpatterns = [
    *(
        path(name, data_views.live_file, {"name": name}, name=f"public-data-{name}")
        for name in FILES
    ),
    *(
        path(
            f"evaluations/<int:pk>/{name}",
            data_views.evaluation_file,
            {"name": name},
            name=f"public-evaluation-data-{name}",
        )
        for name in FILES
    ),
]
