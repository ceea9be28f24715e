"""Logging filters named by LOGGING in lingyuan/settings.py.

Kept free of Django imports: logging is configured before the apps are loaded.
"""

from __future__ import annotations

import logging


class ForbiddenInOneLine(logging.Filter):
    """A refused request (403) or a bad one (400) logged as one line: its path and why, no
    traceback.

    Django logs every PermissionDenied and BadRequest with the exception's traceback; a
    refusal is the rules working, not a bug, and a traceback per refusal buries the server
    errors (500s), whose tracebacks are kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in (400, 403) and record.exc_info:
            exception = record.exc_info[1]
            why = " ".join(str(exception).split()) if exception is not None else ""
            if why:
                record.msg = f"{record.msg} (%s)"
                record.args = (*_args(record), why)
            record.exc_info = None
            record.exc_text = None
        return True


def _args(record: logging.LogRecord) -> tuple:
    if record.args is None:
        return ()
    return record.args if isinstance(record.args, tuple) else (record.args,)
