"""The report's “Yearly data” sheet as CSV: one row per target, one column per year.

The same columns as the sheet (code, target, unit, then each year from the baseline year
to the report's year), and a last column of remarks. The figures are those the reader's
standings carry (`tracker.standings.loading.plan_standings` with the reader as viewer):
approved ones only, like the xlsx report beside it, unless `include_unapproved` is asked
for; then also the figures not yet approved that the reader may see (the loader never
gives others), and the remarks say which are not approved yet. The remarks also say which
are estimates or preliminary (the sheet marks those by number format, which CSV does not
have).

Figures are written as reported, every digit and no thousands separator, so that a
program reading them as Decimals gets back what is stored. The file is UTF-8 with a BOM:
Excel then reads the Chinese names right when the file is opened with a double click.
"""

from __future__ import annotations

import csv
import io

from django.utils import translation
from django.utils.translation import gettext as _

from tracker.excel.common import (
    FORMULA_STARTS,
    MATRIX_CODE,
    NO,
    QUALITY_WORDS,
    TEMPLATE_COLUMNS,
    YES,
    language_index,
)
from tracker.figures.numbers import as_reported, growth_as_reported
from tracker.models import Plan, localized
from tracker.standings.formats import state_word
from tracker.standings.standing import Standing


def write_yearly_csv(
    out,
    plan: Plan,
    year: int,
    rows: list[Standing],
    *,
    language: str | None = None,
    include_unapproved: bool = False,
) -> None:
    """Write the figures of `rows` up to `year` as CSV to the binary file-like `out`:
    approved ones, and with `include_unapproved` those not yet approved too."""
    with translation.override(language or translation.get_language()):
        lang = language_index(translation.get_language())
        years = [y for y in plan.entry_years if y <= year]
        text = io.StringIO(newline="")
        writer = csv.writer(text)
        writer.writerow(_headers(lang, years))
        for row in rows:
            writer.writerow(_row(row, years, lang, include_unapproved))
        out.write(text.getvalue().encode("utf-8-sig"))


def _headers(lang: int, years: list[int]) -> list[str]:
    names = [MATRIX_CODE[lang], TEMPLATE_COLUMNS["name"][lang], TEMPLATE_COLUMNS["unit"][lang]]
    return [*names, *(str(y) for y in years), _("Remarks")]


def _row(row: Standing, years: list[int], lang: int, include_unapproved: bool) -> list[str]:
    target = row.target
    figures, remarks = [], []
    for y in years:
        entry = row.entries.get(y)
        if entry is not None and not entry.counts and not include_unapproved:
            entry = None
        figures.append("" if entry is None else _figure(entry, target, lang))
        if entry is not None:
            remarks += _remarks(entry, y, lang)
    names = [target.code, target.display_name, localized(target, "unit")]
    return [*map(_text, names), *figures, _text(_("; ").join(remarks))]


def _figure(entry, target, lang: int) -> str:
    """A year's figure as the “Yearly data” sheet holds it: the milestone's yes or no, or
    the level with every digit reported; a year published as a growth rate alone is
    blank here and said in the remarks."""
    if target.is_milestone:
        return "" if entry.achieved is None else (YES if entry.achieved else NO)[lang]
    return as_reported(entry.value, target.decimal_places)


def _remarks(entry, year: int, lang: int) -> list[str]:
    """What the sheet shows by format or leaves out: a figure not approved, its quality
    where it is not final, a growth rate given without a level."""
    said = []
    if not entry.counts:
        said.append(_("not approved yet (%(state)s)") % {"state": state_word(entry.state)})
    if entry.quality and entry.quality != "final":
        said.append(QUALITY_WORDS[entry.quality][lang])
    if entry.value is None and entry.growth is not None:
        said.append(_("growth %(rate)s") % {"rate": growth_as_reported(entry.growth)})
    if not said:
        return []
    return [_("%(year)s: %(what)s") % {"year": year, "what": _(", ").join(said)}]


def _text(value: str) -> str:
    """Text a person typed, never read by Excel as a formula (a leading quote)."""
    value = value or ""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
