"""Request bodies are capped before anything reads them.

Django reads a multipart body in full (to memory or a temporary file) as soon as anyone
touches request.POST or request.FILES, and the CSRF check does that before the view runs.
So the cap is a middleware placed before CsrfViewMiddleware: it compares the announced
Content-Length with the limit of the view the request is for (set with @upload_limit, else
REQUEST_MAX_BYTES), and for a body without a length (chunked) it counts the bytes as they
arrive and stops at the limit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Room for the form's other fields and the multipart framing around a file.
FORM_MARGIN = 64 * 1024


def upload_limit(setting: str):
    """Mark a view as accepting files of at most settings.<setting> bytes."""

    def mark(view):
        view.upload_limit_setting = setting
        return view

    return mark


def limit_for(view) -> int:
    setting = getattr(view, "upload_limit_setting", None)
    if setting is None:
        return settings.REQUEST_MAX_BYTES
    return getattr(settings, setting) + FORM_MARGIN


class BodyQuota(FileUploadHandler):
    """Stops reading an upload once the body has passed the limit."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit, self.received = limit, 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_refused = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


class CapRequestBodies:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        limit = limit_for(view)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return refusal(request, length, limit)
        request.upload_handlers.insert(0, BodyQuota(request, limit))
        return None


def refusal(request, length: int, limit: int):
    message = _(
        "The upload is %(size)s; at most %(limit)s is accepted here. Nothing was read or saved."
    ) % {"size": filesizeformat(length), "limit": filesizeformat(limit - FORM_MARGIN)}
    back = request.path
    return render(request, "tracker/message.html", {"message": message, "back": back}, status=413)
