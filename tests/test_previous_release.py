"""A database made by the previous release migrates forward with nothing lost.

The previous release's own code (its tree extracted from git, run in subprocesses) fills a
fresh database: the demo, a slice of the scale data, approvals, a corrected and re-approved
figure, closed years, imports, deadlines and frozen evaluations (tests/previous_release.py).
What it says is captured, the database is migrated and released with this tree's code
(`migrate`, then `forget_standings` as `make release` does), and captured again. Everything
said before must still be said, except the one difference the migration makes on purpose
(`expected_after_migration`).

It runs on the database the suite runs on: a file in tmp for SQLite, and a database of its
own on the server of DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

import copy
import os
import time
import uuid
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from tests import previous_release as release
from tests.previous_release import FIFTEENTH, FOURTEENTH, PREVIOUS_RELEASE, ROOT

# Columns of kept rows that the migration may change. A frozen figure points at the figure
# it froze; two plans' copies of one statistic may become one figure, so it may point anew.
MAY_CHANGE = {"tracker_frozenfigure": {"entry_id"}}

# What a target's answer works out from its baseline (the engine's business, not the data's).
FOLLOWS_BASELINE = [
    "goal_value",
    "expected_value",
    "progress",
    "status",
    "required_annual_rate",
    "projected_value",
]
ANY = "<follows the baseline>"
# Figures the API prints to their decimal places.
FIGURES = ["baseline_value", "target_value", "goal_value", "expected_value", "projected_value"]


class HalfUp(str):
    """A figure printed half-even by the previous release: now printed half up, as pages
    and Excel do, it may differ by one in its last digit, and only there."""

    def differs_from(self, actual) -> bool:
        if not isinstance(actual, str):
            return True
        was, now = Decimal(self), Decimal(actual)
        return was.as_tuple().exponent != now.as_tuple().exponent or abs(was - now) > Decimal(
            1
        ).scaleb(was.as_tuple().exponent)


def speaks_evaluations(after: dict) -> bool:
    """Whether the migrated-to release judges as evaluations do (issue 24): its answers
    open with the count by status."""
    return all("summary" in answer for answer in after["api"].values())


def judged_anew(expected: dict[str, dict]) -> dict[str, dict]:
    """The answers as a release that judges as evaluations do gives them: the figures the
    same (printed half up), the verdicts and what the engine works out by its new rules
    (the final words from the target year on, "ahead", average growth for relative goals,
    chained growth, no progress read off the baseline year's figure)."""
    for answer in expected.values():
        for each in answer["targets"]:
            each.update(dict.fromkeys([*FOLLOWS_BASELINE, "latest"], ANY))
            for key in FIGURES:
                if isinstance(each.get(key), str):
                    each[key] = HalfUp(each[key])
            for entry in each["entries"]:
                if isinstance(entry.get("value"), str):
                    entry["value"] = HalfUp(entry["value"])
    return expected


def settles_disagreements(after: dict) -> bool:
    """Whether the migrated-to release keeps one figure per region, indicator and year.

    Only such a release settles a copied baseline that disagrees with the approved figure;
    before it (this tree as the previous release itself) the answers stay exactly as they were.
    """
    return "indicator" in after["models"]


def expected_after_migration(before: dict[str, dict], settled: bool) -> dict[str, dict]:
    """The API's answers after migrating: as before, but with the disagreement `settled`.

    The 15th plan's GDP baseline (205.0, the 2025 figure it copied) disagrees with the
    figure the 14th plan approved since (207.1): the approved figure wins, so every answer
    of the 15th plan shows it as the baseline, with what follows from it.

    Two more follow from one figure per statistic:
    - a baseline is the region's figure for its year, so where a plan stated none, the API
      gives the approved figure of the baseline year the pages already showed, not null;
    - a milestone the region achieved (approved) by the next plan's baseline year shows as
      achieved in the next plan, whenever the achievement was approved.
    """
    expected = copy.deepcopy(before)
    if not settled:
        return expected
    last = before[f"{FOURTEENTH}?year=2025"]
    approved = year_entry(target(last, "GDP"), 2025)
    achieved = {
        t["code"]: max(
            e["year"] for e in t["entries"] if e["achieved"] and e["state"] == "approved"
        )
        for t in last["targets"]
        if t.get("kind") == "milestone"
        and any(e["achieved"] and e["state"] == "approved" for e in t["entries"])
    }
    for key, answer in expected.items():
        for each in answer["targets"]:
            stated = next(
                (
                    e
                    for e in each["entries"]
                    if e["year"] == each.get("baseline_year") and e["state"] == "approved"
                ),
                None,
            )
            if each.get("baseline_value", 0) is None and stated and stated["value"] is not None:
                each["baseline_value"] = stated["value"]
        if key.startswith(f"{FIFTEENTH}?year="):
            gdp = target(answer, "GDP")
            gdp["baseline_value"] = approved["value"]
            gdp.update(dict.fromkeys(FOLLOWS_BASELINE, ANY))
            for code, year in achieved.items():
                milestone = target(answer, code)
                milestone.update(status="achieved", latest={"year": year, "value": None})
                # The copy of an earlier achievement for the baseline year is gone: the
                # region's figure of the year it came shows it.
                if year < 2025:
                    milestone["entries"] = [e for e in milestone["entries"] if e["year"] != 2025]
    return expected


def overruled_baselines(before: dict, after: dict) -> list[dict]:
    """History rows the migration added that keep the copied 2025 GDP baseline it overruled."""
    known = {row["history_id"] for row in before["history"]}
    return [
        row
        for row in after["history"]
        if row["history_id"] not in known
        and row["year"] == 2025
        and row["value"] == release.plain(Decimal("205.0"))
        and (row["history_change_reason"] or "").strip()
    ]


def target(answer: dict, code: str) -> dict:
    return next(t for t in answer["targets"] if t["code"] == code)


def year_entry(target: dict, year: int) -> dict:
    return next(e for e in target["entries"] if e["year"] == year)


def differences(expected, actual, path: str = "") -> list[str]:
    """Where `actual` does not say what `expected` says; keys `actual` adds are allowed.

    A target's entries are matched by year, and one may gain years: the figures of the
    region's other plans' years are the same figures now.
    """
    if expected == ANY:
        return []
    if isinstance(expected, HalfUp):
        return [f"{path}: {actual!r}, was {expected!r}"] if expected.differs_from(actual) else []
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{path}.{key}: missing (was {value!r})")
            else:
                found += differences(value, actual[key], f"{path}.{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        if path.endswith(".entries"):
            by_year = {entry.get("year"): entry for entry in actual}
            found = []
            for entry in expected:
                where = f"{path}[{entry['year']}]"
                if entry["year"] in by_year:
                    found += differences(entry, by_year[entry["year"]], where)
                else:
                    found.append(f"{where}: missing (was {entry!r})")
            return found
        if len(expected) != len(actual):
            return [f"{path}: {len(actual)} items, was {len(expected)}"]
        found = []
        for i, (was, now) in enumerate(zip(expected, actual, strict=True)):
            label = f"[{was['code']}]" if isinstance(was, dict) and "code" in was else f"[{i}]"
            found += differences(was, now, path + label)
        return found
    if expected != actual:
        return [f"{path}: {actual!r}, was {expected!r}"]
    return []


def lost_rows(before: list[dict], after: list[dict], key: str, may_change=()) -> list[str]:
    """Rows of `before` missing from `after` (by `key`) or saying something else now."""
    now = {row[key]: row for row in after}
    found = []
    for row in before:
        current = now.get(row[key])
        if current is None:
            found.append(f"{key}={row[key]}: gone (was {row})")
            continue
        for column, value in row.items():
            if column in may_change:
                continue
            if column not in current:
                found.append(f"{key}={row[key]}: column {column} gone (was {value!r})")
            elif current[column] != value:
                found.append(f"{key}={row[key]}: {column} is {current[column]!r}, was {value!r}")
    return found


def report(problems: list[str], what: str) -> str:
    shown = "\n".join(problems[:40])
    more = f"\n... and {len(problems) - 40} more" if len(problems) > 40 else ""
    return f"{len(problems)} {what} after migrating:\n{shown}{more}"


# -- the database, made by the previous release and migrated -------------------------------


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    """A fresh database of the suite's kind, for this module alone."""
    server = _postgres_url()
    if server is None:
        yield f"sqlite:///{tmp_path_factory.mktemp('previous') / 'db.sqlite3'}"
        return
    import psycopg

    name = f"test_prev_{uuid.uuid4().hex[:12]}"
    maintenance = urlsplit(server)._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(server)._replace(path=f"/{name}").geturl()
    finally:
        _drop(maintenance, name)


def _drop(maintenance: str, name: str, tries: int = 10) -> None:
    """Drop the database; a server process of another role on it (an autovacuum worker on
    a freshly migrated database) cannot be cut off by FORCE, but ends within moments."""
    import psycopg

    for attempt in range(tries):
        try:
            with psycopg.connect(maintenance, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.errors.InsufficientPrivilege:
            if attempt == tries - 1:
                raise
            time.sleep(1)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory, database_url):
    """(before, after): what the database said under the previous release and after."""
    work = tmp_path_factory.mktemp("release")
    previous = release.extract(PREVIOUS_RELEASE, work / "previous")
    release.build(previous, database_url)
    before = release.capture(previous, database_url, work / "before.json")
    release.manage(ROOT, database_url, "migrate", "--noinput", "-v0")
    release.manage(ROOT, database_url, "forget_standings")
    after = release.capture(ROOT, database_url, work / "after.json")
    return before, after


def test_the_previous_release_made_what_the_issue_describes(migrated):
    before, _after = migrated
    fourteenth = target(before["api"][f"{FOURTEENTH}?year=2025"], "GDP")
    fifteenth = target(before["api"][f"{FIFTEENTH}?year=2026"], "GDP")
    assert year_entry(fourteenth, 2025)["value"] == release.CORRECTED_GDP_2025
    assert year_entry(fourteenth, 2025)["state"] == "approved"
    assert fifteenth["baseline_value"] == "205.0"
    assert {t["state"] for t in before["tables"]["tracker_importbatch"]} == {"applied", "reverted"}
    assert len(before["tables"]["tracker_evaluation"]) == 3
    assert len(before["closed_years"]) == 2
    assert len(before["tables"]["tracker_deadline"]) == 2
    assert sum(1 for key in before["api"] if key.startswith("scale-") and "year=" in key) == 15
    assert len(before["history"]) > 50


def test_every_history_row_says_the_same(migrated):
    before, after = migrated
    problems = lost_rows(before["history"], after["history"], "history_id")
    assert not problems, report(problems, "history rows lost or changed")


@pytest.mark.parametrize("table", release.KEPT_TABLES)
def test_every_kept_row_says_the_same(migrated, table):
    before, after = migrated
    problems = lost_rows(
        before["tables"][table], after["tables"][table], "id", MAY_CHANGE.get(table, ())
    )
    assert not problems, report(problems, f"{table} rows lost or changed")


def test_every_closed_year_stays_closed(migrated):
    before, after = migrated
    now = {tuple(row.values()) for row in after["closed_years"]}
    problems = [str(row) for row in before["closed_years"] if tuple(row.values()) not in now]
    assert not problems, report(problems, "closed years reopened or changed")


def test_the_api_says_what_it_said(migrated):
    before, after = migrated
    expected = expected_after_migration(before["api"], settles_disagreements(after))
    if speaks_evaluations(after):
        expected = judged_anew(expected)
    problems = [f"{key}: missing" for key in expected if key not in after["api"]]
    for key, answer in expected.items():
        problems += [f"{key} {p}" for p in differences(answer, after["api"].get(key, {}))]
    assert not problems, report(problems, "differences in the API")


def test_the_approved_figure_is_the_next_plans_baseline(migrated):
    _before, after = migrated
    if not settles_disagreements(after):
        pytest.skip("this tree keeps a figure per plan: the baseline stays as copied")
    approved = year_entry(target(after["api"][f"{FOURTEENTH}?year=2025"], "GDP"), 2025)
    baseline = target(after["api"][f"{FIFTEENTH}?year=2026"], "GDP")["baseline_value"]
    assert baseline == approved["value"] == release.CORRECTED_GDP_2025


def test_the_overruled_baseline_is_kept_in_the_history(migrated):
    before, after = migrated
    if not settles_disagreements(after):
        pytest.skip("this tree keeps a figure per plan: nothing is overruled")
    assert overruled_baselines(before, after), "205.0, the overruled baseline, is in no history"


class TestTheComparisons:
    """The comparisons find what they are there to find (on small answers of the API)."""

    ANSWER = {
        "plan": {"slug": "p"},
        "targets": [
            {"code": "GDP", "baseline_value": "1.0", "entries": [{"year": 2021, "value": "2.0"}]}
        ],
    }

    def test_an_equal_answer_with_added_keys_and_years_passes(self):
        now = copy.deepcopy(self.ANSWER)
        now["region"] = {"code": "211382"}
        now["targets"][0]["indicator"] = "GDP"
        now["targets"][0]["entries"].insert(0, {"year": 2020, "value": "1.0"})
        assert differences(self.ANSWER, now) == []

    def test_a_changed_or_lost_figure_is_named(self):
        changed = copy.deepcopy(self.ANSWER)
        changed["targets"][0]["entries"][0]["value"] = "2.1"
        assert differences(self.ANSWER, changed) == [
            ".targets[GDP].entries[2021].value: '2.1', was '2.0'"
        ]
        lost = copy.deepcopy(self.ANSWER)
        lost["targets"][0]["entries"] = []
        assert differences(self.ANSWER, lost) == [
            ".targets[GDP].entries[2021]: missing (was {'year': 2021, 'value': '2.0'})"
        ]

    def test_a_changed_or_lost_row_is_named(self):
        was = [{"id": 1, "value": "2.0"}, {"id": 2, "value": "3"}]
        now = [{"id": 1, "value": "2.5"}]
        assert lost_rows(was, now, "id") == [
            "id=1: value is '2.5', was '2.0'",
            "id=2: gone (was {'id': 2, 'value': '3'})",
        ]
        assert lost_rows(was[:1], now, "id", may_change={"value"}) == []

    def test_numbers_are_compared_as_numbers(self):
        assert release.plain(Decimal("232.0")) == release.plain(232.0) == "232"

    def test_the_settled_disagreement_is_the_one_difference_expected(self):
        def answer(baseline, entries):
            gdp = {"code": "GDP", "baseline_value": baseline, "entries": entries}
            return {"targets": [{**gdp, **dict.fromkeys(FOLLOWS_BASELINE, "0.5")}]}

        before = {
            f"{FOURTEENTH}?year=2025": answer("147.6", [{"year": 2025, "value": "207.1"}]),
            f"{FIFTEENTH}?year=2026": answer("205.0", [{"year": 2026, "value": "218.6"}]),
        }
        assert expected_after_migration(before, settled=False) == before
        settled = expected_after_migration(before, settled=True)
        fifteenth = f"{FIFTEENTH}?year=2026"
        assert differences(settled[fifteenth], before[fifteenth]) == [
            ".targets[GDP].baseline_value: '205.0', was '207.1'"
        ]
        now = copy.deepcopy(before)
        gdp = target(now[f"{FIFTEENTH}?year=2026"], "GDP")
        gdp.update(baseline_value="207.1", progress="0.6", status="on_track")
        assert all(differences(settled[key], now[key]) == [] for key in before)
