"""manage.py import_meshes cannot destroy: no wholesale removal without --allow-removals, never a
visitor suggestion deleted, and text that is not Unicode named as a problem, not a traceback."""

import json

import pytest
from django.core.management import CommandError, call_command

from comparison.data_exchange import export_data


@pytest.fixture
def exported(db, tmp_path):
    """A small catalogue (ten products, three features) exported to a file, to edit and import
    back."""
    from tests import factories

    factories.clear_catalogue()
    category = factories.category()
    features = [factories.feature(category=category, slug=slug) for slug in ("tracing", "retries")]
    features.append(factories.feature(category=category))
    for number in range(10):
        mesh = factories.mesh(slug=f"product-{number}", name=f"Product {number}")
        for feature in features:
            factories.cell(mesh, feature, level="yes", note="")
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


def without(data: list, slugs: set[str]) -> list:
    """The file without these products and everything that belongs to them."""
    return [
        row
        for row in data
        if row["fields"].get("slug") not in slugs or row["model"] != "comparison.mesh"
        if not (isinstance(row["fields"].get("mesh"), list) and row["fields"]["mesh"][0] in slugs)
    ]


def test_removing_more_than_a_tenth_needs_the_flag(exported, tmp_path):
    from comparison.models import Mesh

    data = json.loads(exported.read_text())
    # One product of ten is a tenth: no flag needed.
    call_command("import_meshes", write(tmp_path / "nine.json", without(data, {"product-1"})))
    assert Mesh.objects.count() == 9
    # Two more of nine are more than a tenth.
    path = write(tmp_path / "seven.json", without(data, {"product-1", "product-2", "product-3"}))
    with pytest.raises(CommandError, match="refused"):
        call_command("import_meshes", path)
    assert Mesh.objects.count() == 9
    call_command("import_meshes", path, allow_removals=True)
    assert Mesh.objects.count() == 7


def test_an_import_never_deletes_a_visitor_suggestion(exported, tmp_path):
    from comparison.models import Suggestion

    suggestion = suggest_on("product-4")
    data = without(json.loads(exported.read_text()), {"product-4"})
    with pytest.raises(CommandError, match="refused"):
        call_command("import_meshes", write(tmp_path / "fewer.json", data), allow_removals=True)
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
