"""manage.py import_meshes cannot destroy: no wholesale removal without --allow-removals, never a
visitor suggestion deleted, and text that is not Unicode named as a problem, not a traceback."""

import json

import pytest
from django.core.management import CommandError, call_command

from comparison.data_exchange import export_data


@pytest.fixture
def exported(db, tmp_path):
    """The real catalogue loaded and exported to a file, to edit and import back."""
    call_command("import_meshes", "fixtures/meshes.json", verbosity=0)
    path = tmp_path / "meshes.json"
    path.write_text(export_data(), encoding="utf-8")
    return path


def write(path, data) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def counts():
    from comparison.models import Mesh, Suggestion, Support

    return Mesh.objects.count(), Support.objects.count(), Suggestion.objects.count()


def suggest_on(mesh_slug: str):
    from comparison.models import Suggestion, Support

    cell = Support.objects.get(mesh__slug=mesh_slug, feature__slug="tracing")
    return Suggestion.objects.create(
        support=cell,
        level="yes",
        note="The docs show tracing.",
        source="https://example.org/docs/tracing",
        seen_level=cell.level,
    )


def test_an_empty_list_is_refused_and_nothing_changes(exported, tmp_path):
    before = counts()
    with pytest.raises(CommandError, match="refused"):
        call_command("import_meshes", write(tmp_path / "empty.json", []))
    assert counts() == before


def test_removing_more_than_a_tenth_needs_the_flag(exported, tmp_path):
    from comparison.models import Mesh

    data = json.loads(exported.read_text())
    meshes = [row for row in data if row["model"] == "comparison.mesh"]
    # Three products with no distribution depending on them (an upstream is protected).
    upstreams = {tuple(row["fields"]["upstream"] or ()) for row in meshes}
    dropped = [
        row["fields"]["slug"]
        for row in meshes
        if (row["fields"]["slug"],) not in upstreams and not row["fields"]["upstream"]
    ][:3]
    kept = [
        row
        for row in data
        if not (row["model"] == "comparison.mesh" and row["fields"]["slug"] in dropped)
        and not (row["model"] == "comparison.support" and row["fields"]["mesh"][0] in dropped)
        and not (
            row["model"] == "comparison.overheadfigure" and row["fields"]["mesh"][0] in dropped
        )
        and not (row["model"] == "comparison.meshalias" and row["fields"]["mesh"][0] in dropped)
    ]
    path = write(tmp_path / "fewer.json", kept)
    before = Mesh.objects.count()
    with pytest.raises(CommandError, match="refused"):
        call_command("import_meshes", path)
    assert Mesh.objects.count() == before
    call_command("import_meshes", path, allow_removals=True)
    assert Mesh.objects.count() == before - 3


def test_an_import_never_deletes_a_visitor_suggestion(exported, tmp_path):
    from comparison.models import Suggestion

    suggestion = suggest_on("kmesh")
    data = [
        row
        for row in json.loads(exported.read_text())
        if not (row["model"] == "comparison.mesh" and row["fields"]["slug"] == "kmesh")
        and not (row["model"] == "comparison.support" and row["fields"]["mesh"][0] == "kmesh")
        and not (
            row["model"] == "comparison.overheadfigure" and row["fields"]["mesh"][0] == "kmesh"
        )
    ]
    with pytest.raises(CommandError, match="refused"):
        call_command("import_meshes", write(tmp_path / "no-kmesh.json", data), allow_removals=True)
    assert Suggestion.objects.filter(pk=suggestion.pk).exists()


def test_a_lone_surrogate_is_a_problem_with_its_row(exported, tmp_path, capsys):
    text = exported.read_text()
    broken = text.replace('"summary": "', '"summary": "\\ud800', 1)
    path = tmp_path / "surrogate.json"
    path.write_text(broken, encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError, match="problem"):
        call_command("import_meshes", str(path))
    assert "not valid Unicode" in capsys.readouterr().err
    assert counts() == before


def test_the_dry_run_says_it_would_be_refused(exported, tmp_path, capsys):
    call_command("import_meshes", write(tmp_path / "empty.json", []), dry_run=True)
    out = capsys.readouterr().out
    assert "Would be refused" in out and "Nothing was written" in out
