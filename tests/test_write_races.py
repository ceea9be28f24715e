"""Two writes at the same moment, on PostgreSQL: one goes through and the other is refused
in words, never a deadlock or an error, and nothing changes in a closed year.

Each race runs many times with a barrier, so both orders (and the waits between them) occur.
"""

from __future__ import annotations

import io
import threading
from decimal import Decimal
from functools import partial

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests import factory
from tracker.figures import writes as services
from tracker.figures.import_rows import FigureRow
from tracker.models import ClosedYear, ImportBatch, Plan, ProgressEntry, Target

TRIALS = 10
YEAR = 2023


@pytest.fixture(autouse=True)
def postgresql_only(roles):
    if connection.vendor == "sqlite":
        # The in-memory test database shares one cache between threads, and its table locks
        # fail at once instead of waiting as the file database does (timeout 20 s).
        pytest.skip("needs a database that waits for locks between threads: run on PostgreSQL")


def race(*writes) -> list[tuple[str, str]]:
    """Run the writes in threads released together; each outcome is ("ok", ""),
    ("refused", the words) or ("error", what was raised)."""
    barrier = threading.Barrier(len(writes))
    outcomes = [("error", "did not finish")] * len(writes)

    def run(i, write):
        try:
            barrier.wait()
            write()
            outcomes[i] = ("ok", "")
        except (services.Refused, CommandError) as refusal:
            outcomes[i] = ("refused", str(refusal))
        except Exception as error:
            outcomes[i] = ("error", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(writes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def one_of_each(outcomes) -> str:
    """The refusal's words, once the outcomes are shown to be one success and one refusal."""
    assert sorted(kind for kind, _words in outcomes) == ["ok", "refused"], outcomes
    return next(words for kind, words in outcomes if kind == "refused")


def save(plan_pk: int, user, edits: list[tuple[int, int, int]], submit: bool = False) -> None:
    """Save (target id, figure, version read) as a page does, with its own plan object."""
    changes = [
        services.Change(
            target=Target.objects.get(pk=target_pk),
            figure=Decimal(figure),
            quality="final",
            version=version,
        )
        for target_pk, figure, version in edits
    ]
    services.save_entries(
        plan=Plan.objects.get(pk=plan_pk), year=YEAR, changes=changes, user=user, submit=submit
    )


def close(plan_pk: int, user) -> None:
    services.close_year(Plan.objects.get(pk=plan_pk), YEAR, by=user, reason="公报已发布")


def import_row(target: Target, value: int, entry: ProgressEntry | None = None) -> FigureRow:
    return FigureRow(
        sheet="年度数据",
        cell="F5",
        code=target.code,
        year=YEAR,
        target_id=target.pk,
        entry_id=entry.pk if entry else None,
        version=entry.version if entry else 0,
        value=str(value),
        achieved=None,
        quality="final",
        note="",
        status="changed" if entry else "new",
    )


def apply(plan_pk: int, user, rows: list[FigureRow]) -> ImportBatch:
    return services.apply_import(
        plan=Plan.objects.get(pk=plan_pk),
        user=user,
        rows=rows,
        file_name="race.xlsx",
        sha256="0" * 64,
        submit=False,
    )


def revert(batch_pk: int, user) -> None:
    services.revert_import(ImportBatch.objects.get(pk=batch_pk), by=user)


def approve(picked: list[tuple[int, int]], user) -> None:
    """Approve (figure id, version read) in the order given, as the approvals page does;
    refused, with the reasons, if any figure was not approved."""
    figures = ProgressEntry.objects.with_targets().in_bulk([pk for pk, _v in picked])
    done = services.approve_each([(figures[pk], version) for pk, version in picked], by=user)
    if done.refused:
        raise services.Refused("; ".join(why for _entry, why in done.refused))


def start_next(slug: str, name: str, user) -> None:
    call_command(
        "start_next_plan",
        source="source",
        slug=slug,
        name=name,
        start=2021,
        end=2025,
        user=user.username,
        stdout=io.StringIO(),
    )


def start_next_in_admin(slug: str, name: str, user) -> None:
    browser = Client()
    browser.force_login(user)
    source = Plan.objects.get(slug="source")
    data = {"action": "start_next_plan", "_selected_action": [source.pk], "apply": "1"}
    data.update(slug=slug, name=name, name_en="", start_year=2021, end_year=2025)
    response = browser.post(reverse("admin:tracker_plan_changelist"), data)
    if response.status_code == 302:
        return
    assert response.status_code == 200, response.status_code  # the form, with why
    raise services.Refused(response.content.decode())


def add_in_admin(target_pk: int, value: str, user) -> None:
    browser = Client()
    browser.force_login(user)
    data = {"target": target_pk, "year": YEAR, "value": value, "quality": "final"}
    data.update(note="", change_reason="补录", read_version=0)
    response = browser.post(reverse("admin:tracker_progressentry_add"), data)
    if response.status_code == 302 and response["Location"].endswith("/progressentry/"):
        return
    # Refused by the form's own check, or by the save once the other's was in.
    assert response.status_code in (200, 302), response.status_code
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    raise services.Refused(said or response.content.decode())


def test_a_year_closed_while_a_figure_is_saved(department, reporter, admin_user):
    refused = 0
    for trial in range(TRIALS):
        plan = factory.make_plan(slug=f"close-{trial}")
        target = factory.make_target(plan, code="GDP", lead_department=department)
        version = 0
        if trial % 2:  # a figure saved before, and one entered afresh
            version = factory.make_entry(target, YEAR, 110, state="draft").version
        outcomes = race(
            partial(save, plan.pk, reporter, [(target.pk, 120, version)]),
            partial(close, plan.pk, admin_user),
        )
        assert outcomes[1] == ("ok", ""), outcomes
        closed = ClosedYear.objects.get(region=plan.region, year=YEAR)
        if outcomes[0][0] == "refused":
            refused += 1
            assert "已关闭" in outcomes[0][1], outcomes
        else:
            assert outcomes[0] == ("ok", ""), outcomes
        # Saved first or refused: never a change after the year was closed.
        records = ProgressEntry.history.filter(series=target.series_id, year=YEAR)
        assert not records.filter(history_date__gte=closed.closed_at).exists()
    assert refused, "the close never came first: the race did not happen"


def test_an_import_reverted_while_its_figure_is_saved(department, reporter, admin_user):
    for trial in range(TRIALS):
        plan = factory.make_plan(slug=f"revert-{trial}")
        target = factory.make_target(plan, code="GDP", lead_department=department)
        kept = factory.make_target(plan, code="POP", lead_department=department)
        earlier = factory.make_entry(kept, YEAR, 50, state="draft", entered_by=reporter)
        # The import creates one figure and changes another: revert deletes and restores.
        batch = apply(plan.pk, reporter, [import_row(target, 100), import_row(kept, 60, earlier)])
        read = ProgressEntry.objects.filter(series__targets__plan=plan).values_list(
            "series__targets", "version"
        )
        edits = [(pk, 120, version) for pk, version in read]
        words = one_of_each(
            race(partial(save, plan.pk, reporter, edits), partial(revert, batch.pk, admin_user))
        )
        figures = ProgressEntry.objects.filter(series__targets__plan=plan).values_list(
            "series__targets", "value"
        )
        if ImportBatch.objects.get(pk=batch.pk).state == ImportBatch.State.REVERTED:
            assert "刷新" in words, words  # changed meanwhile; reload the page
            assert dict(figures) == {kept.pk: Decimal(50)}
        else:
            assert "导入后" in words, words  # changed after the import
            assert dict(figures) == {kept.pk: Decimal(120), target.pk: Decimal(120)}


def test_approving_many_while_they_are_submitted_again(department, reporter, admin_user):
    for trial in range(TRIALS):
        plan = factory.make_plan(slug=f"approve-{trial}")
        entries = [
            factory.make_entry(
                factory.make_target(plan, code=f"T{i}", lead_department=department),
                YEAR,
                100 + i,
                state="submitted",
                entered_by=reporter,
            )
            for i in range(3)
        ]
        # Each in the other's order.
        picked = [(entry.pk, entry.version) for entry in reversed(entries)]
        edits = [(entry.target.pk, 200, entry.version) for entry in entries]
        words = one_of_each(
            race(
                partial(approve, picked, admin_user),
                partial(save, plan.pk, reporter, edits, submit=True),
            )
        )
        figures = ProgressEntry.objects.filter(series__targets__plan=plan)
        if set(figures.values_list("state", flat=True)) == {"approved"}:
            assert sorted(figures.values_list("value", flat=True)) == [100, 101, 102]
            assert "锁定" in words or "审核" in words, words
        else:
            assert set(figures.values_list("state", "value")) == {("submitted", 200)}
            assert "刷新" in words, words


def test_two_files_that_create_the_same_figure(department, reporter):
    for trial in range(TRIALS):
        plan = factory.make_plan(slug=f"create-{trial}")
        target = factory.make_target(plan, code="GDP", lead_department=department)
        words = one_of_each(
            race(
                partial(apply, plan.pk, reporter, [import_row(target, 100)]),
                partial(apply, plan.pk, reporter, [import_row(target, 200)]),
            )
        )
        assert "预览后" in words, words  # changed by someone else after the preview
        assert ImportBatch.objects.filter(plan=plan).count() == 1
        assert ProgressEntry.objects.filter(series__targets__plan=plan).count() == 1


def test_two_saves_that_create_the_same_figure(department, reporter):
    for trial in range(TRIALS):
        plan = factory.make_plan(slug=f"twice-{trial}")
        target = factory.make_target(plan, code="GDP", lead_department=department)
        words = one_of_each(
            race(
                partial(save, plan.pk, reporter, [(target.pk, 100, 0)]),
                partial(save, plan.pk, reporter, [(target.pk, 200, 0)]),
            )
        )
        assert "刷新" in words, words
        assert ProgressEntry.objects.filter(series__targets__plan=plan).count() == 1


def test_two_administrators_add_the_same_figure(department):
    # A superuser: the group's model permissions went with an earlier test's flush.
    admin_user = factory.make_user("root", role="admin", is_superuser=True)
    for trial in range(TRIALS):
        plan = factory.make_plan(slug=f"admin-{trial}")
        target = factory.make_target(plan, code="GDP", lead_department=department)
        words = one_of_each(
            race(
                partial(add_in_admin, target.pk, "100", admin_user),
                partial(add_in_admin, target.pk, "200", admin_user),
            )
        )
        assert "刷新" in words or "已经存在" in words, words
        assert ProgressEntry.objects.filter(series__targets__plan=plan).count() == 1


@pytest.mark.parametrize("start", [start_next, start_next_in_admin])
def test_two_next_plans_of_one_slug(department, start):
    # A superuser: the group's model permissions went with an earlier test's flush.
    admin_user = factory.make_user("root", role="admin", is_superuser=True)
    source = factory.make_plan(slug="source", start_year=2016, end_year=2020, baseline_year=2015)
    for code in ("GDP", "POP"):
        target = factory.make_target(source, code=code, lead_department=department)
        factory.make_entry(target, 2020, 150, reviewed_by=admin_user)
    for trial in range(TRIALS):
        slug = f"next-{trial}"
        words = one_of_each(
            race(
                partial(start, slug, "第一", admin_user),
                partial(start, slug, "第二", admin_user),
            )
        )
        assert slug in words and "已存在" in words, words
        assert Target.objects.filter(plan__slug=slug).count() == 2
