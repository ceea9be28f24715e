"""Text a person sends, as the database can store it: one rule for forms, imports and the admin.

PostgreSQL refuses NUL in any text, and UTF-8 has no lone surrogates. A spreadsheet can
carry either (a cell's `_x0000_` is read back as NUL), so every text that may be stored is
asked `unstorable()` first, and the sentence it returns is shown at the cell or field.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# The cap on what people write about a figure: its note, the explanation of a questioned
# figure, and the reason for a return, a reopening or a closed year.
NOTE_MAX = 2000

# How much of a person's text a message quotes back.
QUOTED_MAX = 40


def unstorable(text: str, limit: int | None = None) -> str | None:
    """Why `text` cannot be stored, in a sentence; None when it can."""
    found = UNSTORABLE.search(text)
    if found:
        return _(
            "It holds a character that cannot be stored (U+%(code)04X, “_x%(code)04X_” in "
            "a workbook file); remove it."
        ) % {"code": ord(found.group())}
    if limit is not None and len(text) > limit:
        return ngettext(
            "At most %(limit)s character here; this has %(count)s.",
            "At most %(limit)s characters here; this has %(count)s.",
            limit,
        ) % {
            "limit": limit,
            "count": len(text),
        }
    return None


def validate_storable(value: str) -> None:
    """Model validator: no character the database refuses."""
    reason = unstorable(value)
    if reason:
        raise ValidationError(reason, code="unstorable")


def quoted(value, limit: int = QUOTED_MAX) -> str:
    """A person's text as a message quotes it: at most `limit` characters, nothing unstorable.

    A message may be kept (a preview's warnings are stored), so what it quotes must be
    storable too, and a cell of a million characters is not repeated in full.
    """
    text = UNSTORABLE.sub("\ufffd", str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"
