"""Import and export in detail: what the dry run says, what a rename does, what it costs."""

import json

from comparison import data_exchange
from comparison.data_exchange import PROBLEMS_PER_KIND, export_data, validate
from comparison.models import Feature, Mesh, MeshAlias, Support


def exported() -> list[dict]:
    return json.loads(export_data())


def test_export_reads_the_data_in_a_constant_number_of_queries(db, django_assert_max_num_queries):
    # Six tables, one query each: no query per cell, mesh or feature.
    with django_assert_max_num_queries(6):
        export_data()


def test_diffing_a_file_reads_the_database_once_per_table(db, django_assert_max_num_queries):
    plan = validate(export_data())
    with django_assert_max_num_queries(6):
        assert data_exchange.diff(plan) == []


def test_the_dry_run_names_each_added_changed_and_removed_row(db):
    data = exported()
    cell = next(i for i in data if i["model"] == "comparison.support")
    cell["fields"].update(level="no", source="https://example.org/no", note="")
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


def renamed_file(old: str, new: str) -> list[dict]:
    data = exported()
    for item in data:
        fields = item["fields"]
        if item["model"] == "comparison.mesh" and fields["slug"] == old:
            fields["slug"] = new
        if fields.get("mesh") == [old]:
            fields["mesh"] = [new]
    data.append({"model": "comparison.meshalias", "fields": {"slug": old, "mesh": [new]}})
    return data


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
    data = renamed_file("kuma", "kuma-mesh")
    for item in data:
        fields = item["fields"]
        if item["model"] == "comparison.mesh" and fields["slug"] == "linkerd":
            fields["slug"] = "linkerd2"
        if fields.get("mesh") == ["linkerd"]:
            fields["mesh"] = ["linkerd2"]
    data.append(
        {"model": "comparison.meshalias", "fields": {"slug": "linkerd", "mesh": ["linkerd2"]}}
    )
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
    plan = validate(json.dumps(data))
    assert plan.problems == []
    data_exchange.apply(plan)
    assert not Mesh.objects.filter(pk=linkerd.pk).exists()
    assert Mesh.objects.get(slug="linkerd-oss").pk == copy.pk
