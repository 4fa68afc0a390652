"""The catalogue under attack and accident: reverting from history, edit conflicts across every
path that writes a cell, editors' permissions, hostile imports, exports and the feed."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from comparison.data_exchange import PROBLEMS_PER_KIND, export_data, validate
from comparison.models import Category, Feature, Level, Mesh, Support

ATOM = "{http://www.w3.org/2005/Atom}"


def history_form(client, model, obj, record):
    """The revert page for one historical record, and its data as the browser would post it."""
    name = model._meta.model_name
    url = reverse(f"admin:comparison_{name}_simple_history", args=[obj.pk, record.history_id])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        data[field.name] = "on" if value is True else value
    return url, data


# Reverting from history -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_reverting_a_mesh_feature_and_category_works_outside_a_test_transaction(live_data):
    """Run with autocommit, as in production: the revert needs its own transaction (the mesh
    form locks the row), and must not be refused as an edit conflict."""
    from django.contrib.auth.models import User

    client = Client()
    # Flushed databases lose the migration-made Editors group: a superuser stands in for one.
    client.force_login(User.objects.create_superuser("reverter", password="revert-pass-123"))

    mesh = Mesh.objects.get(slug="linkerd")
    original = mesh.history.earliest()
    # An editor's change after the original, as the admin saves it (with a new edit version).
    mesh.summary, mesh.version = "Vandalised.", mesh.version + 1
    mesh.save()
    url, data = history_form(client, Mesh, mesh, original)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    mesh.refresh_from_db()
    assert mesh.summary == original.summary

    feature = Feature.objects.get(slug="grpc")
    first = feature.history.earliest()
    feature.name = "Vandalised"
    feature.save()
    url, data = history_form(client, Feature, feature, first)
    assert client.post(url, data).status_code == 302
    feature.refresh_from_db()
    assert feature.name == first.name

    category = Category.objects.order_by("position").first()
    first = category.history.earliest()
    category.name = "Vandalised"
    category.save()
    url, data = history_form(client, Category, category, first)
    assert client.post(url, data).status_code == 302
    category.refresh_from_db()
    assert category.name == first.name


def test_huge_admin_search_is_400_not_a_database_error(superuser_client):
    response = superuser_client.get("/admin/comparison/mesh/", {"q": "x" * 60_000})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/admin/comparison/mesh/abc/history/",
        "/admin/comparison/support/abc/history/",
        "/admin/comparison/mesh/abc/history/1/",
        "/admin/comparison/mesh/1/history/abc/",
        "/admin/comparison/mesh/1/history/99999999999999999999999/",
    ],
)
def test_history_of_an_impossible_id_is_404(superuser_client, url):
    assert superuser_client.get(url).status_code == 404


# Every path that writes a cell takes part in conflict detection ---------------------------------


def test_cell_saved_on_its_own_page_refuses_an_older_mesh_form(editor, superuser, db, mesh_admin):
    mesh = Mesh.objects.get(slug="consul")
    cell = Support.objects.get(mesh=mesh, feature__slug="grpc")
    a, b = Client(), Client()
    a.force_login(editor)
    b.force_login(superuser)
    a_data = mesh_admin.form_data(a, mesh)  # A opens Consul's mesh form

    cell_url = reverse("admin:comparison_support_change", args=[cell.pk])
    form = b.get(cell_url).context["adminform"].form
    b_data = {f.name: f.value() or "" for f in form}
    b_data.update(level=Level.PARTIAL, note="B's change.", source="https://example.org/b")
    assert b.post(cell_url, b_data).status_code == 302  # B changes one of its cells

    index = next(
        i
        for i in range(int(a_data["supports-TOTAL_FORMS"]))
        if a_data[f"supports-{i}-id"] == cell.pk
    )
    a_data[f"supports-{index}-level"] = Level.NO
    a_data[f"supports-{index}-source"] = "https://example.org/a"
    response = a.post(mesh_admin.url(mesh), a_data)
    assert response.status_code == 200
    assert "Another editor saved this mesh after you opened it" in response.content.decode()
    cell.refresh_from_db()
    assert (cell.level, cell.note) == (Level.PARTIAL, "B's change.")  # B's change survives


def test_cell_page_refuses_a_save_after_the_mesh_changed(editor_client, db, mesh_admin):
    mesh = Mesh.objects.get(slug="consul")
    cell = Support.objects.get(mesh=mesh, feature__slug="grpc")
    cell_url = reverse("admin:comparison_support_change", args=[cell.pk])
    form = editor_client.get(cell_url).context["adminform"].form
    stale = {f.name: f.value() or "" for f in form}

    other = Support.objects.get(mesh=mesh, feature__slug="retries")
    other.note = "Changed elsewhere meanwhile."
    other.save()

    stale.update(note="Overwrites without seeing.")
    response = editor_client.post(cell_url, stale)
    assert response.status_code == 200
    assert "Another editor saved this mesh" in response.content.decode()
    cell.refresh_from_db()
    assert cell.note != "Overwrites without seeing."


def test_bulk_verification_and_import_bump_the_mesh_version(db, tmp_path):
    mesh = Mesh.objects.get(slug="consul")
    before = mesh.version
    Support.objects.filter(mesh=mesh).mark_verified()
    mesh.refresh_from_db()
    assert mesh.version > before

    before = mesh.version
    data = json.loads(export_data())
    cell = next(
        item
        for item in data
        if item["model"] == "comparison.support" and item["fields"]["mesh"] == ["consul"]
    )
    cell["fields"]["note"] = "Imported note."
    if cell["fields"]["level"] == "unknown":
        cell["fields"].update(level="no", source="https://example.org/imported")
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data))
    call_command("import_meshes", str(path), stdout=io.StringIO())
    mesh.refresh_from_db()
    assert mesh.version > before


# Editors' permissions ---------------------------------------------------------------------------


def test_editors_may_add_and_change_but_not_delete(db):
    perms = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    for model in ("mesh", "feature", "category", "support"):
        assert f"change_{model}" in perms
        assert f"delete_{model}" not in perms
    assert {"add_mesh", "add_feature", "add_category"} <= perms


@pytest.mark.parametrize("model", [Mesh, Feature, Category, Support])
def test_editor_cannot_delete(editor_client, model):
    obj = model.objects.first()
    url = reverse(f"admin:comparison_{model._meta.model_name}_delete", args=[obj.pk])
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


# Imports ----------------------------------------------------------------------------------------


def write(tmp_path, data) -> str:
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data))
    return str(path)


def import_problems(tmp_path, capsys, data) -> str:
    before = export_data()
    with pytest.raises(CommandError):
        call_command("import_meshes", write(tmp_path, data))
    assert export_data() == before  # nothing written
    return capsys.readouterr().err


def test_import_fills_a_missing_cell_as_unknown_and_says_so(tmp_path, capsys, client, db):
    data = json.loads(export_data())
    cell = next(
        item
        for item in data
        if item["model"] == "comparison.support"
        and item["fields"]["mesh"] == ["linkerd"]
        and item["fields"]["feature"] == ["grpc"]
    )
    data.remove(cell)
    call_command("import_meshes", write(tmp_path, data))
    out = capsys.readouterr().out
    assert "1 mesh × feature cell(s) missing from the file are set to unknown: linkerd/grpc" in out
    kept = Support.objects.get(mesh__slug="linkerd", feature__slug="grpc")
    assert kept.level == Level.UNKNOWN
    assert Support.objects.count() == Mesh.objects.count() * Feature.objects.count()
    assert client.get("/api/meshes.json?status=all").status_code == 200


def test_api_survives_a_mesh_without_some_cells(client, db):
    # Rows removed behind the application's back (SQL, an old import): the API answers anyway.
    Support.objects.filter(mesh__slug="linkerd", feature__slug="grpc").delete()
    Mesh.objects.filter(slug="linkerd").update(status_date=None)
    response = client.get("/api/meshes.json?status=all")
    assert response.status_code == 200
    linkerd = next(m for m in response.json() if m["slug"] == "linkerd")
    assert linkerd["features"]["grpc"]["last_verified"] is None
    assert client.get("/export/meshes.csv?status=all").status_code == 200


def test_import_reports_duplicate_names_renamed_slugs_and_nul_bytes(tmp_path, capsys, db):
    data = json.loads(export_data())
    meshes = [item for item in data if item["model"] == "comparison.mesh"]
    renamed = next(m for m in meshes if m["fields"]["slug"] == "linkerd")
    for item in data:  # the slug is renamed everywhere, as a hand-edited file would
        if item["model"] == "comparison.support" and item["fields"]["mesh"] == ["linkerd"]:
            item["fields"]["mesh"] = ["linkerd2"]
    renamed["fields"]["slug"] = "linkerd2"
    duplicate = next(m for m in meshes if m["fields"]["slug"] == "kuma")
    duplicate["fields"]["name"] = "Consul"
    nul = next(m for m in meshes if m["fields"]["slug"] == "istio-sidecar")
    nul["fields"]["summary"] = "Nul\x00byte"
    errors = import_problems(tmp_path, capsys, data)
    assert "name “Linkerd” belongs to comparison.mesh “linkerd” in the database" in errors
    assert "name “Consul” is also that of comparison.mesh" in errors
    assert "summary: contains a NUL byte" in errors
    assert "Traceback" not in errors and "IntegrityError" not in errors


def test_import_errors_are_capped_per_kind(tmp_path, capsys, db):
    data = [
        {"model": "comparison.support", "fields": {"mesh": ["m"], "feature": [f"f{i}"]}}
        for i in range(500)
    ]
    plan = validate(json.dumps(data))
    assert plan.problem_total >= 1000
    assert len(plan.problems) <= 4 * PROBLEMS_PER_KIND
    errors = import_problems(tmp_path, capsys, data)
    assert len(errors.splitlines()) < 100
    assert "more problem(s) of the kind “unknown mesh”" in errors
    with pytest.raises(CommandError, match=f"^{plan.problem_total} problem"):
        call_command("import_meshes", write(tmp_path, data), stderr=io.StringIO())


@pytest.mark.parametrize(
    "fields",
    [
        {"mesh": [1], "feature": ["grpc"]},
        {"mesh": "linkerd", "feature": ["grpc"], "level": "yes"},
        {"slug": ["x"]},
    ],
)
def test_import_reports_malformed_keys(tmp_path, capsys, db, fields):
    model = "comparison.category" if "slug" in fields else "comparison.support"
    errors = import_problems(tmp_path, capsys, [{"model": model, "fields": fields}])
    assert "Traceback" not in errors


# CSV and Atom -----------------------------------------------------------------------------------


def test_csv_escapes_formulas(client, db):
    cell = Support.objects.get(mesh__slug="linkerd", feature__slug="grpc")
    Support.objects.filter(pk=cell.pk).update(note='=HYPERLINK("https://evil.example","x")')
    Mesh.objects.filter(slug="linkerd").update(name="+Linkerd")
    rows = list(csv.reader(io.StringIO(client.get("/export/meshes.csv").content.decode())))
    cells = [value for row in rows for value in row]
    assert '\'=HYPERLINK("https://evil.example","x")' in cells
    assert "'+Linkerd" in cells
    assert not any(value.startswith(("=", "+", "@")) for value in cells)


def change_a_level(note: str) -> None:
    cell = Support.objects.get(mesh__slug="linkerd", feature__slug="grpc")
    cell.level = Level.PARTIAL if cell.level != Level.PARTIAL else Level.YES
    cell.note = note
    cell.source = cell.source or "https://example.org/source"
    cell.save()


def test_feed_summary_is_text_not_html(client, db):
    change_a_level("<script>alert(1)</script> & <b>bold</b>")
    root = ET.fromstring(client.get("/changes/feed/").content)
    summary = root.find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "text"
    assert "<script>alert(1)</script> & <b>bold</b>" in summary.text


def test_feed_links_come_from_site_url_not_host(client, db, settings):
    settings.SITE_URL = "https://meshes.example.org"
    settings.ALLOWED_HOSTS = ["meshes.example.org", "localhost"]
    change_a_level("A change.")
    feed = client.get("/changes/feed/", HTTP_HOST="localhost:9999").content.decode()
    assert "localhost" not in feed
    root = ET.fromstring(feed)
    links = [link.get("href") for link in root.iter(f"{ATOM}link")]
    assert links and all(href.startswith("https://meshes.example.org/") for href in links)
    assert root.find(f"{ATOM}id").text.startswith("https://meshes.example.org/")
