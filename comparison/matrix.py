"""The comparison grid: facts rows, categories of feature rows, one cell per shown mesh.

Built in 3 queries; the facts come from the meshes themselves.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

from django.template import engines
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from .choices import Level, Stage
from .conformance import Tested, evidence
from .facts import BY_NAME
from .models import (
    Category,
    Feature,
    Mesh,
    SourceCheck,
    Support,
    is_stale,
    stale_before,
)

# The levels a passing test can confirm (a "no" or "unknown" claims nothing to confirm).
PROVABLE = frozenset({Level.YES, Level.PARTIAL})


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
    stage: str = ""
    since_version: str = ""
    removed_in: str = ""
    inherited: bool = False

    @property
    def is_stale(self) -> bool:
        return is_stale(self.last_verified, release=self.release_date)

    def get_level_display(self) -> str:
        return str(Level(self.level).label)


@lru_cache(maxsize=8)
def _words(language: str) -> dict[str, Any]:
    """The table's vocabulary in one language, looked up once rather than per cell.

    Plain text: the template escapes it like any value. A phrase with a version in it is split
    around the version, so that the template escapes the version too.
    """
    return {
        "levels": {
            # The icon is drawn by the stylesheet (td.lvl-* .lvl::before).
            level: str(label)
            for level, label in Level.choices
        },
        "facts": _("Facts"),
        "source": _("source"),
        "stale": _("stale: verified"),
        # A cell without a date has never been checked against its source.
        "never_verified": _("may be stale"),
        "unreachable": _("source unreachable since"),
        "suggest": _("Suggest a correction for"),
        "differs": _("values differ"),
        "stages": {stage: str(label) for stage, label in Stage.choices},
        # Short words for the stage marker beside a level (stable needs none).
        "stage_marks": {
            Stage.BETA: _("beta"),
            Stage.ALPHA: _("alpha"),
            Stage.PREVIEW: _("preview"),
            Stage.DEPRECATED: _("deprecated"),
        },
        "since": _around(_("since %(version)s"), "%(version)s"),
        "removed": _around(_("removed in %(version)s"), "%(version)s"),
        "archived": _around(_("archived %(date)s"), "%(date)s"),
        "tested": _("tested"),
        "as_upstream": _("as upstream"),
        # The address of every feature page, with a placeholder for the slug.
        "feature_url": reverse("comparison:feature-detail", args=["SLUG"]),
        "suggest_url": reverse("comparison:suggest"),
        # Cell notes are written in English: German pages say so, for screen readers.
        "notes_in_english": language.startswith("de"),
    }


def _around(phrase: str, placeholder: str) -> tuple[str, str]:
    before, _placeholder, after = phrase.partition(placeholder)
    return before, after


def words() -> dict[str, Any]:
    return _words(get_language() or "en")


@lru_cache(maxsize=512)
def _formatted(date: datetime.date, fmt: str, language: str) -> str:
    return date_format(date, fmt)


def month_year(date: datetime.date, fmt: str = "M Y") -> str:
    """A date in the page's language; a table shows few distinct dates many times over."""
    return _formatted(date, fmt, get_language() or "en")


# (level, note, source, last_verified, stage, since_version, removed_in, inherited) of one cell,
# as the database returns them.
CellValues = tuple[str, str, str, "datetime.date | None", str, str, str, bool]
CELL_FIELDS = (
    "level",
    "note",
    "source",
    "last_verified",
    "stage",
    "since_version",
    "removed_in",
    "inherited",
)
UNKNOWN_CELL: CellValues = (Level.UNKNOWN, "", "", None, "", "", "", False)


class Column(NamedTuple):
    """One shown mesh and what every one of its cells needs, worked out once per table.

    A tuple, so that the template unpacks it in its cell loop instead of looking up attributes
    cell by cell. Plain text, like the cell values: the template escapes it.
    """

    mesh: Mesh
    mesh_id: int
    release_date: datetime.date | None
    # The start of each cell's correction link and of its words for screen readers, which the
    # feature's slug and name complete (Row.suggestions).
    suggest_url: str
    suggest_label: str
    # For a distribution: the upstream's page, name and version ("as upstream Istio 1.28");
    # empty otherwise.
    upstream_url: str
    upstream_name: str
    upstream_version: str


@dataclass(frozen=True)
class Grid:
    """What every row of one table shares: its columns, broken sources and display options.

    `show_notes` puts notes in the cells; `limit_notes_only` leaves out the notes of "yes" cells
    (the big overview's compact view: the notes that say what is missing or unknown stay, the
    page stays light; every note is on the feature, mesh and compare pages and in the exports).
    """

    columns: list[Column]
    unreachable: dict[str, datetime.date]
    show_notes: bool = False
    limit_notes_only: bool = False
    # (mesh id, feature id) -> the passing conformance result that bears on the cell.
    tested: dict[tuple[int, int], Tested] = field(default_factory=dict)
    # Cells verified before it are stale (see is_stale()), worked out once per table.
    stale_cutoff: datetime.date = field(default_factory=stale_before)

    @classmethod
    def of(
        cls,
        meshes: Sequence[Mesh],
        unreachable: dict[str, datetime.date],
        show_notes: bool,
        limit_notes_only: bool = False,
        tested: dict[tuple[int, int], Tested] | None = None,
    ) -> Grid:
        w = words()
        columns = []
        for mesh in meshes:
            upstream = mesh.upstream
            inherits_from = (
                ("", "", "")
                if upstream is None
                else (
                    upstream.get_absolute_url(),
                    upstream.name,
                    mesh.upstream_version or upstream.current_version,
                )
            )
            columns.append(
                Column(
                    mesh,
                    mesh.pk,
                    mesh.flagged_release_date,
                    f"{w['suggest_url']}?mesh={mesh.slug}&feature=",
                    f"{w['suggest']} {mesh.name}, ",
                    *inherits_from,
                )
            )
        return cls(
            columns, unreachable, show_notes, limit_notes_only and not show_notes, tested or {}
        )


@dataclass(frozen=True)
class Row:
    feature: Feature
    values: list[CellValues]  # one per column, in column order
    grid: Grid

    @cached_property
    def cells(self) -> list[Cell]:
        """The row's cells as objects (exports and counts); the page itself renders `values`."""
        unreachable = self.grid.unreachable
        return [
            Cell(
                column.mesh,
                self.feature,
                level,
                note,
                source,
                verified,
                column.release_date,
                unreachable.get(source) if source else None,
                stage,
                since,
                removed,
                inherited,
            )
            for column, (level, note, source, verified, stage, since, removed, inherited) in zip(
                self.grid.columns, self.values, strict=True
            )
        ]

    @property
    def differs(self) -> bool:
        return len({values[0] for values in self.values}) > 1

    @property
    def url(self) -> str:
        return words()["feature_url"].replace("SLUG", self.feature.slug)

    @property
    def suggestions(self) -> list[tuple[str, str]]:
        """Each cell's correction link and the words that name it for screen readers."""
        slug, name = self.feature.slug, self.feature.display_name
        return [
            (column.suggest_url + slug, column.suggest_label + name) for column in self.grid.columns
        ]


@dataclass(frozen=True)
class Fact:
    """One facts row: a label and how to read its value (and an optional link) off a mesh."""

    slug: str
    label: str | Promise
    value: Callable[[Mesh], str]
    link: Callable[[Mesh], str] = lambda mesh: ""
    # The value the filters treat as equal (differences are marked like feature rows).
    key: Callable[[Mesh], object] | None = None


def source_of(fact: str) -> Callable[[Mesh], str]:
    """The link of a facts row: the page its fact was read on (comparison/facts.py)."""
    field = BY_NAME[fact].source
    return lambda mesh: getattr(mesh, field)


# Short words for the facts rows, so that a dozen columns fit side by side.
CNCF_SHORT = {
    "graduated": gettext_lazy("graduated"),
    "incubating": gettext_lazy("incubating"),
    "sandbox": gettext_lazy("sandbox"),
    "archived": gettext_lazy("archived"),
    "none": gettext_lazy("not in CNCF"),
}
DATA_PLANE_SHORT = {
    "sidecar": gettext_lazy("sidecar"),
    "per_node": gettext_lazy("per node"),
    "sidecarless": gettext_lazy("sidecarless"),
    "mixed": gettext_lazy("sidecar or sidecarless"),
}


def _version(mesh: Mesh) -> str:
    """The current version and how long its release line is supported, where a first-hand
    lifecycle says so (the mesh page lists every line)."""
    version = mesh.current_version or str(Level.UNKNOWN.label)
    cycle = mesh.current_cycle
    if cycle is None:
        return version
    if cycle.ended and cycle.end_of_support:
        return _("%(version)s, support ended %(date)s") % {
            "version": version,
            "date": month_year(cycle.end_of_support),
        }
    if cycle.end_of_support:
        return _("%(version)s, until %(date)s") % {
            "version": version,
            "date": month_year(cycle.end_of_support),
        }
    return _("%(version)s, supported") % {"version": version}


def _open_source(mesh: Mesh) -> str:
    return str(Level.YES.label if mesh.open_source else Level.NO.label)


def _status(mesh: Mesh) -> str:
    text = str(mesh.get_status_display())
    return f"{text} {month_year(mesh.status_date)}" if mesh.status_date else text


def _yes_no_unknown(value: bool | None) -> str:
    level = Level.UNKNOWN if value is None else Level.YES if value else Level.NO
    return str(level.label)


def _lines(mesh: Mesh) -> str:
    if not mesh.split_yaml:
        return str(Level.UNKNOWN.label)
    count = mesh.traffic_split_lines
    return _("%(count)s lines") % {"count": count}


FACTS = [
    Fact("status", gettext_lazy("Status"), _status, key=lambda m: m.status),
    Fact("maturity", gettext_lazy("Maturity"), lambda m: str(m.get_maturity_display())),
    Fact("open-source", gettext_lazy("Open source"), _open_source),
    # German where an editor wrote it; rows differ by the English text in either language.
    Fact("licence", gettext_lazy("Licence"), lambda m: m.display_licence, key=lambda m: m.licence),
    Fact(
        "version",
        gettext_lazy("Current version"),
        _version,
        lambda m: m.current_version_source,
        key=lambda m: m.current_version,
    ),
    Fact("cncf", gettext_lazy("CNCF status"), lambda m: str(CNCF_SHORT[m.cncf_status])),
    Fact(
        "data-plane",
        gettext_lazy("Data-plane model"),
        lambda m: str(DATA_PLANE_SHORT[m.data_plane]),
    ),
    Fact(
        "verified",
        gettext_lazy("Last verified"),
        lambda m: month_year(m.last_verified),
        key=lambda m: m.is_stale,
    ),
]
# The side-by-side page shows a few more.
MORE_FACTS = [
    Fact("developer", gettext_lazy("Developer"), lambda m: m.developer),
    Fact("proxy", gettext_lazy("Proxy"), lambda m: m.proxy),
    Fact("platforms", gettext_lazy("Platforms"), lambda m: m.platforms_summary),
    Fact(
        "without-kubernetes",
        gettext_lazy("Runs without Kubernetes"),
        lambda m: _yes_no_unknown(m.runs_without_kubernetes),
        source_of("runs_without_kubernetes"),
    ),
    Fact(
        "orchestrators",
        gettext_lazy("Outside Kubernetes"),
        lambda m: m.get_orchestrators_display() or "—",
        source_of("orchestrators"),
    ),
    Fact(
        "bound-to-cloud",
        gettext_lazy("Works only with"),
        lambda m: str(m.get_bound_to_cloud_display()) or "—",
        lambda m: source_of("bound_to_cloud")(m) if m.bound_to_cloud else "",
    ),
    Fact(
        "support",
        gettext_lazy("Commercial support"),
        lambda m: m.commercial_support or "—",
        source_of("commercial_support"),
    ),
    Fact(
        "stable-releases-free",
        gettext_lazy("Stable releases free"),
        lambda m: _yes_no_unknown(m.stable_releases_free),
        source_of("stable_releases_free"),
    ),
    Fact(
        "proxy-family",
        gettext_lazy("Proxy family"),
        lambda m: str(m.get_proxy_family_display()) or str(Level.UNKNOWN.label),
        source_of("proxy_family"),
    ),
    Fact(
        "traffic-split",
        gettext_lazy("90/10 split config"),
        _lines,
        lambda m: f"{m.get_absolute_url()}#complexity" if m.split_yaml else "",
    ),
]


@dataclass(frozen=True)
class FactRow:
    fact: Fact
    meshes: list[Mesh]

    @cached_property
    def values(self) -> list[tuple[str, str]]:
        return [(self.fact.value(mesh), self.fact.link(mesh)) for mesh in self.meshes]

    @cached_property
    def differs(self) -> bool:
        if self.fact.key is None:
            return len({text for text, _link in self.values}) > 1
        return len({self.fact.key(mesh) for mesh in self.meshes}) > 1

    @cached_property
    def cells(self) -> list[tuple[str, str, bool]]:
        """(text, link, stale) of each mesh's value; only the last-verified row can be stale."""
        before = stale_before()
        check = self.fact.slug == "verified"
        return [
            (
                text,
                url,
                check and is_stale(mesh.last_verified, before, mesh.flagged_release_date),
            )
            for mesh, (text, url) in zip(self.meshes, self.values, strict=True)
        ]


@dataclass(frozen=True)
class CategoryRows:
    category: Category
    rows: list[Row]


@dataclass
class Matrix:
    meshes: list[Mesh]
    grid: Grid
    groups: list[CategoryRows] = field(default_factory=list)
    facts: list[FactRow] = field(default_factory=list)
    show_notes: bool = False
    tested: dict[tuple[int, int], Tested] = field(default_factory=dict)

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

    def tested_count(self, mesh: Mesh) -> int:
        """How many of `mesh`'s yes or partial cells a passing conformance report confirms."""
        index = self.meshes.index(mesh)
        return sum(
            (mesh.pk, row.feature.pk) in self.tested and row.cells[index].level in PROVABLE
            for row in self.rows
        )

    def only_differences(self) -> Matrix:
        groups = [
            CategoryRows(group.category, [row for row in group.rows if row.differs])
            for group in self.groups
        ]
        return Matrix(
            meshes=self.meshes,
            grid=self.grid,
            groups=[g for g in groups if g.rows],
            facts=[row for row in self.facts if row.differs],
            show_notes=self.show_notes,
            tested=self.tested,
        )

    @cached_property
    def body_html(self) -> SafeString:
        """The table's body: the facts rows, then each category's rows, in one template render.

        Jinja2 rather than Django's engine: the table has thousands of cells and this is its hot
        path. The template gets what every cell needs worked out once for the table.
        """
        grid = self.grid
        tested_by = _("Gateway API %(suite)s conformance tests passed on %(version)s")
        # (mesh id, feature id) -> the passing report's address and what it proves, in words.
        proofs = {
            key: (
                proof.url,
                tested_by % {"suite": proof.gateway_api_version, "version": proof.mesh_version},
            )
            for key, proof in grid.tested.items()
        }
        template = engines["jinja2"].get_template("comparison/matrix_rows.html")
        html = template.render(
            {
                "facts": self.facts,
                "groups": self.groups,
                "table": {
                    "columns": grid.columns,
                    "show_notes": grid.show_notes,
                    "yes_notes": not grid.limit_notes_only,
                    "unreachable": grid.unreachable,
                    "before": grid.stale_cutoff,
                    "proofs": proofs,
                    "provable": PROVABLE,
                },
                "words": words(),
                "zip": zip,
            }
        )
        # Every value in it is escaped by the engine (quotes as &#34; and &#39;, which read the
        # same as Django's &quot; and &#x27;).
        return mark_safe(html)

    def cells_by_mesh(self) -> dict[int, list[Cell]]:
        """Each mesh's cells in row order (for exports that go mesh by mesh)."""
        by_mesh: dict[int, list[Cell]] = {mesh.pk: [] for mesh in self.meshes}
        for row in self.rows:
            for mesh, cell in zip(self.meshes, row.cells, strict=True):
                by_mesh[mesh.pk].append(cell)
        return by_mesh


def fact_rows(meshes: Sequence[Mesh], facts: Iterable[Fact] = FACTS) -> list[FactRow]:
    meshes = list(meshes)
    return [FactRow(fact, meshes) for fact in facts]


def matching_facts(text: str, facts: Iterable[Fact] = FACTS) -> list[Fact]:
    """The facts rows whose label (in the page's language or in English) contains `text`."""
    text = text.casefold()
    found = []
    for fact in facts:
        with_english = {str(fact.label).casefold(), fact.slug}
        if any(text in label for label in with_english):
            found.append(fact)
    return found


def build_matrix(
    meshes: Sequence[Mesh],
    features: Iterable[Feature] | None = None,
    *,
    facts: Iterable[Fact] = (),
    show_notes: bool = False,
    limit_notes_only: bool = False,
) -> Matrix:
    """Lay out every feature (or the given ones) against `meshes`, after the given facts rows.

    A missing cell (possible only between an editor's save and the fill) reads as 'unknown', so a
    half-edited database never breaks the public table.
    """
    meshes = list(meshes)
    features = list(features if features is not None else Feature.objects.in_display_order())
    unreachable = SourceCheck.objects.unreachable_since()
    # CELL_FIELDS by (mesh id, feature id); rows are plain tuples.
    values = {
        (row[0], row[1]): row[2:]
        for row in Support.objects.filter(mesh__in=meshes, feature__in=features).values_list(
            "mesh_id", "feature_id", *CELL_FIELDS
        )
    }
    tested = evidence(meshes).tested if meshes else {}
    grid = Grid.of(meshes, unreachable, show_notes, limit_notes_only, tested)
    mesh_ids = [mesh.pk for mesh in meshes]
    matrix = Matrix(
        meshes=meshes,
        grid=grid,
        facts=fact_rows(meshes, facts),
        show_notes=show_notes,
        tested=tested,
    )
    for feature in features:
        feature_id = feature.pk
        row = Row(
            feature=feature,
            values=[values.get((mesh_id, feature_id), UNKNOWN_CELL) for mesh_id in mesh_ids],
            grid=grid,
        )
        if not matrix.groups or matrix.groups[-1].category.pk != feature.category_id:
            matrix.groups.append(CategoryRows(category=feature.category, rows=[]))
        matrix.groups[-1].rows.append(row)
    return matrix
