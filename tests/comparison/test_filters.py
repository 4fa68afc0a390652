"""The table's filters each filter what they say, and the form says how many are set."""

import pytest
from django.test import SimpleTestCase

from comparison.filters import DisplayOptionsForm, TableQuery
from comparison.models import Mesh

API = "/api/meshes.json"
html = SimpleTestCase()


def slugs(client, query: str) -> set[str]:
    return {mesh["slug"] for mesh in client.get(f"{API}?{query}").json()}


def test_open_source_offering_returns_exactly_the_active_open_source_meshes(client, db):
    expected = set(Mesh.objects.active().filter(open_source=True).values_list("slug", flat=True))
    assert expected
    assert slugs(client, "offering=open_source") == expected
    commercial = slugs(client, "offering=commercial")
    assert commercial and commercial.isdisjoint(expected)


def test_full_smi_returns_the_meshes_implementing_all_four_parts(client, db):
    from comparison.models import Support

    # No mesh in the data implements all four parts; give one all four, and one three of them.
    smi = Support.objects.filter(feature__slug__startswith="smi-")
    smi.filter(mesh__slug="linkerd").update(level="yes", source="https://example.org/smi")
    three = smi.filter(mesh__slug="kuma").order_by("feature__slug")
    three.filter(pk__in=[c.pk for c in three[:3]]).update(level="yes", source="https://e.org/x")
    assert slugs(client, "smi=full&status=all") == {"linkerd"}
    # "some": at least one part (yes or partial), not all four fully: exactly those meshes.
    levels: dict[str, list[str]] = {}
    for mesh, level in smi.values_list("mesh__slug", "level"):
        levels.setdefault(mesh, []).append(level)
    some = {
        mesh
        for mesh, found in levels.items()
        if any(lvl in ("yes", "partial") for lvl in found) and found.count("yes") < 4
    }
    assert "kuma" in some and "linkerd" not in some
    assert slugs(client, "smi=some&status=all") == some


def test_status_filter_and_all(client, db):
    archived = set(Mesh.objects.filter(status="archived").values_list("slug", flat=True))
    assert slugs(client, "status=archived") == archived
    assert slugs(client, "status=all") == set(
        Mesh.objects.service_meshes().values_list("slug", flat=True)
    )
    assert slugs(client, "status=all&kind=all") == set(Mesh.objects.values_list("slug", flat=True))


@pytest.mark.parametrize(
    ("query", "counter"),
    [
        ("must=grpc&must=tracing", "(2 chosen)"),
        ("must=grpc", "(1 chosen)"),
        ("maturity=leading&data_plane=sidecar", "(2 set)"),
    ],
)
def test_the_form_counts_what_is_chosen(client, db, query, counter):
    response = client.get(f"/?{query}")
    html.assertContains(response, f'<span class="count">{counter}</span>', html=True)


def test_no_counter_without_a_choice(client, db):
    response = client.get("/")
    html.assertNotContains(response, '<span class="count">')


def test_display_options_are_not_filters(db):
    query = TableQuery(_query("partial=true&diff=true"))
    assert query.partial_ok and query.diff
    assert "partial" not in query.filter.filters and "diff" not in query.filter.filters
    assert query.is_filtered


def test_bad_display_option_is_an_error_of_the_query(db):
    query = TableQuery(_query("diff=perhaps"))
    assert "diff" in query.errors
    assert not DisplayOptionsForm(_query("diff=perhaps")).is_valid()


def test_free_text_is_matched_once(db, django_assert_num_queries):
    query = TableQuery(_query("q=tracing"))
    query.filter.qs  # noqa: B018 (evaluates the filters)
    with django_assert_num_queries(0):
        assert [f.slug for f in query.filter.features()] == ["tracing"]


def _query(text: str):
    from django.http import QueryDict

    return QueryDict(text)


def test_free_text_names_a_mesh_by_its_name_or_by_its_slug(client, db):
    # "App Mesh" is only in the name ("aws-app-mesh"), "aks-istio" only in the slug.
    assert slugs(client, "q=App+Mesh&status=all") == {"aws-app-mesh"}
    assert slugs(client, "q=aks-istio&status=all") == {"aks-istio-addon"}
    assert slugs(client, "q=add-on+for+AKS&status=all") == {"aks-istio-addon"}


def test_a_must_have_filter_counts_partial_support_only_when_asked(db):
    from comparison.filters import MeshFilter
    from comparison.models import Support

    partial = Support.objects.filter(level="partial").select_related("feature", "mesh").first()
    feature, mesh = partial.feature.slug, partial.mesh.slug
    strict = MeshFilter(_query(f"must={feature}&status=all"), queryset=Mesh.objects.all())
    assert mesh not in {m.slug for m in strict.qs}
    lenient = MeshFilter(
        _query(f"must={feature}&status=all"), queryset=Mesh.objects.all(), partial_ok=True
    )
    assert mesh in {m.slug for m in lenient.qs}


def test_an_unreadable_yes_no_value_is_named_in_the_error():
    form = DisplayOptionsForm({"partial": "maybe"})
    assert form.errors["partial"] == ["“maybe” is not a yes/no value: use true or false."]


def test_invalid_display_options_leave_every_option_at_its_default(db):
    query = TableQuery(_query("partial=maybe&diff=true&notes=true&density=comfortable"))
    assert query.errors.keys() == {"partial"}
    assert (query.partial_ok, query.diff, query.show_notes, query.comfortable) == (
        False,
        False,
        False,
        False,
    )
    assert not query.is_filtered


def test_the_address_after_a_filter_change_keeps_only_what_was_chosen(client, db):
    # The form sends every field, empty or default; the pushed address is the choice alone.
    query = "q=&density=compact&must=mtls-tcp&platforms=&facts=hide&must=tracing"
    response = client.get(f"/?{query}", headers={"HX-Request": "true"})
    assert response["HX-Push-Url"] == "/?must=mtls-tcp&must=tracing"
    response = client.get("/?q=&density=compact&facts=hide", headers={"HX-Request": "true"})
    assert response["HX-Push-Url"] == "/"
    unfolded = client.get("/?facts=show&q=&must=grpc", headers={"HX-Request": "true"})
    assert unfolded["HX-Push-Url"] == "/?facts=show&must=grpc"
    comfortable = client.get("/?density=comfortable&q=", headers={"HX-Request": "true"})
    assert comfortable["HX-Push-Url"] == "/?density=comfortable"
    # Without htmx the browser shows the form's own address; nothing to push.
    assert "HX-Push-Url" not in client.get(f"/?{query}")
