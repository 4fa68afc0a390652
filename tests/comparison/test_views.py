"""comparison/views.py: the public pages (mesh and feature pages, the table) and their
addresses."""

from comparison.choices import GammaLevel
from comparison.models import Mesh


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
