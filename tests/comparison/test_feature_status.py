"""Istio's feature status file (the real file in tests/comparison/data/istio) sets the stage and,
where Istio's release announcement says so, the since-version of the cells its map names."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from comparison.feature_status import FeatureStatusError, import_feature_status, parse_features
from comparison.models import Support
from tests import factories

pytestmark = pytest.mark.django_db

FEATURES = Path(__file__).parent / "data" / "istio" / "features.yaml"
FILE_URL = (
    "https://github.com/istio/enhancements/blob/540989c1d980e66d1b270cddc04207d201e37891/"
    "features.yaml"
)
ANNOUNCEMENT = "https://istio.io/latest/news/releases/1.24.x/announcing-1.24/"


def test_the_file_is_read_with_its_maturities():
    stages = parse_features(FEATURES.read_text())
    assert stages[("security.authorization", "Authorization")] == "stable"
    assert stages[("ambient.ztunnel", "ztunnel: Core")] == "stable"
    # Istio's "Experimental" is the portal's alpha.
    assert "alpha" in stages.values() and "experimental" not in stages.values()


@pytest.fixture
def cells(tmp_path):
    factories.clear_catalogue()
    sidecar = factories.mesh(slug="istio-sidecar", name="Istio")
    ambient = factories.mesh(slug="istio-ambient", name="Istio ambient")
    authz = factories.feature(slug="authz-policies", name="Authorization")
    node = factories.feature(slug="node-proxy", name="Node proxy")
    factories.cell(sidecar, authz, level="yes", stage="beta", since_version="1.4")
    factories.cell(ambient, node, level="yes")
    factories.cell(sidecar, node, level="no", note="Sidecars only.")
    mapping = {
        "repository": "https://github.com/istio/enhancements",
        "path": "features.yaml",
        "commit": "540989c1d980e66d1b270cddc04207d201e37891",
        "features": [
            {
                "id": "security.authorization",
                "name": "Authorization",
                "feature": "authz-policies",
                "meshes": ["istio-sidecar"],
                "reached_in": "",
                "reached_source": "",
            },
            {
                "id": "ambient.ztunnel",
                "name": "ztunnel: Core",
                "feature": "node-proxy",
                "meshes": ["istio-ambient", "istio-sidecar"],
                "reached_in": "1.24",
                "reached_source": ANNOUNCEMENT,
            },
        ],
    }
    path = tmp_path / "map.json"
    path.write_text(json.dumps(mapping))
    return path, mapping


def cell(mesh, feature):
    return Support.objects.get(mesh__slug=mesh, feature__slug=feature)


def test_stages_and_since_versions_come_from_the_file_and_the_announcement(client, cells):
    path, _mapping = cells
    result = import_feature_status(FEATURES, path)
    authz = cell("istio-sidecar", "authz-policies")
    # Promoted to stable: the old since-version named the version that brought beta.
    assert (authz.stage, authz.since_version, authz.stage_source) == ("stable", "", FILE_URL)
    ztunnel = cell("istio-ambient", "node-proxy")
    assert (ztunnel.stage, ztunnel.since_version, ztunnel.stage_source) == (
        "stable",
        "1.24",
        ANNOUNCEMENT,
    )
    # A "no" is never turned into support.
    assert cell("istio-sidecar", "node-proxy").stage == ""
    assert result.skipped == 1 and result.changed == 2
    assert authz.history.first().history_change_reason == "Stage from Istio's feature status file"
    again = import_feature_status(FEATURES, path)
    assert (again.changed, again.unchanged) == (0, 2)
    page = client.get(reverse("comparison:feature-detail", args=["node-proxy"])).content.decode()
    assert f'<a href="{ANNOUNCEMENT}" rel="noopener noreferrer external">1.24</a>' in page


def test_dry_run_writes_nothing(cells):
    path, _mapping = cells
    result = import_feature_status(FEATURES, path, dry_run=True)
    assert result.changed == 2
    assert cell("istio-sidecar", "authz-policies").stage == "beta"


def test_a_map_naming_an_entry_the_file_lacks_writes_nothing(cells):
    path, mapping = cells
    mapping["features"][1]["id"] = "ambient.gone"
    path.write_text(json.dumps(mapping))
    with pytest.raises(FeatureStatusError, match="the file has no entry ztunnel: Core"):
        import_feature_status(FEATURES, path)
    assert cell("istio-sidecar", "authz-policies").stage == "beta"


def test_a_broken_file_is_refused(cells, tmp_path):
    path, _mapping = cells
    broken = tmp_path / "features.yaml"
    broken.write_text(FEATURES.read_text().replace("maturity: Stable", "maturity: Shiny", 1))
    with pytest.raises(CommandError, match=r"Nothing imported: .*unknown maturity “Shiny”"):
        call_command("import_feature_status", str(broken), str(path))
    broken.write_text("features: [\n")
    with pytest.raises(CommandError, match="not valid YAML"):
        call_command("import_feature_status", str(broken), str(path))
    assert cell("istio-sidecar", "authz-policies").stage == "beta"
