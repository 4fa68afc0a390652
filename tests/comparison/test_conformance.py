"""Gateway API conformance reports: read from real report files (tests/comparison/data/conformance,
copied from kubernetes-sigs/gateway-api with their commits in SOURCES.json), kept per mesh, turned
into GAMMA facts and "tested" marks, and never half-imported from a folder with a bad file."""

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from comparison import conformance
from comparison.conformance import ReportError, import_reports, parse_report
from comparison.lint import lint
from comparison.models import ConformanceMapping, ConformanceReport, Mesh
from tests import factories

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "conformance"
REPORTS = DATA / "conformance" / "reports"
LINKERD = REPORTS / "v1.6" / "linkerd-linkerd" / "standard-2.20-default-report.yaml"
ISTIO_1_20 = REPORTS / "v1.0.0" / "istio-istio" / "1.20-report.yaml"
KUMA = REPORTS / "v1.0.0" / "kumahq-kuma" / "2.6.0-report.yaml"


def test_a_report_is_read_as_written():
    report = parse_report(LINKERD.read_text(), "linkerd.yaml")
    assert report.implementation == "linkerd/linkerd"
    assert (report.version, report.gateway_api_version, report.channel) == (
        "2.20",
        "v1.6.2",
        "standard",
    )
    grpc, http = report.profiles
    assert grpc["name"] == "MESH-GRPC" and grpc["core"] == {
        "result": "partial",
        "passed": 2,
        "failed": 0,
        "skipped": 1,
    }
    assert grpc["extended"] is None
    assert http["extended"]["result"] == "success"
    assert "MeshHTTPRouteRewritePath" in http["unsupported_features"]
    assert "MeshConsumerRoute" in http["supported_features"]


def test_an_old_report_keeps_its_version_and_gets_todays_profile_names():
    # "version: 1.20" is a float to a plain YAML load (1.2); the report means Istio 1.20.
    istio = parse_report(ISTIO_1_20.read_text(), "istio.yaml")
    assert istio.version == "1.20"
    assert sorted(p["name"] for p in istio.profiles) == ["GATEWAY-HTTP", "GATEWAY-TLS", "MESH-HTTP"]
    kuma = parse_report(KUMA.read_text(), "kuma.yaml")
    assert "MESH-HTTP" in [p["name"] for p in kuma.profiles]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: ConformanceReport\nprofiles: [\n", "not valid YAML"),
        ("kind: Gateway\n", "not a ConformanceReport"),
        ("- just\n- a list\n", "not a ConformanceReport"),
        (LINKERD.read_text().replace("result: success", "result: great", 1), "is not one of"),
        (LINKERD.read_text().replace("Passed: 7", "Passed: many", 1), "whole number"),
        (LINKERD.read_text().replace('date: "2026-09-09T00:36:59-04:00"', "date: soon"), "date"),
        (LINKERD.read_text().replace("gatewayAPIVersion: v1.6.2", "gatewayAPIVersion: x"), "not a"),
        ("[" * 5000, "nested too deeply"),
    ],
)
def test_a_bad_report_is_refused_with_what_is_wrong(text, message):
    with pytest.raises(ReportError, match=message):
        parse_report(text, "bad.yaml")


@pytest.fixture
def implementations():
    factories.clear_catalogue()
    return {
        "linkerd": factories.mesh(slug="linkerd", conformance_implementation="linkerd/linkerd"),
        "istio": factories.mesh(slug="istio", conformance_implementation="istio/istio"),
        "cilium": factories.mesh(slug="cilium", conformance_implementation="cilium/cilium"),
        "kuma": factories.mesh(slug="kuma", conformance_implementation="kumahq/kuma"),
        "consul": factories.mesh(slug="consul"),
    }


def test_a_folder_is_imported_once_with_its_commits_and_the_gamma_facts(implementations):
    result = import_reports(DATA)
    assert len(result.added) == 5
    assert result.unmatched == [
        "alibaba cloud/alibaba cloud service mesh: "
        "conformance/reports/v1.3.0/alibaba-cloud-servicemesh/experimental-1.27-default-report.yaml"
    ]
    report = ConformanceReport.objects.get(mesh__slug="linkerd")
    assert report.source_url == (
        "https://github.com/kubernetes-sigs/gateway-api/blob/"
        "bf0ca1559817eccef3b61e85f81d34b585c88277/"
        "conformance/reports/v1.6/linkerd-linkerd/standard-2.20-default-report.yaml"
    )
    linkerd = Mesh.objects.get(slug="linkerd")
    assert linkerd.gamma_level == "conformant"
    assert linkerd.gamma_gateway_api_version == "v1.6.2"
    assert linkerd.gamma_profiles == (
        "Mesh HTTP: core passed (7 tests), extended passed (5 tests); "
        "Mesh gRPC: core partly passed (2 passed, 1 skipped)"
    )
    assert linkerd.gamma_mesh_version == "2.20 (report dated 2026-09-09)"
    assert "unsupported: MeshHTTPRouteRedirectPath, MeshHTTPRouteRewritePath" in (
        linkerd.gamma_extended
    )
    assert linkerd.gamma_source == report.source_url
    assert linkerd.history.first().history_change_reason.startswith("GAMMA facts from")
    # The newest of Istio's two reports carries its facts.
    assert Mesh.objects.get(slug="istio").gamma_mesh_version == "1.31 (report dated 2026-09-10)"
    assert Mesh.objects.get(slug="consul").gamma_level == "unknown"

    again = import_reports(DATA)
    assert (again.added, again.changed, len(again.unchanged)) == ([], [], 5)
    assert again.gamma == []


def test_a_dry_run_says_what_would_change_and_writes_nothing(implementations):
    result = import_reports(DATA, dry_run=True)
    assert len(result.added) == 5
    assert any("linkerd: gamma_level" in line for line in result.gamma)
    assert not ConformanceReport.objects.exists()
    assert Mesh.objects.get(slug="linkerd").gamma_level == "unknown"


@pytest.mark.parametrize(
    "breakage",
    [
        lambda text: text[: len(text) // 2] + "\n  - [unclosed",
        lambda text: text.replace("kind: ConformanceReport", "kind: Something"),
        lambda text: text.replace("profiles:", "profiles: 3\nold_profiles:"),
    ],
    ids=["cut-off", "wrong-kind", "no-profiles"],
)
def test_one_bad_file_in_a_folder_imports_nothing(implementations, tmp_path, breakage):
    folder = tmp_path / "reports"
    shutil.copytree(DATA, folder)
    broken = folder / "conformance/reports/v1.6/istio-istio/1.31.0-default-report.yaml"
    broken.write_text(breakage(broken.read_text()))
    with pytest.raises(ReportError, match=r"1\.31\.0-default-report\.yaml"):
        import_reports(folder)
    assert not ConformanceReport.objects.exists()
    assert Mesh.objects.get(slug="linkerd").gamma_level == "unknown"


def test_a_file_that_is_not_text_is_refused(implementations, tmp_path):
    path = tmp_path / "report.yaml"
    path.write_bytes(b"kind: ConformanceReport\n\xff\xfe")
    with pytest.raises(ReportError, match="not UTF-8"):
        import_reports(path)


def test_the_command_refuses_a_missing_folder_and_writes_nothing(implementations, tmp_path):
    with pytest.raises(CommandError, match=r"Nothing imported: .*no such file"):
        call_command("import_conformance", str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="holds no report files"):
        call_command("import_conformance", str(tmp_path))


@pytest.fixture
def mapped(implementations):
    split = factories.feature(slug="traffic-split", name="Traffic split")
    rewrite = factories.feature(slug="url-rewrite", name="URL rewrite")
    ConformanceMapping.objects.create(
        profile="MESH-HTTP", feature=split, note="MeshHTTPRouteWeight"
    )
    ConformanceMapping.objects.create(
        profile="MESH-HTTP", conformance_feature="MeshHTTPRouteRewritePath", feature=rewrite
    )
    import_reports(DATA)
    return implementations, split, rewrite


def test_a_passing_report_marks_a_yes_tested_with_suite_and_version(client, mapped):
    meshes, split, _rewrite = mapped
    factories.cell(meshes["linkerd"], split, level="yes")
    factories.cell(meshes["consul"], split, level="yes")  # no report: no mark
    factories.cell(meshes["istio"], split, level="no")  # nothing claimed: nothing confirmed

    proof = conformance.evidence().tested
    assert (meshes["linkerd"].pk, split.pk) in proof
    page = client.get(reverse("comparison:mesh-detail", args=["linkerd"]))
    report = ConformanceReport.objects.get(mesh__slug="linkerd")
    assert f'<a class="tested" href="{report.source_url}"' in page.content.decode()
    assert "Gateway API v1.6.2 conformance tests passed on 2.20" in page.content.decode()
    for slug in ("consul", "istio"):
        other = client.get(reverse("comparison:mesh-detail", args=[slug])).content.decode()
        assert '<a class="tested"' not in other

    data = client.get(reverse("comparison:api-meshes"), {"mesh": "linkerd"}).json()
    assert data[0]["features"]["traffic-split"]["tested"] == {
        "gateway_api_version": "v1.6.2",
        "mesh_version": "2.20",
        "date": "2026-09-09",
        "report": report.source_url,
    }
    assert data[0]["freshness"]["tested_share"] > 0


def test_a_yes_the_newest_report_contradicts_is_flagged_never_changed(client, mapped):
    meshes, _split, rewrite = mapped
    cell = factories.cell(meshes["linkerd"], rewrite, level="yes")
    factories.cell(meshes["istio"], rewrite, level="yes")  # Istio's report supports it

    problems = [p for p in lint() if p.kind == "contradicted by conformance report"]
    assert [p.where for p in problems] == ["cell linkerd/url-rewrite"]
    assert "lists MeshHTTPRouteRewritePath as unsupported (MESH-HTTP)" in problems[0].text
    cell.refresh_from_db()
    assert cell.level == "yes"
    # Istio's newest report passed the extended test for it.
    assert (meshes["istio"].pk, rewrite.pk) in conformance.evidence().tested


def test_gamma_facts_of_a_mesh_with_reports_are_read_only_in_the_admin(
    superuser_client, implementations
):
    import_reports(DATA)
    linkerd = Mesh.objects.get(slug="linkerd")
    page = superuser_client.get(reverse("admin:comparison_mesh_change", args=[linkerd.pk]))
    assert page.status_code == 200
    assert 'name="gamma_level"' not in page.content.decode()
    consul = Mesh.objects.get(slug="consul")
    page = superuser_client.get(reverse("admin:comparison_mesh_change", args=[consul.pk]))
    assert 'name="gamma_level"' in page.content.decode()


def test_the_mesh_page_lists_its_reports_newest_first(client, implementations):
    import_reports(DATA)
    page = client.get(reverse("comparison:mesh-detail", args=["istio"])).content.decode()
    newest, oldest = page.index("1.31 on Gateway API v1.6.0"), page.index("1.20 on Gateway API")
    assert newest < oldest
