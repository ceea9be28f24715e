"""Fuzzing the import: whatever the workbook holds, the outcome is a clean import or a list
of errors with nothing written, never an exception escaping to the user."""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from tests import factory
from tracker.excel.importer import build_preview
from tracker.excel.template import write_template
from tracker.figures import writes
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.models import ProgressEntry, Target

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

cell_values = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(
        ["是", "否", "预计", "初步", "最终", "1,234.5", "２.５%", "=1+1", "-0", "1e400"]
    ),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=date(1900, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1)),
)


@pytest.fixture
def plan(db, department):
    plan = factory.make_plan(slug="fuzz-plan")
    area = factory.make_area(plan)
    for code, kind in [("A", "level"), ("B", "multiple"), ("M", "milestone")]:
        factory.make_target(
            plan,
            area=area,
            code=code,
            kind=kind,
            lead_department=department,
            factor=2 if kind == "multiple" else None,
            baseline_value=None if kind == "milestone" else 100,
            target_value=200 if kind == "level" else None,
        )
    return plan


def template(plan, user) -> bytes:
    out = io.BytesIO()
    write_template(
        out, plan, 2023, list(Target.objects.for_plan(plan).with_entries(ANY_ADMINISTRATOR))
    )
    return out.getvalue()


def check(data: bytes, plan, user) -> None:
    """The property: an outcome, never an exception; errors mean nothing can be written."""
    before = ProgressEntry.objects.count()
    preview = build_preview(data, file_name="fuzz.xlsx", user=user, plan=plan)
    assert ProgressEntry.objects.count() == before  # a preview never writes
    if not preview.ok:
        assert preview.errors and all(str(p) for p in preview.errors)
        return
    with transaction.atomic():
        writes.apply_import(
            plan=plan,
            user=user,
            rows=preview.rows,
            file_name="fuzz.xlsx",
            sha256=preview.sha256,
            submit=False,
        )
        counts = preview.counts
        assert ProgressEntry.objects.count() == before + counts["new"]
        transaction.set_rollback(True)


@FUZZ
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "M", "X", "", None]), cell_values, cell_values, cell_values
        ),
        max_size=8,
    ),
    year=st.one_of(st.integers(min_value=1990, max_value=2040), cell_values),
)
def test_random_cell_values_in_a_template(plan, reporter, rows, year):
    wb = openpyxl.load_workbook(io.BytesIO(template(plan, reporter)))
    ws = wb.worksheets[0]
    cells = {"B2": year}
    for index, (code, value, quality, note) in enumerate(rows, start=5):
        for column, content in zip("AFGH", (code, value, quality, note), strict=True):
            cells[f"{column}{index}"] = content
    for ref, content in cells.items():
        try:
            ws[ref] = content
        except (ValueError, IllegalCharacterError):  # openpyxl itself refuses these
            ws[ref] = None
    out = io.BytesIO()
    wb.save(out)
    check(out.getvalue(), plan, reporter)


@FUZZ
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    flips=st.integers(min_value=1, max_value=40),
    cut=st.one_of(st.none(), st.floats(min_value=0, max_value=1)),
)
def test_mutated_workbook_bytes(plan, reporter, seed, flips, cut):
    data = bytearray(template(plan, reporter))
    rng = random.Random(seed)
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    if cut is not None:
        data = data[: int(len(data) * cut)]
    check(bytes(data), plan, reporter)


@FUZZ
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_mutated_xml_inside_a_valid_zip(plan, reporter, seed):
    """Damage the XML, not the zip: the parser meets it, and must still answer cleanly."""
    rng = random.Random(seed)
    source = zipfile.ZipFile(io.BytesIO(template(plan, reporter)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = bytearray(source.read(item.filename))
            if item.filename.endswith(".xml") and body and rng.random() < 0.5:
                for _ in range(rng.randint(1, 10)):
                    position = rng.randrange(len(body))
                    body[position : position + rng.randint(0, 5)] = bytes(
                        rng.choice(b'<>/="&;x0 ') for _ in range(rng.randint(0, 5))
                    )
            target.writestr(item, bytes(body))
    check(out.getvalue(), plan, reporter)
