"""The indicator catalogue (指标库) and derived indicators: figures computed from others of
the same region and year (R&D intensity = R&D spending ÷ GDP × 100), computed again in the
same transaction whenever an input is written. The models (`Indicator`, `Series`) live in
`tracker.models`.

Owns: `derived` (formulas, and the receiver that keeps computed figures current).

May import: `tracker.text`, `tracker.models`, `tracker.standings` (announcing querysets),
`tracker.figures` (numbers, history reasons), and itself. Never plans, excel, views or
admin.
"""
