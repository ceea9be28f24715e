"""Open data of a published plan at /public/plans/<slug>/data/: targets and approved figures
as CSV (UTF-8 with a BOM) and JSON, described by a Frictionless Data Package, live or as an
evaluation published them; anyone may fetch them, and nothing unpublished is in them."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import frictionless
import pytest
from django.urls import reverse

from tests import factory
from tracker.models import ProgressEntry, Publication
from tracker.plans.evaluations import freeze

BOM = b"\xef\xbb\xbf"
FILES = ("targets.csv", "figures.csv", "data.json", "datapackage.json")


def publish(plan, by=None):
    plan.published = True
    plan.save(update_fields=["published"])
    Publication.objects.create(plan=plan, published=True, reason="政务公开", by=by)


def url(plan, name, evaluation=None) -> str:
    if evaluation is None:
        return reverse(f"tracker:public-data-{name}", args=[plan.slug])
    return reverse(f"tracker:public-evaluation-data-{name}", args=[plan.slug, evaluation.pk])


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert response.content.startswith(BOM)
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def plan(db, department, admin_user):
    plan = factory.make_plan(slug="open-plan", name="开放规划", name_en="Open plan")
    gdp = factory.make_target(
        plan,
        code="GDP",
        name="地区生产总值",
        name_en="GDP",
        unit="亿元",
        unit_en="100 million yuan",
        comparable_growth=True,
        lead_department=department,
        decimal_places=1,
    )
    people = factory.make_target(plan, code="POP", name="城镇人口", unit="万人", decimal_places=1)
    zone = factory.make_milestone(plan, code="ZONE")
    factory.make_entry(gdp, 2020, "147.6", quality="final", source="2020年统计公报")
    factory.make_entry(
        gdp,
        2021,
        "160.123456",
        growth=Decimal("8.1"),
        quality="preliminary",
        source="2021年统计公报",
        note="按新口径核算",
        note_public=True,
    )
    factory.make_entry(
        gdp, 2022, "999.9", state="draft", note="草稿备注", entered_by=admin_user, source="草稿"
    )
    factory.make_entry(people, 2020, "20", note="内部备注，不公开", growth=Decimal("1.5"))
    factory.make_entry(
        people, 2021, "21", state="returned", return_reason="数字有误，请核实", source="退回"
    )
    factory.make_entry(zone, 2021, True)
    publish(plan, admin_user)
    return plan


def test_the_package_validates_with_frictionless(client, plan, tmp_path):
    for name in ("datapackage.json", "targets.csv", "figures.csv"):
        response = client.get(url(plan, name))
        assert response.status_code == 200, (name, response.status_code)
        (tmp_path / name).write_bytes(response.content)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = frictionless.Package(str(tmp_path / "datapackage.json"))
    assert package.get_resource("figures").read_rows()[0]["target_code"] == "GDP"


def test_the_package_describes_fields_units_licence_sources_and_when(client, plan):
    package = json.loads(client.get(url(plan, "datapackage.json")).content)
    assert package["name"] == "open-plan"
    assert (package["title"], package["title_en"]) == ("开放规划", "Open plan")
    assert package["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0",
        }
    ]
    assert {"title": "2021年统计公报"} in package["sources"]
    assert "草稿" not in json.dumps(package, ensure_ascii=False)
    assert package["created"][:4].isdigit() and package["data"] == "live"
    targets, figures = package["resources"]
    assert targets["schema"]["primaryKey"] == ["code"]
    assert figures["schema"]["foreignKeys"][0]["reference"] == {
        "resource": "targets",
        "fields": ["code"],
    }
    fields = {f["name"]: f for f in figures["schema"]["fields"]}
    assert fields["value"]["type"] == "number" and "unit" in fields["value"]["description"]
    assert fields["year"]["type"] == "integer"


def test_the_licence_comes_from_the_settings(client, plan, settings):
    settings.OPEN_DATA_LICENSE_NAME = "gov-open"
    settings.OPEN_DATA_LICENSE_PATH = ""
    settings.OPEN_DATA_LICENSE_TITLE = "政府信息公开条款"
    package = json.loads(client.get(url(plan, "datapackage.json")).content)
    assert package["licenses"] == [{"name": "gov-open", "title": "政府信息公开条款"}]


def test_the_targets_csv_has_a_bom_and_one_row_per_target(client, plan):
    targets = {row["code"]: row for row in rows(client.get(url(plan, "targets.csv")))}
    assert list(targets) == ["GDP", "POP", "ZONE"]
    gdp = targets["GDP"]
    assert (gdp["name"], gdp["name_en"], gdp["unit_en"]) == (
        "地区生产总值",
        "GDP",
        "100 million yuan",
    )
    assert (gdp["kind"], gdp["baseline_year"], gdp["target_year"]) == ("level", "2020", "2025")
    assert gdp["status_year"] == "2021" and gdp["status"]
    assert gdp["data"] == "live" and gdp["evaluation"] == "" and gdp["built"][:2] == "20"
    assert gdp["indicator_code"]


def test_the_figures_csv_holds_approved_figures_as_reported(client, plan):
    response = client.get(url(plan, "figures.csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    figures = {(row["target_code"], row["year"]): row for row in rows(response)}
    assert set(figures) == {("GDP", "2020"), ("GDP", "2021"), ("POP", "2020"), ("ZONE", "2021")}
    gdp = figures[("GDP", "2021")]
    assert gdp["value"] == "160.123456" and gdp["unit"] == "亿元"
    assert (gdp["quality"], gdp["growth"], gdp["source"]) == (
        "preliminary",
        "8.1",
        "2021年统计公报",
    )
    assert gdp["note"] == "按新口径核算"  # marked public
    people = figures[("POP", "2020")]
    assert people["note"] == "" and people["growth"] == ""  # private note; no comparable growth
    assert figures[("ZONE", "2021")]["achieved"] == "true"
    assert figures[("ZONE", "2021")]["value"] == ""


def test_nothing_unpublished_is_in_any_file(client, plan, admin_user):
    for name in FILES:
        text = client.get(url(plan, name)).content.decode("utf-8-sig")
        for secret in ("999.9", "草稿", "内部备注", "数字有误", "退回", admin_user.username):
            assert secret not in text, (name, secret)


def test_the_json_holds_the_same_rows_and_says_when_and_what(client, plan):
    response = client.get(url(plan, "data.json"))
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    assert document["data"] == "live" and document["evaluation"] is None
    assert document["built_at"][:2] == "20"
    assert [t["code"] for t in document["targets"]] == ["GDP", "POP", "ZONE"]
    figure = next(f for f in document["figures"] if f["year"] == 2021 and f["target_code"] == "GDP")
    assert figure["value"] == "160.123456"


def test_an_evaluation_is_offered_as_published(client, plan, admin_user):
    entry = plan.targets.get(code="GDP").series.entries.get(year=2020)
    evaluation = freeze(plan=plan, year=2021, kind="midterm", title="中期评估", by=admin_user)
    ProgressEntry.objects.filter(pk=entry.pk).update(value=Decimal("150"))  # revised since
    live = {(r["target_code"], r["year"]): r for r in rows(client.get(url(plan, "figures.csv")))}
    assert live[("GDP", "2020")]["value"] == "150.0"
    frozen = rows(client.get(url(plan, "figures.csv", evaluation)))
    frozen = {(r["target_code"], r["year"]): r for r in frozen}
    assert frozen[("GDP", "2020")]["value"] == "147.6"
    assert frozen[("GDP", "2021")]["note"] == "按新口径核算"
    assert frozen[("GDP", "2020")]["data"] == "evaluation"
    assert frozen[("GDP", "2020")]["evaluation"] == str(evaluation.pk)
    assert ("GDP", "2022") not in frozen
    package = json.loads(client.get(url(plan, "datapackage.json", evaluation)).content)
    assert package["data"] == "evaluation" and package["evaluation"]["title"] == "中期评估"
    assert package["name"] == f"open-plan-evaluation-{evaluation.pk}"


def test_an_evaluation_package_validates_too(client, plan, admin_user, tmp_path):
    evaluation = freeze(plan=plan, year=2021, kind="midterm", title="中期评估", by=admin_user)
    for name in ("datapackage.json", "targets.csv", "figures.csv"):
        (tmp_path / name).write_bytes(client.get(url(plan, name, evaluation)).content)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_an_unpublished_plan_has_no_open_data(client, plan, admin_user):
    evaluation = freeze(plan=plan, year=2021, kind="midterm", title="中期评估", by=admin_user)
    other = factory.make_plan(slug="draft-plan")
    for name in FILES:
        assert client.get(url(other, name)).status_code == 404
    plan.published = False
    plan.save(update_fields=["published"])
    for name in FILES:
        assert client.get(url(plan, name)).status_code == 404
        assert client.get(url(plan, name, evaluation)).status_code == 404


def test_an_evaluation_of_another_plan_is_not_found(client, plan, admin_user):
    other = factory.make_plan(slug="other-plan")
    factory.make_target(other, code="X")
    evaluation = freeze(plan=other, year=2021, kind="annual", title="年度评估", by=admin_user)
    assert client.get(url(plan, "figures.csv", evaluation)).status_code == 404
