"""A cell's stage, since-version and inheritance as the table, the feature page, the filters, the
exports and the import show and read them (data built with factories)."""

import json

import pytest
from django.urls import reverse

from comparison import data_exchange
from comparison.filters import TableQuery
from comparison.models import Mesh, Support
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def family():
    factories.clear_catalogue()
    istio = factories.mesh(slug="istio", name="Istio", current_version="1.31.1")
    retries = factories.feature(slug="retries", name="Retries")
    dual = factories.feature(slug="dual-stack", name="Dual stack")
    factories.cell(istio, retries, level="yes", stage="stable", note="Per route.")
    factories.cell(istio, dual, level="yes", stage="beta", since_version="1.27", note="Beta.")
    addon = factories.mesh(slug="addon", name="The add-on", upstream=istio, upstream_version="1.30")
    factories.cell(
        addon,
        retries,
        inherited=False,
        level="no",
        stage="",
        note="The add-on does not allow it.",
        source="https://addon.example.com/limits",
    )
    platform = factories.mesh(slug="lattice", name="Lattice", kind="platform_networking")
    factories.cell(platform, retries, level="yes")
    factories.cell(platform, dual, level="yes", stage="preview")
    return istio, addon, platform, retries, dual


def test_the_table_shows_stage_since_and_inheritance(client, family):
    html = client.get(reverse("comparison:matrix")).content.decode()
    # A beta cell carries its marker beside the level word, the words and version in its note.
    # On a line of its own under the level, clear of the correction link in the corner.
    assert '</details> <span class="stage stage-beta">beta</span><a class="suggest"' in html
    assert '<p class="stage-since">Beta, since 1.27</p>' in html
    # Stable needs no marker; the inherited cell names and links its upstream.
    assert "stage-stable" not in html
    assert (
        '<p class="inherited-from">as upstream <a href="/meshes/istio/#feature-dual-stack">'
        "Istio</a> 1.30</p>"
    ) in html
    assert html.count("is-inherited") == 1  # the override is the add-on's own


def test_platform_options_join_the_table_only_when_asked(client, family):
    response = client.get(reverse("comparison:matrix"))
    names = [mesh.slug for mesh in response.context["matrix"].meshes]
    assert names == ["istio", "addon"]
    assert "add 1 platform networking option" in response.content.decode()
    response = client.get(reverse("comparison:matrix"), {"kind": "all"})
    assert {mesh.slug for mesh in response.context["matrix"].meshes} == {
        "istio",
        "addon",
        "lattice",
    }
    response = client.get(reverse("comparison:matrix"), {"mesh": "lattice"})
    assert [mesh.slug for mesh in response.context["matrix"].meshes] == ["lattice"]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("must=dual-stack&kind=all", {"istio", "addon", "lattice"}),
        ("must=dual-stack&kind=all&stable=true", set()),
        ("must=retries&kind=all&stable=true", {"istio", "lattice"}),
    ],
)
def test_stable_only_counts_no_beta_alpha_or_preview(family, query, shown):
    from django.http import QueryDict

    table = TableQuery(QueryDict(query))
    assert {mesh.slug for mesh in table.matrix().meshes} == shown


def test_the_feature_page_shows_stage_and_the_upstream(client, family):
    response = client.get(reverse("comparison:feature-detail", args=["dual-stack"]))
    html = response.content.decode()
    assert '<span class="stage stage-beta">Beta</span>' in html
    assert '<p class="stage-since">Beta, since 1.27</p>' in html
    assert 'as upstream <a href="/meshes/istio/#feature-dual-stack">Istio</a> 1.30' in html
    assert '<li id="mesh-addon">' in html


def test_the_feature_page_reads_meshes_with_their_upstream_at_once(
    client, family, django_assert_max_num_queries
):
    for number in range(4):
        factories.mesh(slug=f"more-{number}", upstream=family[0])
    url = reverse("comparison:feature-detail", args=["dual-stack"])
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_the_table_query_count_is_flat_in_the_number_of_distributions(
    client, family, django_assert_num_queries
):
    url = reverse("comparison:matrix")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(5):
        factories.mesh(slug=f"more-{number}", upstream=family[0])
    with django_assert_num_queries(len(few)):
        client.get(url)


def test_api_and_csv_carry_the_new_fields(client, family):
    data = client.get(reverse("comparison:api-meshes"), {"mesh": "addon"}).json()
    addon = data[0]
    assert (addon["upstream"], addon["upstream_version"], addon["kind"]) == (
        "istio",
        "1.30",
        "service_mesh",
    )
    assert addon["features"]["dual-stack"] == {
        **addon["features"]["dual-stack"],
        "stage": "beta",
        "since_version": "1.27",
        "removed_in": "",
        "inherited": True,
    }
    assert addon["features"]["retries"]["inherited"] is False
    csv = client.get(reverse("comparison:export-csv"), {"mesh": "addon"}).content.decode()
    assert "The add-on: stage" in csv
    assert "Beta, since 1.27, as upstream Istio" in csv


def test_import_links_upstreams_and_takes_inherited_values_from_them(family):
    data = json.loads(data_exchange.export_data())
    for item in data:
        fields = item["fields"]
        if item["model"] != "comparison.support" or fields["feature"] != ["dual-stack"]:
            continue
        if fields["mesh"] == ["addon"]:
            fields["note"] = "Edited in the file, but the cell follows its upstream."
        if fields["mesh"] == ["istio"]:
            fields["stage"] = "stable"
    plan = data_exchange.validate(json.dumps(data))
    assert plan.problems == []
    data_exchange.apply(plan)
    cell = Support.objects.get(mesh__slug="addon", feature__slug="dual-stack")
    assert (cell.stage, cell.note) == ("stable", "Beta.")
    assert Mesh.objects.get(slug="addon").upstream.slug == "istio"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda mesh: mesh.update(upstream=["nowhere"]), "unknown upstream ['nowhere']"),
        (
            lambda mesh: mesh.update(upstream=["addon"]) if mesh["slug"] == "lattice" else None,
            "upstream “addon” follows an upstream itself",
        ),
    ],
)
def test_import_refuses_bad_upstreams(family, change, problem):
    data = json.loads(data_exchange.export_data())
    for item in data:
        if item["model"] == "comparison.mesh" and item["fields"]["slug"] in ("addon", "lattice"):
            if problem.startswith("unknown") and item["fields"]["slug"] != "addon":
                continue
            change(item["fields"])
    plan = data_exchange.validate(json.dumps(data))
    assert any(problem in line for line in plan.problems), plan.problems


def test_import_refuses_an_inherited_cell_of_a_mesh_without_upstream(family):
    data = json.loads(data_exchange.export_data())
    for item in data:
        if item["model"] == "comparison.support" and item["fields"]["mesh"] == ["istio"]:
            item["fields"]["inherited"] = True
    plan = data_exchange.validate(json.dumps(data))
    assert any("inherited, but mesh “istio” has no upstream" in line for line in plan.problems)
