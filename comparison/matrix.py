"""The comparison grid: facts rows, categories of feature rows, one cell per shown mesh.

Built in 3 queries; the facts come from the meshes themselves.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import escape
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
    stale_threshold,
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
        return self.last_verified is not None and is_stale(
            self.last_verified, release=self.release_date
        )

    def get_level_display(self) -> str:
        return str(Level(self.level).label)


@lru_cache(maxsize=8)
def _words(language: str) -> dict[str, Any]:
    """The cell vocabulary in one language, looked up once rather than per cell."""
    return {
        "levels": {
            # The icon is drawn by the stylesheet (td.lvl-* .lvl::before).
            level: str(label)
            for level, label in Level.choices
        },
        "source": _("source"),
        "stale": _("stale: verified"),
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
        "since": _("since %(version)s"),
        "tested": _("tested"),
        "tested_by": _("Gateway API %(suite)s conformance tests passed on %(version)s"),
        "removed": _("removed in %(version)s"),
        "as_upstream": _("as upstream"),
        # The address of every feature page, with a placeholder for the slug.
        "feature_url": reverse("comparison:feature-detail", args=["SLUG"]),
        "suggest_url": html.escape(reverse("comparison:suggest")),
        # Cell notes are written in English: German pages say so, for screen readers.
        "note_lang": ' lang="en"' if language.startswith("de") else "",
    }


def words() -> dict[str, Any]:
    return _words(get_language() or "en")


@lru_cache(maxsize=512)
def _formatted(date: datetime.date, fmt: str, language: str) -> str:
    return date_format(date, fmt)


def month_year(date: datetime.date, fmt: str = "M Y") -> str:
    """A date in the page's language; a table shows few distinct dates many times over."""
    return _formatted(date, fmt, get_language() or "en")


# html.escape's table as one C call: the cell loop below makes no Python call per cell. (Python
# 3.11+ frames live in 16 KiB chunks that are mapped and unmapped as the stack crosses a chunk's
# edge; a call per cell that lands on an edge costs a mmap/munmap pair per cell, doubling the
# time of a large table through gunicorn.)
HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})

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


@dataclass(frozen=True, slots=True)
class Column:
    """One shown mesh and what every one of its cells needs, worked out once per table."""

    mesh: Mesh
    release_date: datetime.date | None
    stale_before: datetime.date  # a cell verified before it is stale (the one rule)
    suggest_query: str  # "?mesh=<slug>&amp;feature=", escaped
    name: str  # escaped
    # For a distribution: "as upstream <a href="…/istio-sidecar/#feature-">Istio</a> 1.28"
    # up to the feature's slug, and what follows it; empty otherwise.
    upstream_open: str = ""
    upstream_close: str = ""


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

    @classmethod
    def of(
        cls,
        meshes: Sequence[Mesh],
        unreachable: dict[str, datetime.date],
        show_notes: bool,
        limit_notes_only: bool = False,
        tested: dict[tuple[int, int], Tested] | None = None,
    ) -> Grid:
        before = stale_before()
        as_upstream = words()["as_upstream"]
        columns = []
        for mesh in meshes:
            upstream_open = upstream_close = ""
            upstream = mesh.upstream
            if upstream is not None:
                version = mesh.upstream_version or upstream.current_version
                upstream_open = (
                    f'<p class="inherited-from">{as_upstream} '
                    f'<a href="{html.escape(upstream.get_absolute_url())}#feature-'
                )
                upstream_close = f'">{html.escape(upstream.name)}</a> {html.escape(version)}</p>'
            columns.append(
                Column(
                    mesh,
                    mesh.flagged_release_date,
                    stale_threshold(before, mesh.flagged_release_date),
                    f"?mesh={html.escape(mesh.slug)}&amp;feature=",
                    html.escape(mesh.name),
                    upstream_open,
                    upstream_close,
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

    @cached_property
    def html(self) -> SafeString:
        """The whole table row: feature header (linked to its page) and one cell per mesh.

        Each cell shows the level as icon and word, its source and note, and staleness. Compact
        (the default) keeps the note and source behind the level word, a disclosure that needs no
        script; with notes shown both sit in the cell. Built in Python rather than a template:
        the table has thousands of cells and this is its hot path (no lazy translation lookups,
        no function call per cell, see HTML_ESCAPES). The row and column headers name the feature
        and mesh, so the cell repeats neither (only the correction link's hidden words do, so
        that it stands alone in a list of links).
        """
        w = words()
        name = html.escape(self.feature.display_name)
        slug = html.escape(self.feature.slug)
        grid = self.grid
        differs = self.differs and len(self.values) > 1
        row_class = ' class="differs"' if differs else ""
        parts = [
            f'<tr id="feature-{slug}"{row_class}><th scope="row" class="feature-col">'
            f'<a class="feature-name" href="{w["feature_url"].replace("SLUG", slug)}">{name}</a>'
        ]
        if differs:
            parts.append(
                ' <span class="differs-mark">≠'
                f'<span class="visually-hidden"> {w["differs"]}</span></span>'
            )
        # The rubric (what counts as yes) is on the feature page the name links to.
        parts.append("</th>")
        append = parts.append
        levels: dict[str, str] = w["levels"]
        unreachable, show_notes = grid.unreachable, grid.show_notes
        yes_notes, yes = not grid.limit_notes_only, Level.YES
        source_word, note_open = w["source"], f'<p class="note"{w["note_lang"]}>'
        suggest_open = f'<a class="suggest" rel="nofollow" href="{w["suggest_url"]}'
        suggest_words = f'"><span class="visually-hidden">{w["suggest"]} '
        suggest_close = f", {name}</span></a></td>"
        stage_marks: dict[str, str] = w["stage_marks"]
        stages: dict[str, str] = w["stages"]
        since_words, removed_words = w["since"], w["removed"]
        tested_word, tested_by, tested = w["tested"], w["tested_by"], grid.tested
        feature_id = self.feature.pk
        # Few distinct dates recur many times: each is formatted once per row.
        dates: dict[tuple[datetime.date, str], str] = {}
        for column, (
            level,
            note,
            source,
            verified,
            stage,
            since,
            removed,
            inherited,
        ) in zip(grid.columns, self.values, strict=True):
            stale = verified is not None and verified < column.stale_before
            gone = unreachable.get(source) if source and unreachable else None
            if gone:
                # A dead link helps nobody; say since when it has failed (editors see it too).
                key = (gone, "j M Y")
                if key not in dates:
                    dates[key] = month_year(gone, "j M Y")
                source_html = (
                    '<span class="src-gone"><span class="src-gone-icon" aria-hidden="true"></span>'
                    f"{w['unreachable']} {dates[key]}</span>"
                )
            elif source:
                source_html = (
                    f'<a class="src" href="{source.translate(HTML_ESCAPES)}" '
                    f'rel="noopener noreferrer external">{source_word}</a>'
                )
            else:
                source_html = ""
            note_html = (
                f"{note_open}{note.translate(HTML_ESCAPES)}</p>"
                if note and (yes_notes or level != yes)
                else ""
            )
            # How mature and since when, in the project's words (caniuse's flags and prefixes).
            if stage or since or removed:
                facts = []
                if stage:
                    facts.append(stages[stage])
                if since:
                    facts.append(since_words % {"version": since.translate(HTML_ESCAPES)})
                if removed:
                    facts.append(removed_words % {"version": removed.translate(HTML_ESCAPES)})
                note_html = f'<p class="stage-since">{", ".join(facts)}</p>{note_html}'
            if inherited and column.upstream_open:
                note_html += f"{column.upstream_open}{slug}{column.upstream_close}"
            mark = stage_marks.get(stage)
            mark_html = f' <span class="stage stage-{stage}">{mark}</span>' if mark else ""
            # A passing conformance report confirms the claim: say so, and link the report.
            proof = (
                tested.get((column.mesh.pk, feature_id)) if tested and level in PROVABLE else None
            )
            if proof is not None:
                by = tested_by % {
                    "suite": proof.gateway_api_version.translate(HTML_ESCAPES),
                    "version": proof.mesh_version.translate(HTML_ESCAPES),
                }
                mark_html += (
                    f' <a class="tested" href="{proof.url.translate(HTML_ESCAPES)}" '
                    f'rel="noopener noreferrer external">{tested_word}'
                    f'<span class="visually-hidden">: {by}</span></a>'
                )
                note_html += f'<p class="tested-by">{by}</p>'

            append(
                f'<td class="lvl-{level}{" is-stale" if stale else ""}'
                f'{" is-inherited" if inherited else ""}">'
            )
            # The stage marker goes on a line of its own, below the level and clear of the
            # correction link in the cell's corner.
            if show_notes:
                append(
                    f'<span class="lvl">{levels[level]}</span>{mark_html} {source_html}{note_html}'
                )
            elif source_html or note_html:
                append(
                    f'<details><summary class="lvl">{levels[level]}</summary>'
                    f"{note_html}{source_html}</details>{mark_html}"
                )
            else:
                append(f'<span class="lvl">{levels[level]}</span>{mark_html}')
            if stale and verified is not None:
                key = (verified, "M Y")
                if key not in dates:
                    dates[key] = month_year(verified)
                append(
                    '<span class="stale-mark"><span class="stale-icon" aria-hidden="true"></span>'
                    f"{w['stale']} {dates[key]}</span>"
                )
            # A plain link (no token): the page stays publicly cacheable, the form has the token.
            append(
                f"{suggest_open}{column.suggest_query}{slug}{suggest_words}"
                f"{column.name}{suggest_close}"
            )
        append("</tr>\n")
        # Every value in it is escaped above.
        return mark_safe("".join(parts))


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
    Fact("licence", gettext_lazy("Licence"), lambda m: m.licence),
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
    Fact("platforms", gettext_lazy("Platforms"), lambda m: str(m.get_platforms_display())),
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
    def html(self) -> SafeString:
        row_class = ' class="differs"' if self.differs and len(self.meshes) > 1 else ""
        before = stale_before()
        parts = [
            f'<tr id="fact-{self.fact.slug}"{row_class}>'
            f'<th scope="row" class="feature-col">{escape(self.fact.label)}</th>'
        ]
        for mesh, (text, url) in zip(self.meshes, self.values, strict=True):
            stale = (
                ' class="stale"'
                if self.fact.slug == "verified"
                and is_stale(mesh.last_verified, before, mesh.flagged_release_date)
                else ""
            )
            value = html.escape(text)
            if url:
                external = "" if url.startswith("/") else ' rel="noopener noreferrer external"'
                value = f'<a href="{html.escape(url)}"{external}>{value}</a>'
            parts.append(f"<td{stale}>{value}</td>")
        parts.append("</tr>\n")
        return mark_safe("".join(parts))


@dataclass(frozen=True)
class CategoryRows:
    category: Category
    rows: list[Row]


@dataclass
class Matrix:
    meshes: list[Mesh]
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
            groups=[g for g in groups if g.rows],
            facts=[row for row in self.facts if row.differs],
            show_notes=self.show_notes,
            tested=self.tested,
        )

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
        meshes=meshes, facts=fact_rows(meshes, facts), show_notes=show_notes, tested=tested
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
