"""A figure: what it may be as typed, its life (draft, submitted, approved, returned,
reopened), who may enter and see it, its history, its plausibility, its evidence, and the
writes that act on many figures at once (a page, an import, a year closed).

Owns: `numbers`, `plausibility`, `rights`, `evidence` and `import_rows` (pure: no database,
`tracker.models` imports some of them), `typed` (a typed figure read against its target,
for the entry page and the importer alike), `history`, `workflow` (the one state machine,
its locks, and the posting of messages), `conversation` (a figure's messages: who writes
what, and the answer a return needs) and `writes` (each a transaction spanning several rows).

May import: `tracker.text`, `tracker.models`, `tracker.standings` (the store is forgotten
by every write), `tracker.reminders` (review notices), and itself. Never plans, excel,
views or admin: the Excel package builds `import_rows`, and `writes` applies them.
"""
