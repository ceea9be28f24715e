"""The prefecture's workbook: what `regional` computes for a region and a year (the status
matrix and each indicator's comparison), written by `tracker.excel.region_report`.

`write` is the one way in, for the download, the `export_region_report` command and the
benchmark alike; `gather` and `tracker.excel.region_report.write_region_report` are its two
halves, reading and writing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import translation

from tracker.excel.region_report import write_region_report
from tracker.models import Region
from tracker.plans import regional


@dataclass
class Book:
    """A region's matrix as of a year, and the comparison of each of its indicators."""

    matrix: regional.Matrix
    comparisons: list[regional.Comparison]


def gather(region: Region, year: int) -> Book:
    """The matrix of `region`'s children as of `year` (unfiltered) and, for each of its
    columns, that indicator compared across them; approved figures only, as on the pages.
    Sentences (why no roll-up, why no rank) are in the active language."""
    table = regional.matrix(region, year)
    indicators = [column.indicator for column in table.columns]
    return Book(table, regional.comparisons(region, indicators, year))


def write(
    region: Region,
    year: int,
    language: str | None,
    out,
    *,
    user=None,
    now: datetime | None = None,
) -> Book:
    """Write the workbook of `region` as of `year` in `language` (None: the active one) to
    `out`, a path or a binary file-like object; `user` is named as its maker (None: the
    export command). Returns what was written."""
    with translation.override(language or translation.get_language()):
        book = gather(region, year)
        write_region_report(out, book.matrix, book.comparisons, user=user, now=now)
    return book
