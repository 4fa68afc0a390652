"""Reading the data comfortably: facts rows, density and notes, feature pages, exports, sitemap."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from markupsafe import escape as table_escape

from comparison.matrix import FACTS
from comparison.models import Feature, Level, Mesh, Support

TABLE = reverse("comparison:matrix")
CSV = reverse("comparison:export-csv")
API = reverse("comparison:api-meshes")


def fact_row_ids(html: str) -> list[str]:
    return re.findall(r'<tr id="fact-([a-z-]+)"', html)


# Facts rows ----------------------------------------------------------------------------------


def test_facts_rows_lead_the_table_once_unfolded(client, db):
    html = client.get(TABLE, {"status": "all", "facts": "show"}).content.decode()
    assert fact_row_ids(html) == [fact.slug for fact in FACTS]
    assert html.index('id="fact-status"') < html.index('id="feature-')
    consul = Mesh.objects.get(slug="consul")
    assert "BUSL-1.1" in html and consul.licence == "BUSL-1.1"
    status_row = html[html.index('id="fact-status"') : html.index('id="fact-maturity"')]
    assert "End of life" in status_row and "Archived" in status_row


def test_facts_rows_start_folded_and_a_search_finds_them(client, db):
    # Folded by default, so the first screen shows features; `facts=hide` is that default.
    assert fact_row_ids(client.get(TABLE).content.decode()) == []
    assert fact_row_ids(client.get(TABLE, {"facts": "hide"}).content.decode()) == []
    html = client.get(TABLE, {"q": "licence"}).content.decode()
    assert fact_row_ids(html) == ["licence"]
    assert 'id="feature-' not in html
    # A search that names features shows those rows only, and no facts.
    html = client.get(TABLE, {"q": "mtls"}).content.decode()
    assert fact_row_ids(html) == [] and 'id="feature-mtls-http"' in html
    # A search for a mesh keeps every row (the facts as folded or unfolded as before).
    html = client.get(TABLE, {"q": "linkerd", "facts": "show"}).content.decode()
    assert fact_row_ids(html) == [fact.slug for fact in FACTS]


def test_only_differences_keeps_the_facts_that_differ(client, db):
    query = {"mesh": ["istio-sidecar", "istio-ambient"], "diff": "true", "facts": "show"}
    html = client.get(TABLE, query)
    ids = fact_row_ids(html.content.decode())
    assert "data-plane" in ids and "licence" not in ids and "cncf" not in ids


def test_compare_has_the_facts_rows_and_more(client, db):
    html = client.get(reverse("comparison:compare"), {"mesh": ["consul", "linkerd"]})
    ids = fact_row_ids(html.content.decode())
    assert ids[: len(FACTS)] == [fact.slug for fact in FACTS]
    assert {"developer", "proxy", "platforms", "traffic-split"} <= set(ids)


def test_bad_view_options_are_400(client, db):
    for query in [{"density": "huge"}, {"notes": "maybe"}, {"facts": "some"}]:
        assert client.get(TABLE, query).status_code == 400


# Density and notes ---------------------------------------------------------------------------


def test_compact_cells_keep_limit_notes_and_source_behind_the_level(client, db):
    shown = (
        Support.objects.exclude(note="")
        .exclude(source="")
        .filter(mesh__status="active", mesh__kind="service_mesh")
    )
    html = client.get(TABLE).content.decode()
    assert '<table class="matrix">' in html
    # A note on what is partial, missing or unknown stays in the compact cell, behind the level.
    for level in [Level.PARTIAL, Level.NO]:
        cell = shown.filter(level=level)[0]
        assert (
            f'<details><summary class="lvl">{cell.get_level_display()}</summary>'
            f'<p class="note">{table_escape(cell.note)}</p>'
            f'<a class="src" href="{table_escape(cell.source)}"'
        ) in html
    # A "yes" cell keeps its source there; its note is on the fuller views.
    cell = shown.filter(level=Level.YES)[0]
    assert table_escape(cell.note) not in html
    assert (
        f'<details><summary class="lvl">{cell.get_level_display()}</summary>'
        f'<a class="src" href="{table_escape(cell.source)}"'
    ) in html
    limit_notes = Support.objects.filter(mesh__status="active", mesh__kind="service_mesh").exclude(
        note=""
    )
    assert html.count('<p class="note">') == limit_notes.exclude(level=Level.YES).count()
    assert "“Show notes” puts every note in the table" in html
    for page in [
        client.get(TABLE, {"notes": "true"}),
        client.get(reverse("comparison:feature-detail", args=[cell.feature.slug])),
        client.get(reverse("comparison:compare"), {"mesh": [cell.mesh.slug, "linkerd"]}),
    ]:
        assert escape(cell.note) in page.content.decode()
    # The compare page is small: its compact cells keep every note.
    compare = client.get(reverse("comparison:compare"), {"mesh": [cell.mesh.slug, "linkerd"]})
    assert "“Show notes” puts every note" not in compare.content.decode()


def test_show_notes_puts_every_note_in_its_cell(client, db):
    html = client.get(TABLE, {"notes": "true"}).content.decode()
    assert '<table class="matrix is-comfortable with-notes">' in html
    assert '<td class="lvl-' in html and '<details><summary class="lvl">' not in html
    notes = Support.objects.filter(mesh__status="active", mesh__kind="service_mesh").exclude(
        note=""
    )
    assert html.count('<p class="note">') == notes.count()
    # The toggle is a plain link that keeps the other parameters.
    assert 'href="?notes=true"' in client.get(TABLE).content.decode()
    with_notes = client.get(TABLE, {"must": "grpc", "notes": "true"}).content.decode()
    assert 'href="?must=grpc"' in with_notes


def test_comfortable_density_is_kept_in_the_url(client, db):
    html = client.get(TABLE, {"density": "comfortable"}).content.decode()
    assert '<table class="matrix is-comfortable">' in html
    assert 'id="density-comfortable" checked' in html


def test_filters_summary_counts_what_is_active(client, db):
    html = client.get(TABLE).content.decode()
    assert re.search(r'<span id="active-count" class="count">\s*</span>', html)
    html = client.get(TABLE, {"must": ["grpc", "mtls-tcp"], "notes": "true"}).content.decode()
    assert "(3 active)" in html
    # An htmx swap brings the new count along (out of band).
    html = client.get(TABLE, {"must": "grpc"}, headers={"HX-Request": "true"}).content.decode()
    assert 'data-hx-swap-oob="true">(1 active)' in html


# Feature pages -------------------------------------------------------------------------------


def test_feature_page_groups_every_mesh_by_level(client, db):
    feature = Feature.objects.get(slug="fault-injection")
    response = client.get(feature.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(feature.description) in html
    positions = [html.index(f'id="level-{level}"') for level in Level.values]
    assert positions == sorted(positions)
    for cell in Support.objects.filter(feature=feature).select_related("mesh"):
        section = html[html.index(f'id="level-{cell.level}"') :]
        assert escape(cell.mesh.name) in section
        if cell.note:
            assert escape(cell.note) in html
        if cell.source:
            assert f'href="{cell.source}"' in html


def test_every_row_header_links_its_feature_page(client, db):
    html = client.get(TABLE).content.decode()
    for feature in Feature.objects.all():
        assert f'<a class="feature-name" href="{feature.get_absolute_url()}">' in html
    german = client.get("/de/").content.decode()
    assert 'href="/de/features/mtls-http/"' in german


def test_feature_page_in_german_and_unknown_feature(client, db):
    feature = Feature.objects.exclude(name_de="").first()
    html = client.get(f"/de/features/{feature.slug}/").content.decode()
    assert '<html lang="de">' in html and escape(feature.name_de) in html
    assert client.get("/features/no-such-feature/").status_code == 404


def test_feature_page_query_count(client, db, django_assert_max_num_queries):
    # The cells with their meshes, and the conformance evidence (mappings, reports).
    with django_assert_max_num_queries(4):
        assert client.get("/features/grpc/").status_code == 200


def test_sitemap_lists_both_languages(client, db):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    for feature in Feature.objects.all():
        assert f"http://testserver/features/{feature.slug}/</loc>" in xml
        assert f"http://testserver/de/features/{feature.slug}/</loc>" in xml
    assert "http://testserver/de/meshes/linkerd/</loc>" in xml
    assert 'hreflang="de" href="http://testserver/de/"' in xml


# Exports -------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff"), "spreadsheets need the byte-order mark to read UTF-8"
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_csv_has_facts_rows_and_a_telling_name(client, db):
    response = client.get(CSV, {"must": ["mtls-tcp"], "status": "all"})
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="service-meshes-{today}-mtls-tcp.csv"'
    )
    rows = read_csv(response)
    assert rows[0][:3] == ["Category", "Feature (key)", "Feature"]
    facts = {row[1]: row for row in rows[1 : 1 + len(FACTS)]}
    assert list(facts) == [fact.slug for fact in FACTS]
    names = rows[0][3::4]
    assert facts["licence"][3 + 4 * names.index("Consul")] == "BUSL-1.1"
    assert "…" in response.content.decode() or "–" in response.content.decode()


def test_csv_speaks_the_page_language(client, db):
    response = client.get("/de" + CSV)
    assert "service-meshes-de-" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:3] == ["Kategorie", "Feature (Schlüssel)", "Feature"]
    levels = {cell for row in rows[1 + len(FACTS) :] for cell in row[3::4]}
    assert levels <= {"Ja", "Teilweise", "Nein", "Unbekannt"} and "Ja" in levels
    mtls = next(row for row in rows if row[1] == "mtls-http")
    assert mtls[2] == Feature.objects.get(slug="mtls-http").name_de


# Links and small things ----------------------------------------------------------------------


def test_successors_link_to_their_docs(client, db):
    html = client.get("/meshes/aws-app-mesh/").content.decode()
    assert (
        '<a href="https://docs.aws.amazon.com/vpc-lattice/latest/ug/what-is-vpc-lattice.html" '
        'rel="noopener noreferrer external">Amazon VPC Lattice</a>'
    ) in html
    data = {m["slug"]: m for m in client.get(API, {"status": "all"}).json()}
    assert [link["name"] for link in data["aws-app-mesh"]["successor_links"]] == [
        "Amazon ECS Service Connect",
        "Amazon VPC Lattice",
    ]
    assert data["linkerd"]["successor_links"] == []


@pytest.mark.parametrize(
    "links",
    [
        "Istio without an address",
        [{"name": "Istio"}],
        [{"name": "Istio", "url": "ftp://istio.io"}],
        [{"name": " ", "url": "https://istio.io"}],
        [{"name": "Istio", "url": "https://istio.io", "extra": 1}],
    ],
)
def test_successor_links_are_validated(db, links):
    from django.core.exceptions import ValidationError

    mesh = Mesh.objects.get(slug="open-service-mesh")
    mesh.successor_links = links
    with pytest.raises(ValidationError, match="name"):
        mesh.full_clean()


@pytest.mark.parametrize(
    ("field", "value"),
    [("clouds", "aws,gcp"), ("clouds", ["aws", "aws"]), ("orchestrators", ["mars"])],
)
def test_list_facts_hold_distinct_known_values(db, field, value):
    from django.core.exceptions import ValidationError

    mesh = Mesh.objects.get(slug="consul")
    setattr(mesh, field, value)
    with pytest.raises(ValidationError, match="A list of distinct values"):
        mesh.full_clean()


def test_htmx_attributes_use_the_valid_data_form(client, db, wizard):
    for url in [TABLE, reverse("questionnaire:start")]:
        html = client.get(url).content.decode()
        assert " hx-" not in html and " data-hx-" in html


def test_long_mesh_names_wrap_in_the_tier_chart(client, db):
    html = client.get(reverse("comparison:overview")).content.decode()
    assert "Google Cloud Service Mesh" in html
    assert "Google Cloud Service …" not in html
    assert re.search(r"<tspan[^>]*>Google Cloud Service</tspan><tspan[^>]*>Mesh</tspan>", html)


def test_result_page_says_date_and_time_in_german(client, db, wizard):
    stored = wizard.complete()
    html = client.get(stored.get_absolute_url()).content.decode()
    assert re.search(r"Answered on \w+\.? \d{1,2}, \d{4} at \d{2}:\d{2} UTC", html)
    html = client.get("/de" + stored.get_absolute_url()).content.decode()
    assert re.search(r"Beantwortet am \d{1,2}\. \w+ \d{4} um \d{2}:\d{2} UTC", html)


def test_cell_notes_and_sources_are_escaped(client, db):
    hostile_note = """<script>alert("x")</script> & 'quoted' <b>bold</b>"""
    hostile_source = """https://example.org/a?b=1&c="2"'><script>"""
    cell = Support.objects.filter(mesh__slug="linkerd", level=Level.PARTIAL)[0]
    Support.objects.filter(pk=cell.pk).update(note=hostile_note, source=hostile_source)
    for query in [{}, {"notes": "true"}]:
        html = client.get(TABLE, query).content.decode()
        assert "<script>" not in html.split("<body", 1)[1].replace('<script src="', "")
        # The table's body is a Jinja2 template (markupsafe writes quotes as &#34; and &#39;).
        assert (
            "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;quoted&#39; "
            "&lt;b&gt;bold&lt;/b&gt;"
        ) in html
        escaped_source = "https://example.org/a?b=1&amp;c=&#34;2&#34;&#39;&gt;&lt;script&gt;"
        assert f'href="{escaped_source}"' in html
