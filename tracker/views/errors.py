"""Error pages in the site's look and the user's language, each saying why and where to go.

A 500 page is Django's own server_error, rendered without the request: whatever broke
(the database, a context processor) must not break the error page too. Every 500 is logged
by django.request with its traceback (see LOGGING).
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _


def _reason(exception) -> str:
    """The exception's own message when it was written for people, else nothing."""
    message = exception.args[0] if exception and exception.args else ""
    if not isinstance(message, str):
        return ""
    if message.startswith("No ") and message.endswith(" matches the given query."):
        return ""  # get_object_or_404's message names a model class, in English
    return message


def _page(request, status: int, title: str, reason: str):
    # The public's pages lead back to the published plans, not to a sign-in.
    public = request.path_info.startswith("/public/")
    template = "tracker/public/error.html" if public else "error.html"
    return render(request, template, {"title": title, "reason": reason}, status=status)


def bad_request(request, exception):
    # BadRequest is raised with a sentence for people; other 400s (a bad host) are not.
    reason = _reason(exception) if isinstance(exception, BadRequest) else ""
    reason = reason or _(
        "The request could not be understood. Go back, reload the page and try again."
    )
    return _page(request, 400, _("Bad request"), reason)


def permission_denied(request, exception):
    reason = _reason(exception) or _(
        "Your account may not open this page. Ask an administrator if you need it."
    )
    return _page(request, 403, _("Not allowed"), reason)


def method_not_allowed(request):
    reason = _(
        "This address carries out an action sent with a button on its page; it cannot be "
        "opened as a page. Go back to the page and use its button."
    )
    return _page(request, 405, _("Not a page to open"), reason)


def page_not_found(request, exception):
    reason = _reason(exception) or _("There is no such page, or what it showed was removed.")
    return _page(request, 404, _("Page not found"), reason)
