"""Regions (行政区划) and who works where: the divisions known by their GB/T 2260 codes, and
the region a plan, a department and a statistic belong to. The models themselves
(`Region`, `Department`) live in `tracker.models`, as Django wants them in one module.

Owns: `divisions` (the divisions this instance knows by name: pure data and one lookup
that takes the model it fills, so migrations can use it).

May import: nothing of the tracker: it is the lowest layer.
"""
