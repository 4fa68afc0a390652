"""Browse and compare: filters, htmx fragments, compare view, mesh pages, exports, bad input."""

import csv
import io
import json

import pytest
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape

from comparison.filters import TableQuery
from comparison.matrix import FACTS
from comparison.models import Category, Feature, Level, Mesh, Support
from devtools.sample_data import fill_table, generate, remove_generated

TABLE = reverse("comparison:matrix")
API = reverse("comparison:api-meshes")
CSV = reverse("comparison:export-csv")
COMPARE = reverse("comparison:compare")


def api_slugs(client, query: str = "") -> list[str]:
    response = client.get(f"{API}?{query}")
    assert response.status_code == 200
    return [mesh["slug"] for mesh in response.json()]


def meets(mesh_slug: str, feature_slug: str, levels=(Level.YES,)) -> bool:
    return Support.objects.get(mesh__slug=mesh_slug, feature__slug=feature_slug).level in levels


# Filtering -----------------------------------------------------------------------------------


def test_discontinued_products_are_hidden_by_default(client, db):
    slugs = api_slugs(client)
    assert set(slugs) == set(Mesh.objects.active().service_meshes().values_list("slug", flat=True))
    assert "open-service-mesh" not in slugs
    assert "open-service-mesh" in api_slugs(client, "status=all")
    assert api_slugs(client, "status=archived") == sorted(
        Mesh.objects.filter(status="archived").values_list("slug", flat=True)
    )


def test_must_haves_keep_only_meshes_supporting_all_of_them(client, db):
    musts = ["mtls-tcp", "fault-injection"]
    slugs = api_slugs(client, "must=mtls-tcp&must=fault-injection")
    expected = [
        m.slug
        for m in Mesh.objects.active().service_meshes()
        if all(meets(m.slug, f) for f in musts)
    ]
    assert sorted(slugs) == sorted(expected)
    assert "istio-sidecar" in slugs
    assert "linkerd" not in slugs  # fault injection only via an extra deployment: partial


def test_partial_counts_only_when_allowed(client, db):
    assert meets("linkerd", "fault-injection", (Level.PARTIAL,))
    assert "linkerd" not in api_slugs(client, "must=fault-injection")
    assert "linkerd" in api_slugs(client, "must=fault-injection&partial=true")


def test_unknown_never_satisfies_a_must_have(client, db):
    unknown = Support.objects.filter(level=Level.UNKNOWN, mesh__status="active").first()
    slugs = api_slugs(client, f"must={unknown.feature.slug}&partial=true")
    assert unknown.mesh.slug not in slugs


@pytest.mark.parametrize(
    ("query", "field", "value"),
    [
        ("platforms=beyond_kubernetes", "platforms", "beyond_kubernetes"),
        ("data_plane=sidecar", "data_plane", "sidecar"),
        ("maturity=leading", "maturity", "leading"),
        ("offering=commercial", "open_source", False),
    ],
)
def test_facets(client, db, query, field, value):
    meshes = client.get(f"{API}?{query}").json()
    assert meshes
    assert all(mesh[field] == value for mesh in meshes)
    expected = Mesh.objects.active().service_meshes().filter(**{field: value}).count()
    assert len(meshes) == expected


def test_smi_facet(client, db):
    none = set(api_slugs(client, "smi=none&status=all&kind=all"))
    some = set(api_slugs(client, "smi=some&status=all&kind=all"))
    full = set(api_slugs(client, "smi=full&status=all&kind=all"))
    assert none.isdisjoint(some) and some.isdisjoint(full)
    assert len(none | some | full) == Mesh.objects.count()
    assert "cilium" in none
    assert "open-service-mesh" in some | full


def test_search_names_meshes_or_features(client, db):
    assert api_slugs(client, "q=kuma") == ["kuma"]
    assert sorted(api_slugs(client, "q=linkerd")) == ["buoyant-enterprise-linkerd", "linkerd"]
    rows = client.get(f"{API}?q=tracing").json()
    assert len(rows) == Mesh.objects.active().service_meshes().count()
    assert list(rows[0]["features"]) == ["tracing"]
    assert api_slugs(client, "q=zzzz-nothing") == []


def test_chosen_meshes_include_discontinued_ones(client, db):
    assert api_slugs(client, "mesh=linkerd&mesh=open-service-mesh") == [
        "linkerd",
        "open-service-mesh",
    ]


def test_only_differing_rows(client, db):
    page = client.get(TABLE, {"mesh": ["istio-sidecar", "kuma"], "diff": "true"})
    matrix = page.context["matrix"]
    assert 0 < matrix.row_count < Feature.objects.count()
    assert all(row.differs for row in matrix.rows)


def test_table_page_shows_counts_and_clear_link(client, db):
    html = client.get(TABLE, {"must": "fault-injection"}).content.decode()
    shown = len(api_slugs(client, "must=fault-injection"))
    assert f"{shown} of {Mesh.objects.count()} meshes" in html
    assert "Clear filters" in html
    assert 'id="must-fault-injection" checked' in html


# htmx ----------------------------------------------------------------------------------------


def test_htmx_request_gets_only_the_results_fragment(client, db):
    response = client.get(TABLE, {"must": "mtls-tcp"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html and 'id="filters"' not in html


def test_htmx_history_restore_gets_the_whole_page(client, db):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    html = client.get(TABLE, {"must": "mtls-tcp"}, headers=headers).content.decode()
    assert "<html" in html and 'id="filters"' in html


def test_filter_form_works_as_plain_get_with_a_real_action(client, db):
    html = client.get(TABLE).content.decode()
    assert 'method="get" action="/"' in html
    assert 'hx-get="/"' in html and 'hx-push-url="true"' in html


# Compare -------------------------------------------------------------------------------------


def test_compare_two_meshes_marks_differences(client, db):
    response = client.get(COMPARE, {"mesh": ["linkerd", "istio-sidecar"]})
    assert response.status_code == 200
    matrix = response.context["matrix"]
    assert [m.slug for m in matrix.meshes] == ["linkerd", "istio-sidecar"]
    assert 'class="differs"' in response.content.decode()
    only = client.get(COMPARE, {"mesh": ["linkerd", "istio-sidecar"], "diff": "true"})
    rows = only.context["matrix"].row_count
    assert rows == matrix.only_differences().row_count < Feature.objects.count()


@pytest.mark.parametrize(
    "meshes",
    [
        ["linkerd"],
        ["linkerd", "kuma", "consul", "cilium", "istio-sidecar"],
        ["linkerd", "nope"],
    ],
)
def test_compare_needs_two_to_four_known_meshes(client, db, meshes):
    response = client.get(COMPARE, {"mesh": meshes})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_compare_without_a_choice_offers_every_mesh(client, db):
    response = client.get(COMPARE)
    assert response.status_code == 200
    html = response.content.decode()
    for mesh in Mesh.objects.all():
        assert f'value="{mesh.slug}"' in html


# Mesh page -----------------------------------------------------------------------------------


def test_mesh_page_has_attributes_support_and_snippet(client, db):
    mesh = Mesh.objects.get(slug="istio-sidecar")
    html = client.get(mesh.get_absolute_url()).content.decode()
    assert mesh.summary in html and mesh.proxy in html
    assert f"<strong>{mesh.traffic_split_lines} lines</strong>" in html
    assert "VirtualService" in html
    assert "Verified on" in html


def test_discontinued_mesh_page_has_a_banner(client, db):
    mesh = Mesh.objects.get(slug="open-service-mesh")
    html = client.get(mesh.get_absolute_url()).content.decode()
    assert f"Archived since {date_format(mesh.status_date)}" in html
    assert escape(mesh.successor) in html


def test_unknown_mesh_is_404(client, db):
    assert client.get("/meshes/no-such-mesh/").status_code == 404


# Exports -------------------------------------------------------------------------------------


def test_api_shape(client, db):
    data = json.loads(client.get(API, {"mesh": "linkerd"}).content)
    assert isinstance(data, list) and len(data) == 1
    mesh = data[0]
    assert mesh["slug"] == "linkerd" and mesh["name"] == "Linkerd"
    assert {"licence", "current_version", "status", "maturity", "proxy"} <= set(mesh)
    cell = Support.objects.get(mesh__slug="linkerd", feature__slug="mtls-http")
    assert mesh["features"]["mtls-http"] == {
        "level": cell.level,
        "stage": cell.stage,
        "since_version": cell.since_version,
        "removed_in": cell.removed_in,
        "inherited": cell.inherited,
        "note": cell.note,
        "source": cell.source,
        "last_verified": cell.last_verified.isoformat(),
        "stale": cell.is_stale,
        "source_unreachable_since": None,
        "tested": None,  # no conformance test bears on mTLS
    }
    assert mesh["features"]["traffic-split"]["tested"]["mesh_version"] == "2.20"
    assert len(mesh["features"]) == Feature.objects.count()
    assert mesh["release_feed_url"] == "https://github.com/linkerd/linkerd2/releases.atom"
    assert mesh["new_release"] is None


def test_api_carries_the_decision_facts_with_their_sources(client, db):
    (consul,) = client.get(API, {"mesh": "consul"}).json()
    assert consul["runs_without_kubernetes"] is True
    assert consul["kubernetes_vm_workloads"] is True
    assert consul["orchestrators"] == ["cloud_vms", "ecs", "nomad", "serverless", "vms_on_prem"]
    assert consul["licence_spdx"] == "BUSL-1.1"
    assert consul["open_source"] is False
    assert consul["proxy_family"] == "envoy"
    for fact in ("runs_without_kubernetes", "orchestrators", "licence", "commercial_support"):
        assert consul[f"{fact}_source"].startswith("https://")
    (google,) = client.get(API, {"mesh": "google-cloud-service-mesh"}).json()
    assert google["bound_to_cloud"] == "gcp"
    assert google["clouds"] == ["gcp"]
    (linkerd,) = client.get(API, {"mesh": "linkerd"}).json()
    assert linkerd["stable_releases_free"] is False
    assert "Buoyant" in linkerd["stable_releases_note"]


def test_mesh_page_shows_the_decision_facts(client, db):
    html = client.get("/meshes/google-cloud-service-mesh/").content.decode()
    assert "works only with Google Cloud" in html
    assert "Cloud VMs, Serverless functions" in html
    mesh = Mesh.objects.get(slug="google-cloud-service-mesh")
    assert f'href="{mesh.orchestrators_source}"' in html


def test_compare_shows_the_traffic_splits_side_by_side(client, db):
    response = client.get("/compare/", {"mesh": ["linkerd", "istio-sidecar"]})
    html = response.content.decode()
    assert html.count('<figure class="split">') == 2
    for slug in ("linkerd", "istio-sidecar"):
        mesh = Mesh.objects.get(slug=slug)
        assert f'href="{mesh.traffic_split_source}"' in html
        assert f"{mesh.traffic_split_lines} lines" in html


def test_csv_download_follows_the_filters(client, db):
    response = client.get(CSV, {"must": ["mtls-tcp", "fault-injection"]})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = rows[0][3::4]
    assert names == [
        m["name"] for m in client.get(API, {"must": ["mtls-tcp", "fault-injection"]}).json()
    ]
    assert len(rows) == 1 + len(FACTS) + Feature.objects.count()


# Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "must=no-such-feature",
        "mesh=no-such-mesh",
        "platforms=mars",
        "status=gone",
        "smi=lots",
        "q=" + "x" * 500,
        "partial=maybe",
    ],
)
@pytest.mark.parametrize("url", [TABLE, API, CSV])
def test_bad_parameters_get_a_clear_400(client, db, query, url):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400


def test_bad_parameter_message_is_on_the_page(client, db):
    html = client.get(f"{TABLE}?must=no-such-feature").content.decode()
    assert "no-such-feature is not one of the available choices" in html


@pytest.mark.parametrize("url", [TABLE, API, CSV, COMPARE, "/meshes/linkerd/"])
def test_nul_byte_is_400(client, db, url):
    assert client.get(url, {"q": "a\x00b", "mesh": "linkerd\x00"}).status_code == 400


def test_repeated_single_parameters_do_not_fail(client, db):
    assert (
        client.get(f"{TABLE}?platforms=kubernetes_only&platforms=beyond_kubernetes").status_code
        == 200
    )


@pytest.mark.parametrize("url", [TABLE, API, CSV, COMPARE])
def test_post_is_405(client, db, url):
    assert client.post(url).status_code == 405


# Query counts --------------------------------------------------------------------------------

# Tables read the broken sources once per request (one query, whatever the size). Every list of
# meshes reads their release lines along (one query), and every table the conformance evidence:
# the mappings and the reports (two queries).
QUERY_BUDGET = {
    "table": (TABLE + "?must=mtls-tcp&partial=true&q=m", 12),
    # Compare looks up former slugs (renamed meshes) among the chosen ones: one query.
    "compare": (None, 8),
    # The mesh page reads its overhead figures, former slugs, distributions and conformance
    # reports: one query each.
    "mesh": (None, 12),
    # The freshness table: cell counts, the cells a report can confirm, the newest reports.
    "overview": (reverse("comparison:overview"), 9),
    # The freshness figures, as on the overview (the table's evidence is read once).
    "api": (API + "?maturity=leading", 10),
    "csv": (CSV, 7),
    # Releases the release watch saw: one query.
    "changes": (reverse("comparison:changes"), 11),
}


def budget_urls() -> dict[str, tuple[str, int]]:
    first, second = Mesh.objects.order_by("pk")[:2]
    return {
        **QUERY_BUDGET,
        "compare": (f"{COMPARE}?mesh={first.slug}&mesh={second.slug}", 8),
        "mesh": (first.get_absolute_url(), 12),
    }


@pytest.mark.parametrize("view", sorted(QUERY_BUDGET))
def test_constant_query_count(client, db, django_assert_max_num_queries, view):
    url, budget = budget_urls()[view]
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200


@pytest.fixture(scope="class")
def catalogue_at_scale(django_db_setup, django_db_blocker):
    """200 more meshes and 150 more features, generated once for a class of tests, in a
    transaction rolled back after its last test; each test's own transaction is a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        generate(meshes=200, features=150)
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("catalogue_at_scale")
class TestAtScale:
    """The same budgets at scale: no query per row."""

    @pytest.mark.parametrize("view", sorted(QUERY_BUDGET))
    def test_constant_query_count(self, client, db, django_assert_max_num_queries, view):
        assert Mesh.objects.filter(slug__startswith="gen-mesh-").count() == 200
        url, budget = budget_urls()[view]
        with django_assert_max_num_queries(budget):
            response = client.get(url)
        assert response.status_code == 200


def test_generated_rows_fill_the_table_and_leave_no_trace(db):
    before = (Mesh.objects.count(), Feature.objects.count(), Support.objects.count())
    fill_table(30, 100)
    matrix = TableQuery(QueryDict()).matrix()
    assert (len(matrix.meshes), matrix.row_count) == (30, 100)
    remove_generated()
    assert (Mesh.objects.count(), Feature.objects.count(), Support.objects.count()) == before
    assert not Category.objects.filter(slug__startswith="gen-").exists()
