"""The table's body as the Jinja2 template renders it (templates/jinja2/comparison/
matrix_rows.html): each kind of cell and row, escaped, in English and German (data built with
factories)."""

import datetime

import jinja2
import pytest
from django.template import engines
from django.template.backends.jinja2 import Jinja2
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from comparison.matrix import Cell, build_matrix, month_year
from comparison.models import Feature, Mesh, Support
from tests import factories

pytestmark = pytest.mark.django_db

TABLE = reverse("comparison:matrix")
HOSTILE_NOTE = """<script>alert("x")</script> & "quoted" 'too'"""
HOSTILE_SOURCE = """https://example.org/a?b=1&c="2"'><script>"""
# As markupsafe escapes them: quotes as &#34; and &#39;, which read as Django's &quot; and &#x27;.
ESCAPED_NOTE = (
    "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quoted&#34; &#39;too&#39;"
)
ESCAPED_SOURCE = "https://example.org/a?b=1&amp;c=&#34;2&#34;&#39;&gt;&lt;script&gt;"
LONG_AGO = datetime.date(2020, 1, 15)


@pytest.fixture
def table():
    """Three columns (Distro, Other, Upstream) by two rows (Retries, Traffic split)."""
    factories.clear_catalogue()
    upstream = factories.mesh(slug="upstream", name="Upstream", current_version="2.4.1")
    retries = factories.feature(slug="retries", name="Retries", name_de="Wiederholungen")
    split = factories.feature(slug="split", name="Traffic split")
    factories.cell(upstream, retries, level="partial", note=HOSTILE_NOTE, source=HOSTILE_SOURCE)
    factories.cell(
        upstream,
        split,
        level="yes",
        stage="beta",
        since_version="1.27",
        last_verified=LONG_AGO,
    )
    # A distribution made after its upstream's cells were set: both of its cells follow them.
    factories.mesh(slug="distro", name="Distro", upstream=upstream, upstream_version="2.4")
    other = factories.mesh(slug="other", name="Other")
    factories.cell(other, split, level="yes")
    # A cell missing from the database (between an editor's save and the fill): never verified.
    Support.objects.filter(mesh=other, feature=retries).delete()
    return upstream, other


def suggest(mesh: str, feature: str, words: str, prefix: str = "") -> str:
    """A cell's correction link; `prefix` is the language's ("/de")."""
    return (
        f'<a class="suggest" rel="nofollow" href="{prefix}/suggest/?mesh={mesh}'
        f'&amp;feature={feature}"><span class="visually-hidden">{words}</span></a>'
    )


def test_notes_and_sources_are_escaped(client, table):
    for query in [{}, {"notes": "true"}]:
        response = client.get(TABLE, query)
        html = response.content.decode()
        assert "<script>alert" not in html
        # The upstream's cell and the distribution's copy of it.
        assert html.count(f'<p class="note">{ESCAPED_NOTE}</p>') == 2
        assert html.count(f'<a class="src" href="{ESCAPED_SOURCE}"') == 2
        # The same text as Django's templates escape it.
        assertInHTML(f'<p class="note">{escape(HOSTILE_NOTE)}</p>', html, count=2)


def test_a_compact_table(client, table):
    response = client.get(TABLE)
    html = response.content.decode()
    # Differing values mark the row (the missing cell reads as unknown).
    assertContains(response, '<tr id="feature-retries" class="differs">')
    assertInHTML(
        '<th scope="row" class="feature-col"><a class="feature-name" href="/features/retries/">'
        'Retries</a> <span class="differs-mark">≠<span class="visually-hidden"> values differ'
        "</span></span></th>",
        html,
    )
    # A note on what is partial stays in the compact cell, behind the level, before the source.
    assertInHTML(
        '<td class="lvl-partial"><details><summary class="lvl">Partial</summary>'
        f'<p class="note">{ESCAPED_NOTE}</p>'
        f'<a class="src" href="{ESCAPED_SOURCE}" rel="noopener noreferrer external">source</a>'
        f"</details>{suggest('upstream', 'retries', 'Suggest a correction for Upstream, Retries')}"
        "</td>",
        html,
    )
    # Stale, beta since 1.27: the stage words in the disclosure, the marker and date below it.
    assertInHTML(
        '<td class="lvl-yes is-stale"><details><summary class="lvl">Yes</summary>'
        '<p class="stage-since">Beta, since 1.27</p>'
        '<a class="src" href="https://docs.example.org/upstream/split" '
        'rel="noopener noreferrer external">source</a></details>'
        ' <span class="stage stage-beta">beta</span>'
        '<span class="stale-mark"><span class="stale-icon" aria-hidden="true"></span>'
        "stale: verified Jan 2020</span>"
        f"{suggest('upstream', 'split', 'Suggest a correction for Upstream, Traffic split')}</td>",
        html,
    )
    # The distribution's copy is as stale, and names and links the upstream it follows.
    assertInHTML(
        '<td class="lvl-yes is-stale is-inherited"><details><summary class="lvl">Yes</summary>'
        '<p class="stage-since">Beta, since 1.27</p>'
        '<p class="inherited-from">as upstream <a href="/meshes/upstream/#feature-split">'
        "Upstream</a> 2.4</p>"
        '<a class="src" href="https://docs.example.org/upstream/split" '
        'rel="noopener noreferrer external">source</a></details>'
        ' <span class="stage stage-beta">beta</span>'
        '<span class="stale-mark"><span class="stale-icon" aria-hidden="true"></span>'
        "stale: verified Jan 2020</span>"
        f"{suggest('distro', 'split', 'Suggest a correction for Distro, Traffic split')}</td>",
        html,
    )
    # A recent "yes" with a source and nothing else to say.
    assertInHTML(
        '<td class="lvl-yes"><details><summary class="lvl">Yes</summary>'
        '<a class="src" href="https://docs.example.org/other/split" '
        'rel="noopener noreferrer external">source</a></details>'
        f"{suggest('other', 'split', 'Suggest a correction for Other, Traffic split')}</td>",
        html,
    )


def test_a_cell_never_verified_is_stale(client, table):
    _upstream, other = table
    html = client.get(TABLE).content.decode()
    assertInHTML(
        '<td class="lvl-unknown is-stale"><span class="lvl">Unknown</span>'
        '<span class="stale-mark"><span class="stale-icon" aria-hidden="true"></span>'
        "may be stale</span>"
        f"{suggest('other', 'retries', 'Suggest a correction for Other, Retries')}</td>",
        html,
    )
    # The one staleness rule, in the counts and exports as in the table.
    matrix = build_matrix([other])
    missing = next(row for row in matrix.rows if row.feature.slug == "retries").cells[0]
    assert missing.last_verified is None and missing.is_stale
    assert matrix.stale_count(other) == 1
    assert Cell(other, missing.feature, last_verified=None).is_stale
    assertContains(client.get(other.get_absolute_url()), "1 cell is stale.")


def test_notes_shown(client, table):
    html = client.get(TABLE, {"notes": "true", "density": "comfortable"}).content.decode()
    # Level, marker, then source and notes in the open.
    assertInHTML(
        '<td class="lvl-yes is-stale"><span class="lvl">Yes</span>'
        ' <span class="stage stage-beta">beta</span> '
        '<a class="src" href="https://docs.example.org/upstream/split" '
        'rel="noopener noreferrer external">source</a>'
        '<p class="stage-since">Beta, since 1.27</p>'
        '<span class="stale-mark"><span class="stale-icon" aria-hidden="true"></span>'
        "stale: verified Jan 2020</span>"
        f"{suggest('upstream', 'split', 'Suggest a correction for Upstream, Traffic split')}</td>",
        html,
    )


def test_facts_rows(client, table):
    html = client.get(TABLE, {"facts": "show"}).content.decode()
    assertInHTML(
        '<tr id="fact-licence"><th scope="row" class="feature-col">Licence</th>'
        "<td>Apache-2.0</td><td>Apache-2.0</td><td>Apache-2.0</td></tr>",
        html,
    )
    # A value with the page it was read on; values that differ mark the row.
    assertInHTML(
        '<tr id="fact-version" class="differs"><th scope="row" class="feature-col">'
        "Current version</th>"
        '<td><a href="https://docs.example.org/releases" rel="noopener noreferrer external">'
        "1.0.0</a></td>"
        '<td><a href="https://docs.example.org/releases" rel="noopener noreferrer external">'
        "1.0.0</a></td>"
        '<td><a href="https://docs.example.org/releases" rel="noopener noreferrer external">'
        "2.4.1</a></td></tr>",
        html,
    )


def test_the_table_in_german(client, table):
    response = client.get("/de" + TABLE, {"facts": "show"})
    html = response.content.decode()
    with translation.override("de"):
        long_ago = month_year(LONG_AGO)
    # Notes are in English, and say so.
    assertContains(response, f'<p class="note" lang="en">{ESCAPED_NOTE}</p>', count=2)
    assertInHTML(
        '<td class="lvl-yes is-stale is-inherited"><details><summary class="lvl">Ja</summary>'
        '<p class="stage-since">Beta, seit 1.27</p>'
        '<p class="inherited-from">wie Upstream <a href="/de/meshes/upstream/#feature-split">'
        "Upstream</a> 2.4</p>"
        '<a class="src" href="https://docs.example.org/upstream/split" '
        'rel="noopener noreferrer external">Quelle</a></details>'
        ' <span class="stage stage-beta">Beta</span>'
        '<span class="stale-mark"><span class="stale-icon" aria-hidden="true"></span>'
        f"veraltet, zuletzt geprüft: {long_ago}</span>"
        f"{suggest('distro', 'split', 'Korrektur vorschlagen für Distro, Traffic split', '/de')}"
        "</td>",
        html,
    )
    assertInHTML(
        '<td class="lvl-unknown is-stale"><span class="lvl">Unbekannt</span>'
        '<span class="stale-mark"><span class="stale-icon" aria-hidden="true"></span>'
        "möglicherweise veraltet</span>"
        f"{suggest('other', 'retries', 'Korrektur vorschlagen für Other, Wiederholungen', '/de')}"
        "</td>",
        html,
    )
    assertContains(response, '<a class="feature-name" href="/de/features/retries/">Wiederholungen')
    assertInHTML(
        '<tr id="fact-licence"><th scope="row" class="feature-col">Lizenz</th>'
        "<td>Apache-2.0</td><td>Apache-2.0</td><td>Apache-2.0</td></tr>",
        html,
    )
    assertNotContains(response, "stale: verified")


def test_an_archived_category(client, table):
    category = Feature.objects.get(slug="split").category
    category.archived_on = datetime.date(2024, 3, 1)
    category.archived_note = 'Replaced by "the next one".'
    category.archived_source = "https://example.org/archived"
    category.save()
    assertInHTML(
        f'<th scope="rowgroup" colspan="4"><span class="category-name">{category.name}</span>'
        ' <span class="badge badge-warn">archived Mar 2024</span> <span class="category-note">'
        "Replaced by &quot;the next one&quot;. "
        '<a href="https://example.org/archived" rel="noopener noreferrer external">source</a>'
        "</span></th>",
        client.get(TABLE).content.decode(),
    )


def test_one_render_per_table_with_autoescape(client, table, monkeypatch):
    engine = engines["jinja2"]
    assert isinstance(engine, Jinja2) and engine.env.autoescape is True
    renders = []
    render = jinja2.Template.render

    def counted(self, *args, **kwargs):
        renders.append(self.name)
        return render(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", counted)
    assert client.get(TABLE).status_code == 200
    assert renders == ["comparison/matrix_rows.html"]
    assert Mesh.objects.count() == 3
