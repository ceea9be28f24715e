"""Evidence files: which kinds are accepted, told by their content, not their name."""

from __future__ import annotations

import zipfile

# Leading bytes of each accepted kind.
SIGNATURES = {
    b"%PDF-": "pdf",
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xff\xd8\xff": "jpeg",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "ole",  # .doc and .xls
}
# Office Open XML files are zip archives with one of these parts.
OOXML_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx"}


def kind_of(upload) -> str | None:
    """The kind of an uploaded file by its content ('pdf', 'png', 'docx', ...), or None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            upload.seek(0)
        for part, kind in OOXML_PARTS.items():
            if part in names:
                return kind
    return None
