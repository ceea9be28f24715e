"""What is done with a plan as a whole: evaluations frozen as published and read back
unchanged, and the next plan started from the previous one.

May import: everything below it: `tracker.models`, `tracker.standings`, `tracker.figures`,
`tracker.reminders` and `tracker.excel` (an evaluation's report). Never views or admin.
"""
