"""Every write forgets the stored standings it makes stale, whoever makes it: the models the
store is built from announce each write, and no code writes around them. Nothing here
lists the writers; the tests find the tables a build reads and the writes in the source."""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.db.models.signals import m2m_changed, post_save, pre_delete
from django.test.utils import CaptureQueriesContext

from tests import factory
from tests.test_store import fresh, stored
from tracker import demo
from tracker.figures.rights import ANY_ADMINISTRATOR
from tracker.models import (
    Area,
    Department,
    Indicator,
    Plan,
    ProgressEntry,
    Series,
    StoredPayload,
    StoredStanding,
    Target,
)
from tracker.plans import next_plan
from tracker.standings import store
from tracker.standings.announcing import AnnouncingQuerySet, bulk_written

TRACKER = Path(store.__file__).parents[1]


@pytest.fixture
def plan(db):
    """A plan with a target measured against another, departments, and figures, its store
    built for every year."""
    plan = factory.make_plan()
    lead, co = factory.make_department(), factory.make_department()
    area = factory.make_area(plan)
    level = factory.make_target(plan, area=area, code="GDP", lead_department=lead)
    relative = factory.make_target(
        plan, area=area, code="REL", kind="relative", target_value=None, reference_target=level
    )
    relative.co_departments.add(co)
    factory.make_entry(level, 2022, 130)
    factory.make_entry(relative, 2022, 10)
    build(plan)
    assert kept(level) and kept(relative)
    return plan


def build(plan: Plan) -> None:
    for year in plan.years:
        store.ensure(plan, year)
        store.payloads(plan, year, "en", viewer=ANY_ADMINISTRATOR)


def kept(target: Target) -> bool:
    """Whether anything stored for the target is left."""
    return (
        StoredStanding.objects.filter(target=target).exists()
        or StoredPayload.objects.filter(target=target).exists()
    )


def _table_models() -> dict[str, type]:
    return {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}


def test_every_table_a_build_reads_belongs_to_a_model_whose_writes_forget(plan):
    StoredStanding.objects.all().delete()
    StoredPayload.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        build(plan)
    tables = set()
    for query in queries.captured_queries:
        tables |= set(re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"]))
    models = _table_models()
    read = {models[table] for table in tables} - {StoredStanding, StoredPayload}
    assert {Target, ProgressEntry, Department} <= read  # the capture saw the build
    assert read <= set(store.DEPENDS_ON), read - set(store.DEPENDS_ON)


@pytest.mark.parametrize("model", store.DEPENDS_ON, ids=lambda m: m.__name__)
def test_each_model_the_store_reads_announces_every_write(model):
    if model._meta.auto_created:  # the co-departments of a target
        assert m2m_changed.has_listeners(model)
        return
    assert post_save.has_listeners(model) and pre_delete.has_listeners(model)
    assert bulk_written.has_listeners(model)
    for manager in model._meta.managers:
        assert isinstance(manager.get_queryset(), AnnouncingQuerySet), manager


def _field(model) -> str:
    """A column the store shows: a write of it must forget."""
    for field in model._meta.concrete_fields:
        if field.primary_key or field.is_relation or field.name in store.BOOKKEEPING:
            continue
        if field.name != "slug":  # nothing stored shows a plan's slug
            return field.name
    # A row of relations only (a statistic: region and indicator): write one of them.
    return next(f.name for f in model._meta.concrete_fields if f.is_relation)


def _row(plan: Plan, model):
    """The row of `model` that GDP's and REL's stored rows (REL is measured against GDP)
    are built from."""
    gdp = Target.objects.get(plan=plan, code="GDP")
    return {
        Plan: plan,
        Area: gdp.area,
        Department: gdp.lead_department,
        Indicator: gdp.indicator,
        Series: gdp.series,
        Target: gdp,
        ProgressEntry: gdp.entries.get(),
    }[model]


WRITERS = {
    "save": lambda row, name: row.save(),
    "save some fields": lambda row, name: row.save(update_fields=[name]),
    "update": lambda row, name: type(row).objects.filter(pk=row.pk).update(**{name: F(name)}),
    "bulk_update": lambda row, name: type(row).objects.bulk_update([row], [name]),
    "related update": lambda row, name: (
        type(row).objects.filter(pk=row.pk).all().update(**{name: F(name)})
    ),
}


@pytest.mark.parametrize("write", WRITERS)
@pytest.mark.parametrize(
    "model", [m for m in store.DEPENDS_ON if not m._meta.auto_created], ids=lambda m: m.__name__
)
def test_any_write_of_a_row_a_target_is_built_from_forgets_it_and_those_measured_against_it(
    plan, model, write
):
    WRITERS[write](_row(plan, model), _field(model))
    for target in Target.objects.filter(plan=plan):
        assert not kept(target), target.code


@pytest.mark.parametrize("how", ["instance", "queryset"])
@pytest.mark.parametrize("model", [Target, Department, ProgressEntry], ids=lambda m: m.__name__)
def test_a_delete_forgets_what_was_measured_against_or_named_after_the_row(plan, model, how):
    """Deleting a target or department clears REL's reference or lead department before
    any signal after the delete could find REL: the delete forgets it first."""
    row = _row(plan, model)
    if how == "instance":
        row.delete()
    else:
        model.objects.filter(pk=row.pk).delete()
    relative = Target.objects.get(plan=plan, code="REL")
    assert not kept(relative)
    assert stored(plan, 2022) == fresh(plan, 2022)


def test_a_figure_created_in_bulk_forgets_its_target(plan):
    gdp = Target.objects.get(plan=plan, code="GDP")
    ProgressEntry.objects.bulk_create([ProgressEntry(target=gdp, year=2023, value=Decimal(150))])
    assert not kept(gdp)
    assert stored(plan, 2023) == fresh(plan, 2023)


@pytest.mark.parametrize(
    "change",
    [
        lambda target, other: target.co_departments.add(other),
        lambda target, other: target.co_departments.set([other]),
        lambda target, other: target.co_departments.clear(),
    ],
)
def test_a_change_of_co_departments_forgets_the_target(plan, change):
    relative = Target.objects.get(plan=plan, code="REL")
    change(relative, factory.make_department())
    assert not kept(relative)


def test_bookkeeping_alone_and_a_plans_row_lock_forget_nothing(plan):
    gdp = Target.objects.get(plan=plan, code="GDP")
    entry = gdp.entries.get()
    ProgressEntry.objects.filter(pk=entry.pk).update(version=F("version") + 1)
    entry.refresh_from_db()
    entry.save(update_fields=["version", "updated_at"])
    Plan.objects.filter(pk=plan.pk).update(slug=F("slug"))
    assert kept(gdp)


def test_writes_in_a_batch_forget_once_at_its_end_and_a_read_inside_sees_them(plan):
    gdp = Target.objects.get(plan=plan, code="GDP")
    with store.batch():
        entry = gdp.entries.get()
        entry.value = Decimal(190)
        entry.save()
        assert kept(gdp)  # not yet: once, at the end
        assert stored(plan, 2022) == fresh(plan, 2022)  # a read forgets what is pending
    entry.value = Decimal(195)
    with store.batch():
        entry.save()
    assert not kept(gdp)
    assert stored(plan, 2022) == fresh(plan, 2022)


def test_a_failed_batch_leaves_nothing_pending(plan):
    gdp = Target.objects.get(plan=plan, code="GDP")
    with pytest.raises(ZeroDivisionError), store.batch():
        gdp.save()
        1 / 0  # noqa: B018
    with CaptureQueriesContext(connection) as queries:
        store.flush()
    assert not queries.captured_queries


# -- the writers found in the code ------------------------------------------------------

# Ways past the models' managers and signals, which would write without forgetting.
AROUND_THE_ORM = {"_base_manager", "_raw_delete", "_update", "_insert", "update_batch", "raw"}
AROUND_THE_ORM |= {"cursor", "execute", "executemany"}
WRITES = {"save", "delete", "update", "bulk_create", "bulk_update", "create", "get_or_create"}
WRITES |= {"update_or_create", "add", "remove", "set", "clear"}


def _sources():
    for path in sorted(TRACKER.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(), str(path))


def test_no_code_writes_around_the_models_that_forget():
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in AROUND_THE_ORM:
                found.append(f"{path.relative_to(TRACKER)}:{node.lineno} {node.attr}")
            call = isinstance(node, ast.Call)
            if call and ast.unparse(node.func).split(".")[-1] == "QuerySet":  # one unannounced
                found.append(f"{path.relative_to(TRACKER)}:{node.lineno} QuerySet")
            # A many-to-many table written directly sends no m2m_changed.
            call = call and isinstance(node.func, ast.Attribute)
            if call and node.func.attr in WRITES and "through" in ast.unparse(node.func.value):
                found.append(f"{path.relative_to(TRACKER)}:{node.lineno} through")
    assert not found


# -- the writers once found stale -------------------------------------------------------


def test_filling_baselines_forgets_the_standings_it_changes(demo_plan):
    """The 15th plan starts while the 14th's 2025 figures await approval; once approved,
    filling the baselines turns its targets from pending to assessed."""
    admin = factory.make_user("approver", role="admin")
    new = next_plan.start_next_plan(
        source=demo_plan, slug="next", name="十五五", start_year=2026, end_year=2030, by=admin
    ).plan
    build(new)
    ProgressEntry.objects.filter(series__targets__plan=demo_plan, year=2025).update(
        state="approved"
    )
    assert next_plan.fill_baselines(new, by=admin).targets
    for year in new.years:
        assert stored(new, year) == fresh(new, year)


def test_the_demo_loaded_over_a_plan_already_read_leaves_nothing_stale(seed_plan):
    build(seed_plan)
    demo.load(next_plan=True)
    for plan in Plan.objects.all():
        for year in plan.years:
            assert stored(plan, year) == fresh(plan, year)


def test_scale_data_replaced_leaves_nothing_stale(db):
    options = dict(plans=2, targets_per_plan=6, years=3, departments=2, verbosity=0)
    call_command("make_scale_data", **options)
    for plan in Plan.objects.all():
        build(plan)
    department = Department.objects.first()
    call_command("make_scale_data", replace=True, **options)
    assert Department.objects.filter(pk=department.pk).exists()
    assert Plan.objects.count() == 2
    for plan in Plan.objects.all():
        for year in plan.years:
            assert stored(plan, year) == fresh(plan, year)


def test_scale_data_growth_goals_carry_comparable_growth_and_are_judged_on_it(db):
    call_command(
        "make_scale_data", plans=1, targets_per_plan=6, years=3, departments=1, verbosity=0
    )
    plan = Plan.objects.get()
    growth_goals = plan.targets.filter(kind__in=["multiple", "annual_growth"])
    assert growth_goals.count() == 2
    for target in growth_goals:
        figures = ProgressEntry.objects.filter(series=target.series_id)
        assert figures.count() == 3
        assert all(f.growth is not None and f.value is not None for f in figures)
        assert target.price_basis == "comparable"
        assessment = target.assess(plan.start_year + 1)
        assert assessment.basis == "comparable" and assessment.index is not None
    levels = plan.targets.filter(kind="level")
    assert not ProgressEntry.objects.filter(series__targets__in=levels, growth__isnull=False)
