"""The report's row writer writes what openpyxl's own writer writes for the same cells."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils.exceptions import IllegalCharacterError

from tracker.excel.common import BOLD, HEADER_FILL, cell, new_workbook, sheet

AWKWARD = [
    "plain",
    "凌源市 2.5%",
    "  leading and trailing  ",
    "a & b < c > d",
    "line\nbreak",
    "carriage\r\nreturn",
    "=SUM(A1:A2)",
    "+1",
    "-minus",
    "@at",
    "#N/A",
    "#DIV/0!",
    "",
    "x" * 40000,
    "control\x07character",
    "non\ufffecharacter",
]
VALUES = [
    *AWKWARD,
    None,
    0,
    -3,
    10**11,
    1.5,
    1e-7,
    float("nan"),
    float("inf"),
    Decimal("99.90"),
    Decimal("-0.0001"),
    Decimal("123456789012.123456"),
    True,
    False,
    date(2025, 12, 31),
    datetime(2025, 1, 2, 3, 4, 5),
]


def _both(rows: list[list], styled: bool) -> tuple[openpyxl.Workbook, openpyxl.Workbook]:
    """The rows written by our sheet, and by openpyxl's own write-only sheet."""
    ours, theirs = new_workbook(), new_workbook()
    ws_ours, ws_theirs = sheet(ours, "S"), theirs.create_sheet("S")
    for number, row in enumerate(rows, start=1):
        ws_ours.row_dimensions[number].height = 20 + number
        ws_theirs.row_dimensions[number].height = 20 + number
        if styled:
            ws_ours.append([cell(ws_ours, v, font=BOLD, fill=HEADER_FILL) for v in row])
            mirrored = []
            for styled_value in (cell(ws_ours, v, font=BOLD, fill=HEADER_FILL) for v in row):
                c = WriteOnlyCell(ws_theirs, value=styled_value.value)
                if styled_value.quote:
                    c.data_type, c.quotePrefix = "s", True
                c.font, c.fill = BOLD, HEADER_FILL
                mirrored.append(c)
            ws_theirs.append(mirrored)
        else:
            ws_ours.append(row)
            ws_theirs.append(row)
    books = []
    for wb in (ours, theirs):
        out = io.BytesIO()
        wb.save(out)
        books.append(openpyxl.load_workbook(io.BytesIO(out.getvalue())))
    return books[0], books[1]


def _cells(wb: openpyxl.Workbook) -> list[tuple]:
    ws = wb["S"]
    return [
        (
            c.coordinate,
            c.value,
            c.data_type,
            c.font.b,
            c.fill.fgColor.rgb,
            c.quotePrefix,
            c.number_format,
            ws.row_dimensions[c.row].height,
        )
        for row in ws.iter_rows()
        for c in row
    ]


def _same(ours, theirs) -> None:
    for mine, openpyxls in zip(_cells(ours), _cells(theirs), strict=True):
        if mine[1] != mine[1]:  # NaN
            assert openpyxls[1] != openpyxls[1]
            mine, openpyxls = mine[2:], openpyxls[2:]
        assert mine == openpyxls


def test_awkward_values_styled_come_out_as_openpyxl_writes_them():
    # Styled text comes through `cell`, which drops control characters first.
    rows = [VALUES[i : i + 7] for i in range(0, len(VALUES), 7)]
    _same(*_both(rows, styled=True))


def test_plain_values_come_out_as_openpyxl_writes_them():
    rows = [[v for v in VALUES if v not in ("control\x07character", "non\ufffecharacter")]]
    _same(*_both(rows, styled=False))


def test_text_xml_cannot_hold_is_refused_unstyled_and_cleaned_styled():
    wb = new_workbook()
    ws = sheet(wb, "S")
    ws.append([cell(ws, "a\x07b\ufffec")])
    with pytest.raises(IllegalCharacterError):  # rows are written as they are appended
        ws.append(["a\x07b"])
    wb = new_workbook()
    ws = sheet(wb, "S")
    ws.append([cell(ws, "a\x07b\ufffec")])
    out = io.BytesIO()
    wb.save(out)
    assert openpyxl.load_workbook(out)["S"]["A1"].value == "abc"


def test_numbers_keep_their_value():
    ours, _theirs = _both([[Decimal("99.90"), Decimal("123456789012.12"), 7, 0.1]], True)
    assert [c.value for c in ours["S"][1]] == [99.9, 123456789012.12, 7, 0.1]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=30),
            st.integers(-(10**12), 10**12),
            st.floats(allow_nan=False, allow_infinity=False, width=32),
            st.decimals(min_value=-(10**11), max_value=10**11, places=4, allow_nan=False),
            st.none(),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_any_row_comes_out_as_openpyxl_writes_it(row):
    _same(*_both([row], styled=True))


RUN_WITH_OR_WITHOUT_LXML = """
import sys
if sys.argv[1] == "without-lxml":
    sys.modules["lxml"] = None  # import lxml now fails, as where it is not installed
import openpyxl
print("lxml:", openpyxl.LXML)
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", *sys.argv[2:]])
"""


def _undated(value):
    """A text with its times of writing ("生成于 2026-12-03 01:08") blanked: the two writes
    being compared may straddle a minute."""
    return (
        re.sub(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?", "<when>", value)
        if isinstance(value, str)
        else value
    )


def _read_back(path) -> dict:
    """Every sheet of a workbook as read back: values, styles, merges, sizes, print setup."""
    book = openpyxl.load_workbook(path)
    read = {}
    for ws in book.worksheets:
        read[ws.title] = {
            "cells": [
                (
                    c.coordinate,
                    _undated(c.value),
                    c.data_type,
                    c.number_format,
                    c.font.b,
                    c.font.i,
                    c.font.color.rgb if c.font.color else None,
                    c.fill.fgColor.rgb,
                    c.alignment.wrap_text,
                    c.quotePrefix,
                    c.protection.locked,
                )
                for row in ws.iter_rows()
                for c in row
            ],
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "heights": {n: d.height for n, d in ws.row_dimensions.items() if d.height},
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
            "header": (_undated(ws.oddHeader.left.text), _undated(ws.oddFooter.right.text)),
        }
    return read


def test_the_report_is_the_same_without_lxml(tmp_path):
    """openpyxl writes through lxml where it is installed, else through et_xmlfile; the
    report's own row writer must do both. The demo plan's report, with its sheet of figures
    not yet approved, is written each way by `export_report` and read back."""
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "lingyuan.settings",
        "DEBUG": "1",
    }

    def manage(*args: str, lxml: bool = True) -> str:
        flag = "with-lxml" if lxml else "without-lxml"
        done = subprocess.run(
            [sys.executable, "-c", RUN_WITH_OR_WITHOUT_LXML, flag, *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    manage("migrate", "--noinput")
    manage("load_demo")
    written = {}
    for lxml in (True, False):
        path = tmp_path / f"report-{lxml}.xlsx"
        args = ("export_report", "--plan", "lingyuan-14th", "--include-unapproved")
        output = manage(*args, "--output", str(path), lxml=lxml)
        assert f"lxml: {lxml}" in output
        written[lxml] = _read_back(path)
    assert len(written[True]) >= 2, "the report and its sheet of figures not yet approved"
    assert sum(len(sheet["cells"]) for sheet in written[True].values()) > 500
    assert written[False] == written[True]
