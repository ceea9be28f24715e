"""The standings store never disagrees with a fresh assessment, whatever was written: not
the statuses the dashboard reads, nor the objects the API gives."""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal

from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests import factory
from tracker.figures import workflow
from tracker.figures import writes as services
from tracker.figures.import_rows import FigureRow
from tracker.figures.rights import ANY_ADMINISTRATOR, ANYONE_SIGNED_IN
from tracker.models import (
    Area,
    Department,
    ImportBatch,
    Plan,
    ProgressEntry,
    StoredStanding,
    Target,
)
from tracker.standings import store
from tracker.standings.api import target_payload
from tracker.standings.standing import plan_targets, standings

YEARS = [2020, 2021, 2022, 2023, 2024, 2025]
TARGETS = 4  # a level, a multiple, one relative to the level, a milestone

target_index = st.integers(0, TARGETS - 1)
year = st.sampled_from(YEARS)
# A name as the admin's form lets it through: no NUL (Django refuses it, PostgreSQL cannot
# store it) and no half of a surrogate pair.
name = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=8
)
figure = st.decimals(min_value=-50, max_value=400, places=1, allow_nan=False)
WRITES = st.one_of(
    st.tuples(st.just("save"), target_index, year, figure, st.booleans()),
    # these pick the k-th figure in the state they act on, so that each acts on one
    st.tuples(st.just("approve"), st.integers(0, 9)),
    st.tuples(st.just("return"), st.integers(0, 9)),
    st.tuples(st.just("reopen"), st.integers(0, 9)),
    st.tuples(st.just("close"), year),
    st.tuples(st.just("reopen year"), year),
    st.tuples(st.just("import"), st.lists(st.tuples(target_index, year, figure), max_size=4)),
    st.tuples(st.just("revert import")),
    st.tuples(
        st.just("ratios"), st.sampled_from(["0.5", "0.8", "1.0"]), st.sampled_from(["1.0", "1.2"])
    ),  # noqa: E501
    st.tuples(st.just("target"), target_index, figure),
    st.tuples(st.just("admin entry"), target_index, year, figure),
    st.tuples(st.just("delete target"), target_index),
    st.tuples(st.just("rename area"), name),
    st.tuples(st.just("rename department"), name),
    st.tuples(st.just("read"), year),
)
ON_A_TARGET = {"save", "target", "admin entry", "delete target"}


LANGUAGES = ["zh-hans", "en"]


def fresh(plan: Plan, year: int) -> dict:
    """Statuses and API objects as the engine gives them now, through the ORM instances."""
    rows = standings(plan_targets(plan, viewer=ANY_ADMINISTRATOR), year)
    # What a reader who may not see the figures not yet approved gets: the targets read
    # with approved figures only.
    approved = standings(plan_targets(plan, viewer=AnonymousUser()), year)
    api = {}
    for language in LANGUAGES:
        with translation.override(language):
            api[language] = [target_payload(row) for row in rows]
            api[language, "approved"] = [target_payload(row) for row in approved]
    return {
        "statuses": {row.target.pk: (row.status, float(row.progress_sort)) for row in rows},
        "api": api,
    }


def stored(plan: Plan, year: int) -> dict:
    store.ensure(plan, year)
    return {
        "statuses": {
            target_id: (status, progress)
            for target_id, status, progress in StoredStanding.objects.filter(
                plan=plan, year=year
            ).values_list("target_id", "status", "progress_sort")
        },
        "api": {
            **{
                language: [
                    json.loads(text)
                    for text in store.payloads(plan, year, language, viewer=ANY_ADMINISTRATOR)
                ]
                for language in LANGUAGES
            },
            **{
                (language, "approved"): [
                    json.loads(text)
                    for text in store.payloads(plan, year, language, viewer=ANYONE_SIGNED_IN)
                ]
                for language in LANGUAGES
            },
        },
    }


class TestTheStoreIsAlwaysRight(TestCase):
    def build(self):
        """A fresh plan for each example (each runs in its own transaction, rolled back)."""
        self.admin = factory.make_user("administrator", role="admin")
        # The admin's own save and delete paths, as its pages call them.
        self.request = RequestFactory().post("/admin/")
        self.request.user = self.admin
        self.plan = factory.make_plan(slug="city-14th")
        self.department = factory.make_department()
        level = factory.make_target(self.plan, code="GDP", lead_department=self.department)
        self.targets = [
            level,
            factory.make_target(
                self.plan, code="MUL", kind="multiple", target_value=None, factor=Decimal(2)
            ),
            factory.make_target(
                self.plan, code="REL", kind="relative", target_value=None, reference_target=level
            ),
            factory.make_target(
                self.plan, code="MS", kind="milestone", baseline_value=None, target_value=None
            ),
        ]

    def entry(self, index: int, year: int) -> ProgressEntry | None:
        return ProgressEntry.objects.filter(series=self.targets[index].series_id, year=year).first()

    def kth(self, k: int, state: str | None = None) -> ProgressEntry | None:
        entries = ProgressEntry.objects.filter(series__targets__plan=self.plan).order_by("pk")
        entries = list(entries.filter(state=state) if state else entries)
        return entries[k % len(entries)] if entries else None

    def write(self, operation: tuple) -> None:
        name, *args = operation
        plan, by = self.plan, self.admin
        if name in ON_A_TARGET and not Target.objects.filter(pk=self.targets[args[0]].pk).exists():
            return  # a deleted target takes no more writes
        if name == "save":
            index, year, value, submit = args
            target = self.targets[index]
            entry = self.entry(index, year)
            change = services.Change(
                target=target,
                figure=value > 100 if target.is_milestone else value,
                quality="final",
                version=entry.version if entry else 0,
            )
            services.save_entries(plan=plan, year=year, changes=[change], user=by, submit=submit)
        elif name == "approve":
            entry = self.kth(args[0], "submitted")
            if entry is not None:
                services.approve_entries([entry], by=by)
        elif name in ("return", "reopen"):
            entry = self.kth(args[0], "submitted" if name == "return" else "approved")
            if entry is not None:
                function = workflow.return_entry if name == "return" else workflow.reopen
                function(entry, by=by, reason="checked", version=entry.version)
        elif name == "close":
            services.close_year(plan, args[0], by=by)
        elif name == "reopen year":
            services.reopen_year(plan, args[0], by=by, reason="corrected")
        elif name == "import":
            self.apply_import(args[0])
        elif name == "revert import":
            batch = ImportBatch.objects.filter(state="applied").first()
            if batch is not None:
                services.revert_import(batch, by=by)
        elif name == "ratios":
            plan.behind_ratio, plan.on_track_ratio = Decimal(args[0]), Decimal(args[1])
            plan.ahead_ratio = plan.on_track_ratio + Decimal("0.3")
            admin.site._registry[Plan].save_model(self.request, plan, None, True)
        elif name == "target":
            target = Target.objects.get(pk=self.targets[args[0]].pk)
            target.baseline_value = args[1] if not target.is_milestone else None
            admin.site._registry[Target].save_model(self.request, target, None, True)
        elif name == "admin entry":
            index, year, value = args
            entry = self.entry(index, year) or ProgressEntry(target=self.targets[index], year=year)
            entry.value = value
            # What the admin's change form saves, through the one workflow.
            workflow.admin_edit(entry, by=by, reason="corrected", version=entry.version or 0)
        elif name == "delete target":
            target = Target.objects.filter(pk=self.targets[args[0]].pk).first()
            if target is not None:
                admin.site._registry[Target].delete_model(self.request, target)
        elif name == "rename area":
            area = self.targets[0].area
            area.name = args[0]
            admin.site._registry[Area].save_model(self.request, area, None, True)
        elif name == "rename department":
            department = self.department
            department.name = args[0]
            admin.site._registry[Department].save_model(self.request, department, None, True)
        elif name == "read":
            assert stored(plan, args[0]) == fresh(plan, args[0])

    def apply_import(self, figures) -> None:
        rows, seen = [], set()
        for index, year, value in figures:
            target = self.targets[index]
            if (index, year) in seen or not Target.objects.filter(pk=target.pk).exists():
                continue
            seen.add((index, year))
            entry = self.entry(index, year)
            rows.append(
                FigureRow(
                    sheet="年度数据",
                    cell=f"B{len(rows) + 2}",
                    code=target.code,
                    year=year,
                    target_id=target.pk,
                    entry_id=entry.pk if entry else None,
                    version=entry.version if entry else 0,
                    value=None if target.is_milestone else str(value),
                    achieved=value > 100 if target.is_milestone else None,
                    quality="final",
                    note="",
                    status="changed" if entry else "new",
                )
            )
        services.apply_import(
            plan=self.plan, user=self.admin, rows=rows, file_name="f.xlsx", sha256="0", submit=True
        )
        services.approve_entries(
            ProgressEntry.objects.filter(series__targets__plan=self.plan, state="submitted"),
            by=self.admin,
        )

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(WRITES, min_size=1, max_size=12))
    def test_after_any_sequence_of_writes(self, writes):
        self.build()
        # Build the store for every year first, so that each write has rows to forget.
        for year in self.plan.years:
            stored(self.plan, year)
        for operation in writes:
            with contextlib.suppress(services.Refused):
                self.write(operation)
            for year in self.plan.years:
                assert stored(self.plan, year) == fresh(self.plan, year), operation


class TestTheDashboardReadsTheStore(TestCase):
    def test_it_counts_filters_and_sorts_on_the_store_and_assesses_one_page(self):
        plan = factory.make_plan()
        area = factory.make_area(plan)
        targets = [
            factory.make_target(plan, area=area, code=f"T{i:03d}", order=i) for i in range(120)
        ]
        for i, target in enumerate(targets):
            factory.make_entry(target, 2023, 100 + i)  # progress i / 100 against 0.6 expected
        admin_user = factory.make_user("administrator", role="admin")
        self.client.force_login(admin_user)
        response = self.client.get(plan.get_absolute_url() + "?status=off_track&sort=-progress")
        rows = list(response.context["table"].page.object_list)
        assert response.context["shown"] == 48  # i / 100 < 0.6 x 0.8
        assert len(rows) == 48
        assert [row.record.target.code for row in rows][:2] == ["T047", "T046"]
        counts = dict(response.context["counts"])
        assert sum(counts.values()) == response.context["total"] == 120
        assert StoredStanding.objects.filter(plan=plan, year=2023).count() == 120

        # A figure approved for one target changes its stored status at once.
        services.save_entries(
            plan=plan,
            year=2024,
            changes=[services.Change(target=targets[0], figure=Decimal(300), quality="final")],
            user=admin_user,
            submit=True,
        )
        services.approve_entries(ProgressEntry.objects.filter(state="submitted"), by=admin_user)
        response = self.client.get(plan.get_absolute_url() + "?year=2024&status=achieved")
        codes = [row.record.target.code for row in response.context["table"].page]
        assert codes == ["T000", *[f"T{i}" for i in range(100, 120)]]
