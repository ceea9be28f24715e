"""What is done with a plan as a whole: evaluations frozen as published and read back
unchanged, the next plan started from the previous one, and the plans of a region's children
side by side (`regional`) and their workbook (`region_workbook`).

May import: everything below it: `tracker.models`, `tracker.standings`, `tracker.figures`,
`tracker.indicators` (the formulas a roll-up recomputes),
`tracker.reminders` and `tracker.excel` (an evaluation's report). Never views or admin.
"""
