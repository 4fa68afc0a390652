"""fixtures/meshes.json: real, complete and sourced."""

import json
import re
from pathlib import Path

from django.conf import settings

from comparison.models import Feature, Level, Mesh, Support
from comparison.sources import mirror_host

from .conftest import fixture_items

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "meshes.json"
REQUIRED_MESHES = {
    "openshift-service-mesh",
    "kmesh",
    "aks-istio-addon",
    "buoyant-enterprise-linkerd",
    "solo-enterprise-for-istio",
    "istio-sidecar",
    "istio-ambient",
    "linkerd",
    "consul",
    "kuma",
    "kong-mesh",
    "cilium",
    "traefik-mesh",
    "open-service-mesh",
    "aws-app-mesh",
    "nginx-service-mesh",
    "google-cloud-service-mesh",
}
REQUIRED_CATEGORIES = {
    "proxy-platform",
    "smi",
    "routing",
    "resilience",
    "chaos",
    "security",
    "observability",
}


def test_fixture_is_valid_json_with_natural_keys():
    objects = json.loads(FIXTURE.read_text())
    assert all("pk" not in obj for obj in objects), "rows are named by slug, not by id"


def test_fixture_loads_into_an_empty_database_with_a_cell_for_every_pair(db):
    from django.core.management import call_command

    from comparison.models import Category
    from tests import factories

    factories.clear_catalogue()
    assert not Category.objects.exists()
    call_command("loaddata", "meshes", verbosity=0)
    meshes, features = Mesh.objects.count(), Feature.objects.count()
    assert set(Mesh.objects.values_list("slug", flat=True)) >= REQUIRED_MESHES
    assert features >= 35
    assert Support.objects.count() == meshes * features
    categories = set(Feature.objects.values_list("category__slug", flat=True))
    assert categories >= REQUIRED_CATEGORIES


def test_fixture_loads_twice_without_duplicates(db):
    from django.core.management import call_command

    before = Support.objects.count()
    call_command("loaddata", "meshes", verbosity=0)
    assert Support.objects.count() == before


def test_every_yes_partial_no_has_a_source_and_partial_a_note(db):
    decided = Support.objects.exclude(level=Level.UNKNOWN)
    assert decided.count() > 400
    assert not decided.filter(source="").exists()
    assert not decided.exclude(source__startswith="https://").exists()
    assert not Support.objects.filter(level=Level.PARTIAL, note="").exists()


def test_discontinued_products_carry_status_date_and_source(db):
    gone = Mesh.objects.discontinued()
    assert set(gone.values_list("slug", flat=True)) >= {
        "open-service-mesh",
        "aws-app-mesh",
        "nginx-service-mesh",
    }
    for mesh in gone:
        assert mesh.status_date and mesh.status_source.startswith("https://"), mesh.slug
        assert mesh.maturity == Mesh.Maturity.DISCONTINUED


def test_every_feature_has_a_rubric(db):
    assert not Feature.objects.filter(description="").exists()


def test_decision_facts_are_sourced_and_consistent(db):
    """Every fact that says something names the page it was read on (the one declaration of
    the facts, comparison/facts.py, which the decision's inputs read too)."""
    from comparison.facts import MESH_FACTS

    for mesh in Mesh.objects.all():
        assert mesh.cncf_source.startswith("https://"), mesh.slug
        for fact in MESH_FACTS:
            if fact.has_value(mesh):
                assert getattr(mesh, fact.source).startswith("https://"), (mesh.slug, fact.name)
        # Running without Kubernetes means somewhere outside it to run on.
        if mesh.runs_without_kubernetes:
            assert mesh.orchestrator_set, mesh.slug
        if mesh.bound_to_cloud:
            assert mesh.bound_to_cloud in mesh.cloud_set, mesh.slug
        # A platform's networking service may not name the software of its data plane.
        assert mesh.proxy_family or mesh.kind == "platform_networking", mesh.slug
        assert mesh.builds_on, mesh.slug
        # The table's coarse platform filter agrees with the two precise facts.
        # (Workloads on another orchestrator, e.g. ECS tasks joining the mesh, count too.)
        beyond = bool(
            mesh.runs_without_kubernetes or mesh.kubernetes_vm_workloads or mesh.orchestrator_set
        )
        # "Outside Kubernetes only" (ECS Service Connect) is beyond it too, without it.
        assert (mesh.platforms != "kubernetes_only") == beyond, mesh.slug


def test_every_active_mesh_has_a_traffic_split_for_the_one_task(db):
    for mesh in Mesh.objects.active():
        # A distribution without a snippet of its own takes its upstream's.
        assert mesh.split_source.startswith("https://"), mesh.slug
        # The task: Deployments and Services exist; no snippet re-declares a Service.
        split = mesh.split_yaml
        assert not re.search(r"^kind: Service$", split, re.M), mesh.slug
        weights = "weight: 90" in split and "weight: 10" in split
        # ECS shifts 10% to the new version during a canary deployment, not by route weights.
        canary = '"canaryPercent": 10.0' in split
        assert weights or canary, mesh.slug


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
