"""fixtures/meshes.json: real, complete and sourced."""

import json
from pathlib import Path

from django.conf import settings

from comparison.models import Feature, Level, Mesh, Support

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "meshes.json"
REQUIRED_MESHES = {
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
    "gloo-mesh",
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

    Support.objects.all().delete()
    Mesh.objects.all().delete()
    Feature.objects.all().delete()
    Category.objects.all().delete()
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
