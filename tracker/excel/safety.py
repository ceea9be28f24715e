"""Checks an uploaded file before any parser sees it: every upload is hostile until validated.

Refused here, each with a reason a person understands: an empty file, one over the size
limit, anything that is not an .xlsx whatever its name (CSV, old .xls, text, a damaged or
truncated zip, another Office file), a zip bomb (counted by the bytes actually inflated,
not the sizes the archive claims), and XML with a DTD or entities (billion laughs, external
entities). The same pass notes formula cells without a saved value, which the reader
(python-calamine) would otherwise see as blank.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from defusedxml import ElementTree
from django.utils.translation import gettext as _

# What a real workbook of the largest plans needs, with a wide margin.
MAX_INFLATED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200  # inflated / packed, per member; real xlsx parts stay below ~30
MAX_MEMBERS = 2000
CHUNK = 1 << 16
PROLOG_BYTES = 4096  # a DTD can only come before the root element

FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*(?<!/)>(.*?)</c>', re.S)
STYLED_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*? s="([0-9]+)"')
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class UnsafeFile(Exception):
    """The file is refused before parsing; the message says why."""


@dataclass
class Inspection:
    """What the check learned, by sheet name: formula cells with no saved value, and cells
    formatted as percentages (Excel stores a typed 2.5% as 0.025)."""

    unsaved_formulas: dict[str, set[str]] = field(default_factory=dict)
    percent_cells: dict[str, set[str]] = field(default_factory=dict)


def inspect_xlsx(data: bytes, *, max_bytes: int) -> Inspection:
    """Refuse anything but a sane .xlsx; return what the reader needs to know."""
    if not data:
        raise UnsafeFile(_("The file is empty."))
    if len(data) > max_bytes:
        raise UnsafeFile(
            _("The file is %(size)s MB; at most %(limit)s MB is accepted.")
            % {"size": f"{len(data) / 1048576:.1f}", "limit": f"{max_bytes / 1048576:.0f}"}
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsafeFile(
            _(
                "This is an old Excel (.xls) file. "
                "Save it as .xlsx (Excel workbook) and upload again."
            )
        )
    if not data.startswith(b"PK\x03\x04"):
        raise UnsafeFile(
            _("This is not an Excel .xlsx file (it may be CSV or text with an .xlsx name).")
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnsafeFile(
            _("The file is damaged or incomplete: it cannot be opened as .xlsx.")
        ) from None
    names = {m.filename for m in members}
    if len(members) > MAX_MEMBERS:
        raise UnsafeFile(_("The file has too many parts to be a workbook."))
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UnsafeFile(
            _("This is not an Excel workbook (a Word or other file with an .xlsx name?).")
        )
    inflated_total = 0
    formulas: dict[str, set[str]] = {}
    percents: dict[str, set[str]] = {}
    sheets: dict[str, bytes] = {}
    for member in members:
        if member.flag_bits & 0x1:
            raise UnsafeFile(_("The file is encrypted; remove the password and upload again."))
        body, inflated = _inflate(archive, member, MAX_INFLATED_BYTES - inflated_total)
        inflated_total += inflated
        if member.filename.endswith((".xml", ".rels")) and body is not None:
            _refuse_dtd(body[:PROLOG_BYTES], member.filename)
            if member.filename.startswith("xl/worksheets/"):
                sheets[member.filename] = body
    percent_styles = _percent_styles(archive) if "xl/styles.xml" in names else set()
    for part, body in sheets.items():
        if b"<f" in body:
            formulas[part] = _formulas_without_value(body)
        if percent_styles:
            percents[part] = {
                ref.decode()
                for ref, style in STYLED_CELL.findall(body)
                if int(style) in percent_styles
            }
    if not any(formulas.values()) and not any(percents.values()):
        return Inspection()
    names_by_part = _sheet_names(archive)
    return Inspection(
        {names_by_part.get(p, p): cells for p, cells in formulas.items() if cells},
        {names_by_part.get(p, p): cells for p, cells in percents.items() if cells},
    )


def _inflate(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int):
    """Inflate one member, counting the bytes really produced; keep worksheet XML.

    Returns (body or None, bytes inflated). Stops as soon as the budget or the ratio is
    passed, so a bomb costs a few megabytes of work rather than gigabytes.
    """
    keep = member.filename.endswith((".xml", ".rels"))
    limit = min(budget, max(member.compress_size, 1) * MAX_RATIO + 1024 * 1024)
    produced, parts = 0, []
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK):
                produced += len(chunk)
                if produced > limit:
                    raise UnsafeFile(
                        _(
                            "The file unpacks to far more than its size (a zip bomb?); "
                            "it is refused."
                        )
                    )
                if keep:
                    parts.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError,
            KeyError, RuntimeError):  # fmt: skip
        raise UnsafeFile(
            _("The file is damaged or incomplete: it cannot be opened as .xlsx.")
        ) from None
    return (b"".join(parts) if keep else None), produced


def _refuse_dtd(prolog: bytes, name: str) -> None:
    upper = prolog.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise UnsafeFile(
            _("The file contains XML declarations that are not allowed (in %(part)s).")
            % {"part": name}
        )


def _formulas_without_value(body: bytes) -> set[str]:
    missing = set()
    for match in FORMULA_CELL.finditer(body):
        inner = match.group(2)
        if b"<f" in inner and (b"<v>" not in inner or b"<v></v>" in inner):
            missing.add(match.group(1).decode())
    return missing


def _percent_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of cell styles whose number format shows a percentage."""
    styles = _parse(archive, "xl/styles.xml")
    custom = {
        int(fmt.get("numFmtId")): fmt.get("formatCode", "")
        for fmt in styles.iter(f"{MAIN_NS}numFmt")
    }
    cell_xfs = styles.find(f"{MAIN_NS}cellXfs")
    found = set()
    for index, xf in enumerate([] if cell_xfs is None else cell_xfs.iter(f"{MAIN_NS}xf")):
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id in (9, 10) or "%" in custom.get(fmt_id, "").replace('"%"', ""):
            found.add(index)
    return found


def _parse(archive: zipfile.ZipFile, name: str):
    try:
        return ElementTree.fromstring(archive.read(name))
    except Exception:  # defusedxml refusals and parse errors alike: the file is not sane
        raise UnsafeFile(
            _("The file is damaged or incomplete: it cannot be opened as .xlsx.")
        ) from None


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part names (xl/worksheets/sheet1.xml) to the sheet names people see."""
    workbook = _parse(archive, "xl/workbook.xml")
    rels = _parse(archive, "xl/_rels/workbook.xml.rels")
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{PKG_REL_NS}Relationship")}
    named = {}
    for sheet in workbook.iter(f"{MAIN_NS}sheet"):
        target = targets.get(sheet.get(f"{REL_NS}id"), "").lstrip("/")
        named[target if target.startswith("xl/") else f"xl/{target}"] = sheet.get("name")
    return named
