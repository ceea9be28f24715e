"""Plain-value loading gives every renderer what the ORM instances gave it."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factory
from tracker.excel.report import write_report
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.standings.api import plan_payload
from tracker.standings.loading import load_targets, plan_standings
from tracker.standings.standing import plan_targets, standings
from tracker.tables import standing_table

NOW = timezone.make_aware(datetime(2026, 3, 1, 9, 30))


def cells(rows, plan, year) -> list:
    out = io.BytesIO()
    write_report(out, plan, year, rows, language="en", now=NOW)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    return [[c.value for c in row] for ws in book for row in ws.iter_rows()]


@pytest.mark.parametrize("year", [2021, 2023, 2025])
def test_the_api_and_the_report_are_the_same_from_plain_values(demo_plan, year):
    orm = standings(plan_targets(demo_plan, viewer=ANY_ADMINISTRATOR), year)
    # As the report reads them: with each target's reasons and measures.
    plain = plan_standings(demo_plan, year, viewer=ANY_ADMINISTRATOR, explained=True)
    assert [r.target.code for r in plain] == [r.target.code for r in orm]
    assert plan_payload(demo_plan, year, plain) == plan_payload(demo_plan, year, orm)
    assert cells(plain, demo_plan, year) == cells(orm, demo_plan, year)


def test_the_dashboard_table_renders_the_same_cells(demo_plan, rf):
    def rendered(rows):
        table = standing_table(rows, demo_plan.years)
        return [[str(cell) for cell in row] for row in table.rows]

    orm = standings(plan_targets(demo_plan, viewer=ANY_ADMINISTRATOR), 2024)
    assert rendered(plan_standings(demo_plan, 2024, viewer=ANY_ADMINISTRATOR)) == rendered(orm)


def test_it_takes_one_query_per_table(demo_plan):
    with CaptureQueriesContext(connection) as queries:
        targets = load_targets(demo_plan, viewer=ANY_ADMINISTRATOR)
    assert len(targets) == 11
    assert len(queries) == 5  # targets, entries, areas, departments, co-departments


def test_a_page_of_targets_brings_the_references_it_needs(db):
    plan = factory.make_plan()
    reference = factory.make_target(plan, code="REF")
    factory.make_entry(reference, 2021, "110", state="approved")
    factory.make_entry(reference, 2020, "100", state="approved")
    relative = factory.make_target(
        plan, code="REL", kind="relative", target_value=None, reference_target=reference
    )
    factory.make_entry(relative, 2020, "100", state="approved")
    factory.make_entry(relative, 2021, "120", state="approved")
    [row] = plan_standings(plan, 2021, ids=[relative.pk], viewer=ANY_ADMINISTRATOR)
    assert row.target.reference_target.code == "REF"
    assert row.assessment == relative.assess(2021)
    assert row.assessment.status.value == "on_track"
