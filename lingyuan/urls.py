from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from tracker.views.profile import SignIn, switch_language

admin.site.site_header = _("Plan target tracker")
admin.site.site_title = _("Plan target tracker")
admin.site.index_title = _("Administration")


@login_not_required
def favicon(request):
    return HttpResponsePermanentRedirect(static("tracker/favicon.svg"))


urlpatterns = [
    # Browsers ask for /favicon.ico on pages that do not name an icon, such as the admin's.
    path("favicon.ico", favicon),
    path("i18n/setlang/", switch_language, name="set_language"),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        SignIn.as_view(),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("tracker.urls")),
    # After the tracker's, whose URL converters (target codes) it uses.
    path("public/", include("tracker.public.urls")),
]

handler400 = "tracker.views.errors.bad_request"
handler403 = "tracker.views.errors.permission_denied"
handler404 = "tracker.views.errors.page_not_found"
