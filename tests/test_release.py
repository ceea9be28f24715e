"""Migrating is a release step: a restart keeps the standings store, a release empties it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests import factory
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.models import StoredPayload, StoredStanding
from tracker.standings import store

ROOT = Path(__file__).resolve().parent.parent


def is_stored() -> bool:
    return StoredStanding.objects.exists() and StoredPayload.objects.exists()


def stored_something() -> None:
    plan = factory.make_plan()
    factory.make_entry(factory.make_target(plan), 2023, 150)
    store.ensure(plan, 2023)
    store.payloads(plan, 2023, "en", viewer=ANY_ADMINISTRATOR)
    assert is_stored()


@pytest.mark.django_db
def test_a_migrate_with_nothing_to_apply_keeps_the_store():
    stored_something()
    call_command("migrate", verbosity=0)
    assert is_stored()


@pytest.mark.django_db(transaction=True)
def test_a_migrate_that_applies_a_tracker_migration_empties_the_store(roles):
    """The tracker's newest migration, unapplied and applied again: each empties the store.

    In between, the code's models may not match the tables: the stored rows are put back as
    they were (their tables are older than the newest migration)."""
    graph = MigrationLoader(connection).graph
    (leaf,) = graph.leaf_nodes("tracker")
    (parent,) = [node for node in graph.node_map[leaf].parents if node.key[0] == "tracker"]
    try:
        stored_something()
        rows = {model: list(model.objects.values()) for model in (StoredStanding, StoredPayload)}
        call_command("migrate", "tracker", parent.key[1], verbosity=0)
        assert not StoredStanding.objects.exists() and not StoredPayload.objects.exists()
        for model, values in rows.items():
            model.objects.bulk_create(model(**row) for row in values)
        assert is_stored()
        call_command("migrate", "tracker", leaf[1], verbosity=0)
        assert not StoredStanding.objects.exists() and not StoredPayload.objects.exists()
    finally:
        call_command("migrate", "tracker", leaf[1], verbosity=0)


@pytest.mark.django_db
def test_a_release_empties_the_store():
    """A new version may assess or word targets differently without any migration."""
    stored_something()
    call_command("forget_standings", verbosity=0)
    assert not StoredStanding.objects.exists() and not StoredPayload.objects.exists()


def test_servers_start_without_migrating_and_a_release_migrates_once():
    makefile = (ROOT / "Makefile").read_text()
    recipes = dict(re.findall(r"^(\w+):.*\n((?:\t.*\n)+)", makefile, re.MULTILINE))
    assert "migrate" not in recipes["serve"]
    assert "manage.py migrate" in recipes["release"]
    assert "manage.py forget_standings" in recipes["release"]
