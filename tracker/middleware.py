from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponseNotAllowed
from django.utils.translation import gettext as _

from tracker.text import UNSTORABLE
from tracker.views.errors import method_not_allowed


class ChosenLanguageOnly:
    """Speak Chinese unless the user picked English with the language switch.

    Django's LocaleMiddleware would otherwise follow the browser's Accept-Language, and an
    office PC set up in English would show the tracker in English unasked.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class WrongMethodPage:
    """A 405 (a POST-only address opened as a page) as the site's error page, not a blank one.

    Django has no handler for 405: require_POST and class-based views answer with an empty
    response. Listed after LocaleMiddleware and the authentication, so the page speaks the
    user's language and shows the menu.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed) or response.content:
            return response
        page = method_not_allowed(request)
        page["Allow"] = response["Allow"]
        return page


class UnstorableTextRefused:
    """An address or query holding NUL is answered before any view or admin page sees it.

    PostgreSQL refuses NUL even in a lookup, so `?kind=%00` on an admin list would fail
    when the list is drawn. No page has such an address (404), and no query a page takes
    holds one (400). Posted forms refuse it field by field (Django's forms.CharField), and
    workbooks cell by cell (tracker.text); the body is not read here, before the upload caps.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if UNSTORABLE.search(request.path_info):
            raise Http404
        for name, values in request.GET.lists():
            if any(UNSTORABLE.search(text) for text in (name, *values)):
                raise BadRequest(
                    _("The address holds a character no page takes (U+0000); remove it.")
                )
        return self.get_response(request)
