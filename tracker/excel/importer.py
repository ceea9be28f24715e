"""Import: parse, validate, preview; `tracker.figures.writes.apply_import` applies.

`build_preview` reads the file (tracker.excel.reader), then judges every figure against
its target, the user's rights and the locks, and compares it with what is stored. It reads
the database but never writes; the result either lists errors (and nothing may be applied)
or rows marked new, changed or unchanged, ready to confirm.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from tracker.excel.common import NO, QUALITY_WORDS, TEMPLATE_COLUMNS, YES
from tracker.excel.reader import Problem, Problems, RawRow, normalise, plain, read_workbook
from tracker.excel.safety import UnsafeFile, inspect_xlsx
from tracker.figures import plausibility
from tracker.figures.import_rows import FigureRow, change_counts, dump
from tracker.figures.numbers import (
    CurrentPrices,
    NotANumber,
    OutOfRange,
    Unreadable,
    every_digit_kept,
    growth_as_reported,
    parse_decimal,
    read_reported,
    shown_as_reported,
    storable,
)
from tracker.figures.typed import read_figure
from tracker.models import Plan, ProgressEntry, Target, localized
from tracker.standings import formats
from tracker.text import NOTE_MAX, quoted, unstorable

logger = logging.getLogger(__name__)
TRUE_WORDS = {normalise(w) for w in (*YES, "已达成", "达成", "achieved", "true", "y")}
FALSE_WORDS = {normalise(w) for w in (*NO, "未达成", "not achieved", "false", "n")}
QUALITY_BY_WORD = {normalise(w): key for key, words in QUALITY_WORDS.items() for w in words}


@dataclass
class Preview:
    """What an upload would do: rows judged and compared, or the errors that stop it."""

    plan: Plan | None
    file_name: str
    sha256: str
    rows: list[FigureRow] = field(default_factory=list)
    # At most MAX_PROBLEMS of each are kept (`more` counts the rest); once the errors are
    # full the figures left are not judged, only counted in `unchecked`.
    errors: Problems = field(default_factory=Problems)
    warnings: Problems = field(default_factory=Problems)
    unchecked: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return change_counts(self.rows)

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.errors

    def payload(self) -> dict:
        """What is kept between preview and confirm (JSON)."""
        return {**dump(self.rows, self.warnings), "more_warnings": self.warnings.more}


def build_preview(
    data: bytes, *, file_name: str, user, plan: Plan | None = None, progress=None
) -> Preview:
    """Check, read and judge an uploaded workbook; nothing is written.

    1. refuse an unsafe or non-xlsx file before parsing (tracker.excel.safety);
    2. read sheets into raw rows (tracker.excel.reader);
    3. settle the plan: the one asked for, checked against the one the template names;
    4. judge each figure: target, year, value, quality, rights, locks, duplicates;
    5. compare with what is stored: new, changed or unchanged.
    """
    preview = Preview(plan, file_name, hashlib.sha256(data).hexdigest())
    try:
        inspection = inspect_xlsx(data, max_bytes=settings.IMPORT_MAX_BYTES)
        read = read_workbook(data, inspection)
    except UnsafeFile as refusal:
        preview.errors.append(Problem(refusal.sheet, refusal.cell, str(refusal), code="unsafe"))
        return preview
    except Exception:
        # A hostile or broken file must end in a refusal, whatever the parsers raise.
        logger.warning("unreadable upload %s", file_name, exc_info=True)
        preview.errors.append(
            Problem("", "", _("The workbook cannot be read; is it damaged?"), code="unreadable")
        )
        return preview
    preview.errors.extend(read.errors)
    preview.warnings.extend(read.warnings)
    preview.plan = _settle_plan(plan, read.plan_slug, preview)
    if preview.plan is None:
        return preview
    _judge(read.rows, preview, user, progress)
    return preview


def _settle_plan(plan: Plan | None, named: str | None, preview: Preview) -> Plan | None:
    if named and plan and named != plan.slug:
        preview.errors.append(
            Problem(
                "",
                "",
                _("The file is a template of plan “%(named)s”, not of “%(plan)s”.")
                % {"named": quoted(named), "plan": plan.slug},
            )
        )
        return None
    if plan is None and named:
        plan = None if unstorable(named) else Plan.objects.filter(slug=named).first()
        if plan is None:
            preview.errors.append(
                Problem(
                    "",
                    "",
                    _("The file names plan “%(named)s”, which does not exist.")
                    % {"named": quoted(named)},
                )
            )
    elif plan is None:
        preview.errors.append(Problem("", "", _("The file does not name its plan: say which.")))
    return plan


def _judge(raw_rows: list[RawRow], preview: Preview, user, progress) -> None:
    plan = preview.plan
    approved = Prefetch("series__entries", queryset=ProgressEntry.objects.approved())
    targets = {
        t.code: t
        for t in Target.objects.filter(plan=plan)
        .select_related("lead_department", "plan", "series")
        .prefetch_related("co_departments", approved)
    }
    years = {r.year for r in raw_rows}
    stored = {
        (e.target.pk, e.year): e
        for e in ProgressEntry.objects.of_plan(plan)
        .filter(year__in=years)
        .select_related("reviewed_by")
    }
    seen: dict[tuple[str, int], str] = {}
    unsaved: dict[int, ProgressEntry] = {}
    reported_years: set[tuple[str, str]] = set()
    for index, raw in enumerate(progress(raw_rows) if progress else raw_rows):
        if preview.errors.full:
            preview.unchecked = len(raw_rows) - index
            break
        problems_before = len(preview.errors)

        def error(cell, message, code="invalid", sheet=raw.sheet):
            preview.errors.append(Problem(sheet, cell, message, code))

        target = targets.get(raw.code)
        if target is None:
            error(
                raw.code_cell,
                _("No target with the code “%(code)s” in this plan.") % {"code": quoted(raw.code)},
                "unknown_code",
            )
            continue
        target.plan = plan
        outside = plan.year_outside(raw.year)
        if outside:
            if (raw.sheet, raw.year_cell) not in reported_years:
                reported_years.add((raw.sheet, raw.year_cell))
                error(raw.year_cell, str(outside), outside.code)
            continue
        key = (raw.code, raw.year)
        if key in seen:
            error(
                raw.value_cell,
                _("%(code)s %(year)s appears twice; first at %(first)s.")
                % {"code": raw.code, "year": raw.year, "first": seen[key]},
                "duplicate",
            )
            continue
        seen[key] = f"{raw.sheet}!{raw.value_cell}"
        entry = stored.get((target.pk, raw.year))
        if entry is None:
            # A figure not yet stored is asked about as an unsaved one; one per target,
            # its year set for each, since building a model instance costs more than
            # the question.
            entry = unsaved.get(target.pk)
            if entry is None:
                entry = unsaved[target.pk] = ProgressEntry(target=target, year=raw.year)
            entry.year = raw.year
            lock = entry.lock_reason(user)
            entry = None
        else:
            lock = entry.lock_reason(user)
        # A file may restate a locked figure unchanged: a report exported and read back, or a
        # template returned as it is. Changing one is refused below, once it is compared.
        if lock and lock.code not in ("approved", "closed_year"):
            cell = raw.code_cell if lock.code == "forbidden" else raw.value_cell
            error(cell, str(lock), lock.code)
            continue
        # A figure is kept with every digit it was given (up to the columns' six places);
        # a row giving only the growth keeps the stored level.
        # A value cell may hold a bulletin's sentence, as the entry page's value box does:
        # a rate in it is the growth, and a rate alone keeps the stored level too.
        typed = _figure(raw, target, preview) if raw.value is not None else Typed()
        figure = typed.figure
        if typed.figure is None and (raw.value is None or typed.growth is not None):
            figure = entry.value if entry else None
        growth = _growth(raw, target, preview, pasted=typed.growth)
        quality = _quality(raw, entry, preview)
        note = "" if raw.note is None else str(raw.note).strip()
        reason = unstorable(note, NOTE_MAX)
        if reason:
            error(raw.note_cell, reason, "unstorable")
        source = _source(raw, preview)
        if len(preview.errors) > problems_before:
            continue
        row = _compare(raw, target, entry, figure, quality, note)
        _compare_growth(row, entry, growth, source)
        if lock and row.status != "unchanged":
            error(raw.value_cell, str(lock), lock.code)
            continue
        if _check_plausibility(row, raw, target, entry, figure, typed, preview):
            preview.rows.append(row)


def _check_plausibility(
    row: FigureRow, raw: RawRow, target, entry, figure, typed: Typed, preview
) -> bool:
    """Question a new figure that looks implausible, as the entry page does: its note (备注)
    is its explanation, and without one it is refused at its cell. The note stored with the
    earlier figure, sent back as the template wrote it, explains nothing about this one.
    Explained, it is a warning, and confirming the import keeps the flag. False when refused.
    """
    if target.is_milestone or figure is None or (entry is not None and entry.value == figure):
        return True
    findings = target.check_figure(figure, raw.year, typed.text)
    note = "" if raw.note is None else str(raw.note).strip()
    restated = entry is not None and note == entry.note.strip()
    try:
        row.flag, _explanation = plausibility.explained_flag(findings, "" if restated else note)
    except plausibility.Unexplained:
        if raw.note_cell:
            where = f"{raw.sheet}!{raw.note_cell}"
        else:
            where = _("the template's 备注 (note) column; the “Yearly data” sheet has none")
        for finding in findings:
            message = _("%(finding)s If the figure is right, say why in its note: %(where)s.")
            if restated and note:
                message = _(
                    "%(finding)s If the figure is right, say why in its note (%(where)s): "
                    "the note there is the one kept with the earlier figure."
                )
            preview.errors.append(
                Problem(
                    raw.sheet,
                    raw.value_cell,
                    message % {"finding": finding, "where": where},
                    "unexplained",
                )
            )
        return False
    for finding in findings:
        if preview.warnings.full:  # only counted: not worth wording
            preview.warnings.more += 1
        else:
            preview.warnings.append(Problem(raw.sheet, raw.value_cell, str(finding), "implausible"))
    return True


@dataclass(frozen=True)
class Typed:
    """What a value cell gives: the figure (None when none, or with an error recorded), a
    growth rate stated beside it as a bulletin does, and the text the plausibility check
    reads for a unit sign ("3万" in a target of 亿元)."""

    figure: Decimal | bool | None = None
    growth: Decimal | None = None
    text: str = ""


def _figure(raw: RawRow, target: Target, preview: Preview) -> Typed:
    """The value as the target wants it; an error recorded when it is none."""
    found = _read_value(raw, target, preview)
    return found if isinstance(found, Typed) else Typed(found, text=_text(raw.value))


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _read_text(text: str, target: Target, fail) -> Typed | None:
    """A value typed as text, read by the entry page's rule (`read_figure`): a figure, a
    bulletin's sentence, a rate alone; a level in another unit than the target's refused
    with the entry page's words. None with an error recorded."""
    try:
        reported = read_figure(text, target)
    except ValidationError as refusal:
        fail(" ".join(refusal.messages), refusal.code or "not_a_number")
        return None
    if reported.growth is None:
        return Typed(reported.level, text=text)
    level_text = "" if reported.level is None else f"{reported.level}{reported.unit}"
    return Typed(reported.level, reported.growth, level_text)


def _read_value(raw: RawRow, target: Target, preview: Preview) -> Typed | Decimal | bool | None:
    def fail(message, code="invalid"):
        preview.errors.append(Problem(raw.sheet, raw.value_cell, message, code))

    value = raw.value
    # The typed text is kept in the plausibility findings ("3万" in a target of 亿元).
    reason = unstorable(value) if isinstance(value, str) else None
    if reason:
        fail(reason, "unstorable")
        return None
    if target.is_milestone:
        word = normalise(value)
        if isinstance(value, bool):
            return value
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        fail(
            _("“%(text)s” is not yes or no; write 是 or 否.") % {"text": quoted(value)},
            "not_yes_no",
        )
        return None
    if isinstance(value, bool) or not plain(value):
        fail(_("A number belongs here, not “%(text)s”.") % {"text": value}, "not_a_number")
        return None
    percent = raw.percent
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = excel_number(value)
    else:
        text = str(value).strip()
        percent = text.endswith(("%", "％"))
        try:
            # A bare percentage in the value column is a share: the growth has its column.
            number = parse_decimal(text) if percent else None
        except OutOfRange as refusal:
            fail(str(refusal), "out_of_range")
            return None
        except NotANumber:
            number = None
        if number is None:
            typed = _read_text(text, target, fail)
            if typed is None or typed.growth is not None:
                return typed
            percent, number = False, typed.figure
    if raw.percent:
        number = number * 100
    try:
        number = storable(number, value)
    except NotANumber as refusal:
        fail(str(refusal), "out_of_range")
        return None
    if percent and target.unit.strip() not in ("%", "％"):
        fail(
            _("A percentage, but %(target)s is measured in %(unit)s.")
            % {"target": target.display_name, "unit": localized(target, "unit") or "—"},
            "percent",
        )
        return None
    if number < 0 and not target.allow_negative:
        fail(_("%(target)s cannot be negative.") % {"target": target.name}, "negative")
        return None
    try:
        return every_digit_kept(number, value)
    except OutOfRange as refusal:
        fail(str(refusal), "too_many_decimals")
        return None


def excel_number(value: float) -> Decimal:
    """A cell's number as Excel and WPS show and keep it: to 15 significant digits.

    A formula's result such as =0.1+0.2 is the binary number 0.30000000000000004, shown and
    typed as 0.3; repr() would give every binary digit. Whole numbers stay whole.
    """
    return Decimal(f"{value:.15g}")


def _growth(raw: RawRow, target: Target, preview: Preview, pasted=None) -> Decimal | None:
    """The growth at comparable prices the row gives (percent), or None; an error recorded
    at its cell when it is not one, or the target takes none. `pasted` is a rate the value
    cell states; a different one in the growth column is refused, as on the entry page."""
    if raw.growth is None:
        return pasted
    rate = _growth_cell(raw, target, preview)
    if rate is not None and pasted is not None and rate != pasted:
        message = _(
            "The value gives a growth of %(pasted)s%%, the growth column %(column)s%%: keep one."
        ) % {"pasted": pasted, "column": rate}
        preview.errors.append(Problem(raw.sheet, raw.value_cell, message, "two_rates"))
        return None
    return rate


def _growth_cell(raw: RawRow, target: Target, preview: Preview) -> Decimal | None:
    column = TEMPLATE_COLUMNS["growth"][0]

    def fail(message, code="invalid_growth"):
        preview.errors.append(Problem(raw.sheet, raw.growth_cell, message, code))

    if not (target.indicator_id and target.indicator.carries_growth):
        fail(
            _(
                "%(target)s takes no growth rate (column %(column)s): only amounts such as "
                "GDP carry a growth at comparable prices."
            )
            % {"target": target.name, "column": column},
            "no_growth",
        )
        return None
    value = raw.growth
    if isinstance(value, bool) or not plain(value):
        fail(_("A growth rate in percent belongs here, not “%(text)s”.") % {"text": value})
        return None
    if isinstance(value, int | float):
        rate = Decimal(value) if isinstance(value, int) else excel_number(value)
        if raw.growth_percent:
            rate = (rate * 100).normalize()
    else:
        text = str(value).strip()
        reason = unstorable(text)
        if reason:
            fail(reason, "unstorable")
            return None
        try:
            reported = read_reported(text, percent_is_growth=True)
        except CurrentPrices as refusal:
            fail(str(refusal), "current_prices")
            return None
        except (Unreadable, OutOfRange) as refusal:
            fail(str(refusal))
            return None
        except NotANumber:
            reported = None
        if reported is None or reported.unit or None not in (reported.level, reported.growth):
            fail(
                _("“%(text)s” is not a growth rate: write the percent, such as 3.1 or -2.")
                % {"text": quoted(text)}
            )
            return None
        rate = reported.level if reported.growth is None else reported.growth
    try:
        rate = every_digit_kept(storable(rate, value), value)
    except NotANumber as refusal:
        fail(str(refusal))
        return None
    if rate <= -100:
        fail(
            _("A growth of %(rate)s%% would leave nothing: a fall is less than 100%%.")
            % {"rate": rate}
        )
        return None
    return rate


SOURCE_MAX = 200


def _source(raw: RawRow, preview: Preview) -> str:
    source = "" if raw.source is None else str(raw.source).strip()
    reason = unstorable(source, SOURCE_MAX)
    if reason:
        preview.errors.append(Problem(raw.sheet, raw.source_cell, reason, "unstorable"))
    return source


def _quality(raw: RawRow, entry, preview: Preview) -> str:
    if raw.quality is None or normalise(raw.quality) == "":
        return entry.quality if entry else ProgressEntry.Quality.PRELIMINARY
    quality = QUALITY_BY_WORD.get(normalise(raw.quality))
    if quality is None:
        message = _("“%(text)s” is not a data quality; write 预计, 初步 or 最终.") % {
            "text": quoted(raw.quality)
        }
        preview.errors.append(Problem(raw.sheet, raw.quality_cell, message, "quality"))
        return ""
    return quality


def _shown(figure, target: Target) -> str:
    if figure is None:
        return ""
    if isinstance(figure, bool):
        return formats.milestone_word(figure)
    # Every digit the file gives, so that the person checking sees what will be stored.
    return shown_as_reported(figure, target.decimal_places)


def _compare(raw, target, entry, figure, quality, note) -> FigureRow:
    milestone = target.is_milestone
    row = FigureRow(
        sheet=raw.sheet,
        cell=raw.value_cell,
        code=target.code,
        year=raw.year,
        target_id=target.pk,
        entry_id=entry.pk if entry else None,
        version=entry.version if entry else 0,
        value=None if milestone or figure is None else str(figure),
        achieved=figure if milestone else None,
        quality=quality,
        note=note or (entry.note if entry else ""),
        status="new",
        new=_shown(figure, target),
        name=target.name,
    )
    if entry is None:
        return row
    current = entry.achieved if milestone else entry.value
    row.old = _shown(current, target)
    same = current == figure and entry.quality == quality and entry.note == row.note
    row.status = "unchanged" if same else "changed"
    return row


def _compare_growth(row: FigureRow, entry, growth: Decimal | None, source: str) -> None:
    """Carry the growth and source into the row; blank cells (or a template without
    their columns) keep what is stored. A changed growth takes the level's quality and
    source, as a rate given beside its level does."""
    if entry is not None:
        stored = (entry.growth, entry.growth_quality, entry.growth_source)
        if growth is None or growth == entry.growth:
            growth, row.growth_quality, row.growth_source = stored
        source = source or entry.source
        row.old_growth = growth_as_reported(entry.growth)
    row.growth = None if growth is None else str(growth)
    row.new_growth = growth_as_reported(growth)
    row.source = source
    if row.status == "unchanged" and entry is not None:
        same = growth == entry.growth and source == entry.source
        row.status = "unchanged" if same else "changed"
