from __future__ import annotations


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
