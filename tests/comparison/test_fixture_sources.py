"""The shipped data and its machine-readable sources agree: the fixture's GAMMA facts, "tested"
marks, release lines and Istio stages are what the importers make of fixtures/sources/."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from comparison.conformance import evidence, gamma_facts, newest_mesh_report
from comparison.models import ConformanceReport, Mesh, ReleaseCycle
from comparison.sources import mirror_host

pytestmark = pytest.mark.django_db


def test_refreshing_every_source_offline_changes_nothing():
    out = io.StringIO()
    call_command("refresh_sources", "--offline", stdout=out)
    text = out.getvalue()
    assert "Imported 0 new and 0 changed report(s)" in text
    assert "Added 0 and changed 0 release cycle(s)" in text
    assert "Changed 0 cell(s)" in text
    assert "Every source is refreshed." in text


def test_gamma_facts_are_derived_from_the_newest_report():
    with_reports = Mesh.objects.exclude(conformance_implementation="")
    assert {mesh.slug for mesh in with_reports} == {
        "istio-sidecar",
        "cilium",
        "linkerd",
        "buoyant-enterprise-linkerd",
        "kuma",
    }
    for mesh in with_reports:
        report = newest_mesh_report(mesh)
        assert report is not None, mesh.slug
        for name, value in gamma_facts(report).items():
            assert getattr(mesh, name) == value, (mesh.slug, name)


def test_every_report_is_kept_with_its_file_and_commit():
    manifest = json.loads((settings.SOURCES_DIR / "gateway-api" / "SOURCES.json").read_text())
    for report in ConformanceReport.objects.all():
        commit = manifest["files"][report.source_path]
        assert report.source_commit == commit
        assert (settings.SOURCES_DIR / "gateway-api" / report.source_path).is_file()
        assert report.source_url.endswith(f"/blob/{commit}/{report.source_path}")


def test_reports_mark_cells_tested():
    tested = evidence().tested
    assert len(tested) >= 20
    linkerd = Mesh.objects.get(slug="linkerd")
    assert any(mesh_id == linkerd.pk for mesh_id, _feature in tested)


def test_release_lines_cite_first_hand_pages():
    cycles = list(ReleaseCycle.objects.select_related("mesh"))
    assert {c.mesh.slug for c in cycles} >= {
        "istio-sidecar",
        "cilium",
        "kuma",
        "consul",
        "kong-mesh",
    }
    for cycle in cycles:
        assert cycle.source.startswith("https://") and not mirror_host(cycle.source), cycle
    for mesh in Mesh.objects.filter(status=Mesh.Status.ACTIVE):
        assert not mesh.out_of_support, mesh.slug


def test_the_sources_folder_is_the_default():
    assert Path(settings.SOURCES_DIR).name == "sources"
