"""What is due and from whom: reporting deadlines, each person's work (what they have to do
next), and the mail that reminds them, notices reviews and sends the weekly digest.

May import: `tracker.text`, `tracker.models`, `tracker.standings`, the pure modules of
`tracker.figures` (rights), and itself. `deadlines` and `todo` only read; `mail` writes
what it sent. Never figures' writers, plans, excel, views or admin.
"""
