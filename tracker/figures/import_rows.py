"""What an import hands from its preview to its apply, typed, and kept as JSON between them.

The Excel package builds these rows; `tracker.figures.writes` applies them. Both import this
module, so the services never import Excel code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields


@dataclass
class _Row:
    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict):
        """A row from its JSON; keys this version does not know are left out."""
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


@dataclass
class FigureRow(_Row):
    """A figure a file sets, judged and compared with what is stored."""

    sheet: str
    cell: str
    code: str
    year: int
    target_id: int
    entry_id: int | None
    version: int
    value: str | None  # a Decimal as text, for numbers
    achieved: bool | None  # for milestones
    quality: str
    note: str
    status: str  # new, changed, unchanged
    old: str = ""
    new: str = ""
    name: str = ""
    flag: str | None = None  # plausibility findings of a new figure; None keeps the stored
    # The growth at comparable prices (a Decimal as text, percent), its quality and source
    # ("" the level's), and where the figure was published.
    growth: str | None = None
    growth_quality: str = ""
    growth_source: str = ""
    source: str = ""
    old_growth: str = ""
    new_growth: str = ""

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}"


# Target fields a definitions sheet sets directly; area and departments are by name.
TARGET_FIELDS = [
    "code",
    "name",
    "name_en",
    "unit",
    "unit_en",
    "kind",
    "direction",
    "nature",
    "baseline_year",
    "baseline_value",
    "target_year",
    "target_value",
    "factor",
    "basis",
    "decimal_places",
    "source_text",
    "data_source",
    "notes",
]
TARGET_NUMBERS = ("baseline_value", "target_value", "factor")
TARGET_TEXTS = {"name_en", "unit", "unit_en", "basis", "source_text", "data_source", "notes"}


@dataclass
class TargetRow(_Row):
    """A target a definitions sheet creates or changes, with its values JSON-ready."""

    row: int
    code: str
    values: dict  # field name -> value (Decimals as text); area and departments by name
    status: str = "new"  # new, changed, unchanged
    changes: list[str] = field(default_factory=list)


def change_counts(rows: Iterable[FigureRow | TargetRow]) -> dict[str, int]:
    """How many rows of a preview are new, changed and unchanged."""
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    for row in rows:
        counts[row.status] += 1
    return counts


def dump(rows: Iterable[_Row], warnings: Iterable = ()) -> dict:
    """The JSON kept with a pending import."""
    return {"rows": [row.to_json() for row in rows], "warnings": [vars(w) for w in warnings]}


def load_rows(payload: dict, row_type: type[_Row]) -> list:
    return [row_type.from_json(data) for data in payload["rows"]]
