"""Excel both ways: the report (one module per sheet), the entry template, target
definitions, and reading uploads (safety checks first, then the reader, then the importer's
preview). Writing to the database is not here: `tracker.figures.writes` applies a preview.

Owns: `safety`, `reader`, `common` and `openpyxl_adapter` (no database: the one place that
uses openpyxl's internals is the adapter), `report/`, `region_report` (a region's workbook,
from what `tracker.plans.regional` computed and handed in), `template`, `importer`, `targets`.

May import: `tracker.text`, `tracker.models`, `tracker.standings`, `tracker.figures`
(import rows, plausibility, numbers), `tracker.reminders` (deadlines in the report), and
itself. Never plans, views or admin.
"""
