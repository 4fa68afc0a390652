"""The data as JSON (the public API) and as CSV (the table as a spreadsheet)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import Any

from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import Level, Stage
from .conformance import Tested
from .facts import LIST, MESH_FACTS
from .freshness import freshness
from .matrix import PROVABLE, Cell, Matrix
from .models import Mesh

# Spreadsheets (Excel above all) read a CSV as UTF-8 only when it starts with this mark.
BYTE_ORDER_MARK = "\ufeff"

# The mesh's own attributes, then every fact with its note and source (comparison/facts.py;
# the list-valued facts and the GAMMA object are written below), each once.
MESH_ATTRIBUTES = list(
    dict.fromkeys(
        [
            "slug",
            "name",
            "kind",
            "upstream_version",
            "summary",
            "website",
            "docs_url",
            "repository_url",
            "developer",
            "current_version",
            "current_version_source",
            "current_version_date",
            "proxy",
            "data_plane",
            "platforms",
            "platform_notes",
            "maturity",
            "status",
            "status_date",
            "status_note",
            "status_source",
            "successor",
            "last_verified",
            "release_feed_url",
            "fact_checks",
            *dict.fromkeys(
                name
                for fact in MESH_FACTS
                if fact.kind != LIST and not fact.name.startswith("gamma_")
                for name in (fact.name, fact.note, fact.source)
                if name and name != "gamma_source"
            ),
            *(
                name
                for fact in MESH_FACTS
                if fact.kind == LIST
                for name in (fact.note, fact.source)
                if name
            ),
        ]
    )
)


def mesh_attributes(mesh: Mesh) -> dict[str, Any]:
    data = {name: getattr(mesh, name) for name in MESH_ATTRIBUTES}
    for name in ("status_date", "last_verified", "current_version_date"):
        data[name] = data[name].isoformat() if data[name] else None
    data["orchestrators"] = sorted(mesh.orchestrator_set)
    data["clouds"] = sorted(mesh.cloud_set)
    data["traffic_split_lines"] = mesh.traffic_split_lines if mesh.split_yaml else None
    data["traffic_split_source"] = mesh.split_source
    data["url"] = mesh.get_absolute_url()
    data["upstream"] = mesh.upstream.slug if mesh.upstream else None
    data["successor_links"] = [{"name": n, "url": u} for n, u in mesh.successor_link_list]
    data["gamma"] = {
        "level": mesh.gamma_level,
        "profiles": mesh.gamma_profiles,
        "gateway_api_version": mesh.gamma_gateway_api_version,
        "mesh_version": mesh.gamma_mesh_version,
        "extended_features": mesh.gamma_extended,
        "source": mesh.gamma_source,
    }
    today = timezone.localdate()
    data["release_cycles"] = [
        {
            "cycle": cycle.cycle,
            "release_date": cycle.release_date.isoformat() if cycle.release_date else None,
            "end_of_support": cycle.end_of_support.isoformat() if cycle.end_of_support else None,
            "end_of_support_note": cycle.end_of_support_note,
            "supported": cycle.supported_on(today),
            "current": cycle == mesh.current_cycle,
            "latest": cycle.latest,
            "kubernetes_versions": cycle.kubernetes_versions,
            "lts": cycle.lts,
            "source": cycle.source,
            "imported_from": cycle.source_file,
            "last_verified": cycle.last_verified.isoformat(),
        }
        for cycle in mesh.cycles
    ]
    watch = mesh.flagged_release
    data["new_release"] = (
        {"name": watch.new_release, "date": watch.new_release_date.isoformat()}
        if watch and watch.new_release_date
        else None
    )
    return data


def _tested(proof: Tested | None) -> dict[str, str] | None:
    if proof is None:
        return None
    return {
        "gateway_api_version": proof.gateway_api_version,
        "mesh_version": proof.mesh_version,
        "date": proof.date.isoformat(),
        "report": proof.url,
    }


def meshes_as_json(matrix: Matrix) -> list[dict[str, Any]]:
    cells = matrix.cells_by_mesh()
    figures = freshness(matrix.meshes, matrix.tested)
    return [
        {
            **mesh_attributes(mesh),
            "freshness": figures[mesh.pk].as_json(),
            "features": {
                cell.feature.slug: {
                    "level": cell.level,
                    "stage": cell.stage,
                    "since_version": cell.since_version,
                    "removed_in": cell.removed_in,
                    "inherited": cell.inherited,
                    "note": cell.note,
                    "source": cell.source,
                    "last_verified": (
                        cell.last_verified.isoformat() if cell.last_verified else None
                    ),
                    "stale": cell.is_stale,
                    "source_unreachable_since": (
                        cell.unreachable_since.isoformat() if cell.unreachable_since else None
                    ),
                    "tested": _tested(
                        matrix.tested.get((mesh.pk, cell.feature.pk))
                        if cell.level in PROVABLE
                        else None
                    ),
                }
                for cell in cells[mesh.pk]
            },
        }
        for mesh in matrix.meshes
    ]


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula, prefixed with ' so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose every field is spreadsheet_safe."""

    def __init__(self, out: Any) -> None:
        self.writer = csv.writer(out)

    def writerow(self, row: Sequence[object]) -> None:
        self.writer.writerow([spreadsheet_safe(value) for value in row])


def write_csv(matrix: Matrix, out: Any) -> None:
    """The table as a spreadsheet in the page's language: facts rows first, then one row per
    feature with each mesh's level, note and source."""
    out.write(BYTE_ORDER_MARK)
    writer = SafeWriter(out)
    header = [_("Category"), _("Feature (key)"), _("Feature")]
    for mesh in matrix.meshes:
        header += [
            mesh.name,
            _("%(mesh)s: stage") % {"mesh": mesh.name},
            _("%(mesh)s: note") % {"mesh": mesh.name},
            _("%(mesh)s: source") % {"mesh": mesh.name},
        ]
    writer.writerow(header)
    facts = _("Facts")
    for fact_row in matrix.facts:
        line = [facts, fact_row.fact.slug, str(fact_row.fact.label)]
        for text, url in fact_row.values:
            line += [text, "", "", url if url.startswith("http") else ""]
        writer.writerow(line)
    levels = {level: str(label) for level, label in Level.choices}
    for group in matrix.groups:
        for row in group.rows:
            line = [group.category.display_name, row.feature.slug, row.feature.display_name]
            for cell in row.cells:
                line += [levels[cell.level], stage_text(cell), cell.note, cell.source]
            writer.writerow(line)


def stage_text(cell: Cell) -> str:
    """Stage and versions in words, e.g. "Beta, since 1.24"; "as upstream" for inherited."""
    parts = [str(Stage(cell.stage).label)] if cell.stage else []
    if cell.since_version:
        parts.append(_("since %(version)s") % {"version": cell.since_version})
    if cell.removed_in:
        parts.append(_("removed in %(version)s") % {"version": cell.removed_in})
    if cell.inherited and cell.mesh.upstream:
        parts.append(_("as upstream %(mesh)s") % {"mesh": cell.mesh.upstream.name})
    return ", ".join(parts)


def errors_as_text(errors: ErrorDict) -> str:
    lines = (f"{field}: {' '.join(map(str, messages))}" for field, messages in errors.items())
    return "\n".join(lines) + "\n"
