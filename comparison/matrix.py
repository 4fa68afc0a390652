"""The comparison grid: categories of feature rows, one cell per shown mesh, built in 3 queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from html import escape  # the standard library's: Django's adds a lazy-string wrapper per call

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .choices import Level
from .models import Category, Feature, Mesh, Support, is_stale, stale_before


@dataclass(slots=True)
class Cell:
    """One mesh x feature value as the pages show it (lighter than a Support instance)."""

    mesh: Mesh
    feature: Feature
    level: str = Level.UNKNOWN
    note: str = ""
    source: str = ""
    last_verified: datetime.date | None = None

    def get_level_display(self) -> str:
        return Level(self.level).label


@lru_cache(maxsize=8)
def _words(language: str) -> dict[str, str]:
    """The cell vocabulary in one language, looked up (and escaped) once rather than per cell."""
    return {
        "levels": {level: escape(str(label)) for level, label in Level.choices},
        "source_for": escape(_("Source for")),
        "source": escape(_("source")),
        "note_on": escape(_("Note on")),
        "note": escape(_("note")),
        "stale": escape(_("stale: verified")),
        "differs": escape(_("values differ")),
        "rubric": escape(_("What counts as yes for")),
    }


def words() -> dict[str, str]:
    return _words(get_language() or "en")


def cell_html(cell: Cell, where: str, stale_date: datetime.date, w: dict) -> str:
    """One table cell: the level as icon and word, then source link, note and staleness.

    Built in Python rather than a template: the table has thousands of cells and this is its hot
    path (templates/comparison/_matrix_table.html holds the rest of the markup). Kept lean: the
    icon is drawn by CSS on the word (.cell > .lvl::before, hidden from assistive technology),
    and the links' accessible names ("Source for Linkerd, mTLS") are aria-labels. `where` is
    the escaped "mesh, feature" of the cell.
    """
    stale = cell.last_verified is not None and is_stale(cell.last_verified, stale_date)
    parts = [
        f'<td class="cell lvl-{cell.level}{" is-stale" if stale else ""}">'
        f'<span class="lvl">{w["levels"][cell.level]}</span>'
    ]
    if cell.source:
        parts.append(
            f'\n<a class="src" href="{escape(cell.source)}" rel="noreferrer external" '
            f'aria-label="{w["source_for"]} {where}">{w["source"]}</a>'
        )
    if cell.note:
        parts.append(
            f'\n<details class="note"><summary aria-label="{w["note_on"]} {where}">'
            f"{w['note']}</summary><p>{escape(cell.note)}</p></details>"
        )
    if stale:
        parts.append(
            f' <span class="stale-mark">{w["stale"]} {date_format(cell.last_verified, "M Y")}'
            "</span>"
        )
    parts.append("</td>")
    return "".join(parts)


@dataclass(frozen=True)
class Row:
    feature: Feature
    cells: list[Cell]

    @property
    def differs(self) -> bool:
        return len({cell.level for cell in self.cells}) > 1

    @cached_property
    def html(self) -> SafeString:
        """The whole table row: feature header (with its rubric) and one cell per mesh."""
        stale_date = stale_before()
        w = words()
        name = escape(self.feature.display_name)
        differs = self.differs and len(self.cells) > 1
        row_class = ' class="differs"' if differs else ""
        parts = [
            f'<tr id="feature-{escape(self.feature.slug)}"{row_class}>'
            f'<th scope="row" class="feature-col"><span class="feature-name">{name}</span>'
        ]
        if differs:
            parts.append(
                ' <span class="differs-mark" title="Values differ">≠'
                f'<span class="visually-hidden"> {w["differs"]}</span></span>'
            )
        parts.append(
            f'\n<details class="rubric"><summary><span class="visually-hidden">{w["rubric"]} '
            f'{name}</span><span aria-hidden="true">?</span></summary>'
            f"<p>{escape(self.feature.display_description)}</p></details></th>"
        )
        parts += [
            cell_html(cell, f"{escape(cell.mesh.name)}, {name}", stale_date, w)
            for cell in self.cells
        ]
        parts.append("</tr>\n")
        # Every value in it is escaped above.
        return mark_safe("".join(parts))


@dataclass(frozen=True)
class CategoryRows:
    category: Category
    rows: list[Row]


@dataclass
class Matrix:
    meshes: list[Mesh]
    groups: list[CategoryRows] = field(default_factory=list)

    @property
    def rows(self) -> Iterable[Row]:
        for group in self.groups:
            yield from group.rows

    @property
    def row_count(self) -> int:
        return sum(len(group.rows) for group in self.groups)

    def only_differences(self) -> Matrix:
        groups = [
            CategoryRows(group.category, [row for row in group.rows if row.differs])
            for group in self.groups
        ]
        return Matrix(meshes=self.meshes, groups=[g for g in groups if g.rows])

    def cells_by_mesh(self) -> dict[int, list[Cell]]:
        """Each mesh's cells in row order (for exports that go mesh by mesh)."""
        by_mesh: dict[int, list[Cell]] = {mesh.pk: [] for mesh in self.meshes}
        for row in self.rows:
            for mesh, cell in zip(self.meshes, row.cells, strict=True):
                by_mesh[mesh.pk].append(cell)
        return by_mesh


def build_matrix(meshes: Sequence[Mesh], features: Iterable[Feature] | None = None) -> Matrix:
    """Lay out every feature (or the given ones) against `meshes`.

    A missing cell (possible only between an editor's save and the fill) reads as 'unknown', so a
    half-edited database never breaks the public table.
    """
    meshes = list(meshes)
    features = list(features if features is not None else Feature.objects.in_display_order())
    values = {
        (mesh_id, feature_id): rest
        for mesh_id, feature_id, *rest in Support.objects.filter(
            mesh__in=meshes, feature__in=features
        ).values_list("mesh_id", "feature_id", "level", "note", "source", "last_verified")
    }
    matrix = Matrix(meshes=meshes)
    with_ids = [(mesh, mesh.pk) for mesh in meshes]  # .pk is a property: read it once per mesh
    for feature in features:
        feature_id = feature.pk
        row_cells = [
            Cell(mesh, feature, *values.get((mesh_id, feature_id), ()))
            for mesh, mesh_id in with_ids
        ]
        row = Row(feature=feature, cells=row_cells)
        if not matrix.groups or matrix.groups[-1].category.pk != feature.category_id:
            matrix.groups.append(CategoryRows(category=feature.category, rows=[]))
        matrix.groups[-1].rows.append(row)
    return matrix
