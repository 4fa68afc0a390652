"""The comparison grid: categories of feature rows, one cell per shown mesh, built in 3 queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Category, Feature, Level, Mesh, Support, stale_before

LEVEL_LABELS = dict(Level.choices)


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
        return LEVEL_LABELS[self.level]


def cell_html(cell: Cell, stale_date: datetime.date) -> str:
    """One table cell: the level as icon and word, then source link, note and staleness.

    Built in Python rather than a template: the table has hundreds of cells and this is its hot
    path (templates/comparison/_matrix_table.html holds the rest of the markup).
    """
    where = escape(f"{cell.mesh.name}, {cell.feature.name}")
    stale = cell.last_verified is not None and cell.last_verified < stale_date
    parts = [
        f'<td class="cell lvl-{cell.level}{" is-stale" if stale else ""}"><span class="lvl">'
        f'<span class="lvl-icon" aria-hidden="true"></span>{LEVEL_LABELS[cell.level]}</span>'
    ]
    if cell.source:
        parts.append(
            f'\n<a class="src" href="{escape(cell.source)}" rel="noopener noreferrer external">'
            f'<span class="visually-hidden">Source for {where}</span>'
            f'<span aria-hidden="true">source</span></a>'
        )
    if cell.note:
        parts.append(
            f'\n<details class="note"><summary><span class="visually-hidden">Note on {where}'
            f'</span><span aria-hidden="true">note</span></summary><p>{escape(cell.note)}</p>'
            f"</details>"
        )
    if stale:
        parts.append(f' <span class="stale-mark">stale: verified {cell.last_verified:%b %Y}</span>')
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
        name = escape(self.feature.name)
        differs = self.differs and len(self.cells) > 1
        row_class = ' class="differs"' if differs else ""
        parts = [
            f'<tr id="feature-{escape(self.feature.slug)}"{row_class}>'
            f'<th scope="row" class="feature-col"><span class="feature-name">{name}</span>'
        ]
        if differs:
            parts.append(
                ' <span class="differs-mark" title="Values differ">≠'
                '<span class="visually-hidden"> values differ</span></span>'
            )
        parts.append(
            '\n<details class="rubric"><summary><span class="visually-hidden">What counts as yes'
            f' for {name}</span><span aria-hidden="true">?</span></summary>'
            f"<p>{escape(self.feature.description)}</p></details></th>"
        )
        parts += [cell_html(cell, stale_date) for cell in self.cells]
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
    for feature in features:
        row_cells = [Cell(mesh, feature, *values.get((mesh.pk, feature.pk), ())) for mesh in meshes]
        row = Row(feature=feature, cells=row_cells)
        if not matrix.groups or matrix.groups[-1].category.pk != feature.category_id:
            matrix.groups.append(CategoryRows(category=feature.category, rows=[]))
        matrix.groups[-1].rows.append(row)
    return matrix
