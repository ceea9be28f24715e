"""What the report's sheets share: the context of one report, fonts, fills, column widths and
the helpers that write a figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, PatternFill

from tracker.excel.common import (
    CENTER,
    HEADER_FONT,
    MEASURED,
    QUALITY_MARKS,
    ZH,
    cell,
    clean_text,
    display_width,
    language_index,
    print_setup,
    text_units,
)
from tracker.models import Plan, ProgressEntry, localized
from tracker.standings import engine, words
from tracker.standings.formats import (
    GROUP_FROM,
    based_on,
    format_figure,
    format_share,
    milestone_word,
    rounded,
)
from tracker.standings.standing import Standing

STATUS_FILLS = {s: PatternFill("solid", fgColor=c) for s, c in engine.COLOURS.items()}


STATUS_FONT = HEADER_FONT


# Statuses that call for the responsible department's 原因及措施.


PERCENT = "0.0%"


AREA = Alignment(horizontal="center", vertical="top", wrap_text=True)


# Printable width of landscape A4 in column-width units (digits of the 10 pt default font;
# LibreOffice's substitute font makes them 6.35 pt) at the smallest scale that keeps 10 pt
# text at 9 pt or more (90%): the summary's columns are fitted into it.
WIDTH_BUDGET = 137


# Landscape A4 less the margins of tracker.excel.common.print_setup, in points.
PRINTABLE_WIDTH, PRINTABLE_HEIGHT = 842 - 36, 595 - 94


# The charts sheet: two charts side by side, two rows of them to a landscape page.
CHART_ROWS, CHART_ROW_HEIGHT = 16, 15.0


CHART_WIDTH_CM, CHART_HEIGHT_CM = 13.4, 8.2


CHART_COLUMN_WIDTH = 74


@dataclass(frozen=True)
class Context:
    """What every sheet of one report shares."""

    plan: Plan
    year: int
    lang: int
    made_on: str  # ISO date
    include_unapproved: bool
    evaluation: str = ""  # the frozen evaluation's title and kind, for its report
    # The plan's last year, or a final evaluation: the table states 完成情况 (completed,
    # exceeded, not completed) instead of the path's progress.
    final: bool = False
    # For the public pages: no names, no 原因及措施, no explanation of a questioned figure.
    public: bool = False

    @property
    def years(self) -> list[int]:
        """The plan's years up to the report's year: nothing after it is shown."""
        return [y for y in self.plan.years if y <= self.year]

    @property
    def entry_years(self) -> list[int]:
        return [y for y in self.plan.entry_years if y <= self.year]

    def print_setup(self, ws, *, landscape: bool = True) -> None:
        print_setup(
            ws,
            header_left=self.plan.display_name,
            header_right=" · ".join(
                t for t in (self.evaluation, _("As of %(year)s") % {"year": self.year}) if t
            ),
            footer_right=_("Generated %(date)s") % {"date": self.made_on},
            landscape=landscape,
            page_of=_("Page &P of &N"),
        )


def _is_final(plan: Plan, year: int, evaluation) -> bool:
    """Whether the report states 完成情况: in the plan's last year or a final evaluation."""
    final_kind = evaluation is not None and evaluation.kind == evaluation.Kind.FINAL
    return final_kind or plan.is_last_year(year)


def _evaluation_label(evaluation) -> str:
    """ "2024年度评估（中期评估）": the title and its kind, the kind left out where the title
    already says it ("终期评估（测试）")."""
    if evaluation is None:
        return ""
    title, kind = clean_text(evaluation.title), str(evaluation.get_kind_display())
    if kind.casefold() in title.casefold():
        return title
    return _("%(title)s (%(kind)s)") % {"title": title, "kind": kind}


def _as_of(row: Standing, year: int) -> dict[int, ProgressEntry]:
    return {y: e for y, e in row.entries.items() if y <= year}


def _approved(row: Standing, year: int) -> dict[int, ProgressEntry]:
    return {y: e for y, e in _as_of(row, year).items() if e.counts}


def _unit(target) -> str:
    return localized(target, "unit")


def _baseline_quality(row: Standing) -> str | None:
    target = row.target
    if target.baseline_value is not None:
        return target.baseline_quality or None
    entry = row.entries.get(target.baseline_year)
    return entry.quality if entry is not None and entry.counts else None


def _milestone_text(entry: ProgressEntry) -> str | None:
    """A milestone's yearly figure as printed: its word and the mark of its quality."""
    if entry.achieved is None:
        return None
    return milestone_word(entry.achieved) + QUALITY_MARKS[entry.quality]


def _growth_text(entry: ProgressEntry) -> str | None:
    """A year published as a growth rate alone, as the bulletin says it: 增长3.1%."""
    if entry.growth is None:
        return None
    rate = f"{rounded(entry.growth, 1):.1f}%"
    return (
        _("growth %(rate)s") % {"rate": rate}
        + QUALITY_MARKS[entry.growth_quality or entry.quality or "final"]
    )


# The most decimals a figure is stored with (ProgressEntry.value): the year matrix shows
# them all.
STORED_PLACES = 6


def figure_format(value, places: int, quality: str | None = None, *, every_digit=False) -> str:
    """A figure's number format: `places` decimals (every digit stored, up to
    STORED_PLACES, with `every_digit`), thousands separators from five digits as the pages
    print them (GB/T 15835), and the mark of its quality.

    >>> figure_format(Decimal("25000"), 0), figure_format(Decimal("2024.5"), 1, "estimate")
    ('#,##0', '0.0"*"')
    >>> figure_format(Decimal("205.36"), 1, every_digit=True)
    '0.00####'
    """
    if every_digit:
        places = max(places, min(STORED_PLACES, _stored_places(value)))
    base = "0" if places <= 0 else "0." + "0" * places
    if every_digit and places > 0:
        base += "#" * (STORED_PLACES - places)
    if isinstance(value, Decimal | int | float) and abs(value) >= GROUP_FROM:
        base = "#,##" + base
    mark = QUALITY_MARKS.get(quality or "final", "")
    return f'{base}"{mark}"' if mark else base


def _stored_places(value) -> int:
    """The decimals a figure was reported with: 205.36 has two, 205.360000 too."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return 0
    return max(0, -value.normalize().as_tuple().exponent)


def _figure(ws, entry: ProgressEntry | None, target, *, font=None):
    """A figure as a number with the mark of its quality; a milestone as a word; a year
    given as a growth rate alone, as that rate."""
    if entry is None:
        return cell(ws, None)
    if target.is_milestone:
        return cell(ws, _milestone_text(entry), alignment=CENTER, font=font)
    if entry.value is None:
        return cell(ws, _growth_text(entry), alignment=CENTER, font=font)
    return cell(
        ws,
        entry.value,
        number_format=figure_format(entry.value, target.decimal_places, entry.quality),
        font=font,
    )


def _reference_name(target) -> str:
    return target.reference_target.display_name if target.reference_target else "—"


def _reason(row: Standing, year: int) -> tuple[str, bool]:
    """原因及措施 for a target behind or off track, as its responsible department wrote
    it (`Standing.reasons_and_measures`); a figure's note is a note, never printed here.

    Returns the text and whether it is the flag for a missing explanation.
    """
    if row.assessment.status not in engine.NEEDS_EXPLANATION:
        return "", False
    text = row.reasons_and_measures()
    if text:
        return text, False
    return _("Reasons and measures not given yet."), True


def _departments(target) -> str:
    names = [target.lead_department.display_name] if target.lead_department else []
    names += [d.display_name for d in target.co_departments.all()]
    separator = "、" if language_index(translation.get_language()) == ZH else ", "
    return separator.join(names)


def _column(texts, minimum: float = 5, maximum: float = 12, pad: float = 1.1) -> float:
    """A column's width for the longest of `texts` on one line, within bounds."""
    texts = [str(t) for t in texts if t not in (None, "")]
    longest = max((text_units(t) for t in texts), default=0)
    return max(minimum, min(maximum, longest + pad), *(_longest_word(t) for t in texts))


@lru_cache(maxsize=MEASURED)
def _longest_word(text: str) -> float:
    """Text may wrap between words, never inside one; CJK text wraps anywhere."""
    words = [w for w in text.replace("(", " (").split() if display_width(w) == len(w)]
    return max((text_units(w) + 1.2 for w in words), default=0)


def _numeral(value, places: int, quality: str | None = None) -> str | None:
    if not isinstance(value, Decimal):
        return None
    return format_figure(value, places) + QUALITY_MARKS.get(quality or "final", "")


def _year_column(entries, places) -> float:
    texts = []
    for entry, p in zip(entries, places, strict=True):
        if entry is None:
            continue
        texts.append(
            _milestone_text(entry) or _numeral(entry.value, p, entry.quality) or _growth_text(entry)
        )
    return _column(texts)


def _within_budget(widths: list[float], floors: list[float]) -> list[float]:
    """`widths` narrowed toward `floors`, each in proportion to its room, to WIDTH_BUDGET."""
    over = sum(widths) - WIDTH_BUDGET
    room = [max(0.0, w - f) for w, f in zip(widths, floors, strict=True)]
    if over <= 0 or not sum(room):
        return widths
    share = min(1.0, over / sum(room))
    return [w - r * share for w, r in zip(widths, room, strict=True)]


def _percents(values) -> list[str]:
    """Fractions as they print: half up to one decimal of a percent."""
    return [format_share(v) for v in values if isinstance(v, Decimal)]


def _fit(texts: list[list], minimum: float, maximum: float) -> float:
    longest = max((display_width(t) for t in texts if t not in (None, "")), default=0)
    return max(minimum, min(maximum, longest + 2))


# A year without an approved figure prints as this; the notes say why.
GAP = "—"


def shows_gap(row: Standing, year: int) -> bool:
    """Whether `year` prints as a gap: it has no approved figure. A milestone is not
    reported every year: only a figure entered but not approved is a gap of its."""
    reason = row.gap(year)
    if reason is None:
        return False
    return reason != "no_data" or not row.target.is_milestone


def gaps(row: Standing, years) -> list[tuple[int, str]]:
    """The years of `years` printed as gaps, with why (a key of formats.GAPS)."""
    target = row.target
    if row.baseline is None and target.baseline_year not in years:
        years = [target.baseline_year, *years]
    return [(year, row.gap(year)) for year in years if shows_gap(row, year)]


def rests_on_older(row: Standing) -> bool:
    """Whether the row's status rests on a figure older than the report's year, as the
    assessment says (and the pages and API with it): a milestone once reached stays
    reached, so the engine does not count the year it was reached as an old figure."""
    return row.assessment.rests_on_older_year


def status_text(row: Standing) -> str:
    """The status in the evaluation's words, and the year it rests on where older:
    滞后 / 依据2022年数据."""
    text = words.label(row.status)
    if rests_on_older(row):
        text += "\n" + based_on(row.assessment.latest_year)
    return text
