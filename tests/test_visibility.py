"""Nobody sees another department's figures that are not approved yet, on any page.

The sweep does not list the pages: it walks the URLconf, fills each URL's parameters from
the planted rows, fetches every URL (and every download) as a reporter of another
department, and reads everything it gets, each cell of a workbook included. A URL whose
parameters it cannot fill fails the test, so that a new page cannot be forgotten.
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factory
from tracker.figures import workflow
from tracker.figures.rights import can_enter, sees_unapproved
from tracker.models import (
    Deadline,
    ImportBatch,
    PendingImport,
    ProgressEntry,
    Target,
)
from tracker.plans import evaluations
from tracker.public.data import FILES as OPEN_DATA
from tracker.reminders import deadlines
from tracker.reminders import mail as notify

# Each planted figure's value, with three decimal places, as pages and workbooks write it.
DRAFT, RETURNED, SUBMITTED = Decimal("987654.321"), Decimal("876543.219"), Decimal("765432.198")
CO_HIDDEN, CHANGED = Decimal("543210.987"), Decimal("987654.654")
CO_ENTERS = Decimal("432109.876")
APPROVED = Decimal("123456.789")
NOTE, REASON = "PLANTED-NOTE-q7w", "PLANTED-REASON-z4x"
EXPLANATION = "PLANTED-EXPLAIN-m2k"
MESSAGE = "PLANTED-MESSAGE-d3r"
EVIDENCE_NAME, EVIDENCE_CONTENT = "planted-evidence-k9", "PLANTED-EVIDENCE-CONTENT-v5b"
SECRET_VALUES = (DRAFT, RETURNED, SUBMITTED, CO_HIDDEN, CHANGED)
SECRET_TEXTS = (NOTE, REASON, EXPLANATION, EVIDENCE_NAME, EVIDENCE_CONTENT, MESSAGE)


def _forms(value: Decimal) -> list[str]:
    return [f"{value}", f"{value:,}"]


def _save(target, year, user, value, *, submit=False, note="", evidence=None, flag=None):
    entry = ProgressEntry.objects.filter(series=target.series_id, year=year).first()
    entry = entry or ProgressEntry(target=target, year=year)
    return workflow.save(
        entry,
        by=user,
        figure=value,
        quality="preliminary",
        note=note,
        evidence=evidence,
        version=entry.version if entry.pk else 0,
        submit=submit,
        flag=flag,
    )


@pytest.fixture
def planted(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return plant()


def plant(region=None, prefix: str = "") -> dict:
    """A plan (of `region`, else a test county of its own) whose lead department (统计局)
    has figures in every state but approved, one target co-led by 科技局 without and one
    with the right to enter, an evaluation frozen over them, a change since, and imports
    waiting. `prefix` starts the user names."""
    where = {"region": region} if region is not None else {}
    lead, other_dept = (
        factory.make_department(name="统计局", **where),
        factory.make_department(name="科技局", **where),
    )
    owner = factory.make_user(f"{prefix}tongji", role="reporter", departments=[lead])
    other = factory.make_user(f"{prefix}keji", role="reporter", departments=[other_dept])
    admin = factory.make_user(f"{prefix}boss", role="admin", region=region)
    plan = factory.make_plan(**where)
    if region is None:
        # The plan's region has a parent, whose pages compare its regions.
        plan.region.parent = factory.make_region("上级市", level="prefecture")
        plan.region.save()
    area = factory.make_area(plan)
    common = dict(area=area, lead_department=lead, decimal_places=3)
    t1 = factory.make_target(plan, code="SECRET", **common)
    t2 = factory.make_target(plan, code="COHIDDEN", co_departments_may_enter=False, **common)
    t3 = factory.make_target(plan, code="COENTERS", co_departments_may_enter=True, **common)
    t2.co_departments.add(other_dept)
    t3.co_departments.add(other_dept)

    approved = _save(t1, 2021, owner, APPROVED, submit=True)
    workflow.approve(approved, by=admin, version=approved.version)
    evidence = ContentFile(b"%PDF-1.4\n" + EVIDENCE_CONTENT.encode(), name=f"{EVIDENCE_NAME}.pdf")
    draft = _save(t1, 2022, owner, DRAFT, note=NOTE, evidence=evidence)
    workflow.post_message(draft, by=owner, kind="comment", text=MESSAGE)
    returned = _save(t1, 2023, owner, RETURNED, submit=True, note=NOTE)
    workflow.return_entry(returned, by=admin, reason=REASON, version=returned.version)
    submitted = _save(
        t1, 2024, owner, SUBMITTED, submit=True, note=NOTE, flag=("questioned", EXPLANATION)
    )
    co_hidden = _save(t2, 2022, owner, CO_HIDDEN, note=NOTE)
    co_enters = _save(t3, 2022, owner, CO_ENTERS)
    evaluation = evaluations.freeze(plan=plan, year=2024, kind="annual", title="评估", by=admin)
    draft = _save(t1, 2022, owner, CHANGED, note=NOTE, evidence=None)  # a change since
    pending = {
        kind: PendingImport.objects.create(
            plan=plan,
            user=owner,
            kind=kind,
            file_name=f"{NOTE}.xlsx",
            sha256="0" * 64,
            payload={"rows": [], "warnings": []},
        )
        for kind in PendingImport.Kind.values
    }
    batch = ImportBatch.objects.create(plan=plan, imported_by=owner, file_name=f"{NOTE}.xlsx")
    Deadline.objects.create(plan=plan, year=2023, due=date(2024, 3, 31))
    return dict(
        plan=plan,
        owner=owner,
        other=other,
        admin=admin,
        targets=(t1, t2, t3),
        entries=(approved, draft, returned, submitted, co_hidden, co_enters),
        evaluation=evaluation,
        pending=pending,
        batch=batch,
    )


# -- the URLconf, walked ---------------------------------------------------------------


def _patterns(resolver=None, prefix="", namespace=None):
    """(namespace, name, pattern text) of every URL the project answers."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(
                pattern, prefix + str(pattern.pattern), pattern.namespace or namespace
            )
        else:
            assert isinstance(pattern, URLPattern)
            yield namespace, pattern.name, prefix + str(pattern.pattern)


# A view's `pk` means a different row on each page.
PK_OF = {
    "import-preview": lambda p: [p["pending"]["figures"].pk, p["pending"]["targets"].pk],
    "targets-preview": lambda p: [p["pending"]["targets"].pk, p["pending"]["figures"].pk],
    "revert-import": lambda p: [p["batch"].pk],
    "evaluation": lambda p: [p["evaluation"].pk],
    "evaluation-report": lambda p: [p["evaluation"].pk],
    "evaluation-compare": lambda p: [p["evaluation"].pk],
    "return-entry": lambda p: [e.pk for e in p["entries"]],
    "reopen-entry": lambda p: [e.pk for e in p["entries"]],
    "evidence": lambda p: [e.pk for e in p["entries"]],
    "figure-messages": lambda p: [e.pk for e in p["entries"]],
    **{f"public-evaluation-data-{file}": lambda p: [p["evaluation"].pk] for file in OPEN_DATA},
}


def _values(name: str, parameter: str, planted) -> list | None:
    """What to fill a URL's parameter with, or None when the sweep does not know."""
    if parameter == "pk":
        return PK_OF[name](planted) if name in PK_OF else None
    entry = planted["entries"][1]
    return {
        "slug": [planted["plan"].slug],
        "code": [t.code for t in planted["targets"]]
        + [planted["plan"].region.code, planted["plan"].region.parent.code],
        "indicator": [t.code for t in planted["targets"]],
        "year": [2022, 2023, 2024],
        # the admin's own pages, each behind its staff check
        "object_id": [entry.pk],
        "content_type_id": [ContentType.objects.get_for_model(ProgressEntry).pk],
        "app_label": ["tracker"],
        "id": [planted["owner"].pk],
        "url": ["tracker/nothing/"],
    }.get(parameter)


ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
REGEX_GROUP = re.compile(r"\((?:\?P<(\w+)>)?[^()]*\)")


def _urls(planted) -> tuple[list[str], list[str]]:
    """Every URL filled in every way, and the patterns the sweep could not fill."""
    urls, unfilled = [], []
    history_id = planted["entries"][1].history.first().history_id
    for namespace, name, text in _patterns():
        qualified = f"{namespace}:{name}" if namespace else str(name)
        parameters = ROUTE_PARAMETER.findall(REGEX_GROUP.sub("", text)) + [
            group for group in REGEX_GROUP.findall(text) if group
        ]
        choices = {p: _values(name, p, planted) for p in parameters}
        if any(v is None for v in choices.values()):
            unfilled.append(f"{qualified} {text}")
            continue
        for combination in itertools.product(*choices.values()):
            values = dict(zip(choices, combination, strict=True))
            # The admin's history pages take an object's id and a record's id by position.
            positional = iter([planted["entries"][1].pk, history_id])
            url = REGEX_GROUP.sub(
                lambda m, v=values, n=positional: str(v[m.group(1)] if m.group(1) else next(n)),
                text,
            )
            url = ROUTE_PARAMETER.sub(lambda m, v=values: str(v[m.group(1)]), url)
            urls.append("/" + url.replace("^", "").replace("$", ""))
    return urls, unfilled


def _queries(planted) -> list[str]:
    """What every page is asked besides its plain form: a year, the report's sheet of
    figures not yet approved, an evaluation in the API."""
    return ["", "?year=2024&include_unapproved=1", f"?evaluation={planted['evaluation'].pk}"]


def _text(response) -> str:
    """Everything a response says: its headers (a file's name), a page, JSON, a file, or a
    workbook's every cell."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    parts = [f"{key}: {value}" for key, value in response.headers.items()]
    if not content.startswith(b"PK"):
        return "\n".join([*parts, content.decode("utf-8", "replace")])
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            parts += [str(cell.value) for cell in row if cell.value is not None]
    return "\n".join(parts)


def _sweep(client, planted) -> dict[str, str]:
    """Each URL fetched, with what it said."""
    urls, unfilled = _urls(planted)
    assert not unfilled, f"the sweep cannot fill these URLs; teach it: {unfilled}"
    said = {}
    for url in urls:
        for query in _queries(planted) if not url.startswith("/admin/") else [""]:
            response = client.get(url + query)
            assert response.status_code < 500, url + query
            said[url + query] = _text(response)
    return said


def _found(said: dict[str, str], needles) -> dict[str, list[str]]:
    found = {}
    for needle in needles:
        where = [url for url, text in said.items() if needle.lower() in text.lower()]
        if where:
            found[needle] = where
    return found


def _secrets(values=SECRET_VALUES, texts=SECRET_TEXTS) -> list[str]:
    return [form for value in values for form in _forms(value)] + list(texts)


# -- the sweep -------------------------------------------------------------------------


def test_a_reporter_of_another_department_sees_none_of_the_figures_not_approved(client, planted):
    client.force_login(planted["other"])
    said = _sweep(client, planted)
    assert len(said) > 100  # every page, every download, every admin page
    assert _found(said, _secrets()) == {}
    # The figures approved, and those of the target they may enter, are theirs to see.
    assert _found(said, _forms(APPROVED)) and _found(said, _forms(CO_ENTERS))

    # Once approved, the same figure shows everywhere.
    owner, admin = planted["owner"], planted["admin"]
    draft = _save(planted["targets"][0], 2022, owner, CHANGED, submit=True, note=NOTE)
    workflow.approve(draft, by=admin, version=draft.version)
    api = client.get(reverse("tracker:api-plan", args=[planted["plan"].slug])).content.decode()
    page = client.get(planted["targets"][0].get_absolute_url()).content.decode()
    assert str(CHANGED) in api and f"{CHANGED:,}" in page and NOTE in page


def test_the_sweep_finds_every_planted_secret_when_it_is_shown(client, planted):
    """The sweep can fail: the lead department's reporter sees each of them somewhere."""
    client.force_login(planted["owner"])
    said = _sweep(client, planted)
    missing = set(_secrets()) - set(_found(said, _secrets()))
    # Each value in at least one of its forms.
    for value in SECRET_VALUES:
        if any(form not in missing for form in _forms(value)):
            missing -= set(_forms(value))
    assert missing == set()


def test_the_sweep_fails_on_a_url_it_cannot_fill(planted, settings):
    settings.ROOT_URLCONF = "tests.urls_with_an_unknown_parameter"
    _urls_found, unfilled = _urls(planted)
    assert unfilled == ["new plans/<slug:slug>/new/<int:widget>/"]


# -- the rule itself ---------------------------------------------------------------------


def test_whoever_may_enter_a_figure_sees_it_and_nobody_else(planted):
    t1, t2, t3 = planted["targets"]
    owner, other, admin = planted["owner"], planted["other"], planted["admin"]
    outsider = factory.make_user("visitor")
    for user in (owner, other, admin, outsider):
        for target in (t1, t2, t3):
            assert sees_unapproved(user, target) == can_enter(user, target)
            editable = Target.objects.editable_by(user).filter(pk=target.pk).exists()
            annotated = Target.objects.with_unapproved_visible(user).get(pk=target.pk)
            assert editable == annotated.unapproved_visible == can_enter(user, target)
            seen = set(
                ProgressEntry.objects.visible_to(user)
                .filter(series=target.series_id)
                .values_list("state", flat=True)
            )
            every = set(target.entries.values_list("state", flat=True))
            assert seen == (every if can_enter(user, target) else every & {"approved"})
    assert can_enter(other, t3) and not can_enter(other, t2) and not can_enter(other, t1)


def test_evidence_is_served_only_to_whoever_may_see_its_figure(client, planted):
    draft = planted["entries"][1]
    url = reverse("tracker:evidence", args=[draft.pk])
    client.force_login(planted["other"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("tracker:evidence", args=[10**9])).status_code == 404
    client.force_login(planted["owner"])
    response = client.get(url)
    assert response.status_code == 200
    assert EVIDENCE_CONTENT.encode() in b"".join(response.streaming_content)


# -- mail ------------------------------------------------------------------------------


def test_a_reminder_names_no_reason_its_reader_may_not_see(planted, settings):
    settings.SITE_URL = "http://testserver"
    plan, owner, other = planted["plan"], planted["owner"], planted["other"]
    items = deadlines.outstanding(plan, [2023])
    assert {item.target.code for item in items} >= {"SECRET"}
    for user, shown in ((owner, True), (other, False)):
        message = notify._reminder(user, items, date(2024, 4, 1))
        assert (REASON in message.text) is shown and (REASON in message.html) is shown


@pytest.mark.parametrize("moved", [False, True])
def test_a_return_notice_goes_to_its_reporter_only_while_they_may_see_the_figure(
    planted, settings, django_capture_on_commit_callbacks, moved
):
    settings.SITE_URL = "http://testserver"
    admin, owner = planted["admin"], planted["owner"]
    owner.email = "tongji@example.org"
    owner.save()
    submitted = planted["entries"][3]
    if moved:  # to another post since submitting: the figure is no longer theirs
        owner.departments.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_entry(submitted, by=admin, reason=REASON, version=submitted.version)
    assert bool([m for m in mail.outbox if REASON in m.body]) is not moved
