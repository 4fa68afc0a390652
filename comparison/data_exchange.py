"""Export and import of the mesh data in the fixture format (fixtures/meshes.json).

The file is the complete data set: categories, features, meshes and support cells, each named by
slug. Export is deterministic (stable order, stable formatting), so export -> import into an empty
database -> export gives the same bytes. Import validates the whole file before it writes
anything, reports its problems with their place in the file (the first few of each kind, then a
count), and then makes the database equal to the file in one transaction (rows missing from the
file are removed; a mesh x feature cell missing from it is filled in as unknown, and said so).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.core import serializers
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction

from .models import (
    CORE_TESTS,
    INITIAL_DATA_REASON,
    Category,
    ConformanceMapping,
    ConformanceReport,
    Feature,
    Mesh,
    MeshAlias,
    OverheadFigure,
    ReleaseCycle,
    Support,
)

MODELS: dict[str, Any] = {
    "comparison.category": Category,
    "comparison.feature": Feature,
    "comparison.mesh": Mesh,
    "comparison.support": Support,
    "comparison.meshalias": MeshAlias,
    "comparison.overheadfigure": OverheadFigure,
    "comparison.conformancemapping": ConformanceMapping,
    "comparison.conformancereport": ConformanceReport,
    "comparison.releasecycle": ReleaseCycle,
}
# The rows that belong to a mesh, by the field naming it.
MESH_ROWS = {
    "comparison.support",
    "comparison.meshalias",
    "comparison.overheadfigure",
    "comparison.conformancereport",
    "comparison.releasecycle",
}
# Operational state, not data: the edit version guards editors' forms and is bumped on import.
NOT_EXPORTED = {"comparison.mesh": {"version"}}
# Problems reported per kind before the rest are only counted: a huge bad file must not print a
# line for each of its rows.
PROBLEMS_PER_KIND = 20


def _key(model: str, fields: dict[str, Any]) -> tuple[str, ...]:
    if model == "comparison.support":
        return (fields["mesh"][0], fields["feature"][0])
    if model == "comparison.overheadfigure":
        return (fields["mesh"][0], fields["slug"])
    if model == "comparison.releasecycle":
        return (fields["mesh"][0], fields["cycle"])
    if model == "comparison.conformancereport":
        return (fields["source_path"],)
    if model == "comparison.conformancemapping":
        test = fields["conformance_feature"] or CORE_TESTS
        return (fields["profile"], test, fields["feature"][0])
    return (fields["slug"],)


def _rows(label: str, model: type[models.Model]) -> models.QuerySet:
    """A model's rows with the rows their natural keys name, in one query."""
    # The rows alone: the manager's prefetches (a mesh's release lines) are rows of their own here.
    rows = model._default_manager.all().prefetch_related(None)
    if model is Support:
        return rows.select_related("mesh", "feature")
    if model is Feature or model is ConformanceMapping:
        return rows.select_related("feature" if model is ConformanceMapping else "category")
    if label in MESH_ROWS:
        return rows.select_related("mesh")
    return rows


def export_data() -> str:
    objects: list[dict[str, Any]] = []
    for label, model in MODELS.items():
        rows = _rows(label, model)
        serialized = serializers.serialize(
            "python", rows, use_natural_foreign_keys=True, use_natural_primary_keys=True
        )
        json_fields = [
            f.name for f in model._meta.concrete_fields if isinstance(f, models.JSONField)
        ]
        for item in serialized:
            for name in NOT_EXPORTED.get(label, ()):
                item["fields"].pop(name, None)
            # PostgreSQL's jsonb keeps object keys in its own order, SQLite in the written one:
            # sorted, the file is the same on both.
            for name in json_fields:
                item["fields"][name] = json.loads(json.dumps(item["fields"][name], sort_keys=True))
        serialized.sort(key=lambda item: _key(label, item["fields"]))
        objects += [{"model": label, "fields": item["fields"]} for item in serialized]
    return json.dumps(objects, indent=2, ensure_ascii=False, default=str) + "\n"


@dataclass
class Plan:
    """What an import would do: the validated rows, and the problems that stop it."""

    rows: dict[str, dict[tuple[str, ...], dict[str, Any]]] = field(
        default_factory=lambda: {label: {} for label in MODELS}
    )
    # The first PROBLEMS_PER_KIND problems of each kind, and how many there are of each kind.
    problems: list[str] = field(default_factory=list)
    problem_counts: dict[str, int] = field(default_factory=dict)
    # Cells (mesh/feature) the file lacks, filled in as unknown.
    filled: list[str] = field(default_factory=list)

    def problem(self, kind: str, text: str) -> None:
        count = self.problem_counts.get(kind, 0) + 1
        self.problem_counts[kind] = count
        if count <= PROBLEMS_PER_KIND:
            self.problems.append(text)

    @property
    def problem_total(self) -> int:
        return sum(self.problem_counts.values())

    def omitted(self) -> list[str]:
        """One line per kind of problem that had more than could be shown."""
        return [
            f"… and {count - PROBLEMS_PER_KIND} more problem(s) of the kind “{kind}”"
            for kind, count in self.problem_counts.items()
            if count > PROBLEMS_PER_KIND
        ]


def _where(index: int, label: str, fields: Any) -> str:
    try:
        return f"item {index} ({label} {'/'.join(_key(label, fields))})"
    except (KeyError, TypeError, IndexError):
        return f"item {index} ({label})"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


def _unencodable(value: Any) -> bool:
    """Text that cannot be written as UTF-8 (a lone surrogate such as "\\ud800" in the JSON)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, list | tuple):
        return any(_unencodable(item) for item in value)
    if isinstance(value, dict):
        return any(_unencodable(k) or _unencodable(v) for k, v in value.items())
    return False


# Relations are named by slugs in the file and checked across the whole file (_check_references).
RELATIONS = {"mesh", "feature", "category", "upstream"}


def _report(plan: Plan, where: str, label: str, error: ValidationError) -> None:
    for name, messages in error.message_dict.items():
        field_name = "" if name == NON_FIELD_ERRORS else f"{name}: "
        for message in messages:
            plan.problem(f"{label}.{name}", f"{where}: {field_name}{message}")


def _check_fields(
    plan: Plan, where: str, label: str, fields: dict[str, Any]
) -> models.Model | None:
    """Judge one row's fields; give back the row as a model instance whose constraints are still
    to be checked (_check_constraints), or None when a problem was found."""
    model = MODELS[label]
    known = {f.name for f in model._meta.concrete_fields} - {"id"}
    for name in sorted(set(fields) - known, key=str):
        plan.problem("unknown field", f"{where}: unknown field “{name}”")
    for name in sorted(set(fields) & known):
        # PostgreSQL cannot store NUL in text; no value here ever needs one.
        if _has_nul(fields[name]):
            plan.problem("NUL byte", f"{where}: {name}: contains a NUL byte")
            return None
        if _unencodable(fields[name]):
            plan.problem(
                "unencodable text", f"{where}: {name}: contains text that is not valid Unicode"
            )
            return None
    # The model's constructor takes any other value as it is and leaves judging it to
    # full_clean().
    instance = model(**{k: v for k, v in fields.items() if k in known and k not in RELATIONS})
    if fields.get("upstream"):
        # The upstream itself is checked across the file (_check_references); a distribution's
        # upstream version is only judged against the mesh the file names.
        instance.upstream_version = ""
    try:
        # Uniqueness too is checked across the whole file (and the database) below.
        instance.full_clean(exclude=RELATIONS, validate_unique=False, validate_constraints=False)
    except ValidationError:
        # Then judged as a whole, as Django would: the constraints on the fields without errors.
        try:
            instance.full_clean(exclude=RELATIONS, validate_unique=False)
        except ValidationError as error:
            _report(plan, where, label, error)
        return None
    return instance


def _check_constraints(
    plan: Plan, pending: list[tuple[str, tuple[str, ...], models.Model]]
) -> None:
    """The models' check constraints, for the rows the file adds or changes.

    Django checks a constraint with a query per row; a row the database already holds unchanged
    has met every constraint when it was written, so a re-import of an export costs a few
    queries instead of thousands."""
    current = _current()
    for label, key, instance in pending:
        fields = plan.rows[label][key]
        stored = current[label].get(key)
        if stored is not None and _compared(_plain(stored), label) == _compared(fields, label):
            continue
        try:
            instance.validate_constraints(exclude=RELATIONS)
        except ValidationError as error:
            _report(plan, fields["_where"], label, error)


def validate(text: str) -> Plan:
    plan = Plan()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        plan.problem("JSON", f"{where}: not valid JSON: {error.msg}")
        return plan
    except RecursionError:
        plan.problem("JSON", "the JSON is nested too deeply")
        return plan
    if not isinstance(data, list):
        plan.problem("JSON", "the file must hold a JSON list of objects")
        return plan
    pending: list[tuple[str, tuple[str, ...], models.Model]] = []
    for index, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("fields"), dict):
            plan.problem("item", f"item {index}: must be an object with “model” and “fields”")
            continue
        label, fields = item.get("model"), item["fields"]
        if not isinstance(label, str) or label not in MODELS:
            plan.problem("model", f"item {index}: unknown model “{label}”")
            continue
        where = _where(index, label, fields)
        try:
            key = _key(label, fields)
        except (KeyError, TypeError, IndexError):
            key = ()
        if not key or not all(isinstance(part, str) and part for part in key):
            plan.problem("key", f"{where}: missing its slug (or mesh and feature)")
            continue
        if _has_nul(key):
            plan.problem("NUL byte", f"{where}: its key contains a NUL byte")
            continue
        if _unencodable(key):
            plan.problem("unencodable text", f"{where}: its key contains text that is not Unicode")
            continue
        if key in plan.rows[label]:
            plan.problem("duplicate", f"{where}: duplicate of an earlier {label} with the same key")
            continue
        instance = _check_fields(plan, where, label, fields)
        plan.rows[label][key] = {**fields, "_where": where}
        if instance is not None:
            pending.append((label, key, instance))
    del data  # the rows above are all that is kept
    _check_constraints(plan, pending)
    _check_references(plan)
    _check_unique_values(plan)
    if not plan.problems:
        _fill_missing_cells(plan)
    return plan


# Unique fields that are a row's key in the file: the same value is the same row.
KEY_FIELDS = {"slug", "source_path"}


def _unique_fields(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.unique and not f.primary_key and f.name not in KEY_FIELDS
    ]


def _check_unique_values(plan: Plan) -> None:
    """Unique values (a mesh's name) once in the file, and not held by another row in the
    database: a renamed slug would otherwise be a new row colliding with the old one (unless
    the file names the old slug as an alias of the new: then the import renames the mesh)."""
    renames = {
        alias: fields["mesh"][0]
        for (alias,), fields in plan.rows["comparison.meshalias"].items()
        if isinstance(fields.get("mesh"), list) and fields["mesh"]
    }
    for label, model in MODELS.items():
        for name in _unique_fields(model):
            seen: dict[Any, tuple[str, ...]] = {}
            for key, fields in plan.rows[label].items():
                value = fields.get(name)
                if not isinstance(value, str):
                    continue  # a missing or non-text value is reported by the field checks
                if value in seen:
                    plan.problem(
                        f"duplicate {name}",
                        f"{fields['_where']}: {name} “{value}” is also that of "
                        f"{label} {'/'.join(seen[value])}",
                    )
                else:
                    seen[value] = key
            if not seen:
                continue
            held = model.objects.filter(**{f"{name}__in": list(seen)}).values_list("slug", name)
            for slug, value in held:
                key = seen[value]
                if model is Mesh and renames.get(slug) == key[0]:
                    continue  # renamed by the file: its old slug is now an alias of the new one
                if (slug,) != key:
                    plan.problem(
                        f"{name} held by another row",
                        f"{plan.rows[label][key]['_where']}: {name} “{value}” belongs to "
                        f"{label} “{slug}” in the database; to rename a slug, change it in the "
                        "admin (or export, edit and import), not by adding a new row",
                    )


def _fill_missing_cells(plan: Plan) -> None:
    """Every mesh x feature has a cell: those the file lacks become 'unknown' (reported)."""
    cells = plan.rows["comparison.support"]
    today = datetime.date.today().isoformat()
    for (mesh,), mesh_fields in plan.rows["comparison.mesh"].items():
        for (feature,) in plan.rows["comparison.feature"]:
            if (mesh, feature) not in cells:
                cells[(mesh, feature)] = {
                    "mesh": [mesh],
                    "feature": [feature],
                    "level": "unknown",
                    "note": "",
                    "source": "",
                    "inherited": bool(mesh_fields.get("upstream")),
                    "last_verified": today,
                    "_where": f"missing cell {mesh}/{feature}",
                }
                plan.filled.append(f"{mesh}/{feature}")


def _check_references(plan: Plan) -> None:
    categories = plan.rows["comparison.category"]
    features = plan.rows["comparison.feature"]
    meshes = plan.rows["comparison.mesh"]
    for fields in features.values():
        category = fields.get("category")
        if not isinstance(category, list) or len(category) != 1 or (category[0],) not in categories:
            plan.problem("unknown category", f"{fields['_where']}: unknown category {category}")
    for fields in meshes.values():
        upstream = fields.get("upstream")
        if upstream is None:
            continue
        if not isinstance(upstream, list) or len(upstream) != 1 or (upstream[0],) not in meshes:
            plan.problem("unknown upstream", f"{fields['_where']}: unknown upstream {upstream}")
        elif meshes[(upstream[0],)].get("upstream"):
            plan.problem(
                "upstream is a distribution",
                f"{fields['_where']}: upstream “{upstream[0]}” follows an upstream itself",
            )
    for (mesh, feature), fields in plan.rows["comparison.support"].items():
        if (mesh,) not in meshes:
            plan.problem("unknown mesh", f"{fields['_where']}: unknown mesh “{mesh}”")
        elif fields.get("inherited") and not meshes[(mesh,)].get("upstream"):
            plan.problem(
                "inherited without upstream",
                f"{fields['_where']}: inherited, but mesh “{mesh}” has no upstream",
            )
        if (feature,) not in features:
            plan.problem("unknown feature", f"{fields['_where']}: unknown feature “{feature}”")
    for label in MESH_ROWS - {"comparison.support"}:
        for fields in plan.rows[label].values():
            owner = fields.get("mesh")
            if not isinstance(owner, list) or len(owner) != 1 or (owner[0],) not in meshes:
                plan.problem("unknown mesh", f"{fields['_where']}: unknown mesh {owner}")
    for (_profile, _test, feature), fields in plan.rows["comparison.conformancemapping"].items():
        if (feature,) not in features:
            plan.problem("unknown feature", f"{fields['_where']}: unknown feature “{feature}”")
    for (alias,), fields in plan.rows["comparison.meshalias"].items():
        if (alias,) in meshes:
            plan.problem("alias is a mesh", f"{fields['_where']}: “{alias}” is also a mesh's slug")


def _current() -> dict[str, dict[tuple[str, ...], models.Model]]:
    current: dict[str, dict[tuple[str, ...], models.Model]] = {}
    for label, model in MODELS.items():
        rows = _rows(label, model)
        current[label] = {obj.natural_key(): obj for obj in rows}
    return current


def _plain(obj: models.Model) -> dict[str, Any]:
    item = serializers.serialize(
        "python", [obj], use_natural_foreign_keys=True, use_natural_primary_keys=True
    )[0]["fields"]
    return json.loads(json.dumps(item, default=str))


def _compared(fields: dict[str, Any], label: str) -> dict[str, Any]:
    skip = {"_where", *NOT_EXPORTED.get(label, ())}
    return {k: v for k, v in fields.items() if k not in skip}


def diff(plan: Plan) -> list[str]:
    """Every row the import would add, change or remove, one line each."""
    lines: list[str] = []
    current = _current()
    for label in MODELS:
        name = label.split(".")[1]
        wanted, present = plan.rows[label], current[label]
        for key, fields in wanted.items():
            ident = "/".join(key)
            if key not in present:
                lines.append(
                    f"+ {name} {ident}" + (f": {fields.get('level')}" if name == "support" else "")
                )
                continue
            old = _compared(_plain(present[key]), label)
            for attr, value in _compared(fields, label).items():
                if old.get(attr) != value:
                    lines.append(f"~ {name} {ident}: {attr} {old.get(attr)!r} → {value!r}")
        lines += [f"- {name} {'/'.join(key)}" for key in present if key not in wanted]
    return lines


# An import may remove at most this share of the meshes, features, categories or cells that
# exist, unless the editor says it means to (import_meshes --allow-removals).
REMOVAL_SHARE = 0.1


def removals(plan: Plan) -> dict[str, list[tuple[str, ...]]]:
    """The rows of each model the import would remove (a mesh renamed by an alias is not)."""
    current = _current()
    renamed = {
        (alias,)
        for (alias,), fields in plan.rows["comparison.meshalias"].items()
        if (alias,) not in plan.rows["comparison.mesh"]
    }
    gone: dict[str, list[tuple[str, ...]]] = {}
    for label in MODELS:
        keys = [key for key in current[label] if key not in plan.rows[label]]
        if label == "comparison.mesh":
            keys = [key for key in keys if key not in renamed]
        if label == "comparison.support":
            keys = [key for key in keys if (key[0],) not in renamed]
        gone[label] = keys
    return gone


def removal_refusals(plan: Plan, allow_removals: bool = False) -> list[str]:
    """Why the import must not run as it is: it would delete visitor suggestions (never), or
    remove more than REMOVAL_SHARE of a model's rows, or all of them (unless allowed)."""
    from .models import Suggestion

    refusals: list[str] = []
    gone = removals(plan)
    cells = set(gone["comparison.support"])
    removed_meshes = {key[0] for key in gone["comparison.mesh"]}
    removed_features = {key[0] for key in gone["comparison.feature"]}
    pending = sorted(
        f"{mesh}/{feature}"
        for mesh, feature in Suggestion.objects.values_list(
            "support__mesh__slug", "support__feature__slug"
        )
        if (mesh, feature) in cells or mesh in removed_meshes or feature in removed_features
    )
    if pending:
        refusals.append(
            f"it would delete {len(pending)} visitor suggestion(s) with their cells "
            f"({', '.join(pending[:5])}{', …' if len(pending) > 5 else ''}); suggestions are "
            "never deleted by an import: keep those cells in the file"
        )
    if allow_removals:
        return refusals
    current = _current()
    for label in (
        "comparison.mesh",
        "comparison.feature",
        "comparison.category",
        "comparison.support",
    ):
        existing, removed = len(current[label]), len(gone[label])
        if removed and (removed == existing or removed > REMOVAL_SHARE * existing):
            name = label.split(".")[1]
            refusals.append(
                f"it would remove {removed} of {existing} {name} row(s), more than "
                f"{REMOVAL_SHARE:.0%}; see them with --dry-run, and pass --allow-removals if "
                "that is meant"
            )
    return refusals


def _rename_meshes(plan: Plan) -> int:
    """A mesh the file names only as an alias of a new slug is renamed, not removed and added:
    its history, cells and suggestions stay with it."""
    renamed = 0
    meshes = plan.rows["comparison.mesh"]
    for (alias,), fields in plan.rows["comparison.meshalias"].items():
        new = fields["mesh"][0]
        if (alias,) in meshes or Mesh.objects.filter(slug=new).exists():
            continue
        for mesh in Mesh.objects.filter(slug=alias):
            mesh.slug = new
            mesh.version += 1
            mesh._change_reason = f"Renamed from {alias}"  # type: ignore[attr-defined]
            mesh.save()
            renamed += 1
    return renamed


@transaction.atomic
def apply(plan: Plan) -> int:
    """Make the database equal to the plan; returns the number of rows written or removed."""
    assert not plan.problems, "apply() needs a plan without problems"
    written = _rename_meshes(plan)
    current = _current()
    saved: dict[str, dict[tuple[str, ...], models.Model]] = {label: {} for label in MODELS}
    for label, model in MODELS.items():
        # Loading into an empty table sets up the data; it is not news for the changes feed.
        first_load = not current[label]
        for key, fields in plan.rows[label].items():
            values = _compared(fields, label)
            existing = current[label].get(key)
            changed = existing is None or _compared(_plain(existing), label) != values
            obj: Any = existing or model()
            for attr, value in values.items():
                if attr == "upstream":
                    continue  # set below, once every mesh it may name is saved
                if attr == "category":
                    obj.category = saved["comparison.category"][tuple(value)]
                elif attr == "mesh":
                    obj.mesh = saved["comparison.mesh"][tuple(value)]
                elif attr == "feature":
                    obj.feature = saved["comparison.feature"][tuple(value)]
                else:
                    setattr(obj, attr, model._meta.get_field(attr).to_python(value))
            if changed:
                if first_load:
                    obj._change_reason = INITIAL_DATA_REASON
                if isinstance(obj, Mesh) and obj.pk:
                    obj.version += 1  # an editor's open form must not overwrite imported data
                obj.save()
                written += 1
            saved[label][key] = obj
        if label == "comparison.mesh":
            written += _link_upstreams(plan, saved["comparison.mesh"])
            # New meshes get 'unknown' cells on save; the file's cells replace them below.
            current["comparison.support"] = _current()["comparison.support"]
    for label in reversed(MODELS):
        gone = [obj for key, obj in current[label].items() if key not in plan.rows[label]]
        # A distribution goes before the upstream it names (the upstream is protected).
        gone.sort(key=lambda obj: getattr(obj, "upstream_id", None) is None)
        for obj in gone:
            if obj.pk:
                obj.delete()
                written += 1
    # An inherited cell is its upstream's: what the file says of it is taken from there.
    Support.objects.sync_inherited()
    return written


def _link_upstreams(plan: Plan, meshes: dict[tuple[str, ...], models.Model]) -> int:
    """Point each mesh at the upstream the file names (all meshes are saved by now)."""
    written = 0
    for key, fields in plan.rows["comparison.mesh"].items():
        mesh: Any = meshes[key]
        upstream = fields.get("upstream")
        upstream_id = meshes[tuple(upstream)].pk if upstream else None
        if mesh.upstream_id != upstream_id:
            Mesh.objects.filter(pk=mesh.pk).update(upstream_id=upstream_id)
            mesh.upstream_id = upstream_id
            written += 1
    return written
