"""Target definitions in Excel, both ways: a plan set up or revised from a spreadsheet.

`write_targets` writes every target of a plan, one row each. `preview_targets` reads such a
sheet back (python-calamine, after the same safety checks as figure imports), judges every
row and compares it with what is stored; `tracker.figures.writes.apply_targets` writes it.
"""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal

import python_calamine
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from tracker.excel.common import (
    HEADER_FILL,
    HEADER_FONT,
    WRAP,
    ZH,
    cell,
    fit_widths,
    language_index,
    sheet,
)
from tracker.excel.importer import Preview
from tracker.excel.reader import Problem, blank, normalise, ref, sheet_grid, unsaved_formula
from tracker.excel.safety import UnsafeFile, inspect_xlsx
from tracker.figures.import_rows import TARGET_FIELDS, TARGET_NUMBERS, TARGET_TEXTS, TargetRow
from tracker.figures.numbers import NotANumber, OutOfRange, parse_decimal, storable, validate_code
from tracker.models import Area, Department, Plan, Target
from tracker.text import quoted, unstorable

SHEET = ("指标定义", "Targets")
# key: (Chinese header, English header, required)
COLUMNS = {
    "code": ("指标代码", "Code", True),
    "name": ("指标名称", "Target", True),
    "name_en": ("英文名称", "English name", False),
    "area": ("类别", "Area", True),
    "unit": ("单位", "Unit", False),
    "unit_en": ("英文单位", "English unit", False),
    "kind": ("类型", "Kind", True),
    "direction": ("方向", "Direction", False),
    "nature": ("属性", "Nature", False),
    "baseline_year": ("基期年份", "Baseline year", False),
    "baseline_value": ("基期值", "Baseline value", False),
    "target_year": ("目标年份", "Target year", False),
    "target_value": ("目标值", "Target value", False),
    "factor": ("系数", "Factor", False),
    # 可比价, 现价, or blank for the indicator's usual basis.
    "basis": ("增长口径", "Basis of growth", False),
    "decimal_places": ("小数位数", "Decimal places", False),
    "lead_department": ("牵头单位", "Lead department", False),
    "co_departments": ("配合单位", "Co-responsible departments", False),
    "reference_target": ("参照指标代码", "Reference target code", False),
    "source_text": ("规划原文", "Wording in the plan", False),
    "data_source": ("数据来源", "Data source", False),
    "notes": ("备注", "Notes", False),
}
HEADERS = {normalise(names[i]): key for key, names in COLUMNS.items() for i in (0, 1)}
CHOICES = {
    "kind": Target.Kind,
    "direction": Target.Direction,
    "nature": Target.Nature,
    "basis": Target.Basis,
}
NUMBERS = TARGET_NUMBERS
# The most each text column's field holds, checked at the cell: the model's own check
# (`_check_rules`) leaves out the area, a relation whose name is stored on confirming.
LENGTHS = {
    **{
        key: Target._meta.get_field(key).max_length
        for key in ("name", *TARGET_TEXTS)
        if key not in CHOICES  # a choice is checked against its words, not its length
    },
    "area": Area._meta.get_field("name").max_length,
}
LIST_SEPARATORS = ("、", ",", "，", ";", "；")


# A basis of growth as a Chinese sheet writes it: the statisticians' own words.
BASIS_CELLS = {Target.Basis.COMPARABLE: "可比价", Target.Basis.CURRENT: "现价"}
# Words a statistician also writes for a basis of growth, beyond its labels.
BASIS_WORDS = {
    **{word: basis for basis, word in BASIS_CELLS.items()},
    "可比价格": Target.Basis.COMPARABLE,
    "按可比价格计算": Target.Basis.COMPARABLE,
    "现行价格": Target.Basis.CURRENT,
    "当年价格": Target.Basis.CURRENT,
}


def _choice_words(choices) -> dict[str, str]:
    """Every way a choice may be written: its key, its Chinese and its English label."""
    words = {}
    for key, label in choices.choices:
        words[normalise(key)] = key
        for language in ("zh-hans", "en"):
            with translation.override(language):
                words[normalise(str(label))] = key
    if choices is Target.Basis:
        words.update({normalise(word): key for word, key in BASIS_WORDS.items()})
    return words


def write_targets(out, plan: Plan, *, language: str | None = None) -> None:
    with translation.override(language or translation.get_language()):
        lang = language_index(translation.get_language())
        targets = list(
            Target.objects.for_plan(plan)
            .select_related("reference_target")
            .prefetch_related("co_departments")
        )
        wb = Workbook(write_only=True)
        ws = sheet(wb, SHEET[lang])
        headers = [names[lang] for names in COLUMNS.values()]
        rows = [[_shown(t, key) for key in COLUMNS] for t in targets]
        fit_widths(ws, [[h, *[str(r[i] or "") for r in rows]] for i, h in enumerate(headers)])
        ws.freeze_panes = "C2"
        ws.append(
            [cell(ws, h, font=HEADER_FONT, fill=HEADER_FILL, alignment=WRAP) for h in headers]
        )
        for row in rows:
            ws.append([cell(ws, value) for value in row])
        wb.save(out)


def _shown(target: Target, key: str):
    """A field as the sheet shows it: names for relations, labels for choices."""
    if key == "co_departments":
        return "、".join(_field(target, key)) or None
    if key == "basis":
        return _basis_shown(target.basis)
    if key in CHOICES:
        return str(getattr(target, f"get_{key}_display")())
    if key in NUMBERS:
        return getattr(target, key)  # a number in the sheet, not text
    return _field(target, key)


def _basis_shown(basis: str) -> str | None:
    """可比价 or 现价 in Chinese, the label in English; blank for the indicator's usual."""
    if not basis:
        return None
    if language_index(translation.get_language()) == ZH:
        return BASIS_CELLS[Target.Basis(basis)]
    return str(Target.Basis(basis).label)


def preview_targets(data: bytes, *, plan: Plan, file_name: str, max_bytes: int) -> Preview:
    """Check, read and judge a target-definition sheet; nothing is written."""
    preview = Preview(plan, file_name, hashlib.sha256(data).hexdigest())
    try:
        inspection = inspect_xlsx(data, max_bytes=max_bytes)
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        grid = sheet_grid(book.get_sheet_by_index(0))
        name = book.sheet_names[0]
    except UnsafeFile as refusal:
        preview.errors.append(Problem("", "", str(refusal)))
        return preview
    except Exception:
        preview.errors.append(Problem("", "", _("The workbook cannot be read; is it damaged?")))
        return preview
    if not grid:
        preview.errors.append(Problem(name, "", _("The sheet is empty.")))
        return preview
    columns = {}
    for col, title in enumerate(grid[0]):
        key = HEADERS.get(normalise(title))
        if key:
            columns[key] = col
        elif not blank(title):
            preview.warnings.append(
                Problem(
                    name,
                    ref(0, col),
                    _("The column “%(title)s” is not one this file type has; it was ignored.")
                    % {"title": title},
                )
            )
    missing = [
        COLUMNS[k][0]
        for k, (_zh, _en, required) in COLUMNS.items()
        if required and k not in columns
    ]
    if missing:
        preview.errors.append(
            Problem(
                name, "A1", _("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)}
            )
        )
        return preview
    _judge_rows(name, grid, columns, preview, inspection.unsaved_formulas.get(name, set()))
    return preview


def _judge_rows(name, grid, columns, preview: Preview, formulas: set[str]) -> None:
    plan = preview.plan
    targets = Target.objects.filter(plan=plan).select_related(
        "area", "lead_department", "reference_target"
    )
    stored = {t.code: t for t in targets.prefetch_related("co_departments")}
    departments = {d.name: d for d in Department.objects.all()}
    codes_in_file = set()
    words = {key: _choice_words(choices) for key, choices in CHOICES.items()}
    for r in range(1, len(grid)):
        if preview.errors.full:
            preview.unchecked = len(grid) - r
            break
        row = grid[r]
        cells = {key: (row[col] if col < len(row) else None) for key, col in columns.items()}
        if all(blank(v) for v in cells.values()):
            continue
        before = len(preview.errors)

        said = set()

        def error(key, message, r=r, said=said):
            said.add(key)
            preview.errors.append(Problem(name, ref(r, columns.get(key, columns["code"])), message))

        values = {}
        for key in COLUMNS:
            raw = cells.get(key)
            if key in columns and ref(r, columns[key]) in formulas:
                # Read as empty, it would silently clear the field: refuse it instead.
                said.add(key)
                preview.errors.append(unsaved_formula(name, ref(r, columns[key])))
                values[key] = None
                continue
            if blank(raw):
                if COLUMNS[key][2]:
                    error(key, _("This column must be filled."))
                values[key] = None
                continue
            text = str(raw).strip()
            reason = unstorable(text, LENGTHS.get(key))
            if reason:
                error(key, reason)
                values[key] = None
            elif key in CHOICES:
                found = words[key].get(normalise(text))
                if found is None:
                    error(
                        key,
                        _("“%(text)s” is not one of: %(words)s.")
                        % {
                            "text": quoted(text),
                            "words": ", ".join(k for k, _l in CHOICES[key].choices if k),
                        },
                    )
                values[key] = found
            elif key in NUMBERS:
                try:
                    number = Decimal(repr(raw)) if isinstance(raw, float) else parse_decimal(text)
                    values[key] = str(storable(number, text))
                except OutOfRange as refusal:
                    error(key, str(refusal))
                except NotANumber:
                    error(key, _("“%(text)s” is not a number.") % {"text": quoted(text)})
            elif key in ("baseline_year", "target_year", "decimal_places"):
                number = raw if isinstance(raw, int | float) else None
                # Beyond 4,300 digits int() raises; any whole number a field holds is shorter.
                if number is None and text.isdecimal() and len(text) < 20:
                    number = int(text)
                if number is None or float(number) != int(number):
                    error(key, _("“%(text)s” is not a whole number.") % {"text": quoted(text)})
                else:
                    values[key] = int(number)
            else:
                values[key] = text
        code = values.get("code") or ""
        try:
            validate_code(code)
        except ValidationError as refusal:
            if code:
                error("code", refusal.messages[0])
        if code in codes_in_file:
            error("code", _("The code %(code)s appears twice.") % {"code": code})
        codes_in_file.add(code)
        values["baseline_year"] = values.get("baseline_year") or plan.baseline_year
        values["target_year"] = values.get("target_year") or plan.end_year
        values["direction"] = values.get("direction") or Target.Direction.INCREASE
        values["nature"] = values.get("nature") or Target.Nature.ANTICIPATORY
        values["decimal_places"] = (
            2 if values.get("decimal_places") is None else values["decimal_places"]
        )
        if "basis" not in columns:
            # A sheet from before the column existed leaves each basis as it stands.
            current = stored.get(code)
            values["basis"] = current.basis if current else None
        for key in ("lead_department",):
            if values.get(key) and values[key] not in departments:
                error(
                    key,
                    _("No department named “%(name)s”; create it first.")
                    % {"name": quoted(values[key])},
                )
        co = [n.strip() for n in _split(values.get("co_departments") or "") if n.strip()]
        for department in co:
            if department not in departments:
                error(
                    "co_departments",
                    _("No department named “%(name)s”; create it first.")
                    % {"name": quoted(department)},
                )
        values["co_departments"] = co
        _check_rules(values, plan, error, said, stored.get(code))
        if len(preview.errors) > before:
            continue
        target_row = TargetRow(row=r + 1, code=code, values=values)
        current = stored.get(code)
        if current is not None:
            target_row.changes = _differences(current, values)
            target_row.status = "changed" if target_row.changes else "unchanged"
        preview.rows.append(target_row)
    known = set(stored) | codes_in_file
    for target_row in preview.rows:
        reference = target_row.values.get("reference_target")
        if reference and reference == target_row.code:
            preview.errors.append(
                Problem(
                    name,
                    ref(target_row.row - 1, columns.get("reference_target", 0)),
                    _("A target cannot be its own reference."),
                )
            )
        elif reference and reference not in known:
            preview.errors.append(
                Problem(
                    name,
                    ref(target_row.row - 1, columns.get("reference_target", 0)),
                    _("No target with the code “%(code)s” in this plan.")
                    % {"code": quoted(reference)},
                )
            )


def _split(text: str) -> list[str]:
    for separator in LIST_SEPARATORS[1:]:
        text = text.replace(separator, LIST_SEPARATORS[0])
    return text.split(LIST_SEPARATORS[0])


def _check_rules(values: dict, plan: Plan, error, said: set, current: Target | None) -> None:
    """The model's own rules (Target.full_clean), each said at its cell.

    Relations are checked by name above; the rules on the remaining fields run as they
    do in the admin, and an error on no one column is said at the code. A column already
    refused above (`said`) is not refused twice.
    """
    # The sheet has no column for negatives: a changed target keeps what the admin set.
    target = Target(plan=plan, allow_negative=bool(current and current.allow_negative))
    for key in TARGET_FIELDS:
        value = values.get(key)
        if key in NUMBERS and value is not None:
            value = Decimal(value)
        setattr(target, key, "" if value is None and key in TARGET_TEXTS else value)
    target.reference_target_id = -1 if values.get("reference_target") else None
    try:
        target.full_clean(exclude=RELATIONS, validate_unique=False)
    except ValidationError as invalid:
        for key, messages in invalid.message_dict.items():
            if key in said:
                continue
            for message in messages:
                error(key if key in COLUMNS else "code", message)


RELATIONS = [
    "plan",
    "area",
    "lead_department",
    "co_departments",
    "reference_target",
    "indicator",
    "series",
]


def _differences(target: Target, values: dict) -> list[str]:
    changes = []
    for key, new in values.items():
        old = _field(target, key)
        if key in NUMBERS:
            same = (old is None and new is None) or (
                old is not None and new is not None and Decimal(old) == Decimal(new)
            )
        elif key == "co_departments":
            same = sorted(old) == sorted(new)
        else:
            same = (old or None) == (new or None)
        if not same:
            shown = [v if v not in (None, "", []) else "—" for v in (old, new)]
            changes.append(f"{COLUMNS[key][0]}: {shown[0]} → {shown[1]}")
    return changes


def _field(target: Target, key: str):
    """A field as the import compares it: names for relations, keys for choices."""
    if key == "area":
        return target.area.name
    if key == "lead_department":
        return target.lead_department.name if target.lead_department else None
    if key == "co_departments":
        return [d.name for d in target.co_departments.all()]
    if key == "reference_target":
        return target.reference_target.code if target.reference_target else None
    value = getattr(target, key)
    return str(value) if isinstance(value, Decimal) else value
