"""The comparison grid: categories of feature rows, one cell per shown mesh, built in 3 queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .choices import Level
from .models import Category, Feature, Mesh, SourceCheck, Support, is_stale, stale_before


@dataclass(slots=True)
class Cell:
    """One mesh x feature value as the pages show it (lighter than a Support instance)."""

    mesh: Mesh
    feature: Feature
    level: str = Level.UNKNOWN
    note: str = ""
    source: str = ""
    last_verified: datetime.date | None = None
    # The mesh's flagged release date (see ReleaseWatch) and, for a broken source, since when.
    release_date: datetime.date | None = None
    unreachable_since: datetime.date | None = None

    @property
    def is_stale(self) -> bool:
        return self.last_verified is not None and is_stale(
            self.last_verified, release=self.release_date
        )

    def get_level_display(self) -> str:
        return Level(self.level).label


@lru_cache(maxsize=8)
def _words(language: str) -> dict[str, str]:
    """The cell vocabulary in one language, looked up once rather than per cell."""
    return {
        "levels": {level: str(label) for level, label in Level.choices},
        "source_for": _("Source for"),
        "source": _("source"),
        "note_on": _("Note on"),
        "note": _("note"),
        "stale": _("stale: verified"),
        "unreachable": _("source unreachable since"),
        "suggest": _("Suggest a correction for"),
        "differs": _("values differ"),
        "rubric": _("What counts as yes for"),
    }


def words() -> dict[str, str]:
    return _words(get_language() or "en")


def cell_html(cell: Cell, stale_date: datetime.date, w: dict) -> str:
    """One table cell: the level as icon and word, then source link, note and staleness.

    Built in Python rather than a template: the table has hundreds of cells and this is its hot
    path (templates/comparison/_matrix_table.html holds the rest of the markup).
    """
    where = escape(f"{cell.mesh.name}, {cell.feature.display_name}")
    stale = cell.last_verified is not None and is_stale(
        cell.last_verified, stale_date, cell.release_date
    )
    parts = [
        f'<td class="cell lvl-{cell.level}{" is-stale" if stale else ""}"><span class="lvl">'
        f'<span class="lvl-icon" aria-hidden="true"></span>{w["levels"][cell.level]}</span>'
    ]
    if cell.unreachable_since:
        # A dead link helps nobody; say since when it has failed (the editors see it too).
        parts.append(
            f'\n<span class="src-gone"><span class="src-gone-icon" aria-hidden="true"></span>'
            f"{w['unreachable']} {date_format(cell.unreachable_since, 'j M Y')}</span>"
        )
    elif cell.source:
        parts.append(
            f'\n<a class="src" href="{escape(cell.source)}" rel="noopener noreferrer external">'
            f'<span class="visually-hidden">{w["source_for"]} {where}</span>'
            f'<span aria-hidden="true">{w["source"]}</span></a>'
        )
    if cell.note:
        parts.append(
            f'\n<details class="note"><summary><span class="visually-hidden">{w["note_on"]} '
            f'{where}</span><span aria-hidden="true">{w["note"]}</span></summary>'
            f"<p>{escape(cell.note)}</p></details>"
        )
    if stale:
        parts.append(
            ' <span class="stale-mark"><span class="stale-icon" aria-hidden="true"></span>'
            f"{w['stale']} {date_format(cell.last_verified, 'M Y')}</span>"
        )
    # A plain link (no token): the page stays publicly cacheable, the form page has the token.
    parts.append(
        f'\n<a class="suggest" rel="nofollow" href="{w["suggest_url"]}?mesh='
        f'{escape(cell.mesh.slug)}&amp;feature={escape(cell.feature.slug)}">'
        f'<span aria-hidden="true">✎</span><span class="visually-hidden">{w["suggest"]} '
        f"{where}</span></a></td>"
    )
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
        w = {**words(), "suggest_url": escape(reverse("comparison:suggest"))}
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
        parts += [cell_html(cell, stale_date, w) for cell in self.cells]
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

    def stale_count(self, mesh: Mesh) -> int:
        """How many of `mesh`'s cells in this table are stale."""
        index = self.meshes.index(mesh)
        return sum(row.cells[index].is_stale for row in self.rows)

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
    unreachable = SourceCheck.objects.unreachable_since()
    values = {
        (mesh_id, feature_id): rest
        for mesh_id, feature_id, *rest in Support.objects.filter(
            mesh__in=meshes, feature__in=features
        ).values_list("mesh_id", "feature_id", "level", "note", "source", "last_verified")
    }
    release_dates = {mesh.pk: mesh.flagged_release_date for mesh in meshes}
    matrix = Matrix(meshes=meshes)
    for feature in features:
        row_cells = []
        for mesh in meshes:
            cell = Cell(mesh, feature, *values.get((mesh.pk, feature.pk), ()))
            cell.release_date = release_dates[mesh.pk]
            cell.unreachable_since = unreachable.get(cell.source) if cell.source else None
            row_cells.append(cell)
        row = Row(feature=feature, cells=row_cells)
        if not matrix.groups or matrix.groups[-1].category.pk != feature.category_id:
            matrix.groups.append(CategoryRows(category=feature.category, rows=[]))
        matrix.groups[-1].rows.append(row)
    return matrix
