"""The public comparison table at /."""

import pytest
from django.conf import settings
from django.urls import reverse

from comparison.models import Feature, Mesh, Support


def test_table_shows_real_fixture_data(client, db):
    response = client.get(reverse("comparison:matrix"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<th scope="col" class="feature-col">Feature</th>' in html
    for mesh in Mesh.objects.all():
        assert mesh.name in html
    for feature in Feature.objects.all():
        assert feature.name in html
    linkerd_mtls = Support.objects.get(mesh__slug="linkerd", feature__slug="mtls-http")
    assert linkerd_mtls.source in html
    assert f'<a class="src" href="{linkerd_mtls.source}"' in html


def test_cells_show_icon_and_text(client, db):
    html = client.get("/").content.decode()
    assert '<td class="lvl-yes"><details><summary class="lvl">Yes</summary>' in html
    assert '<summary class="lvl">Partial</summary>' in html
    # The stylesheet draws each level's icon before the word, hidden from screen readers.
    css = (settings.BASE_DIR / "static/css/portal.css").read_text()
    for level, icon in [("yes", "✓"), ("partial", "◐"), ("no", "✗"), ("unknown", "?")]:
        rule = f'td.lvl-{level} > details > .lvl::before {{ content: "{icon}"; content: "{icon}" /'
        assert rule in css


def test_post_is_not_allowed(client, db):
    assert client.post("/").status_code == 405


@pytest.mark.parametrize("persona", ["client", "editor_client", "superuser_client"])
def test_every_persona_sees_the_table(request, persona, db):
    assert request.getfixturevalue(persona).get("/").status_code == 200
