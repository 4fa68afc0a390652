"""Editors' workflow: history and revert, edit conflicts, freshness, import/export, changes feed."""

import datetime
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from comparison.data_exchange import export_data
from comparison.models import (
    Level,
    Mesh,
    Support,
    ensure_history_baseline,
    public_changes,
)

ATOM = "{http://www.w3.org/2005/Atom}"


def cell_index(data: dict, cell: Support) -> int:
    return next(
        i for i in range(int(data["supports-TOTAL_FORMS"])) if data[f"supports-{i}-id"] == cell.pk
    )


# Edit conflicts --------------------------------------------------------------------------------


def test_second_of_two_concurrent_saves_is_refused(client, editor, superuser, db, mesh_admin):
    from django.test import Client

    mesh = Mesh.objects.get(slug="linkerd")
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(superuser)
    first_data = mesh_admin.form_data(first, mesh)  # both open the form at the same version
    second_data = mesh_admin.form_data(second, mesh)
    before = mesh.current_version

    first_data["current_version"] = "2.21"
    assert first.post(mesh_admin.url(mesh), first_data).status_code == 302

    second_data["current_version"] = "9.99"
    response = second.post(mesh_admin.url(mesh), second_data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Another editor saved this mesh after you opened it" in html
    assert f"current_version “{before}” → “2.21”" in html
    mesh.refresh_from_db()
    assert mesh.current_version == "2.21"  # the first editor's data survives


def test_sequential_saves_by_one_editor_work(editor_client, db, mesh_admin):
    mesh = Mesh.objects.get(slug="linkerd")
    for version in ["2.21", "2.22"]:
        data = mesh_admin.form_data(editor_client, mesh)
        data["current_version"] = version
        assert editor_client.post(mesh_admin.url(mesh), data).status_code == 302
    mesh.refresh_from_db()
    assert (mesh.current_version, mesh.version) == ("2.22", 3)


def test_mesh_and_cells_are_saved_all_or_nothing(editor_client, db, mesh_admin):
    mesh = Mesh.objects.get(slug="linkerd")
    before = mesh.current_version
    data = mesh_admin.form_data(editor_client, mesh)
    data["current_version"] = "3.0"
    data["supports-1-level"] = Level.PARTIAL
    data["supports-1-note"] = "Changed."
    data["supports-2-level"] = Level.YES
    data["supports-2-source"] = ""  # invalid: no source
    response = editor_client.post(mesh_admin.url(mesh), data)
    assert response.status_code == 200
    mesh.refresh_from_db()
    assert mesh.current_version == before
    assert not Support.objects.filter(mesh=mesh, note="Changed.").exists()


# History and revert ----------------------------------------------------------------------------


def test_changes_are_recorded_with_who_and_old_and_new(editor_client, editor, db, mesh_admin):
    mesh = Mesh.objects.get(slug="linkerd")
    cell = Support.objects.get(mesh=mesh, feature__slug="traffic-mirroring")
    old = cell.level
    data = mesh_admin.form_data(editor_client, mesh)
    i = cell_index(data, cell)
    data[f"supports-{i}-level"] = Level.PARTIAL
    data[f"supports-{i}-note"] = "Via an extension."
    editor_client.post(mesh_admin.url(mesh), data)
    record = cell.history.latest()
    assert record.history_user == editor
    delta = record.diff_against(record.prev_record)
    assert {(c.field, c.old, c.new) for c in delta.changes} >= {("level", old, "partial")}
    history_page = editor_client.get(reverse("admin:comparison_support_history", args=[cell.pk]))
    assert history_page.status_code == 200
    assert "editor" in history_page.content.decode()


def test_editor_reverts_a_cell_to_an_earlier_version(editor_client, db):
    ensure_history_baseline()
    cell = Support.objects.get(mesh__slug="linkerd", feature__slug="grpc")
    original = cell.history.earliest()
    cell.level, cell.note = Level.NO, "Wrong edit."
    cell.save()
    url = reverse("admin:comparison_support_simple_history", args=[cell.pk, original.history_id])
    form_page = editor_client.get(url)
    assert form_page.status_code == 200
    form = form_page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    assert editor_client.post(url, data).status_code == 302
    cell.refresh_from_db()
    assert (cell.level, cell.note) == (original.level, original.note)


# Freshness -------------------------------------------------------------------------------------


def test_mark_verified_today(editor_client, db):
    old = datetime.date(2020, 1, 1)
    Mesh.objects.filter(slug="linkerd").update(last_verified=old)
    Support.objects.filter(mesh__slug="linkerd").update(last_verified=old)
    mesh = Mesh.objects.get(slug="linkerd")
    response = editor_client.post(
        reverse("admin:comparison_mesh_changelist"),
        {"action": "mark_meshes_verified", "_selected_action": [mesh.pk]},
    )
    assert response.status_code == 302
    mesh.refresh_from_db()
    today = timezone.localdate()
    assert mesh.last_verified == today
    assert not Support.objects.filter(mesh=mesh).exclude(last_verified=today).exists()


def test_mark_verified_retires_cached_pages(
    editor_client, db, settings, django_capture_on_commit_callbacks
):
    from core.caching import data_version

    settings.PAGE_CACHE = True
    mesh = Mesh.objects.get(slug="linkerd")
    before = data_version()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse("admin:comparison_mesh_changelist"),
            {"action": "mark_meshes_verified", "_selected_action": [mesh.pk]},
        )
    assert data_version() > before


def test_stale_filter_and_public_stale_marks(editor_client, client, settings, db):
    settings.STALE_AFTER_DAYS = 30
    Mesh.objects.filter(slug="kuma").update(last_verified=datetime.date(2020, 1, 1))
    Support.objects.filter(mesh__slug="kuma", feature__slug="grpc").update(
        last_verified=datetime.date(2020, 1, 1)
    )
    listing = editor_client.get(reverse("admin:comparison_mesh_changelist"), {"verified": "stale"})
    assert [m.slug for m in listing.context["cl"].result_list] == ["kuma"]
    cells = editor_client.get(reverse("admin:comparison_support_changelist"), {"verified": "stale"})
    assert cells.context["cl"].result_count == 1
    html = client.get("/meshes/kuma/").content.decode()
    assert "may be stale" in html
    assert "stale: verified Jan 2020" in html
    assert "may be stale" not in client.get("/meshes/linkerd/").content.decode()


# Export and import -----------------------------------------------------------------------------


def empty_the_data() -> None:
    from tests import factories

    factories.clear_catalogue()


def test_fixture_is_exactly_the_export_format(db, settings):
    from pathlib import Path

    fixture = (Path(settings.BASE_DIR) / "fixtures" / "meshes.json").read_text(encoding="utf-8")
    assert export_data() == fixture


def test_export_import_export_is_byte_identical(tmp_path, db):
    first = tmp_path / "first.json"
    call_command("export_meshes", str(first))
    empty_the_data()
    call_command("import_meshes", str(first))
    second = tmp_path / "second.json"
    call_command("export_meshes", str(second))
    assert first.read_bytes() == second.read_bytes()


def broken_file(tmp_path) -> str:
    data = json.loads(export_data())
    cells = [item for item in data if item["model"] == "comparison.support"]
    cells[0]["fields"]["level"] = "maybe"
    cells[1]["fields"]["level"], cells[1]["fields"]["source"] = "yes", ""
    cells[2]["fields"]["mesh"] = ["no-such-mesh"]
    data.append(json.loads(json.dumps(cells[3])))  # duplicate row
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_broken_import_changes_nothing_and_names_every_error(tmp_path, capsys, db):
    before = export_data()
    with pytest.raises(CommandError, match="4 problem"):
        call_command("import_meshes", broken_file(tmp_path))
    errors = capsys.readouterr().err
    assert "level: Value 'maybe' is not a valid choice." in errors
    assert "needs the source it was read in" in errors
    assert "unknown mesh “no-such-mesh”" in errors
    assert "duplicate of an earlier comparison.support" in errors
    assert export_data() == before


def test_malformed_json_is_reported_with_its_line(tmp_path, capsys, db):
    path = tmp_path / "bad.json"
    path.write_text('[\n  {"model": "comparison.mesh",\n')
    with pytest.raises(CommandError):
        call_command("import_meshes", str(path))
    assert "line 3" in capsys.readouterr().err


def test_dry_run_shows_added_changed_removed_and_writes_nothing(tmp_path, capsys, db):
    data = json.loads(export_data())
    cells = [
        item
        for item in data
        if item["model"] == "comparison.support" and not item["fields"]["inherited"]
    ]
    cells[0]["fields"].update(level="no", stage="", source="https://example.org/no")
    data.remove(cells[1])
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(data))
    before = export_data()
    call_command("import_meshes", str(path), "--dry-run")
    out = capsys.readouterr().out
    first = cells[0]["fields"]
    assert f"~ support {first['mesh'][0]}/{first['feature'][0]}: level" in out
    # A cell missing from the file is not removed (every mesh x feature has one): it is unknown.
    missing = f"{cells[1]['fields']['mesh'][0]}/{cells[1]['fields']['feature'][0]}"
    assert f"1 mesh × feature cell(s) missing from the file are set to unknown: {missing}" in out
    assert f"~ support {missing}: level" in out
    assert "2 changed, 0 removed" in out
    assert export_data() == before


def test_import_records_history_and_feeds_the_changes(tmp_path, client, db):
    data = json.loads(export_data())
    cell = next(
        item
        for item in data
        if item["model"] == "comparison.support"
        and item["fields"]["mesh"] == ["linkerd"]
        and item["fields"]["feature"] == ["grpc"]
    )
    cell["fields"].update(level="partial", note="Imported change.")
    path = tmp_path / "import.json"
    path.write_text(json.dumps(data))
    call_command("import_meshes", str(path))
    changes = [c for c in public_changes() if c.kind == "level"]
    assert [(c.mesh_slug, c.feature_slug, c.old, c.new) for c in changes][:1] == [
        ("linkerd", "grpc", "yes", "partial")
    ]
    page = client.get(reverse("comparison:changes")).content.decode()
    assert "Imported change." in page


# Changes page and feed -------------------------------------------------------------------------


def test_changes_feed_is_valid_atom(client, db):
    ensure_history_baseline()
    cell = Support.objects.get(mesh__slug="kuma", feature__slug="grpc")
    cell.level, cell.note = Level.PARTIAL, "Only unary calls."
    cell.save()
    response = client.get(reverse("comparison:changes-feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for tag in ("title", "id", "updated"):
        assert root.find(f"{ATOM}{tag}") is not None
    entries = root.findall(f"{ATOM}entry")
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    # The level change, and the real dated status changes and releases already in the data.
    assert titles[0] == "Support level: Kuma: gRPC Yes → Partial"
    dated = (
        Mesh.objects.discontinued().count()
        + Mesh.objects.exclude(current_version_date=None).count()
    )
    assert len(entries) == 1 + dated
    entry = entries[0]
    for tag in ("id", "updated", "link"):
        assert entry.find(f"{ATOM}{tag}") is not None


def test_note_only_edit_is_not_a_level_change(db):
    ensure_history_baseline()
    cell = Support.objects.get(mesh__slug="kuma", feature__slug="grpc")
    cell.note = "Reworded."
    cell.save()
    assert [c for c in public_changes() if c.kind == "level"] == []
