"""Reads and writes of the standings store at the same moment, on PostgreSQL."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from tests import factory
from tracker.figures import writes
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.standings import store
from tracker.standings.api import target_payload
from tracker.standings.standing import plan_targets, standings

TARGETS = 30


@pytest.mark.django_db(transaction=True)
def test_the_api_never_leaves_out_a_target_while_figures_are_written(roles, admin_user):
    if connection.vendor == "sqlite":
        pytest.skip("needs a database that waits for locks between threads: run on PostgreSQL")
    plan = factory.make_plan(slug="busy")
    targets = [factory.make_target(plan, code=f"T{i:02d}", order=i) for i in range(TARGETS)]
    for target in targets:
        factory.make_entry(target, 2023, 120)
    url = f"/api/plans/{plan.slug}/?year=2024"
    done = threading.Event()
    problems = []

    def write():
        try:
            for i, target in enumerate(targets):
                change = writes.Change(target=target, figure=Decimal(130 + i), quality="final")
                writes.save_entries(
                    plan=plan, year=2024, changes=[change], user=admin_user, submit=False
                )
        except Exception as error:
            problems.append(repr(error))
        finally:
            done.set()
            connection.close()

    def read():
        browser = Client()
        browser.force_login(admin_user)
        try:
            while not done.is_set():
                response = browser.get(url)
                codes = [t["code"] for t in response.json()["targets"]]
                if codes != [t.code for t in targets]:
                    problems.append(codes)
        except Exception as error:
            problems.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=write), *(threading.Thread(target=read) for _ in range(2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not problems, problems[:3]
    # Once the writes are done, what the store gives is what a fresh assessment gives.
    fresh = [
        target_payload(row) for row in standings(plan_targets(plan, viewer=ANY_ADMINISTRATOR), 2024)
    ]
    client = Client()
    client.force_login(admin_user)
    assert client.get(url).json()["targets"] == fresh
    assert len(store.payloads(plan, 2024, "zh-hans", viewer=ANY_ADMINISTRATOR)) == TARGETS
