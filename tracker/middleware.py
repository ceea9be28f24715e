from __future__ import annotations

from django.http import HttpResponseNotAllowed

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
