"""A release the watch saw explains itself: the admin index lists its release notes beside the
cells it most likely changed, and the changes feed has an entry for it (data from factories)."""

import datetime

import pytest
from django.urls import reverse

from comparison.conformance import import_reports
from comparison.models import ConformanceMapping, ReleaseWatch, public_changes
from comparison.watch import release_follow_ups
from tests import factories

from .test_conformance import DATA

pytestmark = pytest.mark.django_db

NOTES = "https://github.com/linkerd/linkerd2/releases/tag/version-2.21"


@pytest.fixture
def released():
    factories.clear_catalogue()
    linkerd = factories.mesh(
        slug="linkerd", name="Linkerd", conformance_implementation="linkerd/linkerd"
    )
    split = factories.feature(slug="traffic-split", name="Traffic split")
    tracing = factories.feature(slug="tracing", name="Tracing")
    retries = factories.feature(slug="retries", name="Retries")
    ConformanceMapping.objects.create(profile="MESH-HTTP", feature=split)
    import_reports(DATA)  # Linkerd's report ran on 2.20
    factories.cell(linkerd, split, level="yes")
    factories.cell(linkerd, tracing, level="yes", stage="beta")
    factories.cell(linkerd, retries, level="yes", stage="stable")
    ReleaseWatch.objects.create(
        mesh=linkerd,
        new_release="2.21.0",
        new_release_date=datetime.date(2026, 12, 1),
        new_release_url=NOTES,
    )
    return linkerd


def test_the_cells_a_release_most_likely_changed(released):
    (follow_up,) = release_follow_ups()
    assert follow_up.release == "2.21.0" and follow_up.notes_url == NOTES
    assert [(cell.feature.slug, why) for cell, why in follow_up.cells] == [
        ("tracing", "Beta in the data"),
        ("traffic-split", "tested on 2.20"),
    ]


def test_the_admin_index_shows_them_with_the_release_notes(superuser_client, released):
    page = superuser_client.get(reverse("admin:index")).content.decode()
    assert "Linkerd 2.21.0 (2026-12-01): cells to check" in page
    assert f'<a href="{NOTES}"' in page
    assert "tested on 2.20" in page and "Beta in the data" in page
    assert "Retries" not in page


def test_the_changes_feed_has_an_entry_per_release(client, released):
    # (The cleared catalogue's removals fill the unfiltered list.)
    (change,) = [c for c in public_changes(mesh="linkerd") if c.kind == "version"]
    assert (change.kind, change.new, change.source) == ("version", "2.21.0", NOTES)
    feed = client.get(reverse("comparison:changes-feed"), {"mesh": "linkerd"}).content.decode()
    assert "Linkerd: version 2.21.0 released" in feed
