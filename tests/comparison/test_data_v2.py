"""Data v2: the meshes and features a team asks about, GAMMA levels, overhead figures, SMI as
history, German data texts, renamed meshes, and the rules that keep sources first-hand."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from comparison import charts, data_exchange
from comparison.audit import report, sample
from comparison.choices import GammaLevel, Level
from comparison.models import Category, Feature, Mesh, OverheadFigure, Support
from comparison.sources import mirror_host

FIXTURE = Path(settings.BASE_DIR) / "fixtures/meshes.json"
NEW_MESHES = ["openshift-service-mesh", "kmesh", "aks-istio-addon", "buoyant-enterprise-linkerd"]
NEW_FEATURES = [
    "fips",
    "windows-workloads",
    "ipv6-dual-stack",
    "extensibility",
    "ext-authz",
    "spiffe-identity",
    "locality-routing",
    "pq-key-exchange",
    "debug-tooling",
]


def fixture_items() -> list[dict]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_new_meshes_have_complete_sourced_rows(db):
    features = Feature.objects.count()
    for slug in NEW_MESHES:
        mesh = Mesh.objects.get(slug=slug)
        cells = Support.objects.filter(mesh=mesh)
        assert cells.count() == features
        assert not cells.exclude(level=Level.UNKNOWN).filter(source="").exists()
        assert mesh.summary_de and mesh.last_verified
    # Every active mesh is decided on the new features (or honestly unknown), with sources.
    for slug in NEW_FEATURES:
        feature = Feature.objects.get(slug=slug)
        assert feature.description.startswith("yes:") and feature.description_de.startswith("ja:")
        assert feature.supports.count() == Mesh.objects.count()


def test_no_source_is_a_mirror_or_aggregator():
    """Every cited page in the fixture is first-hand: never a copy or an aggregator."""
    offenders = []
    for item in fixture_items():
        for name, value in item["fields"].items():
            cited = name == "source" or name.endswith("_source")
            if cited and isinstance(value, str) and value and mirror_host(value):
                offenders.append((item["model"], item["fields"].get("slug"), name, value))
    assert offenders == []


@pytest.mark.parametrize(
    "url",
    [
        "https://newreleases.io/project/github/istio/istio/release/1.31.1",
        "https://www.masterthemesh.com/x",
        "https://kuma.sourceforge.net/x",
    ],
)
def test_mirror_hosts_are_recognised_and_refused_for_cells(db, url):
    assert mirror_host(url)
    cell = Support.objects.filter(level=Level.YES).first()
    cell.source = url
    with pytest.raises(ValidationError, match="own"):
        cell.full_clean()


def test_project_hosts_are_not_mirrors():
    assert mirror_host("https://istio.io/latest/docs/") is None
    assert mirror_host("https://github.com/istio/istio/releases") is None


def test_import_refuses_a_decided_cell_without_source(db):
    items = fixture_items()
    cell = next(i for i in items if i["model"] == "comparison.support" and i["fields"]["source"])
    cell["fields"]["source"] = ""
    plan = data_exchange.validate(json.dumps(items))
    assert any("needs the source it was read in" in problem for problem in plan.problems)


def test_import_refuses_a_mirror_source(db):
    items = fixture_items()
    cell = next(i for i in items if i["model"] == "comparison.support" and i["fields"]["source"])
    cell["fields"]["source"] = "https://newreleases.io/project/github/x/y"
    plan = data_exchange.validate(json.dumps(items))
    assert any("newreleases.io" in problem for problem in plan.problems)


def test_renamed_mesh_keeps_its_old_addresses(client, db):
    response = client.get("/meshes/gloo-mesh/")
    assert response.status_code == 301
    assert response["Location"] == "/meshes/solo-enterprise-for-istio/"
    for path in ["/", "/compare/", "/api/meshes.json", "/export/meshes.csv", "/changes/"]:
        response = client.get(path, {"mesh": ["gloo-mesh", "linkerd"]})
        assert response.status_code == 301, path
        assert response["Location"] == (f"{path}?mesh=solo-enterprise-for-istio&mesh=linkerd"), path
    assert client.get("/meshes/no-such-mesh/").status_code == 404
    page = client.get("/meshes/solo-enterprise-for-istio/").content.decode()
    assert "Formerly:" in page and "Gloo Mesh" in page


def test_import_renames_a_mesh_named_by_its_former_slug(db):
    """A file that gives a mesh a new slug (and the old one as alias) renames the mesh: its
    history and edit record stay, nothing is removed and added."""
    linkerd = Mesh.objects.get(slug="linkerd")
    items = json.loads(data_exchange.export_data())
    for item in items:
        fields = item["fields"]
        if item["model"] == "comparison.mesh" and fields["slug"] == "linkerd":
            fields["slug"] = "linkerd-oss"
        for name in ("mesh", "upstream"):
            if fields.get(name) == ["linkerd"]:
                fields[name] = ["linkerd-oss"]
    items.append(
        {"model": "comparison.meshalias", "fields": {"slug": "linkerd", "mesh": ["linkerd-oss"]}}
    )
    plan = data_exchange.validate(json.dumps(items))
    assert plan.problems == []
    data_exchange.apply(plan)
    renamed = Mesh.objects.get(slug="linkerd-oss")
    assert renamed.pk == linkerd.pk
    assert renamed.history.filter(history_change_reason="Renamed from linkerd").exists()
    assert Support.objects.filter(mesh=renamed).count() == Feature.objects.count()


def test_an_alias_may_not_be_a_current_slug(db):
    items = fixture_items()
    items.append({"model": "comparison.meshalias", "fields": {"slug": "linkerd", "mesh": ["kuma"]}})
    plan = data_exchange.validate(json.dumps(items))
    assert any("also a mesh's slug" in problem for problem in plan.problems)


def test_smi_is_history(client, db):
    smi = Category.objects.get(slug="smi")
    assert smi.is_archived and smi.archived_source.startswith("https://www.cncf.io/")
    # Coverage counts only current standards.
    current = Feature.objects.current().count()
    assert current == Feature.objects.exclude(category=smi).count() < Feature.objects.count()
    chart = charts.coverage_by_mesh(list(Mesh.objects.active()))
    assert {row.total for row in chart.rows} == {current}
    by_area = charts.coverage_by_category(Mesh.objects.get(slug="linkerd"))
    assert smi.name not in [row.label for row in by_area.rows]
    # The table and the feature page say so.
    table = client.get("/").content.decode()
    assert "archived Oct 2023" in table
    page = client.get(reverse("comparison:feature-detail", args=["smi-traffic-split"]))
    assert "Archived on" in page.content.decode()


def test_questionnaire_warns_about_smi(client, db):
    answers = {"services": "many", "standards": "smi"}
    response = client.post("/api/recommend", json.dumps(answers), content_type="application/json")
    assert response.status_code == 200, response.content
    assert any("archived" in notice for notice in response.json()["notices"])
    response = client.post(
        "/api/recommend",
        json.dumps({**answers, "standards": "gateway_api"}),
        content_type="application/json",
    )
    assert response.json()["notices"] == []


def test_german_pages_show_german_data_texts(client, db):
    mesh = Mesh.objects.get(slug="aws-app-mesh")
    page = client.get(f"/de/meshes/{mesh.slug}/").content.decode()
    assert mesh.summary_de in page and mesh.status_note_de in page
    assert mesh.summary not in page
    # Cell notes stay English, marked as such for screen readers and translators.
    assert '<p class="note" lang="en">' in client.get("/de/").content.decode()
    assert '<p class="note">' in client.get("/").content.decode()
    feature = client.get("/de/features/mtls-http/").content.decode()
    assert ' lang="en">' in feature


def test_mesh_page_shows_gamma_and_overhead(client, db):
    istio = Mesh.objects.get(slug="istio-sidecar")
    assert istio.gamma_level == GammaLevel.CONFORMANT and istio.gamma_source
    page = client.get(istio.get_absolute_url()).content.decode()
    assert "Conformance report submitted" in page
    assert istio.gamma_gateway_api_version in page
    assert "Published overhead" in page
    figure = istio.overhead_figures.exclude(memory_mib=None).first()
    assert figure.source in page
    # A mesh without figures says so rather than staying silent.
    consul = client.get("/meshes/consul/").content.decode()
    assert "None published" in consul


def test_overview_charts_published_overhead_with_the_caveat(client, db):
    page = client.get("/overview/").content.decode()
    assert "Set-ups differ." in page
    assert "Latency added at p99, as published" in page
    assert "Memory used, as published" in page
    assert "Third-party benchmark" in page
    chart = charts.overhead_chart(
        OverheadFigure.objects.select_related("mesh"), "memory_mib", "m", "MiB"
    )
    assert chart.bars and all("control plane" not in bar.label for bar in chart.bars)
    values = [bar.value for bar in chart.bars]
    assert values == sorted(values)


def test_api_reports_gamma(client, db):
    data = client.get("/api/meshes.json", {"mesh": "cilium"}).json()
    assert data[0]["gamma"]["level"] == "conformant"
    assert data[0]["gamma"]["source"].startswith("https://github.com/kubernetes-sigs/")


def test_audit_report_is_reproducible_and_holds():
    """docs/data-audit.md is what `manage.py audit_sample --seed 2026 --size 48` writes, every
    sampled cell was checked, and at least 95 % of them are fully supported by their own cited
    page after the corrections the audit led to."""
    verdicts = json.loads((Path(settings.BASE_DIR) / "docs/data-audit.json").read_text())
    cells = sample(FIXTURE, seed=2026, size=48)
    assert len(cells) == 48
    expected = report(cells, verdicts, 2026, "python manage.py audit_sample --seed 2026 --size 48")
    assert (Path(settings.BASE_DIR) / "docs/data-audit.md").read_text() == expected
    assert all(c.key in verdicts for c in cells)
    supported = sum(verdicts[c.key]["verdict"] == "supported" for c in cells)
    assert supported / len(cells) >= 0.95
    assert sample(FIXTURE, seed=2026, size=48) == cells
    # An inherited cell is its upstream's claim: the sample draws only cells with their own.
    inherited = {
        f"{item['fields']['mesh'][0]}/{item['fields']['feature'][0]}"
        for item in json.loads(FIXTURE.read_text())
        if item["model"] == "comparison.support" and item["fields"]["inherited"]
    }
    assert inherited and not inherited & {c.key for c in cells}


def test_audit_command_prints_the_report(capsys):
    call_command("audit_sample")
    assert capsys.readouterr().out == (Path(settings.BASE_DIR) / "docs/data-audit.md").read_text()


def test_the_audit_names_the_cells_it_turned_unknown():
    from comparison.audit import SampledCell

    cell = SampledCell("a", "b", "yes", "", "https://example.org/a")
    verdicts = {
        "a/b": {"verdict": "supported", "first_check": "partly", "quote": "q"},
        "c/d": {"verdict": "not", "first_check": "not", "left": True},
        "e/f": {"verdict": "partly", "first_check": "partly"},  # not sampled, not left: unnamed
    }
    text = report([cell], verdicts, 1, "cmd")
    assert (
        "1 of 1 fully supported" in text
        and "at the first check, before corrections, 0 of 1" in text
    )
    assert "1 sampled cells were found unsupported" in text and "c/d (not)." in text
    assert "e/f" not in text
