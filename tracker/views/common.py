"""Helpers the page modules share."""

from __future__ import annotations


def requested_year(request) -> int | None:
    """The ?year= of the request, when it is a number."""
    try:
        return int(request.GET["year"])
    except (KeyError, ValueError):
        return None
