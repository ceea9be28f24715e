"""Where each target stands: the status engine, the plan loaded as plain values, the standings
store, and the words and number formats every page, report and API answer shows.

Owns: `engine` (pure functions over Decimals: no database, no request), `words` and
`formats` (status words and colours, the one number format), `announcing` (querysets whose
bulk writes announce themselves, so the store hears every write), `standing` (the
view-model every renderer reads), `loading`, `store` and `api` (the API's object of a target,
which the store keeps per language).

May import: `tracker.text`, the pure modules of `tracker.figures` (numbers, plausibility,
rights), `tracker.models`, and itself. `engine`, `words`, `formats` and `announcing` import
nothing of the tracker but each other and `tracker.text`, since `tracker.models` imports
them. Never figures' writers, plans, reminders, excel, views or admin.
"""
