"""Import and export in detail: what the dry run says, what a rename does, what it costs, and
how hostile or careless files and second-hand sources are refused."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comparison import data_exchange
from comparison.data_exchange import PROBLEMS_PER_KIND, export_data, validate
from comparison.models import Feature, Level, Mesh, MeshAlias, Support

from .conftest import fixture_items


def exported() -> list[dict]:
    return json.loads(export_data())


def test_export_reads_the_data_in_a_constant_number_of_queries(db, django_assert_max_num_queries):
    # Nine tables, one query each: no query per cell, mesh or feature.
    with django_assert_max_num_queries(9):
        export_data()


def test_diffing_a_file_reads_the_database_once_per_table(db, django_assert_max_num_queries):
    plan = validate(export_data())
    with django_assert_max_num_queries(9):
        assert data_exchange.diff(plan) == []


def test_the_dry_run_names_each_added_changed_and_removed_row(db):
    data = exported()
    cell = next(
        i for i in data if i["model"] == "comparison.support" and not i["fields"]["inherited"]
    )
    cell["fields"].update(level="no", stage="", source="https://example.org/no", note="")
    meshes = [i for i in data if i["model"] == "comparison.mesh"]
    mesh = next(i for i in meshes if i["fields"]["slug"] == "kuma")
    mesh["fields"]["summary"] = "Changed summary."
    data = [
        i
        for i in data
        if not (i["model"] == "comparison.overheadfigure" and i["fields"]["mesh"] == ["linkerd"])
    ]
    data.append({"model": "comparison.meshalias", "fields": {"slug": "old-kuma", "mesh": ["kuma"]}})
    plan = validate(json.dumps(data))
    assert plan.problems == []
    lines = data_exchange.diff(plan)
    key = f"{cell['fields']['mesh'][0]}/{cell['fields']['feature'][0]}"
    old = Support.objects.get(mesh__slug=key.split("/")[0], feature__slug=key.split("/")[1])
    assert f"~ support {key}: level {old.level!r} → 'no'" in lines
    summary = Mesh.objects.get(slug="kuma").summary
    assert f"~ mesh kuma: summary {summary!r} → 'Changed summary.'" in lines
    assert "+ meshalias old-kuma" in lines
    removed = [line for line in lines if line.startswith("- overheadfigure linkerd/")]
    assert len(removed) == Mesh.objects.get(slug="linkerd").overhead_figures.count() > 0


def test_an_added_cell_shows_its_level_and_other_rows_do_not(db):
    data = exported()
    new = dict(next(i for i in data if i["model"] == "comparison.mesh")["fields"])
    new.update(slug="new-mesh", name="New mesh")
    data.append({"model": "comparison.mesh", "fields": new})
    plan = validate(json.dumps(data))
    assert plan.problems == []
    lines = data_exchange.diff(plan)
    assert "+ mesh new-mesh" in lines
    # Its cells were filled in as unknown, with an empty note and no source.
    added = [line for line in lines if line.startswith("+ support new-mesh/")]
    assert len(added) == Feature.objects.count()
    assert all(line.endswith(": unknown") for line in added)
    filled = plan.rows["comparison.support"][("new-mesh", "grpc")]
    assert (filled["level"], filled["note"], filled["source"]) == ("unknown", "", "")


def test_problems_beyond_the_cap_are_counted_exactly(db):
    data = [
        {"model": "comparison.support", "fields": {"mesh": ["m"], "feature": [f"f{i}"]}}
        for i in range(PROBLEMS_PER_KIND + 7)
    ]
    plan = validate(json.dumps(data))
    assert "… and 7 more problem(s) of the kind “unknown mesh”" in plan.omitted()


def test_problems_up_to_the_cap_are_all_shown_and_none_said_to_be_left_out(db):
    data = [
        {"model": "comparison.support", "fields": {"mesh": ["m"], "feature": [f"f{i}"]}}
        for i in range(PROBLEMS_PER_KIND)
    ]
    plan = validate(json.dumps(data))
    assert plan.problem_counts["unknown mesh"] == PROBLEMS_PER_KIND
    assert len([p for p in plan.problems if "unknown mesh" in p]) == PROBLEMS_PER_KIND
    assert plan.omitted() == []


def rename(data: list[dict], old: str, new: str, alias: bool = True) -> list[dict]:
    """A mesh's slug changed everywhere in the file, as a hand edit would, with the old slug
    kept as an alias of the new one (or without it: then it is a new row, not a rename)."""
    for item in data:
        fields = item["fields"]
        if item["model"] == "comparison.mesh" and fields["slug"] == old:
            fields["slug"] = new
        if fields.get("mesh") == [old]:
            fields["mesh"] = [new]
        if fields.get("upstream") == [old]:
            fields["upstream"] = [new]
    if alias:
        data.append({"model": "comparison.meshalias", "fields": {"slug": old, "mesh": [new]}})
    return data


def renamed_file(old: str, new: str) -> list[dict]:
    return rename(exported(), old, new)


def test_a_rename_by_import_counts_as_one_write_and_bumps_the_edit_version(db):
    kuma = Mesh.objects.get(slug="kuma")
    plan = validate(json.dumps(renamed_file("kuma", "kuma-mesh")))
    assert plan.problems == []
    # The rename and the new alias row; the cells and the mesh's other fields are unchanged.
    assert data_exchange.apply(plan) == 2
    renamed = Mesh.objects.get(pk=kuma.pk)
    assert renamed.slug == "kuma-mesh" and renamed.version == kuma.version + 1
    assert MeshAlias.objects.get(slug="kuma").mesh == renamed


def test_two_renames_in_one_file_are_counted_each(db):
    data = rename(renamed_file("kuma", "kuma-mesh"), "linkerd", "linkerd2")
    plan = validate(json.dumps(data))
    assert plan.problems == []
    # Two renames and two new alias rows.
    assert data_exchange.apply(plan) == 4
    assert set(
        Mesh.objects.filter(slug__in=["kuma-mesh", "linkerd2"]).values_list("slug", flat=True)
    ) == {"kuma-mesh", "linkerd2"}


def test_no_rename_when_the_new_slug_is_already_taken(db):
    # Both the old and the new mesh exist: the file's alias must not rename onto the other one.
    linkerd = Mesh.objects.get(slug="linkerd")
    copy = Mesh.objects.get(slug="linkerd")
    copy.pk, copy.slug, copy.name = None, "linkerd-oss", "Linkerd OSS"
    copy.save()
    data = [
        i
        for i in exported()
        if not (i["model"] == "comparison.mesh" and i["fields"]["slug"] == "linkerd")
        and i["fields"].get("mesh") != ["linkerd"]
    ]
    data.append(
        {"model": "comparison.meshalias", "fields": {"slug": "linkerd", "mesh": ["linkerd-oss"]}}
    )
    for item in data:  # its distribution follows the copy now
        if item["fields"].get("upstream") == ["linkerd"]:
            item["fields"]["upstream"] = ["linkerd-oss"]
    plan = validate(json.dumps(data))
    assert plan.problems == []
    data_exchange.apply(plan)
    assert not Mesh.objects.filter(pk=linkerd.pk).exists()
    assert Mesh.objects.get(slug="linkerd-oss").pk == copy.pk


def test_an_edit_version_in_the_file_is_neither_a_change_nor_imported(db):
    # The edit version guards editors' open forms; a file cannot set it.
    kuma = Mesh.objects.get(slug="kuma")
    data = exported()
    for item in data:
        if item["model"] == "comparison.mesh" and item["fields"]["slug"] == "kuma":
            item["fields"]["version"] = kuma.version + 40
    plan = validate(json.dumps(data))
    assert plan.problems == []
    assert data_exchange.diff(plan) == []
    assert data_exchange.apply(plan) == 0
    assert Mesh.objects.get(slug="kuma").version == kuma.version


def test_nul_bytes_are_found_inside_lists_and_objects_too(db):
    # PostgreSQL cannot store NUL in text; a file may hide one anywhere in a value.
    data = exported()
    alias = {"model": "comparison.meshalias", "fields": {"slug": "old-kuma", "mesh": ["kuma\x00"]}}
    first, second = [item for item in data if item["model"] == "comparison.mesh"][:2]
    first["fields"]["summary"] = {"text": ["fine", "not\x00fine"]}
    second["fields"]["summary"] = {"key\x00": "fine"}
    plan = validate(json.dumps([*data, alias]))
    nul = [problem for problem in plan.problems if "NUL byte" in problem]
    assert nul == [
        f"{where(data, first)}: summary: contains a NUL byte",
        f"{where(data, second)}: summary: contains a NUL byte",
        f"item {len(data)} (comparison.meshalias old-kuma): mesh: contains a NUL byte",
    ]
    assert plan.problem_counts["NUL byte"] == 3


def where(data: list[dict], item: dict) -> str:
    return f"item {data.index(item)} ({item['model']} {item['fields']['slug']})"


def test_a_row_id_in_the_file_is_an_unknown_field(db):
    # Rows are named by their slugs; a database id from elsewhere must not be taken for one.
    data = exported()
    mesh = next(item for item in data if item["model"] == "comparison.mesh")
    mesh["fields"]["id"] = 5
    assert validate(json.dumps(data)).problems == [f"{where(data, mesh)}: unknown field “id”"]


def test_unknown_fields_are_counted_under_their_own_kind(db):
    data = exported()
    mesh = next(item for item in data if item["model"] == "comparison.mesh")
    mesh["fields"].update({f"extra{i:02}": i for i in range(PROBLEMS_PER_KIND + 3)})
    plan = validate(json.dumps(data))
    assert plan.problem_counts == {"unknown field": PROBLEMS_PER_KIND + 3}
    assert plan.problems[0] == f"{where(data, mesh)}: unknown field “extra00”"
    assert plan.omitted() == ["… and 3 more problem(s) of the kind “unknown field”"]


def test_every_kind_of_problem_is_named_with_its_place_and_counted_under_its_kind(db):
    data = exported()
    first = {item["model"]: item for item in reversed(data)}

    def like(model: str, **fields) -> dict:
        item = json.loads(json.dumps(first[model]))
        item["fields"].update(fields)
        return item

    items = [
        "not an object",
        {"model": "comparison.nope", "fields": {}},
        {"model": "comparison.category", "fields": {}},
        like("comparison.category", slug="a\x00"),
        like("comparison.category", slug="cat", name="Cat A"),
        like("comparison.category", slug="cat", name="Cat B"),
        like("comparison.feature", slug="feat", category=["nocat"]),
        like("comparison.mesh", slug="m1", name="Linkerd", upstream=None, upstream_version=""),
        like("comparison.mesh", slug="m2", name="Same", upstream=None, upstream_version=""),
        like(
            "comparison.mesh",
            slug="m3",
            name="Same",
            maturity="ancient",
            upstream=None,
            upstream_version="",
        ),
        {
            "model": "comparison.support",
            "fields": {"mesh": ["ghost"], "feature": ["nofeat"], "level": "yes"},
        },
        {"model": "comparison.meshalias", "fields": {"slug": "m1", "mesh": ["m2"]}},
        like("comparison.overheadfigure", mesh=["ghost"], slug="x"),
    ]
    plan = validate(json.dumps(items))
    assert plan.problems == [
        "item 0: must be an object with “model” and “fields”",
        "item 1: unknown model “comparison.nope”",
        "item 2 (comparison.category): missing its slug (or mesh and feature)",
        "item 3 (comparison.category a\x00): its key contains a NUL byte",
        "item 5 (comparison.category cat): duplicate of an earlier comparison.category with the "
        "same key",
        "item 9 (comparison.mesh m3): maturity: Value 'ancient' is not a valid choice.",
        "item 10 (comparison.support ghost/nofeat): A yes, partial or no needs the source it was "
        "read in.",
        "item 6 (comparison.feature feat): unknown category ['nocat']",
        "item 10 (comparison.support ghost/nofeat): unknown mesh “ghost”",
        "item 10 (comparison.support ghost/nofeat): unknown feature “nofeat”",
        "item 12 (comparison.overheadfigure ghost/x): unknown mesh ['ghost']",
        "item 11 (comparison.meshalias m1): “m1” is also a mesh's slug",
        "item 9 (comparison.mesh m3): name “Same” is also that of comparison.mesh m2",
        "item 7 (comparison.mesh m1): name “Linkerd” belongs to comparison.mesh “linkerd” in the "
        "database; to rename a slug, change it in the admin (or export, edit and import), not by "
        "adding a new row",
    ]
    assert plan.problem_counts == {
        "item": 1,
        "model": 1,
        "key": 1,
        "NUL byte": 1,
        "duplicate": 1,
        "comparison.mesh.maturity": 1,
        "comparison.support.__all__": 1,
        "unknown category": 1,
        "unknown mesh": 2,
        "unknown feature": 1,
        "alias is a mesh": 1,
        "duplicate name": 1,
        "name held by another row": 1,
    }
    assert plan.problem_total == 14 and plan.filled == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[\n  {"model": "comparison.mesh",\n', "line 3 column 1: not valid JSON: Expecting"),
        ('{"model": "comparison.mesh"}', "the file must hold a JSON list of objects"),
        ("[" * 100_000 + "]" * 100_000, "the JSON is nested too deeply"),
    ],
)
def test_a_file_that_is_no_list_of_rows_is_one_problem_of_the_kind_json(text, problem):
    plan = validate(text)
    assert len(plan.problems) == 1 and plan.problems[0].startswith(problem)
    assert plan.problem_counts == {"JSON": 1}


def test_unique_names_are_checked_past_rows_without_one_and_past_renames(db):
    # A mesh without a text name, and a rename by alias, must not end the checks early.
    data = renamed_file("consul", "consul-renamed")
    meshes = [item for item in data if item["model"] == "comparison.mesh"]
    nameless, twin = meshes[0], meshes[-1]
    nameless["fields"]["name"] = 5
    twin["fields"]["name"] = meshes[-2]["fields"]["name"]
    # Linkerd's slug changed without an alias: its name is held by the old row.
    rename(data, "linkerd", "linkerd-new", alias=False)
    plan = validate(json.dumps(data))
    assert plan.problem_counts == {"duplicate name": 1, "name held by another row": 1}
    assert any("name “Linkerd” belongs to comparison.mesh “linkerd”" in p for p in plan.problems)


def test_an_alias_without_its_mesh_is_one_problem_not_a_crash(db):
    plan = validate(json.dumps([{"model": "comparison.meshalias", "fields": {"slug": "old"}}]))
    assert plan.problems == ["item 0 (comparison.meshalias old): unknown mesh None"]


def test_missing_or_malformed_owners_are_problems_not_crashes(db):
    data = exported()
    feature = next(item for item in data if item["model"] == "comparison.feature")
    figure = next(item for item in data if item["model"] == "comparison.overheadfigure")
    del feature["fields"]["category"]
    figure["fields"]["mesh"] = "kuma"
    plan = validate(json.dumps(data))
    assert plan.problem_counts == {"unknown category": 1, "unknown mesh": 1}
    assert plan.problems[0].endswith(": unknown category None")
    assert plan.problems[1].endswith(": unknown mesh kuma")


# Hostile imports ---------------------------------------------------------------------------------


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


# First-hand sources and renamed meshes -----------------------------------------------------------


def test_import_refuses_a_decided_cell_without_source(db):
    items = fixture_items()
    cell = next(i for i in items if i["model"] == "comparison.support" and i["fields"]["source"])
    cell["fields"]["source"] = ""
    plan = data_exchange.validate(json.dumps(items))
    assert any("needs the source it was read in" in problem for problem in plan.problems)


def test_import_refuses_a_mirror_source(db):
    items = fixture_items()
    cell = next(i for i in items if i["model"] == "comparison.support" and i["fields"]["source"])
    cell["fields"]["source"] = "https://newreleases.io/project/github/x/y"
    plan = data_exchange.validate(json.dumps(items))
    assert any("newreleases.io" in problem for problem in plan.problems)


def test_import_renames_a_mesh_named_by_its_former_slug(db):
    """A file that gives a mesh a new slug (and the old one as alias) renames the mesh: its
    history and edit record stay, nothing is removed and added."""
    linkerd = Mesh.objects.get(slug="linkerd")
    items = json.loads(data_exchange.export_data())
    for item in items:
        fields = item["fields"]
        if item["model"] == "comparison.mesh" and fields["slug"] == "linkerd":
            fields["slug"] = "linkerd-oss"
        for name in ("mesh", "upstream"):
            if fields.get(name) == ["linkerd"]:
                fields[name] = ["linkerd-oss"]
    items.append(
        {"model": "comparison.meshalias", "fields": {"slug": "linkerd", "mesh": ["linkerd-oss"]}}
    )
    plan = data_exchange.validate(json.dumps(items))
    assert plan.problems == []
    data_exchange.apply(plan)
    renamed = Mesh.objects.get(slug="linkerd-oss")
    assert renamed.pk == linkerd.pk
    assert renamed.history.filter(history_change_reason="Renamed from linkerd").exists()
    assert Support.objects.filter(mesh=renamed).count() == Feature.objects.count()


def test_an_alias_may_not_be_a_current_slug(db):
    items = fixture_items()
    items.append({"model": "comparison.meshalias", "fields": {"slug": "linkerd", "mesh": ["kuma"]}})
    plan = data_exchange.validate(json.dumps(items))
    assert any("also a mesh's slug" in problem for problem in plan.problems)


def test_validating_an_unchanged_export_checks_no_constraint_row_by_row(
    db, django_assert_max_num_queries
):
    # A row the database holds unchanged has met its constraints; Django would otherwise check
    # each constraint of each of the ~1,400 rows with a query of its own. Nine tables read once,
    # and the mesh names checked against the database.
    text = export_data()
    with django_assert_max_num_queries(10):
        plan = validate(text)
    assert plan.problems == []


def test_a_changed_row_still_meets_its_constraints(db):
    data = exported()
    cell = next(
        i for i in data if i["model"] == "comparison.support" and i["fields"]["removed_in"] == ""
    )
    cell["fields"].update(level="yes", removed_in="1.2", source="https://example.org/a")
    plan = validate(json.dumps(data))
    assert any("A feature removed in some version is a no." in p for p in plan.problems)
