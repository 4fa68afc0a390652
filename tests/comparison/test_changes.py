"""The changes page and feed: every public change, seeded with the real dated events in the data,
filterable by mesh, plain text with absolute links from SITE_URL."""

import datetime
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.formats import date_format

from comparison.models import Category, Feature, Mesh, Support, public_changes

ATOM = "{http://www.w3.org/2005/Atom}"
CHANGES = reverse("comparison:changes")
FEED = reverse("comparison:changes-feed")


def _fixture_meshes() -> list[dict]:
    path = Path(__file__).resolve().parents[2] / "fixtures/meshes.json"
    items = json.loads(path.read_text(encoding="utf-8"))
    return [item["fields"] for item in items if item["model"] == "comparison.mesh"]


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


# The dated events in the data: discontinuations (status_date) and releases
# (current_version_date, from the release notes).
DISCONTINUED = {
    (m["slug"], m["status"], _date(m["status_date"]))
    for m in _fixture_meshes()
    if m["status"] != "active"
}
RELEASES = {
    (m["slug"], m["current_version"], _date(m["current_version_date"]))
    for m in _fixture_meshes()
    if m["current_version_date"]
}


def day(*ymd: int) -> str:
    return date_format(datetime.date(*ymd), "DATE_FORMAT")


def entries(response) -> list[ET.Element]:
    assert response.status_code == 200
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def test_fresh_install_shows_the_real_dated_history(db, client):
    # Empty the catalogue and its history, then install from the fixture as a new site would.
    from tests import factories

    factories.clear_catalogue()
    for model in (Support, Mesh, Feature, Category):
        model.history.all().delete()
    call_command("import_meshes", "fixtures/meshes.json", stdout=io.StringIO())
    changes = public_changes()
    status = {(c.mesh_slug, c.new, c.date.date()) for c in changes if c.kind == "status"}
    assert status == DISCONTINUED
    releases = {(c.mesh_slug, c.new, c.date.date()) for c in changes if c.kind == "version"}
    assert releases == RELEASES
    assert {c.kind for c in changes} == {"status", "version"}, "loading the data is not news"
    assert [c.date for c in changes] == sorted((c.date for c in changes), reverse=True)
    page = client.get(CHANGES).content.decode()
    assert f"AWS App Mesh: End of life since {day(2026, 9, 30)}" in page
    assert "Amazon ECS Service Connect (ECS); Amazon VPC Lattice (EKS)" in page
    assert f"Open Service Mesh: Archived since {day(2023, 7, 10)}" in page
    assert ("open-service-mesh", "archived", datetime.date(2023, 7, 10)) in DISCONTINUED
    assert "Istio (sidecar mode): version 1.31.1 released" in page
    assert "Nothing has changed yet" not in page


def test_changes_page_filters_by_mesh(client, db):
    response = client.get(CHANGES + "?mesh=aws-app-mesh")
    assert {c.mesh_slug for c in response.context["changes"]} == {"aws-app-mesh"}
    linkerd = client.get(CHANGES + "?mesh=linkerd").context["changes"]
    version = Mesh.objects.get(slug="linkerd").current_version
    assert [(c.kind, c.new) for c in linkerd] == [("version", version)]
    assert client.get(CHANGES + "?mesh=no-such-mesh").status_code == 400
    assert [
        e.find(f"{ATOM}title").text for e in entries(client.get(FEED + "?mesh=traefik-mesh"))
    ] == [
        f"Status: Traefik Mesh: No longer developed since {day(2026, 2, 24)}",
        "New version: Traefik Mesh: version 1.4.8 (final) released",
    ]
    assert client.get(FEED + "?mesh=no-such-mesh").status_code == 400


def test_every_kind_of_public_change_is_listed(db):
    # A mesh whose release date is not known: the edit itself dates the new version.
    consul = Mesh.objects.get(slug="consul")
    assert consul.current_version_date is None
    consul.current_version = "2.1.1"
    consul.save()
    cell = Support.objects.get(mesh=consul, feature__slug="grpc")
    cell.level, cell.note = "partial", "Only unary calls."
    cell.save()
    new = Mesh.objects.create(
        slug="new-mesh",
        name="New Mesh",
        summary="x",
        licence="Apache-2.0",
        developer="x",
        proxy="Envoy",
        data_plane="sidecar",
        platforms="kubernetes_only",
        maturity="very_new",
        cncf_status="none",
    )
    new.delete()
    feature = Feature.objects.create(
        slug="new-feature", name="New feature", category=Category.objects.first(), description="x"
    )
    kinds = [(c.kind, c.mesh_slug or c.feature_slug) for c in public_changes()]
    assert kinds[:5] == [
        ("feature_added", "new-feature"),
        ("mesh_removed", "new-mesh"),
        ("mesh_added", "new-mesh"),
        ("level", "consul"),
        ("version", "consul"),
    ]
    titles = {c.kind: f"{c.kind_label}: {c.summary}" for c in public_changes()}
    assert titles["mesh_added"] == "New mesh: New Mesh"
    assert titles["feature_added"] == "New feature: New feature"
    version = next(c for c in public_changes() if c.kind == "version")
    assert version.summary == "Consul: version 2.1.0 → 2.1.1"
    assert [c.kind for c in public_changes(mesh="consul")] == ["level", "version"]
    assert feature.pk


def test_feed_links_come_from_site_url_never_from_host(client, db, settings):
    settings.SITE_URL = "https://meshes.example.org"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    response = client.get(FEED, HTTP_HOST="evil.example")
    body = response.content.decode()
    assert "evil.example" not in body
    root = ET.fromstring(response.content)
    links = [link.get("href") for link in root.iter(f"{ATOM}link")]
    assert links and all(link.startswith("https://meshes.example.org/") for link in links)
    assert "https://meshes.example.org/meshes/aws-app-mesh/" in links, (
        "each entry links to its mesh"
    )


def test_feed_entries_are_escaped_text(client, db):
    cell = Support.objects.get(mesh__slug="kuma", feature__slug="grpc")
    cell.level, cell.note = "partial", '<script>alert("x")</script> <b>unary</b> only'
    cell.save()
    entry = entries(client.get(FEED))[0]
    summary = entry.find(f"{ATOM}summary")
    # A text summary: the reader shows the note's characters and never reads them as HTML.
    assert summary.get("type") == "text"
    assert '<script>alert("x")</script>' in summary.text
    page = client.get(CHANGES).content.decode()
    assert "&lt;script&gt;" in page and '<script>alert("x")' not in page


@pytest.mark.parametrize(
    "origin", ["meshes.example.org", "https://meshes.example.org/portal", "ftp://x"]
)
def test_site_url_must_be_an_origin(origin):
    import os
    import subprocess
    import sys

    from django.conf import settings

    result = subprocess.run(
        [sys.executable, "-c", "import portal.settings as s; print(s.SITE_URL)"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DEBUG": "true", "SITE_URL": origin},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "SITE_URL" in result.stderr
