"""The data-entry template: the targets a person may fill for a year, ready for Excel or WPS."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation

from tracker.excel.common import (
    BOLD,
    CENTER,
    CONTEXT_FILL,
    HEADER_FILL,
    HEADER_FONT,
    INPUT_FILL,
    LOCKED_FILL,
    MIDDLE,
    MUTED_FONT,
    NO,
    PLAN_LABEL,
    QUALITY_WORDS,
    TEMPLATE_COLUMNS,
    TEMPLATE_SHEET,
    UNLOCKED,
    WRAP,
    YEAR_LABEL,
    YEARED_COLUMNS,
    YES,
    cell,
    display_width,
    language_index,
    new_workbook,
    number_format,
    print_setup,
    row_height,
    sheet,
)
from tracker.figures.numbers import PLACES
from tracker.models import Plan, ProgressEntry, Target, localized
from tracker.standings import engine
from tracker.standings.formats import milestone_word

HEADER_ROW = 4  # rows 1-2 name the plan and year; row 3 says how to fill the sheet
VALUE_COL, QUALITY_COL, GROWTH_COL = "F", "G", "J"
# The growth and source columns come last, so that every column of older templates keeps
# its place (the importer finds columns by their headers, in any order).
KEYS = [
    "code",
    "name",
    "unit",
    "previous",
    "target",
    "value",
    "quality",
    "note",
    "state",
    "growth",
    "source",
]
COLUMNS = "ABCDEFGHIJK"


def headers(plan: Plan, year: int, lang: int) -> list[str]:
    """The header row, with the years: 2023年数值 (last year), 2025年目标, 2024年数值."""
    years = {"previous": year - 1, "target": plan.end_year, "value": year}
    return [
        YEARED_COLUMNS[k][lang].format(year=years[k]) if k in years else TEMPLATE_COLUMNS[k][lang]
        for k in KEYS
    ]


def _locked_reason(entry: ProgressEntry | None, closed: bool) -> str:
    if closed:
        return _("Year closed")
    if entry is not None and entry.state == ProgressEntry.State.APPROVED:
        return _("Approved (locked)")
    return ""


def _state_word(entry: ProgressEntry | None) -> str:
    if entry is None:
        return ""
    return str(dict(ProgressEntry.State.choices)[entry.state])


def _validation(target: Target, first_row: int) -> DataValidation:
    """A number, and no negative where a target cannot have one; every reported digit is
    kept, up to the six places a figure holds (the target's places only round the display).

    The formula names the first cell of the rule's ranges; Excel and LibreOffice apply it
    to every other cell relative to that one.
    """
    first = f"{VALUE_COL}{first_row}"
    rules = [f"ISNUMBER({first})", f"ROUND({first},{PLACES})={first}"]
    if not target.allow_negative:
        rules.append(f"{first}>=0")
        error = ngettext(
            "Enter a number of zero or more, with at most %(places)s decimal place.",
            "Enter a number of zero or more, with at most %(places)s decimal places.",
            PLACES,
        )
    else:
        error = ngettext(
            "Enter a number with at most %(places)s decimal place.",
            "Enter a number with at most %(places)s decimal places.",
            PLACES,
        )
    return DataValidation(
        type="custom",
        formula1=f"AND({','.join(rules)})",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Not a valid figure"),
        error=error % {"places": PLACES},
    )


def _growth_validation(first_row: int) -> DataValidation:
    """A growth rate in percent: negative for a fall, above -100."""
    first = f"{GROWTH_COL}{first_row}"
    return DataValidation(
        type="custom",
        formula1=f"AND(ISNUMBER({first}),{first}>-100,ROUND({first},{PLACES})={first})",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Not a valid growth rate"),
        error=_(
            "Enter the growth over the previous year in percent, such as 3.1, or -2.3 for a "
            "fall; above -100."
        ),
    )


# Landscape A4 at 90% holds about 141 units (6.35 pt each in LibreOffice's CJK face).
TEMPLATE_WIDTH_BUDGET = 140


def write_template(
    out, plan: Plan, year: int, targets: list[Target], *, language: str | None = None
) -> None:
    """Write the data-entry template of `plan` for `year` with one row per target.

    `targets` come from `Target.objects.for_plan(plan).editable_by(user).with_entries(user)`.
    The context columns are locked (the sheet is protected without a password, so nobody
    overwrites them by accident); value, quality and note are open, with validation, except
    for a figure already approved or in a closed year: it shows locked and grey, and a file
    sent back with it unchanged imports as unchanged.
    """
    with translation.override(language or translation.get_language()):
        lang = language_index(translation.get_language())
        wb = new_workbook()
        ws = sheet(wb, TEMPLATE_SHEET[lang])
        titles = headers(plan, year, lang)
        last_row = HEADER_ROW + len(targets)
        quality_words = [words[lang] for words in QUALITY_WORDS.values()]
        year_closed = plan.year_lock(year) is not None

        names = [t.display_name for t in targets]
        widths = [
            # A long code (FIXED-ASSET-INVESTMENT) wraps at its hyphens rather than take
            # the name's room.
            min(16, max([display_width(titles[0])] + [display_width(t.code) for t in targets]) + 2),
            min(30, max([12] + [display_width(n) + 2 for n in names])),
            min(
                12,
                max(
                    [display_width(titles[2]) + 2]
                    + [display_width(localized(t, "unit")) + 2 for t in targets]
                ),
            ),
            display_width(titles[3]) + 2,
            display_width(titles[4]) + 2,
            display_width(titles[5]) + 2,
            max(display_width(titles[6]), *map(display_width, quality_words)) + 3,
            30,
            max(display_width(titles[8]), 12) + 2,
            10,  # growth: -12.3 fits; the header wraps
            14,
        ]
        # Within what landscape A4 holds at 90% (9 pt text): the state, the note, the source
        # and the name wrap, in that order, as far as needed.
        for index, floor in ((8, 10), (7, 12), (10, 10), (1, 14)):
            over = sum(widths) - TEMPLATE_WIDTH_BUDGET
            if over > 0:
                widths[index] = max(floor, widths[index] - over)
        for index, width in enumerate(widths):
            ws.column_dimensions[COLUMNS[index]].width = width
        ws.freeze_panes = f"C{HEADER_ROW + 1}"
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        print_setup(
            ws,
            header_left=plan.display_name,
            header_right=_("Data-entry template, %(year)s") % {"year": year},
            footer_right=_("Generated %(date)s") % {"date": timezone.localdate().isoformat()},
            page_of=_("Page &P of &N"),
        )
        ws.protection.sheet = True
        ws.protection.formatColumns = False
        ws.protection.formatRows = False

        yes_no = DataValidation(
            type="list",
            formula1=f'"{YES[lang]},{NO[lang]}"',
            allow_blank=True,
            showErrorMessage=True,
            error=_("Choose %(yes)s or %(no)s.") % {"yes": YES[lang], "no": NO[lang]},
        )
        quality = DataValidation(
            type="list",
            formula1=f'"{",".join(quality_words)}"',
            allow_blank=True,
            showErrorMessage=True,
            error=_("Choose one of: %(words)s.") % {"words": ", ".join(quality_words)},
        )
        if targets:
            quality.sqref = MultiCellRange(f"{QUALITY_COL}{HEADER_ROW + 1}:{QUALITY_COL}{last_row}")
        ws.data_validations.append(quality)
        ws.data_validations.append(yes_no)
        # One rule per kind of figure (decimals, sign), over the rows of that kind.
        number_rows: dict[bool, list[int]] = {}
        number_rules: dict[bool, DataValidation] = {}
        yes_no_rows, growth_rows = [], []

        ws.append(
            [
                cell(ws, PLAN_LABEL[lang], font=BOLD),
                cell(ws, plan.slug),
                cell(ws, plan.display_name, border=None),
            ]
        )
        ws.append([cell(ws, YEAR_LABEL[lang], font=BOLD), cell(ws, year)])
        ws.row_dimensions[3].height = 30
        ws.append(
            [
                cell(
                    ws,
                    _(
                        "Fill the yellow cells; grey ones are approved or closed and stay as they "
                        "are. Quality: %(words)s (see the instructions sheet)."
                    )
                    % {"words": " / ".join(quality_words)},
                    font=MUTED_FONT,
                    border=None,
                    alignment=WRAP,
                )
            ]
        )
        ws.merged_cells.add(f"A3:{COLUMNS[-1]}3")
        ws.row_dimensions[HEADER_ROW].height = row_height(zip(titles, widths, strict=True))
        ws.append(
            [cell(ws, h, font=HEADER_FONT, fill=HEADER_FILL, alignment=CENTER) for h in titles]
        )
        for index, target in enumerate(targets, start=HEADER_ROW + 1):
            entries = {e.year: e for e in target.entries.all()}
            previous, current = entries.get(year - 1), entries.get(year)
            spec = target.spec(target.approved_values())
            goal = engine.goal_value(spec)
            locked = _locked_reason(current, year_closed)
            if target.is_milestone:
                yes_no_rows.append(index)
                shown = current.achieved if current else None
                value = None if shown is None else (YES if shown else NO)[lang]
                before = (
                    None
                    if not previous or previous.achieved is None
                    else (YES if previous.achieved else NO)[lang]
                )
                goal_cell = milestone_word(True)
                fmt = typed_fmt = None
            else:
                key = target.allow_negative
                if key not in number_rules:
                    number_rules[key] = _validation(target, index)
                number_rows.setdefault(key, []).append(index)
                value = current.value if current else None
                before = previous.value if previous else None
                goal_cell = goal
                fmt = number_format(target.decimal_places)
                typed_fmt = reported_format(target.decimal_places)
            ws.row_dimensions[index].height = row_height(
                [
                    (target.code, widths[0]),
                    (target.display_name, widths[1]),
                    (localized(target, "unit"), widths[2]),
                    (current.note if current else None, widths[7]),
                    (current.source if current else None, widths[10]),
                ]
            )
            if locked:
                fill, protection = LOCKED_FILL, None
            else:
                fill, protection = INPUT_FILL, UNLOCKED
            carries = target.indicator_id is not None and target.indicator.carries_growth
            if carries and not locked:
                growth_rows.append(index)
            growth_fill, growth_protection = (fill, protection) if carries else (CONTEXT_FILL, None)
            ws.append(
                [
                    cell(ws, target.code, fill=CONTEXT_FILL, alignment=MIDDLE),
                    cell(ws, target.display_name, fill=CONTEXT_FILL, alignment=MIDDLE),
                    cell(ws, localized(target, "unit"), fill=CONTEXT_FILL, alignment=CENTER),
                    cell(ws, before, fill=CONTEXT_FILL, number_format=typed_fmt, alignment=MIDDLE),
                    cell(ws, goal_cell, fill=CONTEXT_FILL, number_format=fmt, alignment=MIDDLE),
                    cell(ws, value, fill=fill, protection=protection, number_format=typed_fmt),
                    cell(
                        ws,
                        QUALITY_WORDS[current.quality][lang] if current else None,
                        fill=fill,
                        protection=protection,
                        alignment=CENTER,
                    ),
                    cell(
                        ws,
                        current.note if current else None,
                        fill=fill,
                        protection=protection,
                        alignment=WRAP,
                    ),
                    cell(ws, locked or _state_word(current), fill=CONTEXT_FILL, alignment=CENTER),
                    cell(
                        ws,
                        current.growth if current and carries else None,
                        fill=growth_fill,
                        protection=growth_protection,
                        alignment=MIDDLE,
                    ),
                    cell(
                        ws,
                        current.source if current else None,
                        fill=fill,
                        protection=protection,
                        alignment=WRAP,
                    ),
                ]
            )
        for key, rule in number_rules.items():
            rule.sqref = column_ranges(VALUE_COL, number_rows[key])
            ws.data_validations.append(rule)
        yes_no.sqref = column_ranges(VALUE_COL, yes_no_rows)
        if growth_rows:
            growth = _growth_validation(growth_rows[0])
            growth.sqref = column_ranges(GROWTH_COL, growth_rows)
            ws.data_validations.append(growth)
        _instructions(wb, plan, year, lang)
        wb.save(out)


def reported_format(places: int) -> str:
    """The number format of a figure as reported: at least the target's display places and
    up to the PLACES a figure keeps, so that 205.36 reads 205.36 in a target of one decimal
    ("0.0#####"). Excel writes "160." for "0.######": whole-number targets show as General.
    """
    if places <= 0:
        return "General"
    return "0." + "0" * places + "#" * max(0, PLACES - places)


def column_ranges(column: str, rows: list[int]) -> MultiCellRange:
    """Rows of one column as few ranges: [5, 6, 7, 9] -> F5:F7 F9 (one pass, not one per cell)."""
    ranges, start, previous = [], None, None
    for row in rows:
        if start is None:
            start = previous = row
        elif row == previous + 1:
            previous = row
        else:
            ranges.append((start, previous))
            start = previous = row
    if start is not None:
        ranges.append((start, previous))
    return MultiCellRange(
        " ".join(f"{column}{a}:{column}{b}" if a != b else f"{column}{a}" for a, b in ranges)
    )


INSTRUCTIONS_WIDTH = 84


def _instructions(wb, plan: Plan, year: int, lang: int) -> None:
    ws = sheet(wb, _("Instructions"))
    # Portrait A4 holds about 86 units of LibreOffice's CJK face (6.35 pt each) unscaled.
    ws.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    print_setup(
        ws,
        header_left=plan.display_name,
        header_right=_("Data-entry template, %(year)s") % {"year": year},
        footer_right=_("Generated %(date)s") % {"date": timezone.localdate().isoformat()},
        landscape=False,
        page_of=_("Page &P of &N"),
    )
    estimate, preliminary, final = (QUALITY_WORDS[k][lang] for k in QUALITY_WORDS)
    lines = [
        _("Data-entry template: %(plan)s, %(year)s") % {"plan": plan.display_name, "year": year},
        "",
        _(
            "1. Fill the yellow cells of the first sheet: %(value)s, %(quality)s, %(growth)s, "
            "%(source)s and %(note)s."
        )
        % {
            key: TEMPLATE_COLUMNS[key][lang]
            for key in ("value", "quality", "growth", "source", "note")
        },
        ngettext(
            "2. In the value column, the figure with every digit as published (at most "
            "%(places)s decimal place) in the target's unit, or the bulletin's sentence "
            "(地区生产总值160亿元，按可比价格计算增长3.1%%); no negatives unless the target "
            "allows them; for a milestone choose %(yes)s or %(no)s.",
            "2. In the value column, the figure with every digit as published (at most "
            "%(places)s decimal places) in the target's unit, or the bulletin's sentence "
            "(地区生产总值160亿元，按可比价格计算增长3.1%%); no negatives unless the target "
            "allows them; for a milestone choose %(yes)s or %(no)s.",
            PLACES,
        )
        % {"yes": YES[lang], "no": NO[lang], "places": PLACES},
        _("3. Data quality says how settled the figure is:"),
        _("   %(word)s: an estimate, before the statistics are in;") % {"word": estimate},
        _("   %(word)s: the first published (preliminary) figure;") % {"word": preliminary},
        _("   %(word)s: the statistics bureau's final figure.") % {"word": final},
        _(
            "4. Grey cells hold figures already approved, or of a closed year: they are locked. "
            "To correct one, ask an administrator to reopen it."
        ),
        _("5. Leave a row blank to leave that figure as it is; do not change codes or headers."),
        _(
            "6. Upload the file on the import page; you will see every change before it is saved, "
            "and a file with any error saves nothing. Rows equal to what is stored are unchanged."
        ),
        _(
            "7. For amounts such as GDP, the column %(growth)s takes the growth over the previous "
            "year at comparable prices (可比价, not current prices), in percent: 3.1 for "
            "增长3.1%%, -2.3 for 下降2.3%%. A year may give the rate alone, without the value. "
            "%(source)s says where the figure was published."
        )
        % {"growth": TEMPLATE_COLUMNS["growth"][lang], "source": TEMPLATE_COLUMNS["source"][lang]},
        "",
        _("Plan and year are read from the cells above the header: keep them."),
    ]
    for index, line in enumerate(lines, start=1):
        # Set, or LibreOffice prints every wrapped line over the next.
        ws.row_dimensions[index].height = row_height([(line, INSTRUCTIONS_WIDTH)])
        ws.append([cell(ws, line, alignment=WRAP, border=None)])
